package fastlysecrets

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/vault/sdk/logical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

// TestConfigNeverReturnsASecret: a read says which secrets are set, never
// their values; the required fields are checked.
func TestConfigNeverReturnsASecret(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleTwoFactorUser, nil)
	resp := h.ok(h.read("config"))
	assert.Equal(t, map[string]any{"api_url": h.url, "login": h.account.Login, "password_set": true, "totp_secret_set": true, "key_set": true}, resp.Data)
	resp, err := h.write("config", map[string]any{"password": ""})
	require.NoError(t, err)
	assert.True(t, resp.IsError(), "a password is required")
	resp, err = h.write("config", map[string]any{"api_url": "http://api.example.com"})
	require.NoError(t, err)
	assert.True(t, resp.IsError(), "plain http only on loopback")
	resp, err = h.write("config", map[string]any{"totp_secret": "not base32!"})
	require.NoError(t, err)
	assert.True(t, resp.IsError())
	h.ok(h.request(&logical.Request{Operation: logical.DeleteOperation, Path: "config"}))
	resp, err = h.read("config")
	require.NoError(t, err)
	assert.Nil(t, resp)
	h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "max_ttl": "1h"}))
	_, err = h.read("creds/ci")
	require.ErrorIs(t, err, errNotConfigured)
	h.scan()
}

// TestRoles: defaults, checks and listing.
func TestRoles(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleUser, nil)
	// No default scope: a role says what its tokens may do.
	resp, err := h.write("roles/ci", map[string]any{"ttl": "10m", "max_ttl": "1h"})
	require.NoError(t, err)
	require.True(t, resp.IsError())
	assert.Contains(t, resp.Error().Error(), "scopes is required")
	// global is allowed, with a warning of what it gives a lease holder.
	resp = h.ok(h.write("roles/ci", map[string]any{"scopes": "global", "ttl": "10m", "max_ttl": "1h"}))
	require.Len(t, resp.Warnings, 1)
	assert.Contains(t, resp.Warnings[0], "can manage every token of the engine's user, the engine's own key included")
	h.ok(h.write("roles/ci", map[string]any{"ttl": "5m"})) // an update keeps its scopes
	resp = h.ok(h.read("roles/ci"))
	assert.Equal(t, map[string]any{"scopes": []string{"global"}, "services": []string{}, "ttl": int64(300), "max_ttl": int64(3600)}, resp.Data)
	h.ok(h.write("roles/purge", map[string]any{"scopes": "purge_select,purge_all", "services": "svcA1,svcB2"}))
	list := h.ok(h.request(&logical.Request{Operation: logical.ListOperation, Path: "roles/"}))
	assert.Equal(t, []string{"ci", "purge"}, list.Data["keys"])
	for _, bad := range []map[string]any{
		{"scopes": "superpowers"}, {"ttl": "2h", "max_ttl": "1h"}, {"max_ttl": "48h"}, {"services": "../x"},
	} {
		resp, err := h.write("roles/bad", bad)
		require.NoError(t, err)
		assert.True(t, resp.IsError(), "%v", bad)
	}
	h.ok(h.request(&logical.Request{Operation: logical.DeleteOperation, Path: "roles/purge"}))
	resp, err = h.read("roles/purge")
	require.NoError(t, err)
	assert.Nil(t, resp)
}

