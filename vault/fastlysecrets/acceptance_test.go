package fastlysecrets_test

import (
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	vaultapi "github.com/hashicorp/vault/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/vault/fastlyrules"
)

// TestAcceptance runs against a real Vault or OpenBao server that has the
// plugin registered (see vault/README.md): enable, configure against an
// in-process fastly-api-sim on loopback, read creds, revoke, and let a
// lease expire under the server's own expiration manager. It is skipped
// unless VAULT_ACC=1 and VAULT_ADDR (or BAO_ADDR) are set.
func TestAcceptance(t *testing.T) {
	addr := os.Getenv("VAULT_ADDR")
	token := os.Getenv("VAULT_TOKEN")
	if addr == "" {
		addr, token = os.Getenv("BAO_ADDR"), os.Getenv("BAO_TOKEN")
	}
	if os.Getenv("VAULT_ACC") != "1" || addr == "" {
		t.Skip("acceptance test: set VAULT_ACC=1 and VAULT_ADDR (or BAO_ADDR) with the plugin registered")
	}
	conf := vaultapi.DefaultConfig()
	conf.Address = addr
	client, err := vaultapi.NewClient(conf)
	require.NoError(t, err)
	client.SetToken(token)

	sim, err := api.StartDemo()
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	user, _ := sim.Accounts.ByRole(api.RoleUser)

	mount := "fastly-acc-" + fastlyrules.NewSuffix()
	require.NoError(t, client.Sys().Mount(mount, &vaultapi.MountInput{Type: "vault-plugin-secrets-fastly"}))
	t.Cleanup(func() { _ = client.Sys().Unmount(mount) })
	logical := client.Logical()
	_, err = logical.Write(mount+"/config", map[string]any{"api_url": sim.URL, "login": user.Login, "password": user.Password, "key": user.Token})
	require.NoError(t, err)
	cfg, err := logical.Read(mount + "/config")
	require.NoError(t, err)
	assert.Equal(t, true, cfg.Data["key_set"])
	assert.NotContains(t, fmt.Sprint(cfg.Data), user.Password)
	_, err = logical.Write(mount+"/roles/ci", map[string]any{"scopes": "purge_all", "ttl": "5s", "max_ttl": "1m"})
	require.NoError(t, err)

	creds, err := logical.Read(mount + "/creds/ci")
	require.NoError(t, err)
	key := creds.Data["access_token"].(string)
	assert.Equal(t, http.StatusOK, status(t, sim.URL, key))
	require.NoError(t, client.Sys().Revoke(creds.LeaseID))
	assert.Equal(t, http.StatusForbidden, status(t, sim.URL, key), "vault lease revoke killed the key")

	creds, err = logical.Read(mount + "/creds/ci")
	require.NoError(t, err)
	key = creds.Data["access_token"].(string)
	deadline := time.Now().Add(45 * time.Second)
	for status(t, sim.URL, key) == http.StatusOK && time.Now().Before(deadline) {
		time.Sleep(time.Second)
	}
	assert.Equal(t, http.StatusForbidden, status(t, sim.URL, key), "the server's expiration manager revoked it")
}

func status(t *testing.T, base, key string) int {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/tokens/self", nil)
	require.NoError(t, err)
	req.Header.Set("Fastly-Key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.StatusCode
}
