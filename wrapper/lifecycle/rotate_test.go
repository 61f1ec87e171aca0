package lifecycle_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

func TestRotate(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	oldID, oldKey := h.addToken(t, api.TokenSpec{Name: "deploy", Scope: "purge_select purge_all", Services: []string{"svc1"},
		ExpiresAt: time.Now().Add(30 * 24 * time.Hour)})
	c := h.client(t, h.user().Token)
	rot, err := lifecycle.Rotate(ctx, c, oldID, h.rotateInput())
	require.NoError(t, err)
	assert.True(t, rot.OldRevoked)
	assert.Equal(t, oldID, rot.Old.ID)
	assert.Equal(t, "deploy", rot.New.Name)
	assert.Equal(t, []wrapper.Scope{wrapper.ScopePurgeSelect, wrapper.ScopePurgeAll}, rot.New.Scopes)
	assert.Equal(t, []string{"svc1"}, rot.New.Services)
	h.mu.Lock()
	assert.Equal(t, []string{"GET /tokens/" + oldID, "POST /tokens", "GET /tokens/self", "DELETE /tokens/" + oldID}, h.seen,
		"read, create, prove the new key, and only then revoke the old one")
	h.mu.Unlock()
	lifetime := rot.Old.ExpiresAt.Sub(rot.Old.CreatedAt)
	assert.WithinDuration(t, time.Now().Add(lifetime), rot.New.ExpiresAt, time.Minute, "same lifetime from now")

	_, err = h.client(t, oldKey).Current(ctx)
	require.ErrorIs(t, err, wrapper.ErrForbidden, "the old key is dead")
	current, err := h.client(t, rot.New.AccessToken).Current(ctx)
	require.NoError(t, err)
	assert.Equal(t, rot.New.ID, current.ID)
}

func TestRotateKeepOldAndName(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	oldID, oldKey := h.addToken(t, api.TokenSpec{Name: "ci"})
	in := h.rotateInput()
	in.KeepOld, in.Name = true, "ci-2"
	rot, err := lifecycle.Rotate(ctx, h.client(t, h.user().Token), oldID, in)
	require.NoError(t, err)
	assert.False(t, rot.OldRevoked)
	assert.Equal(t, "ci-2", rot.New.Name)
	assert.True(t, rot.New.ExpiresAt.IsZero(), "the old token never expired: neither does the new one")
	_, err = h.client(t, oldKey).Current(ctx)
	require.NoError(t, err, "the old key still works")
}

// TestRotateOwnKey: the Client's own key, its id from Current.
func TestRotateOwnKey(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	_, key := h.addToken(t, api.TokenSpec{Name: "self"})
	c := h.client(t, key)
	me, err := c.Current(ctx)
	require.NoError(t, err)
	rot, err := lifecycle.Rotate(ctx, c, me.ID, h.rotateInput())
	require.NoError(t, err)
	assert.True(t, rot.OldRevoked)
	_, err = c.Current(ctx)
	require.ErrorIs(t, err, wrapper.ErrForbidden)
	_, err = h.client(t, rot.New.AccessToken).Current(ctx)
	require.NoError(t, err)
}

// TestRotateNewKeyThatDoesNotProveOut: GET /tokens/self with the new key
// fails, so the new token is revoked and the old one left alone.
func TestRotateNewKeyThatDoesNotProveOut(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var newKey string
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "GET" && r.URL.Path == "/tokens/self" {
			newKey = r.Header.Get("Fastly-Key")
			http.Error(w, `{"msg":"Token lookup failed"}`, http.StatusForbidden)
			return true
		}
		return false
	})
	oldID, oldKey := h.addToken(t, api.TokenSpec{Name: "deploy"})
	rot, err := lifecycle.Rotate(ctx, h.client(t, h.user().Token), oldID, h.rotateInput())
	require.ErrorIs(t, err, lifecycle.ErrNotProven)
	assert.False(t, rot.OldRevoked)
	assert.Empty(t, rot.New.AccessToken, "the new token is revoked: nothing to store")
	h.setIntercept(nil)
	_, err = h.client(t, oldKey).Current(ctx)
	require.NoError(t, err, "the old key is untouched")
	_, err = h.client(t, newKey).Current(ctx)
	require.ErrorIs(t, err, wrapper.ErrForbidden, "the unproven new key was revoked")
}

