package wrapper_test

// Tests of retry.go: what is tried again, after what, and how long it waits.

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tokenward/fastlytokens/wrapper"
)

func TestGetRetriedAfterResetBeforeResponse(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, attempts(resetConnection, reply(200, "["+readTokenJSON+"]")))
	tokens, err := f.client(t, fastRetry).List(ctx)
	require.NoError(t, err)
	require.Len(t, tokens, 1)
	require.Len(t, f.requests(), 2)
}

func TestGetRetriedAfterResetDuringBody(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, attempts(resetMidBody, reply(200, "["+readTokenJSON+"]")))
	tokens, err := f.client(t, fastRetry).List(ctx)
	require.NoError(t, err)
	require.Len(t, tokens, 1)
	require.Len(t, f.requests(), 2)
}

// TestCreateNeverRetriedOnceSent: a create whose connection dies after the
// request went out is not repeated (it may have minted a token) and says so.
func TestCreateNeverRetriedOnceSent(t *testing.T) {
	ctx := t.Context()
	for name, fault := range map[string]http.HandlerFunc{"reset before response": resetConnection, "reset during body": resetMidBody,
		"503": reply(503, `{"msg":"unavailable"}`), "429": reply(429, `{"msg":"slow down"}`, "Retry-After", "0")} {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, attempts(fault, reply(200, createdJSON)))
			_, err := f.client(t, fastRetry).Create(ctx, wrapper.CreateInput{Name: "once", Username: "u", Password: testPassword})
			require.Error(t, err)
			require.Len(t, f.requests(), 1, "a create is sent once")
			noSecrets(t, err.Error())
			if name == "reset before response" {
				require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown)
				assert.Contains(t, err.Error(), "List")
			}
		})
	}
}

// failFirstDial fails the first connection attempt as a refused dial would,
// then connects normally.
type failFirstDial struct {
	failed atomic.Bool
	next   http.RoundTripper
}

func (d *failFirstDial) RoundTrip(r *http.Request) (*http.Response, error) {
	if d.failed.CompareAndSwap(false, true) {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	return d.next.RoundTrip(r)
}

// TestCreateRetriedWhenNeverSent: a refused connection proves the create
// never arrived, so it is tried again; the server sees exactly one create.
func TestCreateRetriedWhenNeverSent(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, createdJSON))
	hc := &http.Client{Transport: &failFirstDial{next: http.DefaultTransport}}
	created, err := f.client(t, fastRetry, wrapper.WithHTTPClient(hc)).Create(ctx, wrapper.CreateInput{Name: "x"})
	require.NoError(t, err)
	assert.NotEmpty(t, created.AccessToken)
	require.Len(t, f.requests(), 1)
}

// TestCreateIntoClosingConnectionNeverDoubled: a create racing the server's
// close of its connection either succeeds or reports ErrOutcomeUnknown; it
// is never sent twice.
func TestCreateIntoClosingConnectionNeverDoubled(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, createdJSON))
	c := f.client(t, fastRetry)
	for range 20 {
		before := len(f.requests())
		_, err := c.Create(ctx, wrapper.CreateInput{Name: "x"})
		f.srv.CloseClientConnections()
		if err != nil {
			require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown)
		}
		require.LessOrEqual(t, len(f.requests())-before, 1)
	}
}

func TestRetryOnGatewayStatuses(t *testing.T) {
	ctx := t.Context()
	for _, status := range []int{502, 503, 504} {
		f := newFake(t, attempts(reply(status, "<html><title>Bad Gateway</title></html>", "Content-Type", "text/html"), reply(204, "")))
		require.NoError(t, f.client(t, fastRetry).Revoke(ctx, "abc"), "status %d", status)
		require.Len(t, f.requests(), 2, "status %d", status)
	}
}

func TestNoRetryOn500(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, attempts(reply(500, `{"msg":"boom"}`), reply(200, "[]")))
	_, err := f.client(t, fastRetry).List(ctx)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode)
	require.Len(t, f.requests(), 1)
}

