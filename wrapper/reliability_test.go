package wrapper_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

// fastRetry retries quickly so fault tests run in milliseconds.
var fastRetry = wrapper.WithRetry(wrapper.RetryPolicy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxWait: 2 * time.Second})

// attempts answers attempt n (1-based) with steps[n-1], and the last step
// for every later attempt.
func attempts(steps ...http.HandlerFunc) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		steps[min(i, len(steps)-1)](w, r)
	}
}

// resetConnection drops the connection with a TCP reset, before any response.
func resetConnection(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// resetMidBody sends status, headers and part of the body, then resets.
func resetMidBody(w http.ResponseWriter, _ *http.Request) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n[{\"id\":\"abc\",\"na")
	_ = buf.Flush()
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func TestGetRetriedAfterResetBeforeResponse(t *testing.T) {
	f := newFake(t, attempts(resetConnection, reply(200, "["+readTokenJSON+"]")))
	tokens, err := f.client(t, fastRetry).List(ctx)
	require.NoError(t, err)
	require.Len(t, tokens, 1)
	require.Len(t, f.requests(), 2)
}

func TestGetRetriedAfterResetDuringBody(t *testing.T) {
	f := newFake(t, attempts(resetMidBody, reply(200, "["+readTokenJSON+"]")))
	tokens, err := f.client(t, fastRetry).List(ctx)
	require.NoError(t, err)
	require.Len(t, tokens, 1)
	require.Len(t, f.requests(), 2)
}

// TestCreateNeverRetriedOnceSent: a create whose connection dies after the
// request went out is not repeated (it may have minted a token) and says so.
func TestCreateNeverRetriedOnceSent(t *testing.T) {
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
	f := newFake(t, reply(200, createdJSON))
	hc := &http.Client{Transport: &failFirstDial{next: http.DefaultTransport}}
	created, err := f.client(t, fastRetry, wrapper.WithHTTPClient(hc)).Create(ctx, wrapper.CreateInput{Name: "x"})
	require.NoError(t, err)
	assert.NotEmpty(t, created.AccessToken)
	require.Len(t, f.requests(), 1)
}

// TestIdleConnectionClosedByServer: the server closes idle connections.
// Reads sent straight into the closing connection are retried; a create
// sent after the close was noticed goes out on a new connection. Nothing is
// lost and nothing is done twice.
func TestIdleConnectionClosedByServer(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			reply(200, createdJSON)(w, r)
			return
		}
		reply(200, "[]")(w, r)
	})
	c := f.client(t, fastRetry)
	for range 5 {
		_, err := c.List(ctx)
		require.NoError(t, err)
		f.srv.CloseClientConnections()
		_, err = c.List(ctx) // straight into the closed connection: retried if need be
		require.NoError(t, err)
		f.srv.CloseClientConnections()
		time.Sleep(20 * time.Millisecond) // an idle close, noticed by the pool
		_, err = c.Create(ctx, wrapper.CreateInput{Name: "x"})
		require.NoError(t, err)
	}
	posts := 0
	for _, r := range f.requests() {
		if r.Method == "POST" {
			posts++
		}
	}
	require.Equal(t, 5, posts, "one create per call")
}

// TestCreateIntoClosingConnectionNeverDoubled: a create racing the server's
// close of its connection either succeeds or reports ErrOutcomeUnknown; it
// is never sent twice.
func TestCreateIntoClosingConnectionNeverDoubled(t *testing.T) {
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
	for _, status := range []int{502, 503, 504} {
		f := newFake(t, attempts(reply(status, "<html><title>Bad Gateway</title></html>", "Content-Type", "text/html"), reply(204, "")))
		require.NoError(t, f.client(t, fastRetry).Revoke(ctx, "abc"), "status %d", status)
		require.Len(t, f.requests(), 2, "status %d", status)
	}
}

func TestNoRetryOn500(t *testing.T) {
	f := newFake(t, attempts(reply(500, `{"msg":"boom"}`), reply(200, "[]")))
	_, err := f.client(t, fastRetry).List(ctx)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode)
	require.Len(t, f.requests(), 1)
}

func TestRetriesGiveUp(t *testing.T) {
	f := newFake(t, reply(503, `{"msg":"down"}`))
	err := f.client(t, fastRetry).Revoke(ctx, "abc")
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.StatusCode)
	require.Len(t, f.requests(), 4, "one attempt and three retries")
}

func TestRetriesOff(t *testing.T) {
	f := newFake(t, reply(503, `{"msg":"down"}`))
	c, err := wrapper.New(wrapper.WithBaseURL(f.url()), wrapper.WithRetry(wrapper.RetryPolicy{}))
	require.NoError(t, err)
	_, err = c.List(ctx)
	require.Error(t, err)
	require.Len(t, f.requests(), 1)
}

func TestDefaultPolicyRetries(t *testing.T) {
	f := newFake(t, attempts(reply(503, `{"msg":"down"}`), reply(200, "[]")))
	c, err := wrapper.New(wrapper.WithBaseURL(f.url()))
	require.NoError(t, err)
	_, err = c.List(ctx)
	require.NoError(t, err)
	require.Len(t, f.requests(), 2, "retries are on by default")
}

