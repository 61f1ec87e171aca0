package fastlysecrets

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

// switchTo writes a config of another account: its login, password and
// key, at the same API.
func (h *harness) switchTo(role api.Role) {
	h.t.Helper()
	other := h.sim.Account(role)
	h.ok(h.write("config", map[string]any{"login": other.Login, "password": other.Password, "key": other.Token, "totp_secret": other.TwoFactorSecret}))
}

// TestRevokeAfterTheKeyChangedOwner: a lease's token belongs to the user
// whose key the engine held when it was issued. With the config now another
// user's (who may not see it), revoke's 404 proves nothing: an error (Vault
// retries), the token still live, and the WAL rollback keeps its entry.
func TestRevokeAfterTheKeyChangedOwner(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleUser, nil)
	h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "max_ttl": "1h"}))
	resp, secret := h.issue("ci")
	key := resp.Data["access_token"].(string)
	assert.Equal(t, h.account.UserID, secret.InternalData["user_id"])
	assert.Equal(t, h.url, secret.InternalData["api_url"])

	h.switchTo(api.RoleOtherCustomer)
	_, err := h.revoke(secret)
	require.Error(t, err, "a 404 to another user's key is no revoke")
	assert.Contains(t, err.Error(), "belongs to user "+h.account.UserID)
	assert.Equal(t, http.StatusOK, h.keyStatus(key), "the token is live: nothing claimed otherwise")
	assert.Contains(t, h.logs.String(), "a lease's revoke failed", "the failure is logged, not only returned")

	h.switchTo(api.RoleUser)
	h.ok(h.revoke(secret))
	assert.Equal(t, http.StatusForbidden, h.keyStatus(key))
	h.scan()
}

// TestRollbackAfterTheKeyChangedOwner: a create whose answer was lost
// leaves a WAL entry; rolled back under another user's key, whose list
// cannot show the token, the entry is kept, not dropped.
func TestRollbackAfterTheKeyChangedOwner(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleUser, nil)
	h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "max_ttl": "1h"}))
	target, err := url.Parse(h.sim.URL)
	require.NoError(t, err)
	h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "POST" && r.URL.Path == "/tokens" {
			req := r.Clone(r.Context())
			req.URL.Scheme, req.URL.Host, req.RequestURI = target.Scheme, target.Host, ""
			if resp, err := http.DefaultTransport.RoundTrip(req); err == nil {
				_ = resp.Body.Close()
			}
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
			return true
		}
		return false
	})
	_, err = h.read("creds/ci")
	require.ErrorContains(t, err, "outcome unknown")
	h.setIntercept(nil)
	require.Len(t, h.liveTokens(), 1)

	h.switchTo(api.RoleOtherCustomer)
	req := logical.RollbackRequest("")
	req.Data = map[string]any{"immediate": true}
	_, _ = h.request(req)
	assert.Len(t, h.wals(), 1, "kept: the other user's list proves nothing")
	assert.Len(t, h.liveTokens(), 1)

	h.switchTo(api.RoleUser)
	h.ok(h.request(req))
	assert.Empty(t, h.liveTokens(), "rolled back once the owner's key is back")
	h.scan()
}

// TestMovingTheConfigNeedsItsSecrets: changing api_url or login without
// password and key (and totp_secret) again is refused before anything is
// sent to the new host; an api_url where the key does not prove out (a
// path prefix) is refused at write, not discovered as false revokes.
func TestMovingTheConfigNeedsItsSecrets(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleTwoFactorUser, nil)
	var reached atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		reached.Add(1)
		http.Error(w, "{}", http.StatusTeapot)
	}))
	t.Cleanup(elsewhere.Close)
	for _, change := range []map[string]any{
		{"api_url": elsewhere.URL},
		{"api_url": elsewhere.URL, "password": "x", "key": "y"},
		{"login": "someone@else.example"},
	} {
		resp, err := h.write("config", change)
		require.NoError(t, err)
		require.True(t, resp.IsError(), "%v", change)
		assert.Contains(t, resp.Error().Error(), "changing api_url or login needs password, key, totp_secret in the same write")
	}
	assert.Zero(t, reached.Load(), "no stored secret went to the new host")

	resp, err := h.write("config", map[string]any{"api_url": h.url + "/v1", "password": h.account.Password, "key": h.account.Token, "totp_secret": h.account.TwoFactorSecret})
	require.NoError(t, err)
	require.True(t, resp.IsError())
	assert.Contains(t, resp.Error().Error(), "the key does not prove out at "+h.url+"/v1")
	stored, err := h.b.(*backend).config(t.Context(), h.storage)
	require.NoError(t, err)
	assert.Equal(t, h.url, stored.APIURL)

	// Secrets from files that end in a newline (echo, jq -r) are taken.
	h.clk.Advance(30 * time.Second) // a new two-factor step
	h.ok(h.write("config", map[string]any{"password": h.account.Password + "\n", "key": h.account.Token + "\r\n"}))
	h.scan()
}

