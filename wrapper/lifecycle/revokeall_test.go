package lifecycle_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

func TestRevokeAll(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
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
	assert.Empty(t, report.NotFound)
	assert.Empty(t, report.Failed)
	assert.Equal(t, 3, h.count("DELETE /tokens"), "5 distinct ids in batches of 2")
	assert.Equal(t, []string{"GET /tokens/self", "DELETE /tokens", "DELETE /tokens", "DELETE /tokens"}, h.requests(),
		"the client's own key is read once, to revoke it last")
}

// TestRevokeAllSortsOutRefusedBatches: a batch with one stale id is
// refused whole (404); it is sorted out with reads, not writes: the stale
// id is NotFound and one bulk revoke takes the rest. A batch of 100 with
// one stale id costs two writes.
func TestRevokeAllSortsOutRefusedBatches(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	c := h.client(t, h.user().Token)
	gone, _ := h.addToken(t, api.TokenSpec{Name: "gone"})
	require.NoError(t, c.Revoke(ctx, gone))
	var ids, keys []string
	for range 99 {
		id, key := h.addToken(t, api.TokenSpec{Name: "bulk"})
		ids, keys = append(ids, id), append(keys, key)
	}
	all := slices.Insert(slices.Clone(ids), 50, gone)
	writesBefore := h.count("DELETE /tokens")
	report, err := lifecycle.RevokeAll(ctx, c, all, lifecycle.RevokeAllOptions{})
	require.NoError(t, err)
	assert.Equal(t, 2, h.count("DELETE /tokens")-writesBefore, "the refused batch, then one bulk revoke of the visible ids")
	assert.Zero(t, h.count("DELETE /tokens/"+ids[0]), "never fanned out into single writes")
	assert.Equal(t, 1, h.count("GET /tokens/"+gone))
	assert.Equal(t, ids, report.Revoked)
	assert.Equal(t, []string{gone}, report.NotFound)
	assert.Empty(t, report.Failed)
	for _, key := range keys {
		assert.False(t, h.alive(t, key))
	}

	// 150 stale ids among 50 live ones: two batches, at most two writes each.
	var stale, live []string
	for i := range 200 {
		id, _ := h.addToken(t, api.TokenSpec{Name: "mixed"})
		if i%4 == 0 {
			live = append(live, id)
		} else {
			stale = append(stale, id)
		}
	}
	require.NoError(t, c.RevokeMany(ctx, stale...))
	writesBefore = h.count("DELETE /tokens")
	report, err = lifecycle.RevokeAll(ctx, c, append(slices.Clone(live), stale...), lifecycle.RevokeAllOptions{})
	require.NoError(t, err)
	assert.LessOrEqual(t, h.count("DELETE /tokens")-writesBefore, 4)
	assert.ElementsMatch(t, live, report.Revoked)
	assert.ElementsMatch(t, stale, report.NotFound)
}

// TestRevokeAllForeignTokenIsNotFoundNeverRevoked: a live token this key
// may not see answers 404. After one transient 503 the wrapper's retry gets
// that 404 too; neither path may call the live token revoked.
func TestRevokeAllForeignTokenIsNotFoundNeverRevoked(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var failOnce atomic.Bool
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" && failOnce.CompareAndSwap(true, false) {
			http.Error(w, `{"msg":"unavailable"}`, http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	other := h.srv.Account(api.RoleOtherCustomer)
	foreign, err := h.client(t, other.Token).Current(ctx)
	require.NoError(t, err)
	retrying := h.client(t, h.user().Token, wrapper.WithRetry(wrapper.RetryPolicy{MaxRetries: 2}))
	for _, transient := range []bool{false, true} {
		failOnce.Store(transient)
		report, err := lifecycle.RevokeAll(ctx, retrying, []string{foreign.ID}, lifecycle.RevokeAllOptions{})
		require.NoError(t, err, "transient 503: %v", transient)
		assert.Empty(t, report.Revoked, "transient 503: %v", transient)
		assert.Equal(t, []string{foreign.ID}, report.NotFound, "transient 503: %v", transient)
		assert.True(t, h.alive(t, other.Token))
	}
	// The wrapper's single Revoke says the same: not found, outcome unknown.
	failOnce.Store(true)
	err = retrying.Revoke(ctx, foreign.ID)
	require.ErrorIs(t, err, wrapper.ErrNotFound)
	require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown)
	assert.True(t, h.alive(t, other.Token))
}

