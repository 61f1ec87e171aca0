package wrapper_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tokenward/fastlytokens/wrapper"
)

// TestDebugLogRedacted: the debug log has one line per attempt with method,
// path, status and attempt, and no credential of any kind.
func TestDebugLogRedacted(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, attempts(reply(503, `{"msg":"key `+testKey+`"}`), reply(200, "[]"), reply(200, createdJSON)))
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// A transport (a proxy's, say) whose first error carries the key.
	leaky := &leakyTransport{next: http.DefaultTransport}
	c := f.client(t, fastRetry, wrapper.WithLogger(logger), wrapper.WithBasicAuth("me", testPassword), wrapper.WithHTTPClient(&http.Client{Transport: leaky}))
	_, err := c.List(ctx)
	require.NoError(t, err)
	created, err := c.Create(ctx, wrapper.CreateInput{Name: "x", Username: "me", Password: testPassword, OTP: testOTP})
	require.NoError(t, err)
	logger.Debug("created", "token", created, "input", wrapper.CreateInput{Password: testPassword, OTP: testOTP})

	text := logs.String()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	require.Len(t, lines, 5)
	assert.Contains(t, lines[0], `"method":"GET","path":"/tokens","operation":"list-tokens-user","attempt":1`)
	assert.Contains(t, lines[0], `"error":"fastly: GET /tokens: proxy refused key [REDACTED]"`)
	assert.Contains(t, lines[1], `"status":503`)
	assert.Contains(t, lines[2], `"attempt":3`)
	assert.Contains(t, lines[3], `"method":"POST"`)
	noSecrets(t, text, created.AccessToken, "Basic ")

	var textLogs bytes.Buffer
	slog.New(slog.NewTextHandler(&textLogs, nil)).Info("created", "token", created, "client", c)
	noSecrets(t, textLogs.String(), created.AccessToken)
}
