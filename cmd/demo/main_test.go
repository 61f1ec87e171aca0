package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemo runs the demo as `make demo` does and checks its transcript: every
// operation, the two typed errors, and the access token shown exactly once.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out))
	text := out.String()
	for _, want := range []string{
		"POST /tokens", "GET /tokens/self", "GET /tokens)", "GET /tokens/", "GET /customer/", "DELETE /tokens/",
		"DELETE /tokens, JSON:API", "DELETE /tokens/self", "errors.Is(err, wrapper.ErrNotFound) = true",
		"errors.Is(err, wrapper.ErrForbidden) = true", "Read only tokens are not allowed to access this endpoint.",
		"scopes=[purge_select global:read]", "Done:",
	} {
		assert.Contains(t, text, want)
	}
	secret := regexp.MustCompile(`access token \(shown once, store it now\): (\S+)`).FindStringSubmatch(text)
	require.Len(t, secret, 2)
	assert.Len(t, secret[1], 32)
	assert.Equal(t, 1, strings.Count(text, secret[1]), "the access token is shown once")
	assert.Contains(t, text, secret[1][:4]+"****")
}
