package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

// buildBinary builds the real command once per test that needs it.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "fastly-api-sim")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	return bin
}

// startBinary starts the binary and reads its banner.
func startBinary(t *testing.T, bin string, args ...string) (*exec.Cmd, banner, map[string]any) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	require.NoError(t, err)
	var b banner
	require.NoError(t, json.Unmarshal(line, &b), string(line))
	var raw map[string]any
	require.NoError(t, json.Unmarshal(line, &raw))
	return cmd, b, raw
}

// exitsWithin waits for cmd and returns its error, failing past limit.
func exitsWithin(t *testing.T, cmd *exec.Cmd, limit time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("still running %v after the signal", limit)
		return nil
	}
}

// TestStandaloneServer starts the real binary as a user would, reads the
// banner, calls the API with a seeded key, stops it with SIGTERM and SIGINT
// and expects exit status 0.
func TestStandaloneServer(t *testing.T) {
	bin := buildBinary(t)
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		cmd, b, raw := startBinary(t, bin, "-listen", "127.0.0.1:0", "-write-limit", "7")
		assert.ElementsMatch(t, []string{"base_url", "accounts"}, keys(raw))
		first := raw["accounts"].([]any)[0].(map[string]any)
		assert.ElementsMatch(t, []string{"role", "login", "password", "user_id", "customer_id", "superuser", "two_factor_secret",
			"token", "read_only_token"}, keys(first))

		var roles []api.Role
		for _, a := range b.Accounts {
			roles = append(roles, a.Role)
		}
		assert.Equal(t, []api.Role{api.RoleSuperuser, api.RoleUser, api.RoleTwoFactorUser, api.RoleOtherCustomer, api.RoleAutomation}, roles)
		user, _ := b.Accounts.ByRole(api.RoleUser)
		admin, _ := b.Accounts.ByRole(api.RoleSuperuser)
		assert.True(t, admin.Superuser)
		assert.Equal(t, admin.CustomerID, user.CustomerID)

		req, _ := http.NewRequest("DELETE", b.BaseURL+"/tokens/NoSuchToken0000000000", nil)
		req.Header.Set("Fastly-Key", user.Token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Equal(t, 404, resp.StatusCode)
		assert.Equal(t, "6", resp.Header.Get("Fastly-RateLimit-Remaining"), "-write-limit is honoured")

		require.NoError(t, cmd.Process.Signal(sig))
		require.NoError(t, exitsWithin(t, cmd, 10*time.Second), "exits 0 on %v", sig)
	}
}

// TestSignalWithARequestInFlight: a request that never finishes does not
// hold the server past the grace period; it still exits 0.
func TestSignalWithARequestInFlight(t *testing.T) {
	bin := buildBinary(t)
	cmd, b, _ := startBinary(t, bin, "-grace", "500ms")
	conn, err := net.Dial("tcp", strings.TrimPrefix(b.BaseURL, "http://"))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	_, err = conn.Write([]byte("POST /sudo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nusern"))
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond) // let the server take the request
	began := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, exitsWithin(t, cmd, 5*time.Second))
	assert.Less(t, time.Since(began), 3*time.Second)
}

// serveInProcess runs the command's run in this process until the test ends.
func serveInProcess(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out, in := io.Pipe()
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, in, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		assert.Equal(t, 0, <-done)
	})
	line, err := bufio.NewReader(out).ReadBytes('\n')
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, out) }()
	var b banner
	require.NoError(t, json.Unmarshal(line, &b))
	return b.BaseURL
}

// TestTrickledRequestsAreCutOff: headers slower than -header-timeout and
// bodies slower than -read-timeout lose their connection.
func TestTrickledRequestsAreCutOff(t *testing.T) {
	base := serveInProcess(t, "-header-timeout", "300ms", "-read-timeout", "600ms")
	addr := strings.TrimPrefix(base, "http://")
	for name, start := range map[string]string{
		"headers": "GET /tokens HTTP/1.1\r\nHost: x\r\n",
		"body":    "POST /sudo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nuser",
	} {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = conn.Write([]byte(start))
		require.NoError(t, err)
		began := time.Now()
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
		_, err = io.ReadAll(conn) // the server closes the connection
		require.NoError(t, err, name)
		assert.Less(t, time.Since(began), 3*time.Second, name)
		_ = conn.Close()
	}
}

// TestListenOnAllInterfaces: -listen 0.0.0.0:0 prints a base URL a client
// on this machine can use.
func TestListenOnAllInterfaces(t *testing.T) {
	base := serveInProcess(t, "-listen", "0.0.0.0:0")
	assert.True(t, strings.HasPrefix(base, "http://127.0.0.1:"), base)
	resp, err := http.Get(base + "/tokens")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, 401, resp.StatusCode)
}

func TestUsage(t *testing.T) {
	var stderr bytes.Buffer
	assert.Equal(t, 0, run(t.Context(), []string{"-h"}, io.Discard, &stderr))
	for _, field := range []string{"-write-limit", "-max-tokens", "base_url", "accounts", "role", "login, password", "user_id, customer_id, superuser",
		"two_factor_secret", "token ", "read_only_token", "go build"} {
		assert.Contains(t, stderr.String(), field, "-h describes the banner's fields and the flags")
	}
	for _, args := range [][]string{
		{"-write-limit", "-1"}, {"-nope"}, {"serve"}, {"-listen", "127.0.0.1:0", "extra"}, {"-grace", "-1s"}, {"-read-timeout", "0"},
		{"-max-tokens", "0"},
	} {
		stderr.Reset()
		assert.Equal(t, 2, run(t.Context(), args, io.Discard, &stderr), "%v", args)
		assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "%v: one line: %q", args, stderr.String())
		assert.True(t, strings.HasPrefix(stderr.String(), "fastly-api-sim: "), stderr.String())
	}
	stderr.Reset()
	run(t.Context(), []string{"-nope"}, io.Discard, &stderr)
	assert.Equal(t, "fastly-api-sim: flag provided but not defined: -nope (-h lists the flags)\n", stderr.String(), "reported once")
	stderr.Reset()
	assert.Equal(t, 1, run(t.Context(), []string{"-listen", "256.0.0.1:http"}, io.Discard, &stderr))
	assert.True(t, strings.HasPrefix(stderr.String(), "fastly-api-sim: "), stderr.String())
}

func TestReachable(t *testing.T) {
	assert.Equal(t, "127.0.0.1:80", reachable("0.0.0.0:0", &net.TCPAddr{IP: net.IPv4zero, Port: 80}))
	assert.Equal(t, "127.0.0.1:80", reachable("0.0.0.0:0", &net.TCPAddr{IP: net.IPv6unspecified, Port: 80}), "dual stack")
	assert.Equal(t, "127.0.0.1:80", reachable(":0", &net.TCPAddr{IP: net.IPv6unspecified, Port: 80}))
	assert.Equal(t, "[::1]:80", reachable("[::]:0", &net.TCPAddr{IP: net.IPv6unspecified, Port: 80}))
	assert.Equal(t, "10.1.2.3:80", reachable("10.1.2.3:0", &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 80}))
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
