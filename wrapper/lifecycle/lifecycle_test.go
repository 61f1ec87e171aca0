package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

var ctx = context.Background()

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

func newHostile(t *testing.T, intercept func(w http.ResponseWriter, r *http.Request) bool) *hostile {
	t.Helper()
	h := &hostile{srv: api.NewTestServer(t), intercept: intercept}
	target, err := url.Parse(h.srv.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.seen = append(h.seen, r.Method+" "+r.URL.Path)
		h.mu.Unlock()
		if h.intercept != nil && h.intercept(w, r) {
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

func TestRotate(t *testing.T) {
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
	h.intercept = nil
	_, err = h.client(t, oldKey).Current(ctx)
	require.NoError(t, err, "the old key is untouched")
	_, err = h.client(t, newKey).Current(ctx)
	require.ErrorIs(t, err, wrapper.ErrForbidden, "the unproven new key was revoked")
}

// TestRotateNewKeyThatIsSomeoneElse: GET /tokens/self with the new key
// answers another token: the new key is not proven, and is revoked.
func TestRotateNewKeyThatIsSomeoneElse(t *testing.T) {
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

func TestRevokeLeaked(t *testing.T) {
	// api/ lets every key revoke itself; Fastly may refuse a read-only key
	// (unverified), so the proxy refuses it as Fastly would, and RevokeLeaked
	// must fall back to revoking by id with the client's key.
	var readOnly atomic.Value // set once the key exists; read by the proxy's goroutines
	readOnly.Store("")
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" && r.URL.Path == "/tokens/self" && r.Header.Get("Fastly-Key") == readOnly.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"msg":"Read only tokens are not allowed to access this endpoint."}`))
			return true
		}
		return false
	})
	liveID, live := h.addToken(t, api.TokenSpec{Name: "leaked"})
	readID, readOnlyKey := h.addToken(t, api.TokenSpec{Name: "leaked read", Scope: "global:read"})
	readOnly.Store(readOnlyKey)
	goneID, gone := h.addToken(t, api.TokenSpec{Name: "gone"})
	c := h.client(t, h.user().Token)
	require.NoError(t, c.Revoke(ctx, goneID))
	secrets := []string{live, "NoSuchKeyAtAllxxxxxxxxxxxxxxxxxx", readOnlyKey, gone, "bad\nkey"}
	results := lifecycle.RevokeLeaked(ctx, c, secrets)
	require.Len(t, results, 5)
	assert.Equal(t, lifecycle.LeakResult{TokenID: liveID, Name: "leaked", UserID: h.user().UserID, Outcome: lifecycle.Revoked}, results[0])
	assert.Equal(t, lifecycle.AlreadyInvalid, results[1].Outcome)
	assert.Empty(t, results[1].TokenID)
	assert.Equal(t, lifecycle.LeakResult{TokenID: readID, Name: "leaked read", UserID: h.user().UserID, Outcome: lifecycle.Revoked}, results[2],
		"a read-only key may not revoke itself: revoked by id with the client's key")
	assert.Equal(t, 1, h.count("DELETE /tokens/"+readID), "the fallback revoked by id")
	assert.Equal(t, lifecycle.AlreadyInvalid, results[3].Outcome)
	assert.Equal(t, lifecycle.Failed, results[4].Outcome)
	require.ErrorIs(t, results[4].Err, wrapper.ErrInvalidInput)
	for _, key := range []string{live, readOnlyKey} {
		_, err := h.client(t, key).Current(ctx)
		require.ErrorIs(t, err, wrapper.ErrForbidden)
	}
	assert.Equal(t, "revoked already_invalid failed", lifecycle.Revoked.String()+" "+lifecycle.AlreadyInvalid.String()+" "+lifecycle.Failed.String())
}

// TestRevokeLeakedNeverHoldsTheSecret: a server that echoes the key in its
// error gets no secret into the result.
func TestRevokeLeakedNeverHoldsTheSecret(t *testing.T) {
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" {
			http.Error(w, `{"msg":"cannot revoke `+r.Header.Get("Fastly-Key")+`"}`, http.StatusInternalServerError)
			return true
		}
		return false
	})
	_, leaked := h.addToken(t, api.TokenSpec{Name: "leaked"})
	results := lifecycle.RevokeLeaked(ctx, h.client(t, h.user().Token), []string{leaked})
	require.Equal(t, lifecycle.Failed, results[0].Outcome)
	assert.NotContains(t, results[0].Err.Error(), leaked)
	assert.NotContains(t, results[0].Err.Error(), leaked[:8])
}

