package wrapper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests pin each retry decision on its own: which operations repeat
// after which statuses and transport failures, the limits (MaxRetries,
// MaxWait, the deadline) and the doubt rules.

var kinds = map[opKind]string{kindRead: "read", kindRevoke: "revoke", kindBulkRevoke: "bulk", kindRevokeSelf: "self", kindCreate: "create", kindSudo: "sudo"}

func TestRetriesStatusTable(t *testing.T) {
	repeatable := map[int]bool{429: true, 502: true, 503: true, 504: true}
	for kind, name := range kinds {
		for _, status := range []int{200, 400, 401, 403, 404, 409, 422, 428, 430, 500, 501, 502, 503, 504, 505, 429} {
			want := false
			switch kind {
			case kindRead, kindRevoke, kindBulkRevoke:
				want = repeatable[status]
			case kindRevokeSelf:
				want = status == 429
			}
			assert.Equal(t, want, kind.retriesStatus(status), "%s %d", name, status)
		}
	}
}

func TestRetriesTransportErrorTable(t *testing.T) {
	for kind, name := range kinds {
		idempotent := kind == kindRead || kind == kindRevoke || kind == kindBulkRevoke
		assert.Equal(t, idempotent, kind.retriesTransportError(false), "%s, maybe sent", name)
		assert.True(t, kind.retriesTransportError(true), "%s, never sent", name)
	}
}

func TestAfterDoubt(t *testing.T) {
	notFound := &attemptError{api: &APIError{StatusCode: 404}}
	for kind, name := range kinds {
		done, err := kind.afterDoubt(notFound, true)
		switch kind {
		case kindRevoke, kindBulkRevoke:
			assert.True(t, done, name)
			require.ErrorIs(t, err, ErrOutcomeUnknown, name)
			require.ErrorIs(t, err, ErrNotFound, name)
		default:
			assert.False(t, done, name)
			require.NoError(t, err, name)
		}
		done, err = kind.afterDoubt(notFound, false)
		assert.False(t, done, "%s without doubt", name)
		require.NoError(t, err)
		done, _ = kind.afterDoubt(&attemptError{api: &APIError{StatusCode: 403}}, true)
		assert.False(t, done, "%s 403 after doubt", name)
		done, _ = kind.afterDoubt(&attemptError{transport: errors.New("reset")}, true)
		assert.False(t, done, "%s transport error after doubt", name)
	}
}

// retryClient has a policy with distinct figures, so each limit shows.
func retryClient(t *testing.T) *Client {
	t.Helper()
	c, err := New(WithRetry(RetryPolicy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, MaxWait: 10 * time.Second}))
	require.NoError(t, err)
	return c
}

func opOf(kind opKind) *operation { return &operation{route: &route{kind: kind}} }

func TestShouldRetryLimits(t *testing.T) {
	c := retryClient(t)
	ctx := t.Context()
	busy := func() *attemptError { return &attemptError{api: &APIError{StatusCode: 503}} }

	_, ok := c.shouldRetry(ctx, opOf(kindRead), busy(), 2)
	assert.True(t, ok, "the last allowed retry")
	_, ok = c.shouldRetry(ctx, opOf(kindRead), busy(), 3)
	assert.False(t, ok, "MaxRetries reached")

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, ok = c.shouldRetry(canceled, opOf(kindRead), busy(), 0)
	assert.False(t, ok, "the context ended")

	_, ok = c.shouldRetry(ctx, opOf(kindRead), &attemptError{transport: errors.New("x509"), noRetry: true}, 0)
	assert.False(t, ok, "never worth a retry")

	wait, ok := c.shouldRetry(ctx, opOf(kindRead), busy(), 0)
	assert.True(t, ok)
	assert.Less(t, wait, 2*time.Millisecond, "backoff within MaxDelay")
}