// TestRevokeAllRevokesOwnKeyLast: with the client's own id first in the
// list, every other token is revoked before it, so no batch fails with 403.
func TestRevokeAllRevokesOwnKeyLast(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	_, key := h.addToken(t, api.TokenSpec{Name: "me"})
	c := h.client(t, key)
	me, err := c.Current(ctx)
	require.NoError(t, err)
	ids := []string{me.ID}
	for range 4 {
		id, _ := h.addToken(t, api.TokenSpec{Name: "other"})
		ids = append(ids, id)
	}
	report, err := lifecycle.RevokeAll(ctx, c, ids, lifecycle.RevokeAllOptions{BatchSize: 2})
	require.NoError(t, err)
	assert.Equal(t, append(slices.Clone(ids[1:]), me.ID), report.Revoked, "own key last")
	assert.Empty(t, report.Failed)
	requests := h.requests()
	assert.Equal(t, "DELETE /tokens", requests[len(requests)-1])
	assert.Equal(t, 3, h.count("DELETE /tokens"), "two batches of others, then the own key alone")
	assert.False(t, h.alive(t, key))
}

// TestRevokeAllStopsAtTheRateLimit: with the hourly write budget spent,
// 1,000 ids cost one refused write, not hundreds; every id is Failed with
// an error matching ErrRateLimited, and so is RevokeAll's error.
func TestRevokeAllStopsAtTheRateLimit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil, api.WithWriteLimit(0))
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = fmt.Sprintf("Stale%017d", i)
	}
	report, err := lifecycle.RevokeAll(ctx, h.client(t, h.user().Token), ids, lifecycle.RevokeAllOptions{})
	require.ErrorIs(t, err, wrapper.ErrRateLimited)
	assert.Contains(t, err.Error(), "lifecycle: 1000 of 1000 tokens not revoked")
	assert.Equal(t, 1, h.count("DELETE /tokens"))
	assert.Empty(t, report.Revoked)
	assert.Empty(t, report.NotFound)
	require.Len(t, report.Failed, 1000)
	for _, id := range ids {
		require.ErrorIs(t, report.Failed[id], wrapper.ErrRateLimited, id)
	}
	assert.Contains(t, report.Failed[ids[999]].Error(), "not sent: an earlier batch was rate limited")
}

// TestRevokeAllStopsAfterThreeFailedBatches: against an API that answers
// 503, or never answers, RevokeAll stops sending after three batches in a
// row fail; the rest are Failed without a request.
func TestRevokeAllStopsAfterThreeFailedBatches(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	faults := map[string]func(w http.ResponseWriter, r *http.Request){
		"503": func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, `{"msg":"unavailable"}`, http.StatusServiceUnavailable)
		},
		"silent": func(_ http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // so the server notices when the client hangs up
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		},
	}
	for name, fault := range faults {
		h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == "DELETE" {
				fault(w, r)
				return true
			}
			return false
		})
		c := h.client(t, h.user().Token, wrapper.WithHTTPClient(&http.Client{Timeout: 200 * time.Millisecond}))
		var ids []string
		for range 10 {
			id, _ := h.addToken(t, api.TokenSpec{Name: "x"})
			ids = append(ids, id)
		}
		start := time.Now()
		report, err := lifecycle.RevokeAll(ctx, c, ids, lifecycle.RevokeAllOptions{BatchSize: 1})
		require.Error(t, err, name)
		assert.Less(t, time.Since(start), 5*time.Second, name)
		assert.Equal(t, 3, h.count("DELETE /tokens"), name)
		assert.Zero(t, h.count("GET /tokens/"+ids[0]), "%s: a failed batch is not sorted out", name)
		require.Len(t, report.Failed, 10, name)
		assert.Contains(t, report.Failed[ids[9]].Error(), "not sent: 3 batches in a row failed", name)
		// The three sent were answered with a fault or not at all: they may
		// have been revoked. The seven never sent were not.
		for i, id := range ids {
			assert.Equal(t, i < 3, errors.Is(report.Failed[id], wrapper.ErrOutcomeUnknown), "%s: id %d", name, i)
		}
		assert.Contains(t, err.Error(), "10 of 10 tokens not confirmed revoked (3 may be revoked: outcome unknown)", name)
	}
}

