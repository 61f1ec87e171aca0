package wrapper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tokenward/fastlytokens/wrapper"
)

// badIDs would each reach a wrong endpoint if sent: "" and "." become
// /tokens/, ".." becomes /, "self" the caller's own token, and the rest
// change the path or query.
var badIDs = []string{"", ".", "..", "self", "a/b", "../tokens", "a b", "a%2Fb", "%2e%2e", "ab?c", "ab#c", "a\nb", "tökén", "a-b", "a_b", strings.Repeat("a", 65)}

// TestInputErrorsNameThePlace: a bad scope or bulk id is named by its place
// (1-based), and nothing is sent.
func TestInputErrorsNameThePlace(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, "{}"))
	c := f.client(t)
	_, err := c.Create(ctx, wrapper.CreateInput{Name: "x", Scopes: []wrapper.Scope{wrapper.ScopeGlobal, "two words"}})
	require.ErrorIs(t, err, wrapper.ErrInvalidInput)
	assert.Contains(t, err.Error(), "scope 2 must be one non-empty word")
	err = c.RevokeMany(ctx, "good1", "good2", "b/ad")
	require.ErrorIs(t, err, wrapper.ErrInvalidInput)
	assert.Contains(t, err.Error(), "token id 3 of 3 ")
	assert.Empty(t, f.requests())
}

// TestIDCharacters: every letter and digit is accepted; the characters just
// outside each range are refused, named by their place.
func TestIDCharacters(t *testing.T) {
	require.NoError(t, wrapper.CheckTokenID("azAZ09"))
	for _, c := range []string{"`", "{", "@", "[", "/", ":"} {
		err := wrapper.CheckTokenID("ab" + c + "d")
		require.ErrorIs(t, err, wrapper.ErrInvalidInput, c)
		assert.Contains(t, err.Error(), "character 3 is not", c)
	}
}

// TestBadIDsSendNothing: every method that takes an id refuses a bad one with
// ErrInvalidInput, without a request and without echoing the value.
func TestBadIDsSendNothing(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	c := f.client(t)
	for _, id := range badIDs {
		calls := map[string]error{}
		_, calls["Get"] = c.Get(ctx, id)
		calls["Revoke"] = c.Revoke(ctx, id)
		_, calls["ListForCustomer"] = c.ListForCustomer(ctx, id)
		calls["RevokeMany"] = c.RevokeMany(ctx, "abc", id)
		_, calls["Create"] = c.Create(ctx, wrapper.CreateInput{Services: []string{id}})
		for name, err := range calls {
			require.ErrorIs(t, err, wrapper.ErrInvalidInput, "%s(%q)", name, id)
			if len(id) > 2 && id != "self" {
				assert.NotContains(t, err.Error(), id, "%s echoes the id", name)
			}
		}
	}
	require.Empty(t, f.requests(), "no request may be sent for bad input")
}

func TestLongAlphanumericIDsAreFine(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	require.NoError(t, f.client(t).Revoke(ctx, strings.Repeat("a", 64)))
	require.NoError(t, f.client(t).Revoke(ctx, "xxxxxxxxxxxxxxxxxxxxx")) // 21 characters, as one real id
	require.Len(t, f.requests(), 2)
}

func TestRevokeSelfIsRefused(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	err := f.client(t).Revoke(ctx, "self")
	require.ErrorIs(t, err, wrapper.ErrInvalidInput)
	require.Contains(t, err.Error(), "RevokeCurrent")
	require.Empty(t, f.requests())
}

// TestUniqueTokenIDs: checked and de-duplicated in order; a bad id names
// its place and fails the whole list.
func TestUniqueTokenIDs(t *testing.T) {
	ids, err := wrapper.UniqueTokenIDs([]string{"b", "a", "b", "c", "a"})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "a", "c"}, ids)
	_, err = wrapper.UniqueTokenIDs([]string{"a", "self"})
	require.ErrorIs(t, err, wrapper.ErrInvalidInput)
	assert.Contains(t, err.Error(), "token id 2 of 2 is \"self\"")
	_, err = wrapper.UniqueTokenIDs([]string{"a", "b", "../x"})
	assert.EqualError(t, err, "fastly: invalid input: token id 3 of 3 must be alphanumeric (character 1 is not)")
	ids, err = wrapper.UniqueTokenIDs([]string{"a", "a"})
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, ids, "two ids, the same")
	ids, err = wrapper.UniqueTokenIDs(nil)
	require.NoError(t, err)
	assert.Empty(t, ids)
}
