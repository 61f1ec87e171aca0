package wrapper_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
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

// TestIdleConnectionClosedByServer: the server closes idle connections.
// Reads sent straight into the closing connection are retried; a create
// sent after the close was noticed goes out on a new connection. Nothing is
// lost and nothing is done twice.
func TestIdleConnectionClosedByServer(t *testing.T) {
	ctx := t.Context()
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

func TestTruncatedJSONIsAnErrorNotARetry(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, `[{"id":"abc","name":"x"`))
	_, err := f.client(t, fastRetry).List(ctx)
	var respErr *wrapper.ResponseError
	require.ErrorAs(t, err, &respErr)
	assert.Equal(t, 200, respErr.StatusCode)
	require.Len(t, f.requests(), 1)
}

func TestSlowServerBoundedByDeadline(t *testing.T) {
	ctx := t.Context()
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
	ctx := t.Context()
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
	ctx := t.Context()
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

// TestDebugLogRedacted: the debug log has one line per attempt with method,
// path, status and attempt, and no credential of any kind.
func TestDebugLogRedacted(t *testing.T) {
	ctx := t.Context()
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
	ctx := t.Context()
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
	ctx := t.Context()
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
	ctx := t.Context()
	f := newFake(t, reply(200, "[]"))
	c := f.client(t, wrapper.WithHTTPClient(&http.Client{Transport: &leakyTransport{next: http.DefaultTransport}}))
	_, err := c.List(ctx)
	require.Error(t, err)
	noSecrets(t, err.Error())
	assert.Contains(t, err.Error(), "proxy refused key [REDACTED]")
}