// TestCredsAreExactTokens: each lease is a token in the simulator with the
// role's exact scopes and services, a unique vault-ROLE- name, and
// expires_at = now + max_ttl; the lease's TTL is the role's.
func TestCredsAreExactTokens(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleUser, nil)
	h.ok(h.write("roles/purge", map[string]any{"scopes": "purge_select,purge_all", "services": "svcA1,svcB2", "ttl": "10m", "max_ttl": "2h"}))
	resp, secret := h.issue("purge")
	id := resp.Data["token_id"].(string)
	live := h.liveTokens()
	require.Contains(t, live, id)
	tok := live[id]
	assert.Equal(t, []wrapper.Scope{wrapper.ScopePurgeSelect, wrapper.ScopePurgeAll}, tok.Scopes)
	assert.Equal(t, []string{"svcA1", "svcB2"}, tok.Services)
	assert.WithinDuration(t, start.Add(2*time.Hour), tok.ExpiresAt, time.Second)
	assert.Regexp(t, `^vault-purge-[a-z0-9]{12}$`, tok.Name)
	assert.Equal(t, tok.Name, resp.Data["name"])
	assert.Equal(t, start.Add(2*time.Hour).Format(time.RFC3339), resp.Data["expires_at"])
	assert.Equal(t, []string{"purge_select", "purge_all"}, resp.Data["scopes"])
	assert.Equal(t, []string{"svcA1", "svcB2"}, resp.Data["services"])
	assert.Equal(t, 10*time.Minute, secret.TTL)
	assert.Equal(t, 2*time.Hour, secret.MaxTTL)
	assert.True(t, secret.Renewable)
	assert.Equal(t, http.StatusOK, h.keyStatus(resp.Data["access_token"].(string)))
	assert.NotContains(t, secret.InternalData, "access_token", "the lease keeps no secret")

	// A role without max_ttl gets one hour, not the mount's maximum (a day
	// here, 32 days on a default mount).
	h.ok(h.write("roles/long", map[string]any{"scopes": "purge_all"}))
	resp, secret = h.issue("long")
	assert.Equal(t, time.Hour, secret.MaxTTL)
	assert.Equal(t, time.Hour, secret.TTL, "the mount's default TTL")
	assert.WithinDuration(t, start.Add(time.Hour), h.liveTokens()[resp.Data["token_id"].(string)].ExpiresAt, time.Second)
	resp, err := h.read("creds/none")
	require.NoError(t, err)
	assert.True(t, resp.IsError(), "no such role")
	h.scan()
}

// TestRenewNeverPastExpiry: a renewal grants the increment up to the
// token's expires_at, never past, with a warning when capped; a deleted
// role's leases are not renewed.
func TestRenewNeverPastExpiry(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleUser, nil)
	h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "ttl": "10m", "max_ttl": "1h"}))
	_, secret := h.issue("ci")
	h.clk.Advance(5 * time.Minute)
	resp := h.ok(h.renew(secret, 0))
	assert.Equal(t, 10*time.Minute, resp.Secret.TTL, "the role's TTL")
	assert.Empty(t, resp.Warnings)
	assert.Equal(t, time.Hour, resp.Secret.MaxTTL, "Vault caps every later renewal by it too")
	h.clk.Advance(50 * time.Minute)
	resp = h.ok(h.renew(secret, time.Hour))
	assert.Equal(t, 5*time.Minute, resp.Secret.TTL, "capped at expires_at")
	require.Len(t, resp.Warnings, 1)
	assert.Contains(t, resp.Warnings[0], "the Fastly token expires at")
	h.clk.Advance(5 * time.Minute)
	_, err := h.renew(secret, time.Minute)
	require.ErrorContains(t, err, "expired")
	_, secret = h.issue("ci")
	h.ok(h.request(&logical.Request{Operation: logical.DeleteOperation, Path: "roles/ci"}))
	_, err = h.renew(secret, time.Minute)
	require.ErrorContains(t, err, `role "ci" was deleted`)
}

// TestRevokeIsIdempotent: revoking kills the key; revoking again, or a
// token deleted behind the engine's back, is success.
func TestRevokeIsIdempotent(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleUser, nil)
	h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "max_ttl": "1h"}))
	resp, secret := h.issue("ci")
	key := resp.Data["access_token"].(string)
	h.ok(h.revoke(secret))
	assert.Equal(t, http.StatusForbidden, h.keyStatus(key))
	h.ok(h.revoke(secret))

	resp, secret = h.issue("ci")
	c, err := wrapper.New(wrapper.WithBaseURL(h.sim.URL), wrapper.WithToken(h.account.Token))
	require.NoError(t, err)
	require.NoError(t, c.Revoke(t.Context(), resp.Data["token_id"].(string)))
	h.ok(h.revoke(secret))
	h.scan()
}

