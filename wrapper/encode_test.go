package wrapper_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokenward/fastlytokens/wrapper"
)

func TestCreateInputChecks(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, createdJSON))
	c := f.client(t)
	bad := []wrapper.CreateInput{
		{Scopes: []wrapper.Scope{""}},
		{Scopes: []wrapper.Scope{"global purge_all"}},
		{Username: "u"},
		{Password: testPassword},
		{OTP: "12\r\n34"},
		{Name: "a\nb"},
	}
	for _, in := range bad {
		_, err := c.Create(ctx, in)
		require.ErrorIs(t, err, wrapper.ErrInvalidInput, "%v", in)
		noSecrets(t, err.Error())
	}
	require.Empty(t, f.requests())
}

func TestRevokeManyEmptySendsNothing(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	c := f.client(t)
	require.ErrorIs(t, c.RevokeMany(ctx), wrapper.ErrInvalidInput)
	require.ErrorIs(t, c.RevokeMany(ctx, []string{}...), wrapper.ErrInvalidInput)
	require.Empty(t, f.requests())
}
