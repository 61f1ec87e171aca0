package lifecycle_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLifecycleStaysLean: lifecycle imports only wrapper (and what wrapper
// imports) and the standard library.
func TestLifecycleStaysLean(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, ".").Output()
	require.NoError(t, err)
	for _, pkg := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(pkg, "/")
		if strings.Contains(first, ".") {
			assert.Equal(t, "github.com/tokenward/fastlytokens/wrapper", pkg)
		}
	}
}