func TestRetriesGiveUp(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(503, `{"msg":"down"}`))
	err := f.client(t, fastRetry).Revoke(ctx, "abc")
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
	require.Len(t, f.requests(), 4, "one attempt and three retries")
}

func TestRetriesOff(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(503, `{"msg":"down"}`))
	c, err := wrapper.New(wrapper.WithBaseURL(f.url()), wrapper.WithRetry(wrapper.RetryPolicy{}))
	require.NoError(t, err)
	_, err = c.List(ctx)
	require.Error(t, err)
	require.Len(t, f.requests(), 1)
}

func TestDefaultPolicyRetries(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, attempts(reply(503, `{"msg":"down"}`), reply(200, "[]")))
	c, err := wrapper.New(wrapper.WithBaseURL(f.url()))
	require.NoError(t, err)
	_, err = c.List(ctx)
	require.NoError(t, err)
	require.Len(t, f.requests(), 2, "retries are on by default")
}

// TestRetryAfterHonoured: 429 with Retry-After: 1 waits about a second.
func TestRetryAfterHonoured(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, attempts(reply(429, `{"msg":"slow"}`, "Retry-After", "7"), reply(200, "[]")))
	c := f.client(t, wrapper.WithRetry(wrapper.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond,
		MaxDelay: time.Millisecond, MaxWait: 10 * time.Second}))
	waits := wrapper.InstantWaits(t, c)
	_, err := c.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{7 * time.Second}, waits(), "Retry-After, not the backoff")
	require.Len(t, f.requests(), 2)
}

// TestRateLimitResetHonoured: 429 without Retry-After waits until
// Fastly-RateLimit-Reset when that is within MaxWait.
func TestRateLimitResetHonoured(t *testing.T) {
	ctx := t.Context()
	var first atomic.Bool
	resetAt := time.Now().Add(4 * time.Second).Truncate(time.Second)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if first.CompareAndSwap(false, true) {
			reply(429, `{"msg":"slow"}`, "Fastly-RateLimit-Remaining", "0", "Fastly-RateLimit-Reset", strconv.FormatInt(resetAt.Unix(), 10))(w, r)
			return
		}
		reply(204, "", "Fastly-RateLimit-Remaining", "999", "Fastly-RateLimit-Reset", "1900000000")(w, r)
	})
	c := f.client(t, wrapper.WithRetry(wrapper.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxWait: 5 * time.Second}))
	waits := wrapper.InstantWaits(t, c)
	require.NoError(t, c.Revoke(ctx, "abc"))
	require.Len(t, waits(), 1)
	assert.InDelta(t, time.Until(resetAt), waits()[0], float64(time.Second), "waited until the reset")
	assert.Greater(t, waits()[0], 2*time.Second)
	require.Len(t, f.requests(), 2)
	assert.Equal(t, 999, c.RateLimit().Remaining)
}

// TestLongRateLimitWaitNotTaken: a reset beyond MaxWait (the hourly window)
// returns the 429 at once, saying when the window resets.
func TestLongRateLimitWaitNotTaken(t *testing.T) {
	ctx := t.Context()
	reset := time.Now().Add(40 * time.Minute).Unix()
	for name, headers := range map[string][]string{
		"reset":       {"Fastly-RateLimit-Remaining", "0", "Fastly-RateLimit-Reset", strconv.FormatInt(reset, 10)},
		"retry-after": {"Retry-After", "99999999999999999999"},
		"http date":   {"Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)},
	} {
		f := newFake(t, reply(429, `{"msg":"You have exceeded your hourly rate limit."}`, headers...))
		start := time.Now()
		err := f.client(t, fastRetry).Revoke(ctx, "abc")
		require.ErrorIs(t, err, wrapper.ErrRateLimited, name)
		assert.Less(t, time.Since(start), time.Second, name)
		require.Len(t, f.requests(), 1, name)
		if name == "reset" {
			assert.Contains(t, err.Error(), "resets at "+time.Unix(reset, 0).UTC().Format(time.RFC3339))
		}
	}
}

// TestWaitBeyondDeadlineNotTaken: a server-directed wait past the context's
// deadline returns at once rather than sleeping into a timeout.
func TestWaitBeyondDeadlineNotTaken(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(503, `{"msg":"later"}`, "Retry-After", "2"))
	deadline, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	start := time.Now()
	_, err := f.client(t, fastRetry).List(deadline)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 500*time.Millisecond)
	require.Len(t, f.requests(), 1)
}

