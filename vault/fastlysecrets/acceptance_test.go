package fastlysecrets_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	vaultapi "github.com/hashicorp/vault/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/vault/fastlyrules"
)

// serverBinary is the Vault or OpenBao server the acceptance test starts:
// VAULT_BIN, else BAO_BIN, else vault or bao on PATH; "" when there is none.
func serverBinary() string {
	for _, env := range []string{"VAULT_BIN", "BAO_BIN"} {
		if bin := os.Getenv(env); bin != "" {
			return bin
		}
	}
	for _, name := range []string{"vault", "bao"} {
		if bin, err := exec.LookPath(name); err == nil {
			return bin
		}
	}
	return ""
}

// TestAcceptance starts a real dev server (Vault or OpenBao) with the
// plugin in its plugin directory, and runs the engine as an operator would
// against an in-process simulator on loopback: enable, configure, read
// creds, renew, revoke; the API goes down mid-lease (revoke fails, the lease
// is kept) and comes back (revoke succeeds); a lease expires under the
// server's own expiration manager. It skips when no server binary is found
// (see serverBinary) and never needs ../shared.
func TestAcceptance(t *testing.T) {
	t.Parallel()
	bin := serverBinary()
	if bin == "" {
		t.Skip("acceptance test: set VAULT_BIN or BAO_BIN (or put vault or bao on PATH) to run it against a real server")
	}
	client := startDevServer(t, bin)

	sim, err := api.StartDemo()
	require.NoError(t, err)
	t.Cleanup(sim.Close)
	user, _ := sim.Accounts.ByRole(api.RoleUser)
	front := newSwitch(t, sim.URL)

	mount := "fastly-acc-" + fastlyrules.NewSuffix()
	require.NoError(t, client.Sys().Mount(mount, &vaultapi.MountInput{Type: "vault-plugin-secrets-fastly"}))
	t.Cleanup(func() { _ = client.Sys().Unmount(mount) })
	logical := client.Logical()
	_, err = logical.Write(mount+"/config", map[string]any{"api_url": front.URL, "login": user.Login, "password": user.Password + "\n", "key": user.Token})
	require.NoError(t, err)
	cfg, err := logical.Read(mount + "/config")
	require.NoError(t, err)
	assert.Equal(t, true, cfg.Data["key_set"])
	assert.NotContains(t, fmt.Sprint(cfg.Data), user.Password)
	_, err = logical.Write(mount+"/config", map[string]any{"api_url": "http://127.0.0.1:1"})
	require.ErrorContains(t, err, "changing api_url or login needs password, key")
	_, err = logical.Write(mount+"/roles/ci", map[string]any{"ttl": "5s"})
	require.ErrorContains(t, err, "scopes is required")
	role, err := logical.Write(mount+"/roles/ci", map[string]any{"scopes": "purge_all", "ttl": "5s", "max_ttl": "1m"})
	require.NoError(t, err)
	assert.Nil(t, role, "no warning for a purge role")

	// Issue, renew, revoke.
	creds, err := logical.Read(mount + "/creds/ci")
	require.NoError(t, err)
	key := creds.Data["access_token"].(string)
	assert.Equal(t, http.StatusOK, status(t, sim.URL, key))
	renewed, err := client.Sys().Renew(creds.LeaseID, 10)
	require.NoError(t, err)
	assert.LessOrEqual(t, renewed.LeaseDuration, 60)
	require.NoError(t, client.Sys().Revoke(creds.LeaseID))
	assert.Equal(t, http.StatusForbidden, status(t, sim.URL, key), "vault lease revoke killed the key")

	// The API goes down mid-lease: the revoke fails and the lease is kept;
	// once it is back, the revoke succeeds.
	creds, err = logical.Read(mount + "/creds/ci")
	require.NoError(t, err)
	key = creds.Data["access_token"].(string)
	front.down.Store(true)
	require.Error(t, client.Sys().Revoke(creds.LeaseID), "a revoke that did not reach Fastly is no success")
	assert.Equal(t, http.StatusOK, status(t, sim.URL, key), "still live, and nothing said otherwise")
	front.down.Store(false)
	require.NoError(t, client.Sys().Revoke(creds.LeaseID))
	assert.Equal(t, http.StatusForbidden, status(t, sim.URL, key))

	// The server's own expiration manager revokes a lease at its end.
	creds, err = logical.Read(mount + "/creds/ci")
	require.NoError(t, err)
	key = creds.Data["access_token"].(string)
	deadline := time.Now().Add(45 * time.Second)
	for status(t, sim.URL, key) == http.StatusOK && time.Now().Before(deadline) {
		time.Sleep(time.Second)
	}
	assert.Equal(t, http.StatusForbidden, status(t, sim.URL, key), "the server's expiration manager revoked it")
}

// startDevServer builds the plugin into a new plugin directory and starts
// bin as a dev server on a free loopback port; it is stopped at cleanup.
func startDevServer(t *testing.T, bin string) *vaultapi.Client {
	t.Helper()
	plugins := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(plugins, "vault-plugin-secrets-fastly"), "../cmd/vault-plugin-secrets-fastly")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	ctx, cancel := context.WithCancel(context.Background())
	server := exec.CommandContext(ctx, bin, "server", "-dev", "-dev-root-token-id=root", "-dev-listen-address="+addr, "-dev-plugin-dir="+plugins)
	logs, err := os.Create(filepath.Join(t.TempDir(), "server.log"))
	require.NoError(t, err)
	server.Stdout, server.Stderr = logs, logs
	server.Env = append(os.Environ(), "HOME="+t.TempDir()) // no token helper of the user's
	require.NoError(t, server.Start())
	t.Cleanup(func() {
		cancel()
		_ = server.Wait()
		if t.Failed() {
			text, _ := os.ReadFile(logs.Name())
			t.Logf("server log:\n%s", text)
		}
	})
	conf := vaultapi.DefaultConfig()
	conf.Address = "http://" + addr
	client, err := vaultapi.NewClient(conf)
	require.NoError(t, err)
	client.SetToken("root")
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		health, err := client.Sys().Health()
		if err == nil && health.Initialized && !health.Sealed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dev server did not start: %v", err)
		}
	}
	return client
}

// apiSwitch is a proxy to the simulator that can be taken down: while down,
// every connection is dropped, as an outage would.
type apiSwitch struct {
	URL  string
	down atomic.Bool
}

func newSwitch(t *testing.T, target string) *apiSwitch {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	s := &apiSwitch{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.down.Load() {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func status(t *testing.T, base, key string) int {
	t.Helper()
	req, err := http.NewRequest("GET", strings.TrimSuffix(base, "/")+"/tokens/self", nil)
	require.NoError(t, err)
	req.Header.Set("Fastly-Key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.StatusCode
}
