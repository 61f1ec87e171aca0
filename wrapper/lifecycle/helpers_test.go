package lifecycle_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

var noRetry = wrapper.WithRetry(wrapper.RetryPolicy{})

// hostile puts a proxy in front of an api server: intercept answers a
// request itself when it returns true, else the request reaches api. It
// counts every request by "METHOD path".
type hostile struct {
	srv       *api.TestServer
	url       string
	mu        sync.Mutex
	seen      []string
	intercept func(w http.ResponseWriter, r *http.Request) bool
}

func newHostile(t *testing.T, intercept func(w http.ResponseWriter, r *http.Request) bool, opts ...api.Option) *hostile {
	t.Helper()
	h := &hostile{srv: api.NewTestServer(t, opts...), intercept: intercept}
	target, err := url.Parse(h.srv.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.seen = append(h.seen, r.Method+" "+r.URL.Path)
		intercept := h.intercept
		h.mu.Unlock()
		if intercept != nil && intercept(w, r) {
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	h.url = front.URL
	return h
}

func (h *hostile) count(request string) int {
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

func (h *hostile) client(t *testing.T, key string, opts ...wrapper.Option) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(append([]wrapper.Option{wrapper.WithBaseURL(h.url), wrapper.WithToken(key), noRetry}, opts...)...)
	require.NoError(t, err)
	return c
}

// requests returns every request the proxy saw, as "METHOD path".
func (h *hostile) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.seen)
}

// setIntercept replaces the proxy's fault while requests may be in flight.
func (h *hostile) setIntercept(f func(w http.ResponseWriter, r *http.Request) bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.intercept = f
}

// alive reports whether key still authenticates at the simulator.
func (h *hostile) alive(t *testing.T, key string) bool {
	ctx := t.Context()
	t.Helper()
	_, err := h.client(t, key).Current(ctx)
	if err != nil {
		require.ErrorIs(t, err, wrapper.ErrForbidden, "a dead key is refused with 403")
		return false
	}
	return true
}

func (h *hostile) user() api.Account { return h.srv.Account(api.RoleUser) }

func (h *hostile) rotateInput() lifecycle.RotateInput {
	return lifecycle.RotateInput{Username: h.user().Login, Password: h.user().Password}
}

// addToken adds a token for the ordinary user and returns its id and key.
func (h *hostile) addToken(t *testing.T, spec api.TokenSpec) (string, string) {
	t.Helper()
	spec.UserID = h.user().UserID
	id, key, err := h.srv.AddToken(spec)
	require.NoError(t, err)
	return id, key
}

// TestRotateOwnKey: the Client's own key, its id from Current.

// refuseSelfRevoke answers DELETE /tokens/self with the key in readOnly as
// Fastly may answer a read-only key (unverified): 403.
func refuseSelfRevoke(readOnly *atomic.Value) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" && r.URL.Path == "/tokens/self" && r.Header.Get("Fastly-Key") == readOnly.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"msg":"Read only tokens are not allowed to access this endpoint."}`))
			return true
		}
		return false
	}
}

// idsNamed is the ids of the tokens named name.
func idsNamed(tokens []wrapper.Token, name string) []string {
	var ids []string
	for _, tok := range tokens {
		if tok.Name == name {
			ids = append(ids, tok.ID)
		}
	}
	return ids
}
