package wrapper

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tokenward/fastlytokens/gen"
)

// TestKnownScopesAreTheContractsEnum: KnownScopes is exactly the
// contract's known_scope enum, each value once, in Fastly's order.
func TestKnownScopesAreTheContractsEnum(t *testing.T) {
	t.Parallel()
	known := KnownScopes()
	assert.Equal(t, []Scope{"global", "global:read", "purge_select", "purge_all"}, known)
	for _, s := range known {
		assert.True(t, gen.KnownScope(s).Valid(), s)
	}
	assert.False(t, gen.KnownScope("purge").Valid())
	assert.Equal(t, "global, global:read, purge_select, purge_all", KnownScopesText(", "))
	known[0] = "changed"
	assert.Equal(t, ScopeGlobal, KnownScopes()[0], "a new slice each call")
}
