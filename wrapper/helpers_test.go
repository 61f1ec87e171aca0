package wrapper_test

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/wrapper"
)

// Credentials used by the fake server tests; they must never appear in an
// error, a log line or a printed value.
const (
	testKey      = "KeyS3cret-abcdefghijklmnopqrstuv"
	testPassword = "Passw0rd-very-secret"
	testOTP      = "918273"
)

// seen is one request as the fake server received it.
type seen struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   string
}

// fake is an httptest server mounted under /api (a non-empty base path, so
// a method that builds an absolute path fails loudly) that records every
// request and answers with the test's handler.
type fake struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newFake(t *testing.T, handler http.HandlerFunc) *fake {
	t.Helper()
	f := &fake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, seen{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
		f.mu.Unlock()
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			http.Error(w, "request outside the base path", http.StatusTeapot)
			return
		}
		r.URL.Path = strings.TrimPrefix(r.URL.Path, "/api")
		handler(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// only returns the single request the server saw.
func (f *fake) only(t *testing.T) seen {
	t.Helper()
	reqs := f.requests()
	require.Len(t, reqs, 1, "requests seen by the server")
	return reqs[0]
}

func (f *fake) url() string { return f.srv.URL + "/api" }

// client builds a Client for f with the test key, retries off unless opts
// say otherwise.
func (f *fake) client(t *testing.T, opts ...wrapper.Option) *wrapper.Client {
	t.Helper()
	base := []wrapper.Option{wrapper.WithBaseURL(f.url()), wrapper.WithToken(testKey), wrapper.WithRetry(wrapper.RetryPolicy{})}
	c, err := wrapper.New(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// reply answers status with a JSON body and optional headers (pairs).
func reply(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if body != "" && w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// noSecrets fails if text holds any test credential.
func noSecrets(t *testing.T, text string, extra ...string) {
	t.Helper()
	for _, s := range append([]string{testKey, testPassword, testOTP}, extra...) {
		require.NotContains(t, text, s)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return v.UTC()
}

// Bodies shaped like the recordings.
const (
	readTokenJSON = `{"id":"5Yo3XXnrQpjc20u0ybrf2g","user_id":"4y5K5trZocEAQYkesWlk7M","customer_id":"51MumwLiSJyFTWhtbByYgR","name":"deploy","last_used_at":"2021-01-14T11:36:43Z","created_at":"2021-01-14T11:25:39Z","expires_at":null,"ip":"92.238.40.48","user_agent":"curl/8","sudo_expires_at":null,"scopes":["global"],"scope":"global","services":["7frORaFZvHgC6eRAJdA7kf"],"service_id":"7frORaFZvHgC6eRAJdA7kf"}`
	createdJSON   = `{"id":"2j1hEyxXOEqYaSipeZHaW4","name":"my-test-token-1","user_id":"1tSCjJnpQYBBCAsIfI6pX0","customer_id":"51MumwLiSJyFTWhtbByYgR","service_id":"7frORaFZvHgC6eRAJdA7kf","expires_at":"2030-01-02T03:04:05Z","created_at":"2021-11-02T18:46:13Z","updated_at":"2021-11-02T18:46:13Z","scope":"global purge_all","services":["0Us63sb8R1BpWQBIhluncu","7frORaFZvHgC6eRAJdA7kf"],"access_token":"QoU3neoxQQ6IPL8g7eRkkCjyWcwdNI7J"}`
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

// nilContext hides the nil from vet's and the linters' static checks.
func nilContext() context.Context { return nil }

func debugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
