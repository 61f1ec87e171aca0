package fastlysecrets

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/vault/sdk/logical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

// failingConfig is storage whose writes of config fail while fail is set.
type failingConfig struct {
	logical.Storage
	fail atomic.Bool
}

func (s *failingConfig) Put(ctx context.Context, e *logical.StorageEntry) error {
	if s.fail.Load() && e.Key == configPath {
		return errors.New("storage is sealed")
	}
	return s.Storage.Put(ctx, e)
}

func (h *harness) rollbackNow() {
	h.t.Helper()
	req := logical.RollbackRequest("")
	req.Data = map[string]any{"immediate": true}
	h.ok(h.request(req))
}

// TestRotateRootLeavesNoUntrackedKey: when the new key can be neither
// stored nor revoked, the error names it and a WAL entry keeps it; the
// rollback revokes it. The engine's key is untouched.
func TestRotateRootLeavesNoUntrackedKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleUser, nil)
	storage := &failingConfig{Storage: h.storage}
	h.storage = storage
	storage.fail.Store(true)
	h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" {
			http.Error(w, `{"msg":"down"}`, http.StatusInternalServerError)
			return true
		}
		return false
	})
	_, err := h.write("config/rotate-root", nil)
	require.Error(t, err)
	m := regexp.MustCompile(`the new key (\w+), which could not be stored or revoked, is kept in the write-ahead log`).FindStringSubmatch(err.Error())
	require.NotNil(t, m, err.Error())
	newID := m[1]
	assert.NotContains(t, err.Error(), "Rotation.New")
	storage.fail.Store(false)
	h.setIntercept(nil)
	live := h.liveAll()
	assert.Contains(t, live, newID, "live until the rollback")
	h.rollbackNow()
	assert.NotContains(t, h.liveAll(), newID, "the rollback revoked it")
	assert.Equal(t, http.StatusOK, h.keyStatus(h.account.Token), "the engine's key is kept")
	assert.Empty(t, h.wals())
	h.scan()
}

// TestRotateRootOldKeyRevokeFails: the new key is stored and in use; the
// old key's revoke fails: the response says so (not an error that invites a
// retry), and the rollback revokes the old key.
func TestRotateRootOldKeyRevokeFails(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleUser, nil)
	oldID := h.b.(*backend).mustOwnID(t, h)
	h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" && strings.HasSuffix(r.URL.Path, "/"+oldID) {
			http.Error(w, `{"msg":"down"}`, http.StatusInternalServerError)
			return true
		}
		return false
	})
	resp := h.ok(h.write("config/rotate-root", nil))
	assert.Equal(t, false, resp.Data["old_revoked"])
	require.Len(t, resp.Warnings, 1)
	assert.Contains(t, resp.Warnings[0], "the new key is in use; revoking the old key "+oldID+" failed")
	assert.Contains(t, resp.Warnings[0], "the rollback revokes it")
	assert.Equal(t, http.StatusOK, h.keyStatus(h.account.Token), "the old key lives until the rollback")
	h.setIntercept(nil)
	h.rollbackNow()
	assert.Equal(t, http.StatusForbidden, h.keyStatus(h.account.Token))
	h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "max_ttl": "1h"}))
	h.issue("ci") // the new key works
	h.scan()
}

func (b *backend) mustOwnID(t *testing.T, h *harness) string {
	t.Helper()
	_, client, err := b.configuredClient(t.Context(), h.storage)
	require.NoError(t, err)
	me, err := client.Current(t.Context())
	require.NoError(t, err)
	return me.ID
}

// liveAll is every live token of the customer, by id.
func (h *harness) liveAll() map[string]bool {
	h.t.Helper()
	admin := h.sim.Account(api.RoleSuperuser)
	c := mustClient(h.t, h.sim.URL, admin.Token)
	tokens, err := c.ListForCustomer(h.t.Context(), admin.CustomerID)
	require.NoError(h.t, err)
	live := map[string]bool{}
	for _, tok := range tokens {
		live[tok.ID] = true
	}
	return live
}

func mustClient(t *testing.T, baseURL, key string) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(wrapper.WithBaseURL(baseURL), wrapper.WithToken(key))
	require.NoError(t, err)
	return c
}

// TestSignInsInOneStepWait: a second sign-in in the 30-second step of the
// first (config written, then rotate-root at once) waits for the next code
// instead of failing; the code is never sent twice.
func TestSignInsInOneStepWait(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleTwoFactorUser, nil)
	h.clk.Advance(10 * time.Second) // the step of the config write's code is not over
	resp := h.ok(h.write("config/rotate-root", nil))
	assert.Equal(t, true, resp.Data["old_revoked"])
	h.mu.Lock()
	waited := h.waited
	h.mu.Unlock()
	require.Len(t, waited, 1)
	assert.Equal(t, 20*time.Second, waited[0], "until the next step begins")
	h.scan()
}

// TestWaitForACodeEndsWithTheRequest: the real wait ends when the request's
// context does.
func TestWaitForACodeEndsWithTheRequest(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, waitReal(ctx, time.Hour), context.Canceled)
	require.NoError(t, waitReal(t.Context(), 0))
}