// TestCancelDuringBackoff: cancelling while waiting to retry returns at once
// with an error matching both the context's error and the last failure.
func TestCancelDuringBackoff(t *testing.T) {
	ctx := t.Context()
	// Retry-After fixes the wait at 10 s (a jittered backoff could be short).
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "10")
		w.WriteHeader(503)
		_, _ = w.Write([]byte(`{"msg":"down"}`))
	})
	c := f.client(t, wrapper.WithRetry(wrapper.RetryPolicy{MaxRetries: 5, BaseDelay: 10 * time.Second, MaxDelay: 10 * time.Second, MaxWait: time.Minute}))
	cancelled, cancel := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := c.Revoke(cancelled, "abc")
	require.ErrorIs(t, err, context.Canceled)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
	assert.Less(t, time.Since(start), 2*time.Second)
	require.Len(t, f.requests(), 1)
}

// TestRevoke404AfterDoubtIsNotDone: the first attempt's answer was lost and
// the retry answers 404. The first attempt may have revoked the token, or
// the token was never visible to this key (a live token of someone else):
// the caller gets ErrNotFound and ErrOutcomeUnknown, never success.
func TestRevoke404AfterDoubtIsNotDone(t *testing.T) {
	ctx := t.Context()
	for name, first := range map[string]http.HandlerFunc{"503": reply(503, ""), "reset": resetConnection} {
		f := newFake(t, attempts(first, reply(404, `{"msg":"Token lookup failed"}`)))
		err := f.client(t, fastRetry).Revoke(ctx, "abc")
		require.ErrorIs(t, err, wrapper.ErrNotFound, name)
		require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown, name)
		assert.Contains(t, err.Error(), "may have revoked it, or the token is not visible to this key", name)
		require.Len(t, f.requests(), 2, name)
	}

	// Without doubt, a 404 is an error.
	f2 := newFake(t, reply(404, `{"msg":"Token lookup failed"}`))
	err := f2.client(t, fastRetry).Revoke(ctx, "abc")
	require.ErrorIs(t, err, wrapper.ErrNotFound)
	require.NotErrorIs(t, err, wrapper.ErrOutcomeUnknown, "a plain 404 is certain: nothing was in doubt")
	require.Len(t, f2.requests(), 1)
}

// TestBulkRevoke404AfterDoubtIsNotDone: a bulk revoke whose first attempt
// failed uncertainly (503, reset) and whose retry answers 404 may have left
// any id live: the caller gets ErrNotFound (and ErrOutcomeUnknown), never nil.
func TestBulkRevoke404AfterDoubtIsNotDone(t *testing.T) {
	ctx := t.Context()
	for name, first := range map[string]http.HandlerFunc{"503": reply(503, ""), "reset": resetConnection} {
		f := newFake(t, attempts(first, reply(404, `{"msg":"Token lookup failed"}`)))
		err := f.client(t, fastRetry).RevokeMany(ctx, "a1", "b2")
		require.ErrorIs(t, err, wrapper.ErrNotFound, name)
		require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown, name)
		assert.Contains(t, err.Error(), "earlier attempt may have revoked some", name)
		require.Len(t, f.requests(), 2, name)
	}
}

