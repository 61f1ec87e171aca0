package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra/doc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docsDir holds the command line's reference, generated from the command
// tree. Regenerate it with: UPDATE_CLI_DOCS=1 go test -run TestCLIDocs ./cmd/fastly-tokens
const docsDir = "docs"

// TestCLIDocsAreFresh fails when docs/ differs from what the command tree
// generates: a flag or help text changed without its reference.
func TestCLIDocsAreFresh(t *testing.T) {
	generated := t.TempDir()
	a := &app{sys: systemIO()}
	root := a.rootCommand()
	root.InitDefaultCompletionCmd()
	require.NoError(t, doc.GenMarkdownTree(root, generated))
	if os.Getenv("UPDATE_CLI_DOCS") == "1" {
		require.NoError(t, os.RemoveAll(docsDir))
		require.NoError(t, os.CopyFS(docsDir, os.DirFS(generated)))
	}
	want, err := filepath.Glob(filepath.Join(generated, "*.md"))
	require.NoError(t, err)
	have, err := filepath.Glob(filepath.Join(docsDir, "*.md"))
	require.NoError(t, err)
	require.Len(t, have, len(want), "docs/ is stale: run UPDATE_CLI_DOCS=1 go test -run TestCLIDocs ./cmd/fastly-tokens")
	for _, path := range want {
		fresh, err := os.ReadFile(path)
		require.NoError(t, err)
		committed, err := os.ReadFile(filepath.Join(docsDir, filepath.Base(path)))
		require.NoError(t, err, "docs/ is stale: run UPDATE_CLI_DOCS=1 go test -run TestCLIDocs ./cmd/fastly-tokens")
		assert.Equal(t, string(fresh), string(committed), "docs/%s is stale: run UPDATE_CLI_DOCS=1 go test -run TestCLIDocs ./cmd/fastly-tokens", filepath.Base(path))
	}
}