// TestRevokeFailureIsRetriedAndExpiryIsTheBackstop: a 5xx, a lost
// connection, a 429 or the engine's own key revoked make revoke fail (so
// Vault retries, never recording success); when every retry fails, Fastly
// kills the token at its expires_at.
func TestRevokeFailureIsRetriedAndExpiryIsTheBackstop(t *testing.T) {
	t.Parallel()
	faults := map[string]func(h *harness){
		"503": func(h *harness) {
			h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == "DELETE" {
					http.Error(w, `{"msg":"unavailable"}`, http.StatusServiceUnavailable)
					return true
				}
				return false
			})
		},
		"network": func(h *harness) {
			h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == "DELETE" {
					conn, _, _ := w.(http.Hijacker).Hijack()
					_ = conn.Close()
					return true
				}
				return false
			})
		},
		"429": func(h *harness) {
			h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == "DELETE" {
					w.Header().Set("Fastly-RateLimit-Reset", "4102444800")
					w.Header().Set("Fastly-RateLimit-Remaining", "0")
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusTooManyRequests)
					_, _ = io.WriteString(w, `{"msg":"You have exceeded your hourly rate limit."}`)
					return true
				}
				return false
			})
		},
		"engine key revoked": func(h *harness) {
			c, err := wrapper.New(wrapper.WithBaseURL(h.sim.URL), wrapper.WithToken(h.account.Token))
			require.NoError(h.t, err)
			require.NoError(h.t, c.RevokeCurrent(h.t.Context()))
		},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, api.RoleUser, nil)
			h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "ttl": "10m", "max_ttl": "30m"}))
			resp, secret := h.issue("ci")
			key := resp.Data["access_token"].(string)
			fault(h)
			_, err := h.revoke(secret)
			require.Error(t, err, "never success")
			assert.False(t, isPermanent(err), "a plain error: Vault retries it")
			assert.Equal(t, http.StatusOK, h.keyStatus(key), "still live until its expires_at")
			h.clk.Advance(30*time.Minute + time.Second)
			assert.Equal(t, http.StatusUnauthorized, h.keyStatus(key), "Fastly's expiry is the backstop")
			if name == "429" {
				assert.Contains(t, err.Error(), "the rate limit resets at 2100-01-01T00:00:00Z")
			}
			h.scan()
		})
	}
}

// isPermanent reports an error Vault would not retry.
func isPermanent(err error) bool {
	for _, permanent := range []error{logical.ErrInvalidRequest, logical.ErrUnrecoverable, logical.ErrUnsupportedOperation, logical.ErrUnsupportedPath} {
		if errors.Is(err, permanent) {
			return true
		}
	}
	return false
}

// scan fails the test when any response, error or log line holds the
// password, the key, the two-factor seed, or an access token other than the
// one a creds response hands out.
func (h *harness) scan() {
	h.t.Helper()
	h.mu.Lock()
	said := slices.Clone(h.said)
	h.mu.Unlock()
	secrets := []string{h.account.Password, h.account.Token, h.account.ReadOnlyToken}
	if h.account.TwoFactorSecret != "" {
		secrets = append(secrets, h.account.TwoFactorSecret)
	}
	stored, err := h.storage.Get(h.t.Context(), configPath)
	require.NoError(h.t, err)
	if stored != nil {
		var c config
		require.NoError(h.t, stored.DecodeJSON(&c))
		secrets = append(secrets, c.Key)
	}
	for i, text := range said {
		for _, s := range secrets {
			assert.NotContains(h.t, text, s, "response or error %d holds a secret", i)
		}
		if !strings.Contains(text, "access_token:") { // only creds responses may carry their own token
			assert.NotRegexp(h.t, `[A-Za-z0-9_-]{32}`, text, "an access token in %q", text)
		}
	}
	logs := h.logs.String()
	for _, s := range secrets {
		assert.NotContains(h.t, logs, s, "a log line holds a secret")
	}
	assert.NotRegexp(h.t, `[A-Za-z0-9_-]{32}`, logs, "an access token in the logs")
}
