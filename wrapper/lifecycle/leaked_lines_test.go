package lifecycle_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

// TestRevokeLeakedFindsKeysInLines: keys as leaks really look, inside a
// .env line, a JSON string, a URL, a log line, two on one line, are found
// and revoked; a run of 33 characters or 31 is no key and nothing is sent
// for its line.
func TestRevokeLeakedFindsKeysInLines(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	var keys []string
	for range 6 {
		_, key := h.addToken(t, api.TokenSpec{Name: "leaked"})
		keys = append(keys, key)
	}
	lines := []string{
		"FASTLY_API_TOKEN=" + keys[0],
		`{"fastly": {"key": "` + keys[1] + `"}}`,
		"curl https://api.fastly.com/service?api_key=" + keys[2] + "&x=1",
		"2026-12-08T03:00:00Z level=info msg=\"deploy\" Fastly-Key: " + keys[3] + " status=200",
		"export A='" + keys[4] + "' B=\"" + keys[5] + "\"",
		"not_a_key=" + keys[0] + "x " + keys[1][:31],
	}
	results := lifecycle.RevokeLeaked(ctx, h.client(t, h.user().Token), lines)
	require.Len(t, results, 7, "one per key found, one for the line without any")
	wantLines := []int{1, 2, 3, 4, 5, 5, 6}
	for i, r := range results {
		assert.Equal(t, wantLines[i], r.Line, "result %d", i)
	}
	assert.Equal(t, 6, h.count("GET /tokens/self")-1, "one identification per key found, after the client's own")
	for i := range 6 {
		assert.Equal(t, lifecycle.Revoked, results[i].Outcome, "%q", lines[wantLines[i]-1])
		require.NoError(t, results[i].Err)
		assert.False(t, h.alive(t, keys[i]))
	}
	assert.Equal(t, lifecycle.Failed, results[6].Outcome)
	require.ErrorIs(t, results[6].Err, lifecycle.ErrNoKeyFound)
	assert.EqualError(t, results[6].Err, "lifecycle: no key found in line 6: nothing was sent for it")
}

// TestRevokeLeakedRefusesLongLines: a line over 4 KiB refuses the whole
// input before any request, the live key beside it included.
func TestRevokeLeakedRefusesLongLines(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	_, key := h.addToken(t, api.TokenSpec{Name: "leaked"})
	long := strings.Repeat("a", lifecycle.MaxLeakLineBytes-32) + " " + key
	results := lifecycle.RevokeLeaked(ctx, h.client(t, h.user().Token), []string{key, long})
	require.Len(t, results, 2)
	for i, r := range results {
		assert.Equal(t, i+1, r.Line, "one result per line, in order")
		assert.Equal(t, lifecycle.Failed, r.Outcome)
		require.ErrorIs(t, r.Err, wrapper.ErrInvalidInput)
		assert.Contains(t, r.Err.Error(), "line 2 is longer than 4096 bytes: nothing was sent")
	}
	assert.Empty(t, h.requests())
	assert.True(t, h.alive(t, key))
	// At the bound exactly, the line is read.
	atBound := strings.Repeat("a", lifecycle.MaxLeakLineBytes-33) + " " + key
	require.Len(t, atBound, lifecycle.MaxLeakLineBytes)
	results = lifecycle.RevokeLeaked(ctx, h.client(t, h.user().Token), []string{atBound})
	assert.Equal(t, lifecycle.Revoked, results[0].Outcome)
}

// TestRevokeLeakedStopsOnAnAPIThatFails: after three identifications in a
// row fail with 5xx, and after a 429, nothing more is sent; the keys not
// handled are Failed "not sent".
func TestRevokeLeakedStopsOnAnAPIThatFails(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	faults := map[string]struct {
		status int
		sent   int // identifications or revokes that reached the proxy
		want   string
	}{
		"503": {http.StatusServiceUnavailable, 3, "not sent: 3 requests in a row failed"},
		"429": {http.StatusTooManyRequests, 1, "not sent: an earlier request was rate limited"},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newHostile(t, nil)
			var keys []string
			for range 40 {
				_, key := h.addToken(t, api.TokenSpec{Name: "leaked"})
				keys = append(keys, key)
			}
			own := h.user().Token
			h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Header.Get("Fastly-Key") == own {
					return false
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(fault.status)
				_, _ = io.WriteString(w, `{"msg":"down"}`)
				return true
			})
			c := h.client(t, own)
			results := lifecycle.RevokeLeaked(ctx, c, keys)
			require.Len(t, results, 40)
			sent := len(h.requests()) - 1 // the client's own proof
			assert.LessOrEqual(t, sent, fault.sent+3, "only the requests already in flight (four at once) finish")
			assert.GreaterOrEqual(t, sent, fault.sent)
			notSent := 0
			for _, r := range results {
				assert.Equal(t, lifecycle.Failed, r.Outcome)
				if strings.Contains(r.Err.Error(), fault.want) {
					notSent++
					assert.NotErrorIs(t, r.Err, wrapper.ErrOutcomeUnknown, "a request never sent did nothing")
				}
			}
			assert.Equal(t, 40-sent, notSent)
			h.setIntercept(nil)
			for _, key := range keys {
				assert.True(t, h.alive(t, key))
			}
		})
	}
}

// TestRevokeLeakedRevokeAnswerLost: the key's own revoke reaches the
// simulator, which revokes it, and the answer is lost (a 500 after
// acting): the result is Failed with ErrOutcomeUnknown, never "revoked"
// and never a plain failure that claims the key is live.
func TestRevokeLeakedRevokeAnswerLost(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	_, key := h.addToken(t, api.TokenSpec{Name: "leaked"})
	behind, err := wrapper.New(wrapper.WithBaseURL(h.srv.URL), wrapper.WithToken(key)) // straight to the simulator
	require.NoError(t, err)
	h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" && r.URL.Path == "/tokens/self" {
			assert.NoError(t, behind.RevokeCurrent(r.Context()))
			http.Error(w, `{"msg":"internal"}`, http.StatusInternalServerError)
			return true
		}
		return false
	})
	results := lifecycle.RevokeLeaked(ctx, h.client(t, h.user().Token), []string{key})
	assert.Equal(t, lifecycle.Failed, results[0].Outcome)
	require.ErrorIs(t, results[0].Err, wrapper.ErrOutcomeUnknown)
	assert.Contains(t, results[0].Err.Error(), "the token may be revoked")
	assert.False(t, h.alive(t, key))
}
