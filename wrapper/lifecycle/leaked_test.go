package lifecycle_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

func TestRevokeLeaked(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// api/ lets every key revoke itself; Fastly may refuse a read-only key
	// (unverified), so the proxy refuses it as Fastly would, and RevokeLeaked
	// must fall back to revoking by id with the client's key.
	var readOnly atomic.Value // set once the key exists; read by the proxy's goroutines
	readOnly.Store("")
	h := newHostile(t, refuseSelfRevoke(&readOnly))
	liveID, live := h.addToken(t, api.TokenSpec{Name: "leaked"})
	readID, readOnlyKey := h.addToken(t, api.TokenSpec{Name: "leaked read", Scope: "global:read"})
	readOnly.Store(readOnlyKey)
	goneID, gone := h.addToken(t, api.TokenSpec{Name: "gone"})
	c := h.client(t, h.user().Token)
	require.NoError(t, c.Revoke(ctx, goneID))
	secrets := []string{live, "NoSuchKeyAtAllxxxxxxxxxxxxxxxxxx", readOnlyKey, gone, "bad\nkey"}
	results := lifecycle.RevokeLeaked(ctx, c, secrets)
	require.Len(t, results, 5)
	host := strings.TrimPrefix(h.url, "http://")
	assert.Equal(t, lifecycle.LeakResult{Line: 1, TokenID: liveID, Name: "leaked", UserID: h.user().UserID, Outcome: lifecycle.Revoked, APIHost: host}, results[0])
	assert.Equal(t, lifecycle.LeakResult{Line: 2, Outcome: lifecycle.AlreadyInvalid, APIHost: host}, results[1], "where it was judged invalid is said")
	assert.Equal(t, lifecycle.LeakResult{Line: 3, TokenID: readID, Name: "leaked read", UserID: h.user().UserID, Outcome: lifecycle.Revoked, APIHost: host}, results[2],
		"a read-only key may not revoke itself: revoked by id with the client's key")
	assert.Equal(t, 1, h.count("DELETE /tokens/"+readID), "the fallback revoked by id")
	assert.Equal(t, lifecycle.AlreadyInvalid, results[3].Outcome)
	assert.Equal(t, lifecycle.Failed, results[4].Outcome)
	require.ErrorIs(t, results[4].Err, lifecycle.ErrNoKeyFound)
	assert.EqualError(t, results[4].Err, "lifecycle: no key found in line 5: nothing was sent for it")
	for _, key := range []string{live, readOnlyKey} {
		_, err := h.client(t, key).Current(ctx)
		require.ErrorIs(t, err, wrapper.ErrForbidden)
	}
	assert.Equal(t, "revoked already_invalid failed", lifecycle.Revoked.String()+" "+lifecycle.AlreadyInvalid.String()+" "+lifecycle.Failed.String())
}

// TestRevokeLeakedNeverHoldsTheSecret: a server that echoes the key in its
// error gets no secret into the result.
func TestRevokeLeakedNeverHoldsTheSecret(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	echoes := map[string]func(key string) string{
		"raw":    func(key string) string { return key },
		"base64": func(key string) string { return base64.StdEncoding.EncodeToString([]byte(key)) },
		"query":  func(key string) string { return url.QueryEscape(key) },
	}
	for name, echo := range echoes {
		for _, method := range []string{"GET", "DELETE"} {
			h := newHostile(t, nil)
			_, leaked := h.addToken(t, api.TokenSpec{Name: "leaked"})
			c := h.client(t, h.user().Token)
			h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				key := r.Header.Get("Fastly-Key")
				if r.Method == method && r.URL.Path == "/tokens/self" && key == leaked {
					http.Error(w, `{"msg":"cannot use `+echo(key)+`"}`, http.StatusInternalServerError)
					return true
				}
				return false
			})
			results := lifecycle.RevokeLeaked(ctx, c, []string{leaked})
			require.Equal(t, lifecycle.Failed, results[0].Outcome, "%s %s", name, method)
			assert.NotContains(t, results[0].Err.Error(), leaked, "%s %s", name, method)
			assert.NotContains(t, results[0].Err.Error(), leaked[:8], "%s %s", name, method)
			assert.NotContains(t, results[0].Err.Error(), echo(leaked)[:8], "%s %s", name, method)
			assert.Contains(t, results[0].Err.Error(), "[REDACTED]", "%s %s", name, method)
		}
	}
}