// TestShouldRetryServerWaits: Retry-After and, on 429 only, the rate-limit
// reset are waited for within MaxWait and the deadline; beyond MaxWait the
// answer is returned at once even without a deadline.
func TestShouldRetryServerWaits(t *testing.T) {
	c := retryClient(t)
	ctx := t.Context()
	withWait := func(status int, retryAfter time.Duration, reset time.Time) *attemptError {
		return &attemptError{api: &APIError{StatusCode: status, RetryAfter: retryAfter, RateLimitReset: reset}}
	}
	wait, ok := c.shouldRetry(ctx, opOf(kindRead), withWait(503, 10*time.Second, time.Time{}), 0)
	assert.True(t, ok, "Retry-After of exactly MaxWait")
	assert.Equal(t, 10*time.Second, wait)
	_, ok = c.shouldRetry(ctx, opOf(kindRead), withWait(503, 10*time.Second+time.Nanosecond, time.Time{}), 0)
	assert.False(t, ok, "Retry-After beyond MaxWait, no deadline")

	reset := time.Now().Add(5 * time.Second)
	wait, ok = c.shouldRetry(ctx, opOf(kindRead), withWait(429, 0, reset), 0)
	assert.True(t, ok)
	assert.InDelta(t, float64(5*time.Second), float64(wait), float64(time.Second), "429 waits for the reset")
	wait, ok = c.shouldRetry(ctx, opOf(kindRead), withWait(503, 0, reset), 0)
	assert.True(t, ok)
	assert.Less(t, wait, 2*time.Millisecond, "a 503 backs off: the reset is about the hourly budget, not the outage")
	_, ok = c.shouldRetry(ctx, opOf(kindRead), withWait(429, 0, time.Now().Add(time.Hour)), 0)
	assert.False(t, ok, "a reset beyond MaxWait")

	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, ok = c.shouldRetry(short, opOf(kindRead), withWait(503, 2*time.Second, time.Time{}), 0)
	assert.False(t, ok, "a wait beyond the deadline")
	wait, ok = c.shouldRetry(short, opOf(kindRead), withWait(503, 100*time.Millisecond, time.Time{}), 0)
	assert.True(t, ok, "a wait within the deadline")
	assert.Equal(t, 100*time.Millisecond, wait)
}

// TestShouldRetryTransportFailures: a refused foreign host and a too-large
// body are never retried; a body that could not be read only for reads;
// other failures as the kind allows.
func TestShouldRetryTransportFailures(t *testing.T) {
	c := retryClient(t)
	ctx := t.Context()
	for kind, name := range kinds {
		for _, fatal := range []error{ErrForeignHost, ErrResponseTooLarge, ErrRedirect, fmt.Errorf("wrapped: %w", ErrForeignHost)} {
			_, ok := c.shouldRetry(ctx, opOf(kind), &attemptError{transport: fatal, notSent: true}, 0)
			assert.False(t, ok, "%s: %v", name, fatal)
		}
		_, ok := c.shouldRetry(ctx, opOf(kind), &attemptError{transport: errors.New("cut"), readBody: true}, 0)
		assert.Equal(t, kind == kindRead, ok, "%s: unreadable success body", name)
		_, ok = c.shouldRetry(ctx, opOf(kind), &attemptError{transport: errors.New("reset")}, 0)
		assert.Equal(t, kind.retriesTransportError(false), ok, "%s: reset", name)
		_, ok = c.shouldRetry(ctx, opOf(kind), &attemptError{transport: errors.New("refused"), notSent: true}, 0)
		assert.True(t, ok, "%s: never sent", name)
		_, ok = c.shouldRetry(ctx, opOf(kind), &attemptError{api: &APIError{StatusCode: http.StatusInternalServerError}}, 0)
		assert.False(t, ok, "%s: 500", name)
	}
}

// TestParseRateLimitRefusesBadHeaders: only two well-formed headers make a
// known rate limit.
func TestParseRateLimitRefusesBadHeaders(t *testing.T) {
	header := func(remaining, reset string) http.Header {
		h := http.Header{}
		if remaining != "-" {
			h.Set("Fastly-RateLimit-Remaining", remaining)
		}
		if reset != "-" {
			h.Set("Fastly-RateLimit-Reset", reset)
		}
		return h
	}
	good := parseRateLimit(header("0", "1764500400"))
	assert.Equal(t, RateLimit{Remaining: 0, Reset: time.Unix(1764500400, 0).UTC(), Known: true}, good)
	assert.Equal(t, RateLimit{Remaining: 5, Reset: time.Unix(1, 0).UTC(), Known: true}, parseRateLimit(header("5", "1")))
	assert.True(t, parseRateLimit(header("5", "253402300799")).Known, "year 9999")
	for _, bad := range [][2]string{
		{"-", "1764500400"}, {"5", "-"}, {"many", "1764500400"}, {"5", "soon"}, {"-1", "1764500400"},
		{"5", "0"}, {"5", "-5"}, {"5", "253402300800"}, {"5", "99999999999999999999"}, {"99999999999999999999", "1764500400"}, {"", ""},
	} {
		assert.Equal(t, RateLimit{}, parseRateLimit(header(bad[0], bad[1])), "%q", bad)
	}
	empty := http.Header{"Fastly-Ratelimit-Remaining": {}, "Fastly-Ratelimit-Reset": {"1"}}
	assert.Equal(t, RateLimit{}, parseRateLimit(empty))
}