// TestRetryAfterHonoured: 429 with Retry-After: 1 waits about a second.
func TestRetryAfterHonoured(t *testing.T) {
	waits := wrapper.InstantWaits(t)
	f := newFake(t, attempts(reply(429, `{"msg":"slow"}`, "Retry-After", "7"), reply(200, "[]")))
	_, err := f.client(t, wrapper.WithRetry(wrapper.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond,
		MaxDelay: time.Millisecond, MaxWait: 10 * time.Second})).List(ctx)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{7 * time.Second}, waits(), "Retry-After, not the backoff")
	require.Len(t, f.requests(), 2)
}

// TestRateLimitResetHonoured: 429 without Retry-After waits until
// Fastly-RateLimit-Reset when that is within MaxWait.
func TestRateLimitResetHonoured(t *testing.T) {
	waits := wrapper.InstantWaits(t)
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
	f := newFake(t, reply(503, `{"msg":"later"}`, "Retry-After", "2"))
	deadline, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	start := time.Now()
	_, err := f.client(t, fastRetry).List(deadline)
	require.Error(t, err)
	assert.Less(t, time.Since(start), 500*time.Millisecond)
	require.Len(t, f.requests(), 1)
}

func TestTruncatedJSONIsAnErrorNotARetry(t *testing.T) {
	f := newFake(t, reply(200, `[{"id":"abc","name":"x"`))
	_, err := f.client(t, fastRetry).List(ctx)
	var respErr *wrapper.ResponseError
	require.ErrorAs(t, err, &respErr)
	assert.Equal(t, 200, respErr.StatusCode)
	require.Len(t, f.requests(), 1)
}

func TestSlowServerBoundedByDeadline(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		reply(200, "[]")(w, r)
	})
	defer close(release)
	deadline, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.client(t, fastRetry).List(deadline)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
	require.Len(t, f.requests(), 1, "no retry once the deadline has passed")
}

// TestTricklingBodyBoundedByDeadline: a server sending the body a byte at a
// time is cut off by the deadline (ResponseHeaderTimeout would not).
func TestTricklingBodyBoundedByDeadline(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		flusher := w.(http.Flusher)
		for i := 0; i < 100 && r.Context().Err() == nil; i++ {
			_, _ = w.Write([]byte(" "))
			flusher.Flush()
			time.Sleep(20 * time.Millisecond)
		}
	})
	deadline, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.client(t, fastRetry).List(deadline)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
}

func TestHugeBodyRefused(t *testing.T) {
	huge := "[" + strings.Repeat(readTokenJSON+",", 4000) + readTokenJSON + "]" // ~2.4 MB
	f := newFake(t, reply(200, huge))
	c := f.client(t, fastRetry, wrapper.WithMaxResponseBytes(1<<20))
	_, err := c.List(ctx)
	require.ErrorIs(t, err, wrapper.ErrResponseTooLarge)
	require.Len(t, f.requests(), 1)

	// Without a Content-Length the bound still holds while reading.
	f2 := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i < len(huge); i += 64 << 10 {
			_, _ = w.Write([]byte(huge[i:min(i+64<<10, len(huge))]))
			w.(http.Flusher).Flush()
		}
	})
	_, err = f2.client(t, fastRetry, wrapper.WithMaxResponseBytes(1<<20)).List(ctx)
	require.ErrorIs(t, err, wrapper.ErrResponseTooLarge)
}

// TestCancelDuringBackoff: cancelling while waiting to retry returns at once
// with an error matching both the context's error and the last failure.
func TestCancelDuringBackoff(t *testing.T) {
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
	f := newFake(t, attempts(reply(429, `{"msg":"slow"}`, "Retry-After", "0"), reply(204, "")))
	require.NoError(t, f.client(t, fastRetry).RevokeCurrent(ctx))
	require.Len(t, f.requests(), 2)

	for _, fault := range []http.HandlerFunc{reply(503, ""), resetConnection} {
		f := newFake(t, attempts(fault, reply(204, "")))
		require.Error(t, f.client(t, fastRetry).RevokeCurrent(ctx))
		require.Len(t, f.requests(), 1)
	}
}