// TestRevokeLeakedNormalisesSecrets: a secrets file saved by a Windows
// editor (a byte-order mark, CRLF) or pasted with a zero-width space holds
// live keys: they are revoked, never reported already invalid.
func TestRevokeLeakedNormalisesSecrets(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	var secrets, keys []string
	for _, wrap := range []string{"\ufeff%s\r\n", "%s\u200b", "\u00a0\u2060%s\u200d\t", " %s\u3000"} {
		_, key := h.addToken(t, api.TokenSpec{Name: "leaked"})
		keys = append(keys, key)
		secrets = append(secrets, fmt.Sprintf(wrap, key))
	}
	results := lifecycle.RevokeLeaked(ctx, h.client(t, h.user().Token), secrets)
	for i, r := range results {
		assert.Equal(t, lifecycle.Revoked, r.Outcome, "%q", secrets[i])
		require.NoError(t, r.Err)
		assert.False(t, h.alive(t, keys[i]))
	}
	empty := lifecycle.RevokeLeaked(ctx, h.client(t, h.user().Token), []string{"\ufeff \u200b"})
	assert.Equal(t, lifecycle.Failed, empty[0].Outcome, "nothing left is no key: never already_invalid")
	require.ErrorIs(t, empty[0].Err, lifecycle.ErrNoKeyFound)
}

// TestRevokeLeakedAgainstTheWrongAPI: a client pointed at another API than
// the one the keys belong to (a stale base URL) must not call live keys
// already invalid: its own key does not prove out there, so nothing is
// judged and every result is Failed.
func TestRevokeLeakedAgainstTheWrongAPI(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	_, live := h.addToken(t, api.TokenSpec{Name: "leaked"})
	other := newHostile(t, nil) // another API, where neither key exists
	c := other.client(t, h.user().Token)
	results := lifecycle.RevokeLeaked(ctx, c, []string{live, live + "x"})
	require.Len(t, results, 2)
	for _, r := range results {
		assert.Equal(t, lifecycle.Failed, r.Outcome)
		require.ErrorIs(t, r.Err, wrapper.ErrForbidden)
		assert.Contains(t, r.Err.Error(), "the client's own key did not prove out against "+strings.TrimPrefix(other.url, "http://"))
		assert.Equal(t, strings.TrimPrefix(other.url, "http://"), r.APIHost)
		assert.NotContains(t, r.Err.Error(), live)
	}
	assert.Equal(t, []string{"GET /tokens/self"}, other.requests(), "no leaked key was sent anywhere")
	assert.True(t, h.alive(t, live))
}

// TestRevokeLeakedRepeatedSecret: the same secret twice is handled once;
// both entries say revoked.
func TestRevokeLeakedRepeatedSecret(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	id, key := h.addToken(t, api.TokenSpec{Name: "leaked"})
	results := lifecycle.RevokeLeaked(ctx, h.client(t, h.user().Token), []string{key, "\ufeff" + key + "\r\n", key})
	require.Len(t, results, 3)
	for _, r := range results {
		assert.Equal(t, lifecycle.Revoked, r.Outcome)
		assert.Equal(t, id, r.TokenID)
	}
	assert.Equal(t, 1, h.count("DELETE /tokens/self"))
}

// TestRevokeLeakedRevokedMeanwhile: the key is live at lookup and revoked
// by someone else before its own revoke (403 on DELETE /tokens/self, then
// 404 by id): it is dead, so AlreadyInvalid, not Failed.
func TestRevokeLeakedRevokedMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var h *hostile
	var leakedID atomic.Value
	leakedID.Store("")
	h = newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" && r.URL.Path == "/tokens/self" && leakedID.Load() != "" {
			// Someone else revokes it first (through this proxy too).
			assert.NoError(t, h.client(t, h.user().Token).Revoke(r.Context(), leakedID.Swap("").(string)))
		}
		return false
	})
	id, key := h.addToken(t, api.TokenSpec{Name: "leaked"})
	leakedID.Store(id)
	results := lifecycle.RevokeLeaked(ctx, h.client(t, h.user().Token), []string{key})
	assert.Equal(t, lifecycle.AlreadyInvalid, results[0].Outcome)
	require.NoError(t, results[0].Err)
	assert.Equal(t, id, results[0].TokenID)
	assert.Equal(t, 2, h.count("DELETE /tokens/"+id), "someone else's revoke, then the fallback by id")
	assert.False(t, h.alive(t, key))
}

// TestRevokeLeakedLiveButNotVisible: a read-only key of another user may
// not revoke itself, and the client's key may not see it (404 by id). It is
// live: Failed, never AlreadyInvalid.
func TestRevokeLeakedLiveButNotVisible(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var readOnly atomic.Value // set once the key exists; read by the proxy's goroutines
	readOnly.Store("")
	h := newHostile(t, refuseSelfRevoke(&readOnly))
	foreign := h.srv.Account(api.RoleOtherCustomer).ReadOnlyToken
	readOnly.Store(foreign)
	results := lifecycle.RevokeLeaked(ctx, h.client(t, h.user().Token), []string{foreign})
	assert.Equal(t, lifecycle.Failed, results[0].Outcome)
	require.ErrorIs(t, results[0].Err, wrapper.ErrNotFound)
	assert.Contains(t, results[0].Err.Error(), "the key is live")
	assert.True(t, h.alive(t, foreign))
}
