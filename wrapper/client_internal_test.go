package wrapper

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultTimeoutBoundsCallsWithoutDeadline: with neither a deadline nor
// an http.Client of the caller's, a call is bounded by the default timeout;
// a caller's http.Client (with its own Timeout) switches that off.
func TestDefaultTimeoutBoundsCallsWithoutDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	c, err := New(WithBaseURL(srv.URL), WithRetry(RetryPolicy{}))
	require.NoError(t, err)
	assert.Equal(t, DefaultTimeout, c.defaultTimeout)
	c.defaultTimeout = 100 * time.Millisecond // DefaultTimeout, shortened for the test
	start := time.Now()
	_, err = c.List(context.Background())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
	_, err = c.Create(context.Background(), CreateInput{Name: "x"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, ErrOutcomeUnknown, "the default timeout ended a create that was sent")

	own, err := New(WithBaseURL(srv.URL), WithHTTPClient(&http.Client{Timeout: time.Minute}))
	require.NoError(t, err)
	assert.Zero(t, own.defaultTimeout, "the caller's client decides")
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                     0,
		"0":                    0,
		"-5":                   0,
		"3":                    3 * time.Second,
		"3600":                 time.Hour,
		"99999999999":          maxRetryAfter,
		"99999999999999999999": maxRetryAfter,
		"soon":                 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
		now.Add(1000 * time.Hour).Format(http.TimeFormat): maxRetryAfter,
	}
	for in, want := range cases {
		assert.Equal(t, want, parseRetryAfter(in, now), in)
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