// TestDebugLogRedacted: the debug log has one line per attempt with method,
// path, status and attempt, and no credential of any kind.
func TestDebugLogRedacted(t *testing.T) {
	f := newFake(t, attempts(reply(503, `{"msg":"key `+testKey+`"}`), reply(200, "[]"), reply(200, createdJSON)))
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// A transport (a proxy's, say) whose first error carries the key.
	leaky := &leakyTransport{next: http.DefaultTransport}
	c := f.client(t, fastRetry, wrapper.WithLogger(logger), wrapper.WithBasicAuth("me", testPassword), wrapper.WithHTTPClient(&http.Client{Transport: leaky}))
	_, err := c.List(ctx)
	require.NoError(t, err)
	created, err := c.Create(ctx, wrapper.CreateInput{Name: "x", Username: "me", Password: testPassword, OTP: testOTP})
	require.NoError(t, err)
	logger.Debug("created", "token", created, "input", wrapper.CreateInput{Password: testPassword, OTP: testOTP})

	text := logs.String()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	require.Len(t, lines, 5)
	assert.Contains(t, lines[0], `"method":"GET","path":"/tokens","operation":"list-tokens-user","attempt":1`)
	assert.Contains(t, lines[0], `"error":"fastly: GET /tokens: proxy refused key [REDACTED]"`)
	assert.Contains(t, lines[1], `"status":503`)
	assert.Contains(t, lines[2], `"attempt":3`)
	assert.Contains(t, lines[3], `"method":"POST"`)
	noSecrets(t, text, created.AccessToken, "Basic ")

	var textLogs bytes.Buffer
	slog.New(slog.NewTextHandler(&textLogs, nil)).Info("created", "token", created, "client", c)
	noSecrets(t, textLogs.String(), created.AccessToken)
}

// TestSharedClientUnderLoad: one Client, many goroutines, the api/ server;
// run with -race. Every token created is listed and revoked exactly once,
// and the rate-limit view stays consistent.
func TestSharedClientUnderLoad(t *testing.T) {
	srv := api.NewTestServer(t, api.WithWriteLimit(1_000_000))
	user := srv.Account(api.RoleSuperuser)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(user.Token), wrapper.WithBasicAuth(user.Login, user.Password))
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := map[string]bool{}
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 15 {
				tok, err := c.Create(ctx, wrapper.CreateInput{Name: "load"})
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				created[tok.ID] = true
				mu.Unlock()
				_, err = c.Get(ctx, tok.ID)
				assert.NoError(t, err)
				_ = c.RateLimit()
			}
		}()
	}
	wg.Wait()
	require.Len(t, created, 12*15)
	ids := make([]string, 0, len(created))
	for id := range created {
		ids = append(ids, id)
	}
	require.NoError(t, c.RevokeMany(ctx, ids...))
	left, err := c.List(ctx)
	require.NoError(t, err)
	assert.Len(t, left, 2)
	assert.True(t, c.RateLimit().Known)
}

// TestConnectionReuse: 1,000 sequential calls travel over one TCP
// connection: bodies are drained and closed, errors included.
func TestConnectionReuse(t *testing.T) {
	var conns atomic.Int32
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 4 {
		case 0:
			reply(404, `{"msg":"Token lookup failed","detail":"`+strings.Repeat("x", 3000)+`"}`)(w, r)
		case 1:
			reply(204, "")(w, r)
		case 2:
			reply(200, createdJSON)(w, r)
		default:
			reply(200, "["+readTokenJSON+"]")(w, r)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(testKey), wrapper.WithRetry(wrapper.RetryPolicy{}))
	require.NoError(t, err)
	for i := range 1000 {
		switch i % 4 {
		case 0:
			_ = c.Revoke(ctx, "abc")
		case 1:
			_, _ = c.Create(ctx, wrapper.CreateInput{Name: "x"})
		case 2:
			_, _ = c.List(ctx)
		default:
			_, _ = c.Get(ctx, "abc")
		}
	}
	assert.Equal(t, int32(1000), n.Load())
	assert.Equal(t, int32(1), conns.Load(), "every call reused the first connection")
}

// leakyTransport fails its first request with an error that quotes the key.
type leakyTransport struct {
	failed atomic.Bool
	next   http.RoundTripper
}

func (l *leakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if l.failed.CompareAndSwap(false, true) {
		return nil, errors.New("proxy refused key " + r.Header.Get("Fastly-Key"))
	}
	return l.next.RoundTrip(r)
}

// TestTransportErrorsRedacted: a transport error quoting a credential is
// returned with the credential replaced, the cause still reachable.
func TestTransportErrorsRedacted(t *testing.T) {
	f := newFake(t, reply(200, "[]"))
	c := f.client(t, wrapper.WithHTTPClient(&http.Client{Transport: &leakyTransport{next: http.DefaultTransport}}))
	_, err := c.List(ctx)
	require.Error(t, err)
	noSecrets(t, err.Error())
	assert.Contains(t, err.Error(), "proxy refused key [REDACTED]")
}

// TestSudoOutcomeUnknownSaysSudo: /sudo is never repeated once sent (a
// repeat is another sign-in towards a lockout); a lost answer is an unknown
// outcome that speaks of sudo mode, not of reconciling tokens by name.
func TestSudoOutcomeUnknownSaysSudo(t *testing.T) {
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
	f := newFake(t, reply(201, `{"id":"abc","name":"x"}`, "Content-Type", "application/json"))
	_, err := f.client(t).Create(ctx, wrapper.CreateInput{Name: "x", Username: "me", Password: testPassword})
	require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown)
	var respErr *wrapper.ResponseError
	require.ErrorAs(t, err, &respErr)
	assert.Equal(t, 201, respErr.StatusCode)
	assert.Contains(t, err.Error(), "fastly: POST /tokens: 201 response unusable: the answer lacks the token's id or access_token")
}