// TestCredsCheckTheExpiryFastlyReturns: a token whose answer lacks
// expires_at, or carries a later one, would outlive its lease: it is
// revoked and creds fail.
func TestCredsCheckTheExpiryFastlyReturns(t *testing.T) {
	t.Parallel()
	edits := map[string]string{
		"missing": `"expires_at":null`,
		"later":   `"expires_at":"2099-01-01T00:00:00Z"`,
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, api.RoleUser, nil)
			h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "max_ttl": "1h"}))
			h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != "POST" || r.URL.Path != "/tokens" {
					return false
				}
				body, _ := io.ReadAll(r.Body)
				r.Body = io.NopCloser(bytes.NewReader(body))
				r.RequestURI = ""
				rec := httptest.NewRecorder()
				h.sim.ServeHTTP(rec, r)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(rec.Code)
				_, _ = w.Write(regexp.MustCompile(`"expires_at":"[^"]*"`).ReplaceAll(rec.Body.Bytes(), []byte(edit)))
				return true
			})
			_, err := h.read("creds/ci")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "not "+start.Add(time.Hour).Format(time.RFC3339)+" as asked")
			assert.Contains(t, err.Error(), "revoked, no lease issued")
			assert.Empty(t, h.liveTokens(), "the token that would outlive its lease is gone")
			assert.Empty(t, h.wals())
			h.scan()
		})
	}
}

// TestOneClientPerConfig: the engine keeps one Client (one connection
// pool) per config: 100 creds reads and their revokes open at most two
// connections; a config write builds a new one.
func TestOneClientPerConfig(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleUser, nil)
	h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "max_ttl": "1h"}))
	before := h.connections.Load() // the config write's
	for range 50 {
		_, secret := h.issue("ci")
		h.ok(h.revoke(secret))
	}
	assert.LessOrEqual(t, h.connections.Load()-before, int32(2), "100 calls, one pool")
	b := h.b.(*backend)
	first, err := b.clientFor(mustConfig(t, h))
	require.NoError(t, err)
	again, err := b.clientFor(mustConfig(t, h))
	require.NoError(t, err)
	assert.Same(t, first, again)
	h.clk.Advance(30 * time.Second)
	h.ok(h.write("config", map[string]any{"password": h.account.Password}))
	rebuilt, err := b.clientFor(mustConfig(t, h))
	require.NoError(t, err)
	assert.NotSame(t, first, rebuilt, "a config write builds a new Client")
	h.scan()
}

func mustConfig(t *testing.T, h *harness) *config {
	t.Helper()
	c, err := h.b.(*backend).config(t.Context(), h.storage)
	require.NoError(t, err)
	require.NotNil(t, c)
	return c
}

// TestPathsAreDescribed: every path has the operation prefix fastly and a
// HelpDescription (vault path-help reads it); the WAL is local storage.
func TestPathsAreDescribed(t *testing.T) {
	t.Parallel()
	b := newBackend(time.Now, nil)
	for _, p := range b.Paths {
		require.NotNil(t, p.DisplayAttrs, p.Pattern)
		assert.Equal(t, "fastly", p.DisplayAttrs.OperationPrefix, p.Pattern)
		assert.NotEmpty(t, p.HelpSynopsis, p.Pattern)
		assert.NotEmpty(t, p.HelpDescription, p.Pattern)
	}
	assert.Equal(t, []string{framework.WALPrefix}, b.PathsSpecial.LocalStorage)
	err := b.walRollback(t.Context(), &logical.Request{}, "something_else", nil)
	require.ErrorContains(t, err, `unknown write-ahead log kind "something_else"`)
}
