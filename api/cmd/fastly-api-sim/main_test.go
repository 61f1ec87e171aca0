package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStandaloneServer builds the real binary, starts it as a user would,
// reads the banner, calls the API with a seeded key, stops it with SIGTERM
// and expects exit status 0.
func TestStandaloneServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "fastly-api-sim")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-listen", "127.0.0.1:0", "-write-limit", "7")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	require.NoError(t, err)
	var b banner
	require.NoError(t, json.Unmarshal(line, &b), string(line))
	var raw map[string]any
	require.NoError(t, json.Unmarshal(line, &raw))
	assert.ElementsMatch(t, []string{"base_url", "accounts"}, keys(raw))
	first := raw["accounts"].([]any)[0].(map[string]any)
	assert.ElementsMatch(t, []string{"login", "password", "user_id", "customer_id", "superuser", "two_factor_secret", "token", "read_only_token"}, keys(first))

	require.Len(t, b.Accounts, 3)
	assert.True(t, b.Accounts[0].Superuser)
	assert.False(t, b.Accounts[1].Superuser)
	assert.Equal(t, b.Accounts[0].CustomerID, b.Accounts[1].CustomerID)
	assert.NotEmpty(t, b.Accounts[2].TwoFactorSecret)

	req, _ := http.NewRequest("DELETE", b.BaseURL+"/tokens/NoSuchToken0000000000", nil)
	req.Header.Set("Fastly-Key", b.Accounts[1].Token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, "6", resp.Header.Get("Fastly-RateLimit-Remaining"), "-write-limit is honoured")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "exits 0 on SIGTERM")
}

func TestBadFlags(t *testing.T) {
	require.Error(t, run([]string{"-write-limit", "-1"}, os.Stdout))
	require.Error(t, run([]string{"-listen", "256.0.0.1:http"}, os.Stdout))
	require.Error(t, run([]string{"-nope"}, os.Stdout))
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