// TestRotateNewKeyThatIsSomeoneElse: GET /tokens/self with the new key
// answers another token: the new key is not proven, and is revoked.
func TestRotateNewKeyThatIsSomeoneElse(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var other atomic.Value
	other.Store("")
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "GET" && r.URL.Path == "/tokens/self" && other.Load() != "" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id":"` + other.Load().(string) + `","name":"not yours"}`))
			return true
		}
		return false
	})
	otherID, _ := h.addToken(t, api.TokenSpec{Name: "other"})
	other.Store(otherID)
	oldID, oldKey := h.addToken(t, api.TokenSpec{Name: "deploy"})
	rot, err := lifecycle.Rotate(ctx, h.client(t, h.user().Token), oldID, h.rotateInput())
	require.ErrorIs(t, err, lifecycle.ErrNotProven)
	assert.Contains(t, err.Error(), "answered token "+otherID)
	assert.False(t, rot.OldRevoked)
	assert.Empty(t, rot.New.AccessToken)
	other.Store("")
	_, err = h.client(t, oldKey).Current(ctx)
	require.NoError(t, err, "the old key is untouched")
}

// TestRotateOldRevokeFails: the new key works but revoking the old fails:
// the Rotation carries the new secret with the error.
func TestRotateOldRevokeFails(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var oldID string
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" && r.URL.Path == "/tokens/"+oldID {
			http.Error(w, `{"msg":"down"}`, http.StatusInternalServerError)
			return true
		}
		return false
	})
	oldID, _ = h.addToken(t, api.TokenSpec{Name: "deploy"})
	rot, err := lifecycle.Rotate(ctx, h.client(t, h.user().Token), oldID, h.rotateInput())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "store the new secret")
	assert.False(t, rot.OldRevoked)
	require.NotEmpty(t, rot.New.AccessToken)
	_, err = h.client(t, rot.New.AccessToken).Current(ctx)
	require.NoError(t, err)
}

// TestRotateCreateOutcomeUnknown: a create whose answer is lost passes
// ErrOutcomeUnknown through and touches nothing else.
func TestRotateCreateOutcomeUnknown(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "POST" && r.URL.Path == "/tokens" {
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
			return true
		}
		return false
	})
	oldID, oldKey := h.addToken(t, api.TokenSpec{Name: "deploy"})
	rot, err := lifecycle.Rotate(ctx, h.client(t, h.user().Token), oldID, h.rotateInput())
	require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown)
	assert.Equal(t, oldID, rot.Old.ID)
	assert.Empty(t, rot.New.ID)
	assert.Zero(t, h.count("DELETE /tokens/"+oldID))
	_, err = h.client(t, oldKey).Current(ctx)
	require.NoError(t, err)
}

// TestRotateRefusesOwnerChange: a superuser rotating another user's token
// with their own credentials would get a replacement owned by the
// superuser (wider powers) and kill the owner's key. The replacement is
// revoked, the old token kept, and the error says so.
func TestRotateRefusesOwnerChange(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	admin := h.srv.Account(api.RoleSuperuser)
	oldID, oldKey := h.addToken(t, api.TokenSpec{Name: "deploy", Scope: "purge_all"})
	c := h.client(t, admin.Token)
	rot, err := lifecycle.Rotate(ctx, c, oldID, lifecycle.RotateInput{Username: admin.Login, Password: admin.Password})
	require.ErrorIs(t, err, lifecycle.ErrOwnerChange)
	assert.Contains(t, err.Error(), "sign in as the token's owner")
	assert.False(t, rot.OldRevoked)
	assert.Empty(t, rot.New.AccessToken, "the replacement is revoked: nothing to store")
	assert.Zero(t, h.count("DELETE /tokens/"+oldID), "the old token is never touched")
	assert.True(t, h.alive(t, oldKey))
	live, err := c.ListForCustomer(ctx, admin.CustomerID)
	require.NoError(t, err)
	assert.Equal(t, []string{oldID}, idsNamed(live, "deploy"), "no replacement owned by the superuser is left")
}

// TestRotateRefusesAutomationToken: an automation token has no user; a
// replacement would be someone's personal token. Nothing is created.
func TestRotateRefusesAutomationToken(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	admin := h.srv.Account(api.RoleSuperuser)
	autoKey := h.srv.Account(api.RoleAutomation).Token
	auto, err := h.client(t, autoKey).Current(ctx)
	require.NoError(t, err)
	rot, err := lifecycle.Rotate(ctx, h.client(t, admin.Token), auto.ID, lifecycle.RotateInput{Username: admin.Login, Password: admin.Password})
	require.ErrorIs(t, err, lifecycle.ErrOwnerChange)
	assert.Contains(t, err.Error(), "automation token")
	assert.False(t, rot.OldRevoked)
	assert.Zero(t, h.count("POST /tokens"), "refused before anything is created")
	assert.Zero(t, h.count("DELETE /tokens/"+auto.ID))
	assert.True(t, h.alive(t, autoKey))
}