func TestRevokeAll(t *testing.T) {
	h := newHostile(t, nil)
	c := h.client(t, h.user().Token)
	var ids []string
	for range 5 {
		id, _ := h.addToken(t, api.TokenSpec{Name: "bulk"})
		ids = append(ids, id)
	}
	var progress []string
	report, err := lifecycle.RevokeAll(ctx, c, append(ids, ids[0]), lifecycle.RevokeAllOptions{BatchSize: 2,
		Progress: func(done, total int) { progress = append(progress, fmt.Sprintf("%d/%d", done, total)) }})
	require.NoError(t, err)
	assert.Equal(t, []string{"2/5", "4/5", "5/5"}, progress, "after each batch, distinct ids")
	assert.Equal(t, ids, report.Revoked)
	assert.Empty(t, report.AlreadyGone)
	assert.Empty(t, report.Failed)
	assert.Equal(t, 3, h.count("DELETE /tokens"), "5 distinct ids in batches of 2")
}

// TestRevokeAllSortsOutRefusedBatches: a batch with one unknown id is
// refused whole (404); its ids are revoked one by one, the unknown one
// ending in AlreadyGone. A failing single revoke ends in Failed.
func TestRevokeAllSortsOutRefusedBatches(t *testing.T) {
	var failing string
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" && r.URL.Path == "/tokens/"+failing {
			http.Error(w, `{"msg":"down"}`, http.StatusInternalServerError)
			return true
		}
		return false
	})
	c := h.client(t, h.user().Token)
	live1, _ := h.addToken(t, api.TokenSpec{Name: "a"})
	live2, _ := h.addToken(t, api.TokenSpec{Name: "b"})
	failing, _ = h.addToken(t, api.TokenSpec{Name: "c"})
	gone, _ := h.addToken(t, api.TokenSpec{Name: "d"})
	require.NoError(t, c.Revoke(ctx, gone))
	report, err := lifecycle.RevokeAll(ctx, c, []string{live1, gone, live2, failing}, lifecycle.RevokeAllOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "1 of 4 tokens could not be revoked")
	assert.Equal(t, []string{live1, live2}, report.Revoked)
	assert.Equal(t, []string{gone}, report.AlreadyGone)
	require.Len(t, report.Failed, 1)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, report.Failed[failing], &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode)
}

// TestRevokeAllAfterUncertainBatch: a batch whose answer is lost is sorted
// out one by one; ids the lost batch revoked answer 404 and end in
// AlreadyGone or Revoked, never Failed.
func TestRevokeAllAfterUncertainBatch(t *testing.T) {
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" && r.URL.Path == "/tokens" {
			http.Error(w, `{"msg":"gateway"}`, http.StatusBadGateway)
			return true
		}
		return false
	})
	c := h.client(t, h.user().Token)
	a, _ := h.addToken(t, api.TokenSpec{Name: "a"})
	b, _ := h.addToken(t, api.TokenSpec{Name: "b"})
	report, err := lifecycle.RevokeAll(ctx, c, []string{a, b}, lifecycle.RevokeAllOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{a, b}, report.Revoked)
}

func TestRevokeAllChecksEveryIDFirst(t *testing.T) {
	h := newHostile(t, nil)
	c := h.client(t, h.user().Token)
	for _, bad := range []string{"", "self", "a/b", "../x"} {
		_, err := lifecycle.RevokeAll(ctx, c, []string{"good1", bad, "good2"}, lifecycle.RevokeAllOptions{})
		require.ErrorIs(t, err, wrapper.ErrInvalidInput, bad)
		assert.Contains(t, err.Error(), "id 2 of 3: ", "the message names the bad id's place")
	}
	report, err := lifecycle.RevokeAll(ctx, c, nil, lifecycle.RevokeAllOptions{Progress: func(int, int) { t.Error("progress on nothing") }})
	require.NoError(t, err, "nothing to revoke is done at once")
	assert.Empty(t, report.Revoked)
	_, err = lifecycle.RevokeAll(ctx, c, []string{"a"}, lifecycle.RevokeAllOptions{BatchSize: -1})
	require.ErrorIs(t, err, wrapper.ErrInvalidInput)
	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Empty(t, h.seen, "nothing sent")
}

func TestRevokeAllStopsWithTheContext(t *testing.T) {
	h := newHostile(t, nil)
	c := h.client(t, h.user().Token)
	id, _ := h.addToken(t, api.TokenSpec{Name: "a"})
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	report, err := lifecycle.RevokeAll(cancelled, c, []string{id}, lifecycle.RevokeAllOptions{})
	require.ErrorIs(t, err, context.Canceled)
	require.Contains(t, report.Failed, id)
	assert.True(t, errors.Is(report.Failed[id], context.Canceled))
}

// TestLifecycleStaysLean: lifecycle imports only wrapper (and what wrapper
// imports) and the standard library.
func TestLifecycleStaysLean(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, ".").Output()
	require.NoError(t, err)
	for _, pkg := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(pkg, "/")
		if strings.Contains(first, ".") {
			assert.Equal(t, "github.com/tokenward/fastlytokens/wrapper", pkg)
		}
	}
}
