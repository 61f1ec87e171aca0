package fastlysecrets

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	gplugin "github.com/hashicorp/go-plugin"
	"github.com/hashicorp/vault/sdk/logical"
	sdkplugin "github.com/hashicorp/vault/sdk/plugin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

// overGRPC serves the engine through the plugin's real gRPC protocol, in
// process, as Vault talks to it.
func overGRPC(h *harness) logical.Backend {
	plugins := map[string]gplugin.Plugin{sdkplugin.BackendPluginName: &sdkplugin.GRPCBackendPlugin{
		Factory: func(ctx context.Context, conf *logical.BackendConfig) (logical.Backend, error) {
			b := newBackend(h.clk.Now, []wrapper.Option{wrapper.WithRetry(wrapper.RetryPolicy{})})
			b.wait = h.waitOnTheClock
			return b, b.Setup(ctx, conf)
		},
		Logger: hclog.New(&hclog.LoggerOptions{Output: h.logs, Level: hclog.Trace}),
	}}
	client, _ := gplugin.TestPluginGRPCConn(h.t, false, plugins)
	h.t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(sdkplugin.BackendPluginName)
	require.NoError(h.t, err)
	b := raw.(logical.Backend)
	require.NoError(h.t, b.Setup(h.t.Context(), h.config()))
	return b
}

// TestOverGRPC: issue, renew and revoke through the plugin protocol.
func TestOverGRPC(t *testing.T) {
	t.Parallel()
	h := newHarness(t, api.RoleUser, overGRPC)
	h.ok(h.write("roles/ci", map[string]any{"scopes": "purge_all", "ttl": "10m", "max_ttl": "1h"}))
	resp := h.ok(h.read("config"))
	assert.Equal(t, true, resp.Data["key_set"])
	assert.NotContains(t, resp.Data, "key")

	resp, secret := h.issue("ci")
	key := resp.Data["access_token"].(string)
	tok, ok := h.liveTokens()[resp.Data["token_id"].(string)]
	require.True(t, ok)
	assert.Equal(t, []wrapper.Scope{wrapper.ScopePurgeAll}, tok.Scopes)
	assert.WithinDuration(t, start.Add(time.Hour), tok.ExpiresAt, time.Second)
	assert.Equal(t, 10*time.Minute, secret.TTL)
	assert.Equal(t, time.Hour, secret.MaxTTL)

	h.clk.Advance(55 * time.Minute)
	renewed := h.ok(h.renew(secret, time.Hour))
	assert.Equal(t, 5*time.Minute, renewed.Secret.TTL, "capped at expires_at, across gRPC")
	assert.NotEmpty(t, renewed.Warnings)

	h.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == "DELETE" {
			http.Error(w, `{"msg":"unavailable"}`, http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	_, err := h.revoke(secret)
	require.Error(t, err, "a failed revoke is an error across gRPC too")
	h.setIntercept(nil)
	h.ok(h.revoke(secret))
	assert.Equal(t, http.StatusForbidden, h.keyStatus(key))
	h.ok(h.revoke(secret))
	h.scan()
}
