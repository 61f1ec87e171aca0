package fastlysecrets_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// buslHeader is written in two pieces so this file does not match itself.
const buslHeader = "SPDX-License-Identifier: " + "BUSL"

// TestNoBUSLInThePlugin: no file of any package the plugin binary links
// carries a BUSL SPDX header (the Vault SDK from v0.25 does: the module
// pins v0.23.0).
func TestNoBUSLInThePlugin(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.Dir}}{{end}}",
		"github.com/tokenward/fastlytokens/vault/cmd/vault-plugin-secrets-fastly").Output()
	require.NoError(t, err)
	dirs := strings.Fields(string(out))
	require.Greater(t, len(dirs), 20, "the dependency tree was listed")
	sdk := false
	for _, dir := range dirs {
		sdk = sdk || strings.Contains(dir, "hashicorp/vault/sdk@v0.23.0")
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			require.NoError(t, err)
			if bytes.Contains(b, []byte(buslHeader)) {
				t.Errorf("%s carries a BUSL licence header", filepath.Join(dir, e.Name()))
			}
		}
	}
	require.True(t, sdk, "the plugin links the Vault SDK v0.23.0")
}