func TestBulkRetrySendsTheSameBody(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, attempts(reply(503, ""), resetConnection, reply(204, "")))
	require.NoError(t, f.client(t, fastRetry).RevokeMany(ctx, "a1", "b2"))
	reqs := f.requests()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		assert.Equal(t, `{"data":[{"type":"token","id":"a1"},{"type":"token","id":"b2"}]}`, r.Body)
		assert.Equal(t, "application/vnd.api+json; ext=bulk", r.Header.Get("Content-Type"))
	}
}

// TestRevokeCurrentRetriedOnlyWhenNothingHappened: a 429 proves nothing was
// revoked; a 503 or a reset leaves doubt, and a retry would see 401.
func TestRevokeCurrentRetriedOnlyWhenNothingHappened(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, attempts(reply(429, `{"msg":"slow"}`, "Retry-After", "0"), reply(204, "")))
	require.NoError(t, f.client(t, fastRetry).RevokeCurrent(ctx))
	require.Len(t, f.requests(), 2)

	for _, fault := range []http.HandlerFunc{reply(503, ""), resetConnection} {
		f := newFake(t, attempts(fault, reply(204, "")))
		require.Error(t, f.client(t, fastRetry).RevokeCurrent(ctx))
		require.Len(t, f.requests(), 1)
	}
}

// TestSudoOutcomeUnknownSaysSudo: /sudo is never repeated once sent (a
// repeat is another sign-in towards a lockout); a lost answer is an unknown
// outcome that speaks of sudo mode, not of reconciling tokens by name.
func TestSudoOutcomeUnknownSaysSudo(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(503, ""))
	_, err := f.client(t, fastRetry).Sudo(ctx, wrapper.SudoInput{Username: "me", Password: testPassword})
	require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "the key may or may not be in sudo mode")
	assert.NotContains(t, err.Error(), "reconcile with List")
	require.Len(t, f.requests(), 1, "never repeated")
}

// TestCreateWithoutSecretKeepsItsStatus: a 2xx create answer without the
// id or the secret is an unknown outcome that names the status it came
// with, not a hard-coded 200.
func TestCreateWithoutSecretKeepsItsStatus(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(201, `{"id":"abc","name":"x"}`, "Content-Type", "application/json"))
	_, err := f.client(t).Create(ctx, wrapper.CreateInput{Name: "x", Username: "me", Password: testPassword})
	require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown)
	var respErr *wrapper.ResponseError
	require.ErrorAs(t, err, &respErr)
	assert.Equal(t, 201, respErr.StatusCode)
	assert.Contains(t, err.Error(), "fastly: POST /tokens: 201 response unusable: the answer lacks the token's id or access_token")
}

// TestNotFoundAfterAnUncertainAttempt: a Get retried after a 503 that then
// answers 404 is ErrNotFound, never a zero token without an error; so is a
// Create answered 404.
func TestNotFoundAfterAnUncertainAttempt(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, attempts(reply(503, `{"msg":"busy"}`), reply(404, `{"msg":"Token lookup failed"}`)))
	tok, err := f.client(t, fastRetry).Get(ctx, "abc")
	require.ErrorIs(t, err, wrapper.ErrNotFound)
	assert.Zero(t, tok)
	require.Len(t, f.requests(), 2)

	f = newFake(t, reply(404, `{"msg":"Record not found"}`))
	created, err := f.client(t, fastRetry).Create(ctx, wrapper.CreateInput{Name: "x"})
	require.ErrorIs(t, err, wrapper.ErrNotFound)
	assert.Zero(t, created)
}

// TestSudoNeverRepeatedOnceSent: /sudo, like create, is not repeated after
// an answer or a failure that may follow its arrival.
func TestSudoNeverRepeatedOnceSent(t *testing.T) {
	ctx := t.Context()
	for name, handler := range map[string]http.HandlerFunc{
		"503":   reply(503, `{"msg":"busy"}`),
		"429":   reply(429, `{"msg":"slow"}`, "Retry-After", "0"),
		"reset": resetConnection,
	} {
		f := newFake(t, handler)
		_, err := f.client(t, fastRetry).Sudo(ctx, wrapper.SudoInput{Username: "me", Password: testPassword})
		require.Error(t, err, name)
		assert.Len(t, f.requests(), 1, name)
	}
}