// TestBackoffCeilings: the jitter stays below BaseDelay<<attempt until that
// passes MaxDelay, then below MaxDelay; from attempt 32 on the shift is not
// taken at all; a zero BaseDelay jitters up to MaxDelay.
func TestBackoffCeilings(t *testing.T) {
	maxOf := func(p RetryPolicy, attempt int) time.Duration {
		var most time.Duration
		for range 300 {
			d := p.backoff(attempt)
			require.GreaterOrEqual(t, d, time.Duration(0))
			most = max(most, d)
		}
		return most
	}
	p := RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: time.Second}
	assert.Less(t, maxOf(p, 0), 10*time.Millisecond)
	assert.Greater(t, maxOf(p, 2), 10*time.Millisecond, "attempt 2: up to 40 ms")
	assert.Less(t, maxOf(p, 2), 40*time.Millisecond)
	assert.Greater(t, maxOf(p, 10), 500*time.Millisecond, "past MaxDelay: up to MaxDelay")

	huge := RetryPolicy{BaseDelay: time.Nanosecond, MaxDelay: time.Hour}
	assert.Less(t, maxOf(huge, 31), 2200*time.Millisecond, "1ns<<31 is about 2.1 s")
	assert.Greater(t, maxOf(huge, 32), 10*time.Second, "from attempt 32, MaxDelay")

	assert.Greater(t, maxOf(RetryPolicy{MaxDelay: 10 * time.Millisecond}, 0), time.Duration(0), "no BaseDelay: up to MaxDelay")
	assert.Zero(t, maxOf(RetryPolicy{}, 3), "no delays at all")
}

// TestSleepZeroChecksTheContext: a zero wait returns at once, unless the
// context already ended, which it reports as ending before the retry.
func TestSleepZeroChecksTheContext(t *testing.T) {
	c := &Client{newTimer: func(time.Duration) (<-chan time.Time, func() bool) { return nil, func() bool { return true } }} // never fires
	last := errors.New("503")
	op := &operation{route: &route{method: "GET", pathParts: []string{"/tokens"}}}
	require.NoError(t, c.sleep(t.Context(), 0, op, last))
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	err := c.sleep(canceled, 0, op, last)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, last)
	assert.Contains(t, err.Error(), "stopped before retrying")
	err = c.sleep(canceled, time.Second, op, last)
	assert.True(t, strings.HasPrefix(err.Error(), "fastly: GET /tokens: "), err.Error())
	assert.Contains(t, err.Error(), "stopped while waiting to retry")
}

// TestRetryAfterHugeNumbers: any all-digit value too large to read is a
// very long time, whatever its digits.
func TestRetryAfterHugeNumbers(t *testing.T) {
	now := time.Now()
	for _, v := range []string{"90000000000000000000", "10000000000000000000", "99999999999999999999", "86400", "86401"} {
		assert.Equal(t, maxRetryAfter, parseRetryAfter(v, now), v)
	}
	for v, want := range map[string]time.Duration{"0": 0, "1": time.Second, "86399": 86399 * time.Second, "-1": 0, "1.5": 0, "9a": 0} {
		assert.Equal(t, want, parseRetryAfter(v, now), v)
	}
}

func TestBackoffIsCappedFullJitter(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt, ceiling := range map[int]time.Duration{0: 100 * time.Millisecond, 2: 400 * time.Millisecond, 3: 800 * time.Millisecond, 4: time.Second, 40: time.Second} {
		lowest, highest := ceiling, time.Duration(0)
		distinct := map[time.Duration]bool{}
		for range 400 {
			d := p.backoff(attempt)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.Less(t, d, ceiling, "attempt %d: capped exponential ceiling", attempt)
			lowest, highest = min(lowest, d), max(highest, d)
			distinct[d] = true
		}
		// Full jitter: the waits spread over the whole range below the ceiling.
		assert.Less(t, lowest, ceiling/4, "attempt %d", attempt)
		assert.Greater(t, highest, ceiling*3/4, "attempt %d", attempt)
		assert.Greater(t, len(distinct), 300, "attempt %d", attempt)
	}
	assert.Zero(t, (&RetryPolicy{}).backoff(3))
}
