package wrapper_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// TestReadmeGoBlocks compiles every Go code block of the README, runs the
// library example against the in-memory API and runs the test example, so
// the README cannot rot.
func TestReadmeGoBlocks(t *testing.T) {
	if testing.Short() || os.Getenv("FASTLY_TOKENS_MUTATION") != "" {
		t.Skip("builds the README's programs (skipped in -short and mutation runs: it kills no mutant)")
	}
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	require.GreaterOrEqual(t, len(blocks), 4, "the README's Go blocks")

	root, err := filepath.Abs("..")
	require.NoError(t, err)
	srv := api.NewTestServer(t)

	for i, block := range blocks {
		code := block[1]
		dir, err := os.MkdirTemp(root, "zz_readme_block_")
		require.NoError(t, err)
		t.Cleanup(func() { _ = os.RemoveAll(dir) })
		pkg := "./" + filepath.Base(dir)

		if strings.Contains(code, "*testing.T") {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "readme_test.go"), []byte(code), 0o600))
			out, err := goCmd(root, nil, "test", "-count=1", pkg)
			require.NoError(t, err, "block %d: %s", i+1, out)
			continue
		}
		require.True(t, strings.HasPrefix(code, "package main"), "block %d must be a whole program", i+1)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o600))
		out, err := goCmd(root, nil, "vet", pkg)
		require.NoError(t, err, "block %d: %s", i+1, out)
		if i == 0 { // the library example: run it against the in-memory API
			env := []string{"FASTLY_API_TOKEN=" + srv.Account(api.RoleUser).Token, "FASTLY_API_URL=" + srv.URL}
			out, err := goCmd(root, env, "run", pkg)
			require.NoError(t, err, "library example: %s", out)
			assert.Contains(t, out, `"demo global key"`)
			assert.Contains(t, out, "scopes=[global:read] expiring soon=false")
		}
	}
}

func goCmd(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
