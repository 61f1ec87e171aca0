package fastlysecrets

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

// clock is the one time source of the engine and the simulator.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

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

// harness is an engine on the SDK's in-memory storage, configured against
// api/ behind a proxy that counts requests and can inject faults; engine
// and simulator share one clock. Every response, error and log line is kept
// for the secrets scan.
type harness struct {
	t       *testing.T
	clk     *clock
	sim     *api.TestServer
	url     string
	b       logical.Backend
	storage logical.Storage
	sys     *logical.StaticSystemView
	account api.Account
	logs    *syncBuffer

	mu        sync.Mutex
	seen      []string
	intercept func(w http.ResponseWriter, r *http.Request) bool
	said      []string // responses and errors, for the scan

	connections atomic.Int32    // connections the engine opened to the API
	waited      []time.Duration // the engine's waits for a one-time password
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var start = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// newHarness starts the simulator and an engine configured as role's user.
func newHarness(t *testing.T, role api.Role, factory func(*harness) logical.Backend) *harness {
	t.Helper()
	h := &harness{t: t, clk: &clock{now: start}, logs: &syncBuffer{}}
	h.sim = api.NewTestServer(t, api.WithClock(h.clk.Now))
	h.account = h.sim.Account(role)
	target, err := url.Parse(h.sim.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.seen = append(h.seen, r.Method+" "+r.URL.Path)
		intercept := h.intercept
		h.mu.Unlock()
		if intercept != nil && intercept(w, r) {
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	front.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			h.connections.Add(1)
		}
	}
	front.Start()
	t.Cleanup(front.Close)
	h.url = front.URL
	h.sys = &logical.StaticSystemView{DefaultLeaseTTLVal: time.Hour, MaxLeaseTTLVal: 24 * time.Hour}
	h.storage = &logical.InmemStorage{}
	if factory == nil {
		factory = func(h *harness) logical.Backend {
			b := newBackend(h.clk.Now, []wrapper.Option{wrapper.WithRetry(wrapper.RetryPolicy{})})
			b.wait = h.waitOnTheClock
			require.NoError(t, b.Setup(t.Context(), h.config()))
			return b
		}
	}
	h.b = factory(h)
	h.ok(h.write("config", map[string]any{"api_url": h.url, "login": h.account.Login, "password": h.account.Password,
		"totp_secret": h.account.TwoFactorSecret, "key": h.account.Token}))
	return h
}

// config is the BackendConfig the engine is set up with.
func (h *harness) config() *logical.BackendConfig {
	conf := logical.TestBackendConfig()
	conf.StorageView = h.storage
	conf.System = h.sys
	conf.Logger = hclog.New(&hclog.LoggerOptions{Output: h.logs, Level: hclog.Trace})
	return conf
}

func (h *harness) setIntercept(f func(w http.ResponseWriter, r *http.Request) bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.intercept = f
}

func (h *harness) count(request string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, s := range h.seen {
		if s == request {
			n++
		}
	}
	return n
}

// request sends one request to the engine and keeps what it said.
func (h *harness) request(req *logical.Request) (*logical.Response, error) {
	h.t.Helper()
	req.Storage = h.storage
	resp, err := h.b.HandleRequest(h.t.Context(), req)
	h.mu.Lock()
	defer h.mu.Unlock()
	if resp != nil {
		h.said = append(h.said, describeResponse(resp))
	}
	if err != nil {
		h.said = append(h.said, err.Error())
	}
	return resp, err
}

func describeResponse(resp *logical.Response) string {
	text := fmt.Sprintf("%v %v", resp.Data, resp.Warnings)
	if resp.Secret != nil {
		text += fmt.Sprintf(" %v", resp.Secret.InternalData)
	}
	return text
}

func (h *harness) write(path string, data map[string]any) (*logical.Response, error) {
	return h.request(&logical.Request{Operation: logical.UpdateOperation, Path: path, Data: data})
}

func (h *harness) read(path string) (*logical.Response, error) {
	return h.request(&logical.Request{Operation: logical.ReadOperation, Path: path})
}

// ok fails the test unless the request succeeded without an error response.
func (h *harness) ok(resp *logical.Response, err error) *logical.Response {
	h.t.Helper()
	require.NoError(h.t, err)
	if resp != nil && resp.IsError() {
		h.t.Fatalf("error response: %v", resp.Error())
	}
	return resp
}

// renew and revoke send what Vault's core sends for a lease.
func (h *harness) renew(secret *logical.Secret, increment time.Duration) (*logical.Response, error) {
	s := *secret
	s.Increment = increment
	req := logical.RenewRequest("creds", &s, nil)
	return h.request(req)
}

func (h *harness) revoke(secret *logical.Secret) (*logical.Response, error) {
	return h.request(logical.RevokeRequest("creds", secret, nil))
}

// issue reads creds/role and returns the lease, as core would record it
// (issue time now).
func (h *harness) issue(role string) (*logical.Response, *logical.Secret) {
	h.t.Helper()
	resp := h.ok(h.read("creds/" + role))
	require.NotNil(h.t, resp.Secret)
	secret := *resp.Secret
	secret.IssueTime = h.clk.Now()
	return resp, &secret
}

// admin lists the customer's tokens as its superuser, straight at the
// simulator: what is really live.
func (h *harness) liveTokens() map[string]wrapper.Token {
	h.t.Helper()
	admin := h.sim.Account(api.RoleSuperuser)
	c, err := wrapper.New(wrapper.WithBaseURL(h.sim.URL), wrapper.WithToken(admin.Token))
	require.NoError(h.t, err)
	tokens, err := c.ListForCustomer(h.t.Context(), admin.CustomerID)
	require.NoError(h.t, err)
	live := map[string]wrapper.Token{}
	for _, tok := range tokens {
		if strings.HasPrefix(tok.Name, "vault-") && (tok.ExpiresAt.IsZero() || tok.ExpiresAt.After(h.clk.Now())) {
			live[tok.ID] = tok
		}
	}
	return live
}

// keyStatus is the simulator's answer to GET /tokens/self with key.
func (h *harness) keyStatus(key string) int {
	h.t.Helper()
	req, err := http.NewRequest("GET", h.sim.URL+"/tokens/self", nil)
	require.NoError(h.t, err)
	req.Header.Set("Fastly-Key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(h.t, err)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// waitOnTheClock is the engine's wait for the next one-time password, on
// the test's clock: it moves the clock, never sleeps.
func (h *harness) waitOnTheClock(_ context.Context, d time.Duration) error {
	h.mu.Lock()
	h.waited = append(h.waited, d)
	h.mu.Unlock()
	h.clk.Advance(d)
	return nil
}

// wals lists the engine's write-ahead log entries.
func (h *harness) wals() []string {
	h.t.Helper()
	ids, err := framework.ListWAL(h.t.Context(), h.storage)
	require.NoError(h.t, err)
	return ids
}
