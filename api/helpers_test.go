package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

// These tests speak raw HTTP: api/ is checked on its own, never through the
// client it is meant to test.

// clock is a settable time source for the server.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

var testStart = time.Date(2026, 11, 28, 12, 10, 0, 0, time.UTC)

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func start(t *testing.T, opts ...api.Option) (*api.TestServer, *clock) {
	t.Helper()
	clk := &clock{now: testStart}
	return api.NewTestServer(t, append([]api.Option{api.WithClock(clk.Now)}, opts...)...), clk
}

// answer is a raw response.
type answer struct {
	status int
	header http.Header
	body   string
}

// call sends a raw request; headers are name, value pairs.
func call(t *testing.T, srv *api.TestServer, method, path, body string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	return send(t, req, headers...)
}

// send sends req with headers (name, value pairs) and reads the answer.
func send(t *testing.T, req *http.Request, headers ...string) answer {
	t.Helper()
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// Header names and media types, short.
const (
	keyHeader  = "Fastly-Key"
	otpHeader  = "Fastly-OTP"
	ctHeader   = "Content-Type"
	formType   = "application/x-www-form-urlencoded"
	bulkType   = "application/vnd.api+json; ext=bulk"
	noSuchID   = "NoSuchToken0000000000"
	remaining  = "Fastly-RateLimit-Remaining"
	resetAt    = "Fastly-RateLimit-Reset"
	firstReset = "1795870800" // 2026-11-28T13:00:00Z, the end of testStart's hour
)

// expect asserts an answer's status, JSON body and that it is JSON.
func expect(t *testing.T, a answer, status int, body string) {
	t.Helper()
	assert.Equal(t, status, a.status, a.body)
	if body == "" {
		assert.Empty(t, a.body)
		return
	}
	assert.Equal(t, "application/json", a.header.Get(ctHeader))
	assert.JSONEq(t, body, a.body)
}

// expectMsg asserts status and the msg of a {"msg","detail"} body.
func expectMsg(t *testing.T, a answer, status int, msg string) {
	t.Helper()
	assert.Equal(t, status, a.status, a.body)
	assert.Equal(t, "application/json", a.header.Get(ctHeader))
	var body struct{ Msg, Detail, Code string }
	require.NoError(t, json.Unmarshal([]byte(a.body), &body), a.body)
	assert.Equal(t, msg, body.Msg, a.body)
	assert.Empty(t, body.Code)
}

// form encodes name, value pairs in order (not sorted), as a client may.
func form(pairs ...string) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		parts = append(parts, url.QueryEscape(pairs[i])+"="+url.QueryEscape(pairs[i+1]))
	}
	return strings.Join(parts, "&")
}

func bulk(ids ...string) string {
	items := make([]string, len(ids))
	for i, id := range ids {
		items[i] = `{"type":"token","id":"` + id + `"}`
	}
	return `{"data":[` + strings.Join(items, ",") + `]}`
}

// decode reads a JSON object answer.
func decode(t *testing.T, a answer) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(a.body), &m), a.body)
	return m
}

// ids lists the ids of a JSON array answer, in order.
func ids(t *testing.T, a answer) []string {
	t.Helper()
	require.Equal(t, 200, a.status, a.body)
	var list []struct{ ID string }
	require.NoError(t, json.Unmarshal([]byte(a.body), &list), a.body)
	out := make([]string, len(list))
	for i, tok := range list {
		out[i] = tok.ID
	}
	return out
}

func otp(t *testing.T, a api.Account, at time.Time) string {
	t.Helper()
	code, err := api.TOTP(a.TwoFactorSecret, at)
	require.NoError(t, err)
	return code
}

// sudoOn puts key in sudo mode for account a.
func sudoOn(t *testing.T, srv *api.TestServer, a api.Account, key string) {
	t.Helper()
	r := call(t, srv, "POST", "/sudo", form("username", a.Login, "password", a.Password), keyHeader, key, ctHeader, formType)
	require.Equal(t, 200, r.status, r.body)
}
