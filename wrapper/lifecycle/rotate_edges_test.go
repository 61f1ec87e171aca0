package lifecycle_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

// rewrite answers a request matching method and path through the
// simulator, with edit applied to the answer's body.
func rewrite(h **hostile, method, path string, edit func([]byte) []byte) func(w http.ResponseWriter, r *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != method || !regexp.MustCompile(path).MatchString(r.URL.Path) {
			return false
		}
		rec := httptest.NewRecorder()
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.RequestURI = ""
		(*h).srv.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(edit(rec.Body.Bytes()))
		return true
	}
}

// TestRotateRefusesAnOldTokenWithoutScopes: an old token whose scopes read
// null (the lenient decoding makes that "absent") would be replaced by a
// global token: nothing is created, the old one is kept.
func TestRotateRefusesAnOldTokenWithoutScopes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	oldID, oldKey := h.addToken(t, api.TokenSpec{Name: "purger", Scope: "purge_all"})
	h.setIntercept(rewrite(&h, "GET", "^/tokens/"+oldID+"$", func(b []byte) []byte {
		b = regexp.MustCompile(`"scopes":\[[^]]*\]`).ReplaceAll(b, []byte(`"scopes":null`))
		return regexp.MustCompile(`"scope":"[^"]*"`).ReplaceAll(b, []byte(`"scope":null`))
	}))
	rot, err := lifecycle.Rotate(ctx, h.client(t, h.user().Token), oldID, h.rotateInput())
	require.ErrorIs(t, err, lifecycle.ErrReplacementDiffers)
	assert.Contains(t, err.Error(), "reads with no scopes")
	assert.Empty(t, rot.New.ID)
	assert.Zero(t, h.count("POST /tokens"), "nothing was created")
	h.setIntercept(nil)
	assert.True(t, h.alive(t, oldKey))
}

// TestRotateRevokesAWiderReplacement: the create's answer says the
// replacement has other scopes or services than the old token: it is
// revoked, the old one kept.
func TestRotateRevokesAWiderReplacement(t *testing.T) {
	t.Parallel()
	edits := map[string]func([]byte) []byte{
		"scopes": func(b []byte) []byte {
			return regexp.MustCompile(`"scope":"[^"]*"`).ReplaceAll(b, []byte(`"scope":"global"`))
		},
		"services": func(b []byte) []byte {
			return regexp.MustCompile(`"services":\[[^]]*\]`).ReplaceAll(b, []byte(`"services":[]`))
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			h := newHostile(t, nil)
			oldID, oldKey := h.addToken(t, api.TokenSpec{Name: "purger", Scope: "purge_all", Services: []string{"svc1"}})
			h.setIntercept(rewrite(&h, "POST", "^/tokens$", edit))
			var stored bool
			in := h.rotateInput()
			in.Store = func(context.Context, wrapper.CreatedToken) error { stored = true; return nil }
			rot, err := lifecycle.Rotate(ctx, h.client(t, h.user().Token), oldID, in)
			require.ErrorIs(t, err, lifecycle.ErrReplacementDiffers)
			assert.Contains(t, err.Error(), name)
			assert.False(t, stored, "never delivered")
			assert.Empty(t, rot.New.ID, "the replacement was revoked")
			assert.False(t, rot.OldRevoked)
			h.setIntercept(nil)
			assert.True(t, h.alive(t, oldKey))
			tokens, err := h.client(t, h.user().Token).List(ctx)
			require.NoError(t, err)
			assert.Equal(t, []string{oldID}, idsNamed(tokens, "purger"), "only the old token is left")
		})
	}
}

// TestRotateCleansUpAfterCancel: the caller's context ends while the new
// secret is being stored (Ctrl-C, a deadline): the new token is still
// revoked, on a fresh context, and the old one kept.
func TestRotateCleansUpAfterCancel(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	h := newHostile(t, nil)
	oldID, oldKey := h.addToken(t, api.TokenSpec{Name: "deploy"})
	run, cancel := context.WithCancel(ctx)
	defer cancel()
	in := h.rotateInput()
	var newKey string
	in.Store = func(ctx context.Context, created wrapper.CreatedToken) error {
		newKey = created.AccessToken
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	rot, err := lifecycle.Rotate(run, h.client(t, h.user().Token), oldID, in)
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, rot.New.ID, "the undeliverable key is revoked, nothing survives")
	assert.True(t, h.alive(t, oldKey))
	assert.False(t, h.alive(t, newKey))
}

// TestRotateCreateOutcomeUnknownSaysWhatToLookFor: the old token has the
// same name as a replacement would: the error names the old token and the
// earliest creation time a replacement would carry.
func TestRotateCreateOutcomeUnknownSaysWhatToLookFor(t *testing.T) {
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
	oldID, _ := h.addToken(t, api.TokenSpec{Name: "deploy"})
	before := time.Now().UTC().Truncate(time.Second)
	_, err := lifecycle.Rotate(ctx, h.client(t, h.user().Token), oldID, h.rotateInput())
	require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown)
	m := regexp.MustCompile(`replacement of token (\w+): .*the old token is untouched; a replacement, if one was made, is named "deploy" and was created at or after (\S+): find it with List and revoke it`).
		FindStringSubmatch(err.Error())
	require.NotNil(t, m, err.Error())
	assert.Equal(t, oldID, m[1])
	at, perr := time.Parse(time.RFC3339, m[2])
	require.NoError(t, perr)
	assert.False(t, at.Before(before))
	assert.False(t, at.After(time.Now()))
}
