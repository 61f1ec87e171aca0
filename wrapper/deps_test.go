package wrapper_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWrapperStaysLean: users pay for every import; wrapper needs only the
// standard library, gen and oapi-codegen's runtime (and what it imports).
func TestWrapperStaysLean(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	allowed := []string{
		"github.com/tokenward/fastlytokens/wrapper", "github.com/tokenward/fastlytokens/gen",
		"github.com/oapi-codegen/runtime", "github.com/google/uuid", "github.com/apapsch/go-jsonmerge",
	}
	for _, pkg := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(pkg, "/")
		if !strings.Contains(first, ".") {
			continue // standard library
		}
		ok := false
		for _, prefix := range allowed {
			ok = ok || strings.HasPrefix(pkg, prefix)
		}
		assert.True(t, ok, "wrapper depends on %s", pkg)
	}
}
