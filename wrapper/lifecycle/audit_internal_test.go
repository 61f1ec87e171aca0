package lifecycle

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/wrapper"
)

// TestAuditSortPathsAgree: the packed integer sort and the wide sort used
// past packLimit order findings identically, ties included.
func TestAuditSortPathsAgree(t *testing.T) {
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	tokens := make([]wrapper.Token, 300)
	for i := range tokens {
		at := func() time.Time { return now.Add(time.Duration(rng.IntN(40)-20) * 24 * time.Hour) }
		tokens[i] = wrapper.Token{ID: fmt.Sprintf("id%03d", rng.IntN(1000)), CreatedAt: at().Add(-400 * 24 * time.Hour),
			ExpiresAt: at(), LastUsedAt: at().Add(-100 * 24 * time.Hour), Scopes: []wrapper.Scope{wrapper.ScopeGlobal}}
		if i%7 == 0 {
			tokens[i].ExpiresAt = time.Time{}
		}
	}
	policy := Policy{MaxLifetime: 30 * 24 * time.Hour}
	packed := Audit(tokens, policy, now)

	saved := packLimit
	packLimit = 1
	t.Cleanup(func() { packLimit = saved })
	wide := Audit(tokens, policy, now)
	require.NotEmpty(t, packed)
	assert.Equal(t, packed, wide)
}

// TestAuditExtremeTimes: times outside what the sort key holds sort as its
// bounds instead of wrapping around.
func TestAuditExtremeTimes(t *testing.T) {
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	far := time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC)
	before := time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)
	tokens := []wrapper.Token{
		{ID: "far", CreatedAt: far, LastUsedAt: now},
		{ID: "early", CreatedAt: before, LastUsedAt: now},
		{ID: "mid", CreatedAt: now, LastUsedAt: now},
	}
	var order []string
	for _, f := range Audit(tokens, Policy{}, now) {
		order = append(order, string(f.Kind)+":"+f.Token.ID)
	}
	assert.Equal(t, []string{"no_expiry:early", "no_expiry:mid", "no_expiry:far"}, order)
}

// TestPackableBound: ids up to 2^22-1 fit the packed key; 2^22 does not.
func TestPackableBound(t *testing.T) {
	assert.True(t, packable(0))
	assert.True(t, packable(1<<idBits-1))
	assert.False(t, packable(1<<idBits))
}

// TestScrub: a secret in an error's text is replaced, the cause kept; no
// error, no secret or no match leaves the error as it is.
func TestScrub(t *testing.T) {
	assert.NoError(t, scrub(nil, "secret"))
	plain := errors.New("a secret here")
	assert.Same(t, plain, scrub(plain, ""))
	assert.Same(t, plain, scrub(plain, "absent"))
	scrubbed := scrub(plain, "secret")
	assert.Equal(t, "a [REDACTED] here", scrubbed.Error())
	assert.ErrorIs(t, scrubbed, plain)
}