// TestRevokeAllCancelledMidRun: the context ends while a batch is in
// flight, after the server revoked it. The batches answered before stay
// Revoked; the one in flight is Failed with ErrOutcomeUnknown (its tokens
// may be dead); later ones are not sent. The error never says they are
// "not revoked" outright.
func TestRevokeAllCancelledMidRun(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	run, cancel := context.WithCancel(ctx)
	defer cancel()
	var deletes atomic.Int32
	var h *hostile
	h = newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" && deletes.Add(1) == 2 {
			// The server acts on it, then the caller gives up before the answer.
			target, _ := url.Parse(h.srv.URL)
			httputil.NewSingleHostReverseProxy(target).ServeHTTP(httptest.NewRecorder(), r.Clone(context.WithoutCancel(r.Context())))
			cancel()
			<-r.Context().Done()
			return true
		}
		return false
	})
	c := h.client(t, h.user().Token)
	var ids, keys []string
	for range 7 {
		id, key := h.addToken(t, api.TokenSpec{Name: "x"})
		ids, keys = append(ids, id), append(keys, key)
	}
	report, err := lifecycle.RevokeAll(run, c, ids, lifecycle.RevokeAllOptions{BatchSize: 3})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, ids[:3], report.Revoked)
	for i, id := range ids[3:6] {
		require.ErrorIs(t, report.Failed[id], wrapper.ErrOutcomeUnknown, id)
		assert.False(t, h.alive(t, keys[3+i]), "in flight: revoked by the server")
	}
	require.ErrorIs(t, report.Failed[ids[6]], context.Canceled)
	require.NotErrorIs(t, report.Failed[ids[6]], wrapper.ErrOutcomeUnknown, "never sent")
	assert.True(t, h.alive(t, keys[6]))
	assert.Equal(t, 2, h.count("DELETE /tokens"))
	assert.Contains(t, err.Error(), "4 of 7 tokens not confirmed revoked (3 may be revoked: outcome unknown); stopped early")
}

func TestRevokeAllChecksEveryIDFirst(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	c := h.client(t, h.user().Token)
	for _, bad := range []string{"", "self", "a/b", "../x"} {
		_, err := lifecycle.RevokeAll(ctx, c, []string{"good1", bad, "good2"}, lifecycle.RevokeAllOptions{})
		require.ErrorIs(t, err, wrapper.ErrInvalidInput, bad)
		assert.Contains(t, err.Error(), "token id 2 of 3 ", "the message names the bad id's place")
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
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	c := h.client(t, h.user().Token)
	id, _ := h.addToken(t, api.TokenSpec{Name: "a"})
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	report, err := lifecycle.RevokeAll(cancelled, c, []string{id}, lifecycle.RevokeAllOptions{})
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, h.count("DELETE /tokens"), "nothing sent")
	require.Contains(t, report.Failed, id)
	assert.True(t, errors.Is(report.Failed[id], context.Canceled))
}

