package wrapper_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmptyServicesAreNil: "services": [] and absent services both read as
// nil (all services), so a Token's JSON round trip holds.
func TestEmptyServicesAreNil(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, `{"id":"abc","services":[]}`))
	tok, err := f.client(t).Get(ctx, "abc")
	require.NoError(t, err)
	assert.Nil(t, tok.Services)
}
