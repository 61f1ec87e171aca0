package wrapper_test

import (
	"fmt"
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

	// A module of its own in a temporary folder, using this checkout: the
	// repository is never written to, and one build serves every block.
	mod := t.TempDir()
	sums, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(mod, "go.sum"), sums, 0o600))
	goMod := "module readme\n\ngo 1.26\n\nrequire github.com/tokenward/fastlytokens v0.0.0\n\nreplace github.com/tokenward/fastlytokens => " + root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(mod, "go.mod"), []byte(goMod), 0o600))
	var tests, programs []string
	for i, block := range blocks {
		code := block[1]
		dir := filepath.Join(mod, fmt.Sprintf("block%d", i+1))
		require.NoError(t, os.Mkdir(dir, 0o700))
		if strings.Contains(code, "*testing.T") {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "readme_test.go"), []byte(code), 0o600))
			tests = append(tests, "./"+filepath.Base(dir))
			continue
		}
		require.True(t, strings.HasPrefix(code, "package main"), "block %d must be a whole program", i+1)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o600))
		programs = append(programs, "./"+filepath.Base(dir))
	}
	out, err := goCmd(mod, nil, "mod", "tidy")
	require.NoError(t, err, "%s", out)
	out, err = goCmd(mod, nil, append([]string{"vet"}, programs...)...)
	require.NoError(t, err, "%s", out)
	out, err = goCmd(mod, nil, append([]string{"test", "-count=1"}, tests...)...)
	require.NoError(t, err, "%s", out)
	// The library example (the first block): run against the in-memory API.
	require.Equal(t, "./block1", programs[0])
	env := []string{"FASTLY_API_TOKEN=" + srv.Account(api.RoleUser).Token, "FASTLY_API_URL=" + srv.URL}
	out, err = goCmd(mod, env, "run", "./block1")
	require.NoError(t, err, "library example: %s", out)
	assert.Contains(t, out, `"demo global key"`)
	assert.Contains(t, out, "scopes=[global:read] expiring soon=false")
}

func goCmd(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestReadmeCitesWhatExists: every test, fuzz test or benchmark the
// READMEs name, and every Go file they cite, exists in the repository.
func TestReadmeCitesWhatExists(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	var sources strings.Builder
	files := map[string]bool{} // by path from the root, and by base name
	require.NoError(t, filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".bin") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".go") {
			rel, _ := filepath.Rel(root, path)
			files[filepath.ToSlash(rel)], files[filepath.Base(rel)] = true, true
			text, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sources.Write(text)
		}
		return nil
	}))
	code := sources.String()
	cited := regexp.MustCompile("`((?:Test|Fuzz|Benchmark)[A-Za-z0-9_]+)`")
	file := regexp.MustCompile("`([A-Za-z0-9_./-]+\\.go)`")
	for _, readme := range []string{"README.md", "vault/README.md"} {
		text, err := os.ReadFile(filepath.Join(root, readme))
		require.NoError(t, err)
		for _, m := range cited.FindAllStringSubmatch(string(text), -1) {
			assert.Contains(t, code, "func "+m[1]+"(", "%s cites %s", readme, m[1])
		}
		for _, m := range file.FindAllStringSubmatch(string(text), -1) {
			path := m[1]
			if readme == "vault/README.md" && !files[path] {
				path = "vault/" + path
			}
			assert.True(t, files[path], "%s cites %s", readme, m[1])
		}
	}
}