// TestRevokeAllRefusedBatchesAreNotOutages: batches refused with a 4xx
// (here 400, a bulk limit) are answers about the tokens, not an outage:
// every batch is still sent. The error joins at most 16 distinct causes.
func TestRevokeAllRefusedBatchesAreNotOutages(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" && r.URL.Path == "/tokens" {
			body, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintf(w, `{"msg":"refused batch of %d bytes %x"}`, len(body), sha256.Sum256(body))
			return true
		}
		return false
	})
	var ids []string
	for range 20 {
		id, _ := h.addToken(t, api.TokenSpec{Name: "x"})
		ids = append(ids, id)
	}
	var progress []string
	report, err := lifecycle.RevokeAll(ctx, h.client(t, h.user().Token), ids, lifecycle.RevokeAllOptions{BatchSize: 1,
		Progress: func(done, total int) { progress = append(progress, fmt.Sprintf("%d/%d", done, total)) }})
	require.Error(t, err)
	assert.Equal(t, 20, h.count("DELETE /tokens"), "a 400 is no reason to stop")
	assert.Len(t, report.Failed, 20)
	assert.Len(t, strings.Split(err.Error(), "\n"), 1+16, "a summary and 16 distinct causes")
	assert.Len(t, progress, 20)
	assert.Equal(t, "1/20", progress[0], "failed ids count as settled")
	assert.Equal(t, "20/20", progress[19])
}

// TestRevokeAllStopsAfterThree500s: a 500 is an outage like a 503.
func TestRevokeAllStopsAfterThree500s(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" {
			http.Error(w, `{"msg":"internal"}`, http.StatusInternalServerError)
			return true
		}
		return false
	})
	var ids []string
	for range 5 {
		id, _ := h.addToken(t, api.TokenSpec{Name: "x"})
		ids = append(ids, id)
	}
	report, err := lifecycle.RevokeAll(ctx, h.client(t, h.user().Token), ids, lifecycle.RevokeAllOptions{BatchSize: 1})
	require.Error(t, err)
	assert.Equal(t, 3, h.count("DELETE /tokens"))
	assert.Len(t, report.Failed, 5)
}

// TestRevokeAllProgressCountsEveryPlace: ids not found count as settled.
func TestRevokeAllProgressCountsEveryPlace(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	c := h.client(t, h.user().Token)
	var ids []string
	for range 4 {
		id, _ := h.addToken(t, api.TokenSpec{Name: "x"})
		ids = append(ids, id)
	}
	require.NoError(t, c.RevokeMany(ctx, ids[0], ids[1]))
	var progress []string
	report, err := lifecycle.RevokeAll(ctx, c, ids, lifecycle.RevokeAllOptions{BatchSize: 2,
		Progress: func(done, total int) { progress = append(progress, fmt.Sprintf("%d/%d", done, total)) }})
	require.NoError(t, err)
	assert.Equal(t, ids[:2], report.NotFound)
	assert.Equal(t, []string{"2/4", "4/4"}, progress)
}

// TestRevokeAllStopsWhenTheKeyIsRefused: batches refused for the client's
// own key (401 for a dead key, 403 for a read-only one) would all be
// refused: after two in a row nothing more is sent, and nothing is sorted
// out with reads.
func TestRevokeAllStopsWhenTheKeyIsRefused(t *testing.T) {
	t.Parallel()
	refusals := map[string]struct {
		status int
		msg    string
	}{
		"dead":      {http.StatusUnauthorized, "Provided credentials are missing or invalid"},
		"read-only": {http.StatusForbidden, "Read only tokens are not allowed to access this endpoint."},
	}
	for name, refusal := range refusals {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHostile(t, func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method == "DELETE" {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(refusal.status)
					_, _ = io.WriteString(w, `{"msg":"`+refusal.msg+`"}`)
					return true
				}
				return false
			})
			var ids []string
			for range 5 {
				id, _ := h.addToken(t, api.TokenSpec{Name: "x"})
				ids = append(ids, id)
			}
			report, err := lifecycle.RevokeAll(t.Context(), h.client(t, h.user().Token), ids, lifecycle.RevokeAllOptions{BatchSize: 1})
			require.Error(t, err)
			assert.Equal(t, 2, h.count("DELETE /tokens"))
			assert.Zero(t, h.count("GET /tokens/"+ids[0]), "a refusal of the key is not sorted out")
			require.Len(t, report.Failed, 5)
			assert.Contains(t, report.Failed[ids[4]].Error(), "not sent: 2 batches in a row were refused for the client's own key")
			assert.Contains(t, err.Error(), "5 of 5 tokens not revoked")
		})
	}
}