// TestRetryAfterBeyondMaxWaitWithoutDeadline: with no deadline at all, a
// Retry-After beyond MaxWait returns the answer at once.
func TestRetryAfterBeyondMaxWaitWithoutDeadline(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(503, `{"msg":"later"}`, "Retry-After", "30"))
	c := f.client(t, wrapper.WithRetry(wrapper.RetryPolicy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxWait: 29 * time.Second}),
		wrapper.WithHTTPClient(&http.Client{}))
	waits := wrapper.InstantWaits(t, c)
	_, err := c.List(ctx)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 30*time.Second, apiErr.RetryAfter)
	assert.Empty(t, waits())
	assert.Len(t, f.requests(), 1)
}

// TestNothingWrittenIsRetriedForRevokeCurrent: a RevokeCurrent that failed
// before its request was written is retried (nothing can have happened);
// one that failed after is not.
func TestNothingWrittenIsRetriedForRevokeCurrent(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	var calls atomic.Int32
	failFirst := wrapper.RoundTripFunc(func(r *http.Request) (*http.Response, error) {
		if calls.Add(1) == 1 {
			return nil, errors.New("connection refused by a proxy before writing")
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	c := f.client(t, fastRetry, wrapper.WithHTTPClient(&http.Client{Transport: failFirst}))
	require.NoError(t, c.RevokeCurrent(ctx))
	assert.Equal(t, int32(2), calls.Load())
	assert.Len(t, f.requests(), 1)
}

// TestCreateThatMayHaveHappenedSaysSo: every failure of Create after the
// request may have been written matches ErrOutcomeUnknown, with its cause
// still reachable; a 2xx without a usable token is never a success.
func TestCreateThatMayHaveHappenedSaysSo(t *testing.T) {
	ctx := t.Context()
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	truncated := func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, _ := w.(http.Hijacker).Hijack()
		_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\":\"abc\",\"acc")
		_ = buf.Flush()
		_ = conn.Close()
	}
	cases := map[string]struct {
		handler http.HandlerFunc
		opts    []wrapper.Option
		cause   error
	}{
		"deadline while waiting": {handler: hang, cause: context.DeadlineExceeded},
		"connection lost":        {handler: resetConnection},
		"truncated 200 body":     {handler: truncated},
		"200 too large":          {handler: reply(200, createdJSON), opts: []wrapper.Option{wrapper.WithMaxResponseBytes(64)}, cause: wrapper.ErrResponseTooLarge},
		"200 not JSON":           {handler: reply(200, "<html>ok</html>")},
		"200 without id":         {handler: reply(200, `{"name":"x","access_token":"QoU3neoxQQ6IPL8g7eRkkCjyWcwdNI7J"}`)},
		"200 numeric id":         {handler: reply(200, `{"id":5,"access_token":"QoU3neoxQQ6IPL8g7eRkkCjyWcwdNI7J"}`)},
		"200 without secret":     {handler: reply(200, `{"id":"abc","name":"x"}`)},
		"200 empty secret":       {handler: reply(200, `{"id":"abc","access_token":""}`)},
		"503":                    {handler: reply(503, `{"msg":"down"}`)},
		"504 from a proxy":       {handler: reply(504, "<html><title>Gateway Timeout</title></html>")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, tc.handler)
			c := f.client(t, append([]wrapper.Option{fastRetry}, tc.opts...)...)
			callCtx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			created, err := c.Create(callCtx, wrapper.CreateInput{Name: "x"})
			require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown)
			if tc.cause != nil {
				require.ErrorIs(t, err, tc.cause)
			}
			assert.Empty(t, created.AccessToken)
			assert.Len(t, f.requests(), 1, "never retried")
		})
	}
	t.Run("cancelled while waiting", func(t *testing.T) {
		f := newFake(t, hang)
		callCtx, cancel := context.WithCancel(ctx)
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := f.client(t).Create(callCtx, wrapper.CreateInput{Name: "x"})
		require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown)
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("4xx is a refusal, not a doubt", func(t *testing.T) {
		f := newFake(t, reply(400, `{"code":"invalid_scope"}`))
		_, err := f.client(t).Create(ctx, wrapper.CreateInput{Name: "x"})
		require.Error(t, err)
		require.NotErrorIs(t, err, wrapper.ErrOutcomeUnknown)
	})
}

