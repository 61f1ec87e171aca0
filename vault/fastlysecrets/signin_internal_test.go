package fastlysecrets

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/hashicorp/vault/sdk/logical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

// TestLostCreateIsRolledBack: the create reaches Fastly but its answer is
// lost (wrapper.ErrOutcomeUnknown). The write-ahead log entry stays; the
// rollback finds the token by its unique name and revokes it: no token is
// left without a lease.
func TestLostCreateIsRolledBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleUser, nil)
	h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "max_ttl": "1h"}))
	target, err := url.Parse(h.sim.URL)
	require.NoError(t, err)
	h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "POST" && r.URL.Path == "/tokens" {
			httputil.NewSingleHostReverseProxy(target).ServeHTTP(httptest.NewRecorder(), r) // Fastly creates it...
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close() // ...and the answer is lost
			return true
		}
		return false
	})
	_, err = h.read("creds/ci")
	require.ErrorContains(t, err, "outcome unknown")
	require.Len(t, h.liveTokens(), 1, "a token exists that no lease holds")
	require.Len(t, h.wals(), 1)
	h.setIntercept(nil)

	req := logical.RollbackRequest("")
	req.Data = map[string]any{"immediate": true}
	h.ok(h.request(req))
	assert.Empty(t, h.liveTokens(), "the rollback revoked it")
	assert.Empty(t, h.wals())

	// A refused create leaves no entry behind.
	h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "POST" && r.URL.Path == "/tokens" {
			http.Error(w, `{"msg":"Unprocessable Entity","detail":"no"}`, http.StatusUnprocessableEntity)
			return true
		}
		return false
	})
	resp, err := h.read("creds/ci")
	require.NoError(t, err)
	require.True(t, resp.IsError(), "Fastly's refusal is the caller's to read, a 4xx, not a 500")
	assert.Contains(t, resp.Error().Error(), "422 Unprocessable Entity")
	assert.Empty(t, h.wals())
	h.scan()
}

// TestSignInOncePerWindow: issuing many leases signs in (POST /sudo) once
// per sudo window; a two-factor code is computed for it.
func TestSignInOncePerWindow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleTwoFactorUser, nil)
	h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "max_ttl": "1h"}))
	for range 3 {
		h.issue("ci")
	}
	assert.Equal(t, 1, h.count("POST /sudo"))
	assert.Equal(t, 3, h.count("POST /tokens"))
	h.clk.Advance(api.SudoDuration)
	h.issue("ci")
	assert.Equal(t, 2, h.count("POST /sudo"), "a new window, a new sign-in")
	h.scan()
}

// TestSignInIsNeverRetried: a wrong password is refused when config is
// written (one /sudo). A password that stops working later is one /sudo
// too: every later creds read answers the refusal and its time, and sends
// nothing, until config is written again. A 429 says when the limit
// resets, and is not latched.
func TestSignInIsNeverRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleTwoFactorUser, nil)
	h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "max_ttl": "1h"}))
	assert.Equal(t, 1, h.count("POST /sudo"), "config write signed in once")
	h.clk.Advance(30 * time.Second)
	resp, err := h.write("config", map[string]any{"password": "not the password"})
	require.NoError(t, err)
	require.True(t, resp.IsError())
	assert.Contains(t, resp.Error().Error(), "signing in as "+h.account.Login+" with the key (POST /sudo) failed")
	assert.Equal(t, 2, h.count("POST /sudo"))
	stored, err := h.b.(*backend).config(t.Context(), h.storage)
	require.NoError(t, err)
	assert.Equal(t, h.account.Password, stored.Password, "a refused config is not stored")

	// The password is changed at Fastly under a live config.
	h.clk.Advance(api.SudoDuration)
	h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/sudo" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"msg":"Incorrect username or password"}`))
			return true
		}
		return false
	})
	refusedAt := h.clk.Now().UTC().Format(time.RFC3339)
	for range 5 { // five lease holders: one sign-in, never a lockout
		resp, err := h.read("creds/ci")
		require.NoError(t, err)
		require.True(t, resp.IsError())
		assert.Contains(t, resp.Error().Error(), "Fastly refused the engine's sign-in (POST /sudo) at "+refusedAt+": ")
		assert.Contains(t, resp.Error().Error(), "signs in no more until config is written again")
		h.clk.Advance(30 * time.Second)
	}
	assert.Equal(t, 3, h.count("POST /sudo"))
	assert.Equal(t, 0, h.count("POST /tokens"))

	h.setIntercept(nil)
	h.ok(h.write("config", map[string]any{"password": h.account.Password}))
	h.issue("ci")
	assert.Equal(t, 4, h.count("POST /sudo"), "a config write signs in again")

	h.clk.Advance(api.SudoDuration)
	h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/sudo" {
			w.Header().Set("Fastly-RateLimit-Remaining", "0")
			w.Header().Set("Fastly-RateLimit-Reset", "4102444800")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"msg":"You have exceeded your hourly rate limit."}`))
			return true
		}
		return false
	})
	_, err = h.read("creds/ci")
	require.ErrorContains(t, err, "the rate limit resets at 2100-01-01T00:00:00Z")
	h.clk.Advance(30 * time.Second)
	_, err = h.read("creds/ci")
	require.ErrorContains(t, err, "the rate limit resets", "a 429 is tried again on the next read")
	assert.Equal(t, 6, h.count("POST /sudo"))
	h.scan()
}

// TestRotateRoot: the engine's key is replaced; the new key is stored
// before the old one is revoked; reads still return no secret.
func TestRotateRoot(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleUser, nil)
	resp := h.ok(h.write("config/rotate-root", nil))
	assert.Equal(t, true, resp.Data["old_revoked"])
	stored, err := h.b.(*backend).config(t.Context(), h.storage)
	require.NoError(t, err)
	require.NotEqual(t, h.account.Token, stored.Key)
	assert.Equal(t, http.StatusOK, h.keyStatus(stored.Key))
	assert.Equal(t, http.StatusForbidden, h.keyStatus(h.account.Token), "the old key is revoked")
	assert.Equal(t, resp.Data["token_id"], mustTokenID(t, h, stored.Key))
	h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "max_ttl": "1h"}))
	h.issue("ci") // the new key works for the engine
	h.scan()      // the new key, stored as config, is scanned for too
}

func mustTokenID(t *testing.T, h *harness, key string) string {
	t.Helper()
	c, err := wrapper.New(wrapper.WithBaseURL(h.sim.URL), wrapper.WithToken(key))
	require.NoError(t, err)
	tok, err := c.Current(t.Context())
	require.NoError(t, err)
	return tok.ID
}