// TestRotateStoresBeforeRevoking: Store sees the proven new secret while
// the old token is still alive, and the old one is revoked only after.
func TestRotateStoresBeforeRevoking(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	oldID, oldKey := h.addToken(t, api.TokenSpec{Name: "deploy"})
	in := h.rotateInput()
	var stored wrapper.CreatedToken
	in.Store = func(_ context.Context, created wrapper.CreatedToken) error {
		stored = created
		assert.Equal(t, []string{"GET /tokens/" + oldID, "POST /tokens", "GET /tokens/self"}, h.requests(), "after the proof, before the revoke")
		assert.True(t, h.alive(t, oldKey), "the old key still works while the new secret is stored")
		return nil
	}
	rot, err := lifecycle.Rotate(ctx, h.client(t, h.user().Token), oldID, in)
	require.NoError(t, err)
	assert.True(t, rot.OldRevoked)
	assert.Equal(t, rot.New, stored)
	assert.False(t, h.alive(t, oldKey))
	assert.True(t, h.alive(t, stored.AccessToken))
}

// TestRotateStoreFails: a full disk or a refusing secret store. The new
// token is revoked (nobody holds its secret), the old one is kept, and the
// error wraps Store's.
func TestRotateStoreFails(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	oldID, oldKey := h.addToken(t, api.TokenSpec{Name: "deploy"})
	diskFull := errors.New("write /secrets/deploy: no space left on device")
	in := h.rotateInput()
	var newKey string
	in.Store = func(_ context.Context, created wrapper.CreatedToken) error {
		newKey = created.AccessToken
		return diskFull
	}
	rot, err := lifecycle.Rotate(ctx, h.client(t, h.user().Token), oldID, in)
	require.ErrorIs(t, err, diskFull)
	assert.False(t, rot.OldRevoked)
	assert.Empty(t, rot.New.ID, "the new token is revoked: nothing to store")
	assert.Zero(t, h.count("DELETE /tokens/"+oldID))
	assert.True(t, h.alive(t, oldKey), "the only working key is kept")
	assert.False(t, h.alive(t, newKey), "the undeliverable key is revoked")
}

// TestRotateStoreFailsAndRevokeFails: when the undeliverable new token
// cannot be revoked either, the error names it and Rotation.New holds it.
func TestRotateStoreFailsAndRevokeFails(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" {
			http.Error(w, `{"msg":"down"}`, http.StatusInternalServerError)
			return true
		}
		return false
	})
	oldID, oldKey := h.addToken(t, api.TokenSpec{Name: "deploy"})
	in := h.rotateInput()
	in.Store = func(context.Context, wrapper.CreatedToken) error { return errors.New("vault sealed") }
	rot, err := lifecycle.Rotate(ctx, h.client(t, h.user().Token), oldID, in)
	require.Error(t, err)
	require.NotEmpty(t, rot.New.ID)
	assert.Contains(t, err.Error(), "vault sealed")
	assert.Contains(t, err.Error(), "revoking the new token "+rot.New.ID+" failed too")
	assert.False(t, rot.OldRevoked)
	assert.True(t, h.alive(t, oldKey))
	assert.True(t, h.alive(t, rot.New.AccessToken), "the caller is told of the live new token")
}

// TestRotateDiscardConfirmsA404: when the undeliverable new token's revoke
// answers 404, Rotate asks the new key itself: dead means discarded (no
// error about it), live means the caller must be told of it.
func TestRotateDiscardConfirmsA404(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, revoked := range []bool{true, false} {
		var h *hostile
		var oldID string
		h = newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == "DELETE" && r.URL.Path != "/tokens/"+oldID {
				if revoked { // it reaches the server, but the answer says 404
					target, _ := url.Parse(h.srv.URL)
					httputil.NewSingleHostReverseProxy(target).ServeHTTP(httptest.NewRecorder(), r)
				}
				http.Error(w, `{"msg":"Token lookup failed"}`, http.StatusNotFound)
				return true
			}
			return false
		})
		oldID, _ = h.addToken(t, api.TokenSpec{Name: "deploy"})
		in := h.rotateInput()
		in.Store = func(context.Context, wrapper.CreatedToken) error { return errors.New("disk full") }
		rot, err := lifecycle.Rotate(ctx, h.client(t, h.user().Token), oldID, in)
		require.ErrorContains(t, err, "disk full")
		if revoked {
			assert.NotContains(t, err.Error(), "failed too")
			assert.Empty(t, rot.New.ID)
		} else {
			assert.Contains(t, err.Error(), "revoking the new token "+rot.New.ID+" failed too")
			require.NotEmpty(t, rot.New.ID)
			assert.True(t, h.alive(t, rot.New.AccessToken))
		}
	}
}