// TestCreateNotSentIsNotUnknown: a dial failure or a TLS certificate failure
// sends nothing, so the outcome is known (nothing was created); a
// certificate failure is not retried either.
func TestCreateNotSentIsNotUnknown(t *testing.T) {
	ctx := t.Context()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	c, err := wrapper.New(wrapper.WithBaseURL(closed.URL), wrapper.WithRetry(wrapper.RetryPolicy{}))
	require.NoError(t, err)
	_, err = c.Create(ctx, wrapper.CreateInput{Name: "x"})
	require.Error(t, err)
	require.NotErrorIs(t, err, wrapper.ErrOutcomeUnknown)

	var conns atomic.Int32
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	tlsSrv.Config.ErrorLog = discardLog()
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	c, err = wrapper.New(wrapper.WithBaseURL(tlsSrv.URL), fastRetry) // the test CA is not trusted
	require.NoError(t, err)
	_, err = c.Create(ctx, wrapper.CreateInput{Name: "x"})
	require.Error(t, err)
	require.NotErrorIs(t, err, wrapper.ErrOutcomeUnknown)
	_, err = c.List(ctx)
	require.Error(t, err)
	assert.Equal(t, int32(2), conns.Load(), "one handshake per call: certificate failures are not retried")
}

// TestRevokeWhoseAnswerIsLostIsOutcomeUnknown: a revoke, single, bulk or
// of the key's own token, that was sent and never answered, or answered
// only with a 5xx, may have revoked the tokens: its error matches
// ErrOutcomeUnknown and says to check with Get, never a plain "not
// revoked". A 4xx answer is certain.
func TestRevokeWhoseAnswerIsLostIsOutcomeUnknown(t *testing.T) {
	revokes := map[string]func(ctx context.Context, c *wrapper.Client) error{
		"single": func(ctx context.Context, c *wrapper.Client) error { return c.Revoke(ctx, "tok1") },
		"bulk":   func(ctx context.Context, c *wrapper.Client) error { return c.RevokeMany(ctx, "tok1", "tok2") },
		"self":   func(ctx context.Context, c *wrapper.Client) error { return c.RevokeCurrent(ctx) },
	}
	faults := map[string]struct {
		handler func() http.HandlerFunc // a new one for each test: attempts counts
		unknown bool
	}{
		"reset": {func() http.HandlerFunc { return resetConnection }, true},
		"500":   {func() http.HandlerFunc { return reply(500, `{"msg":"oops"}`) }, true},
		"503":   {func() http.HandlerFunc { return reply(503, `{"msg":"busy"}`) }, true},
		"403":   {func() http.HandlerFunc { return reply(403, `{"msg":"Forbidden"}`) }, false},
		"reset, 403": {func() http.HandlerFunc {
			return attempts(resetConnection, reply(403, `{"msg":"Forbidden"}`))
		}, true},
	}
	for rname, revoke := range revokes {
		for fname, fault := range faults {
			t.Run(rname+" "+fname, func(t *testing.T) {
				f := newFake(t, fault.handler())
				err := revoke(t.Context(), f.client(t, fastRetry))
				require.Error(t, err)
				if rname == "self" && fname == "reset, 403" {
					return // never retried after a reset: the first attempt is the answer
				}
				assert.Equal(t, fault.unknown, errors.Is(err, wrapper.ErrOutcomeUnknown), err.Error())
				if fault.unknown {
					assert.Contains(t, err.Error(), "may be revoked")
				}
			})
		}
	}
}
