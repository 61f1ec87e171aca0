package api_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

// endpoint is one of the contract's operations as a raw request.
type endpoint struct {
	name, method, path, contentType, body string
}

// endpoints lists every operation; {id} and {customer} are filled per test.
func endpoints(tokenID, customerID string) []endpoint {
	return []endpoint{
		{"list-tokens-user", "GET", "/tokens", "", ""},
		{"list-tokens-customer", "GET", "/customer/" + customerID + "/tokens", "", ""},
		{"get-token-current", "GET", "/tokens/self", "", ""},
		{"get-token", "GET", "/tokens/" + tokenID, "", ""},
		{"revoke-token-current", "DELETE", "/tokens/self", "", ""},
		{"revoke-token", "DELETE", "/tokens/" + tokenID, "", ""},
		{"bulk-revoke-tokens", "DELETE", "/tokens", bulkType, bulk(tokenID)},
		{"create-token", "POST", "/tokens", formType, form("name", "x")},
		{"request-sudo", "POST", "/sudo", formType, form("username", "u", "password", "p")},
	}
}

// TestNoKeyIs401FirstEvenWithABrokenBody: authentication is decided before
// the body is read or validated, on every operation.
func TestNoKeyIs401FirstEvenWithABrokenBody(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	for _, e := range endpoints("bad-id!", "bad-id!") {
		a := call(t, srv, e.method, e.path, "%%%{not a body", ctHeader, "text/garbage")
		expectMsg(t, a, 401, "Provided credentials are missing or invalid")
		assert.Empty(t, a.header.Get(remaining), e.name)
	}
}

func TestKeyAuthentication(t *testing.T) {
	t.Parallel()
	srv, clk := start(t)
	user := srv.Account(api.RoleUser)

	expectMsg(t, call(t, srv, "GET", "/tokens", "", keyHeader, "not-a-key-at-all-00000000000000"), 403, "Token lookup failed")
	expectMsg(t, call(t, srv, "DELETE", "/tokens/self", "", keyHeader, "not-a-key-at-all-00000000000000"), 403, "Token lookup failed")

	id, key, err := srv.AddToken(api.TokenSpec{UserID: user.UserID, Name: "short", ExpiresAt: clk.Now().Add(time.Minute)})
	require.NoError(t, err)
	a := call(t, srv, "GET", "/tokens/self", "", keyHeader, key)
	require.Equal(t, 200, a.status)
	assert.Equal(t, id, decode(t, a)["id"])
	clk.Advance(time.Minute)
	expectMsg(t, call(t, srv, "GET", "/tokens/self", "", keyHeader, key), 401, "Provided credentials are missing or invalid")
}

// TestScopesAreEnforced: global does everything, global:read reads, a
// purge key only reads and revokes itself; a key holding global and
// global:read is not read-only.
func TestScopesAreEnforced(t *testing.T) {
	t.Parallel()
	cases := []struct {
		scope            string
		read, write      bool
		writeRefusal     string
		readRefusalIsMsg string
	}{
		{scope: "global", read: true, write: true},
		{scope: "global global:read", read: true, write: true},
		{scope: "global:read", read: true, writeRefusal: "Read only tokens are not allowed to access this endpoint."},
		{scope: "purge_select", writeRefusal: "Forbidden", readRefusalIsMsg: "Forbidden"},
		{scope: "purge_all", writeRefusal: "Forbidden", readRefusalIsMsg: "Forbidden"},
		{scope: "purge_select purge_all", writeRefusal: "Forbidden", readRefusalIsMsg: "Forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.scope, func(t *testing.T) {
			srv, _ := start(t)
			admin := srv.Account(api.RoleSuperuser)
			_, key, err := srv.AddToken(api.TokenSpec{UserID: admin.UserID, Name: "k", Scope: tc.scope})
			require.NoError(t, err)
			victim, _, err := srv.AddToken(api.TokenSpec{UserID: admin.UserID, Name: "victim"})
			require.NoError(t, err)
			sudoForm := form("username", admin.Login, "password", admin.Password)

			for _, e := range []endpoint{
				{"list-tokens-user", "GET", "/tokens", "", ""},
				{"list-tokens-customer", "GET", "/customer/" + admin.CustomerID + "/tokens", "", ""},
				{"get-token", "GET", "/tokens/" + victim, "", ""},
			} {
				a := call(t, srv, e.method, e.path, "", keyHeader, key)
				if tc.read {
					assert.Equal(t, 200, a.status, e.name)
				} else {
					expectMsg(t, a, 403, tc.readRefusalIsMsg)
				}
			}
			for _, e := range []endpoint{
				{"request-sudo", "POST", "/sudo", formType, sudoForm},
				{"revoke-token", "DELETE", "/tokens/" + victim, "", ""},
			} {
				a := call(t, srv, e.method, e.path, e.body, keyHeader, key, ctHeader, e.contentType)
				if tc.write {
					assert.Contains(t, []int{200, 204}, a.status, e.name+": "+a.body)
				} else {
					expectMsg(t, a, 403, tc.writeRefusal)
				}
			}
			if !tc.write {
				// Nothing was done: the victim lives, bulk and create are refused too.
				other, _, err := srv.AddToken(api.TokenSpec{UserID: admin.UserID, Name: "other"})
				require.NoError(t, err)
				expectMsg(t, call(t, srv, "DELETE", "/tokens", bulk(other), keyHeader, key, ctHeader, bulkType), 403, tc.writeRefusal)
				expectMsg(t, call(t, srv, "POST", "/tokens", form("name", "x"), keyHeader, key, ctHeader, formType), 403, tc.writeRefusal)
				globalKey := admin.Token
				assert.Equal(t, 200, call(t, srv, "GET", "/tokens/"+victim, "", keyHeader, globalKey).status)
				assert.Equal(t, 200, call(t, srv, "GET", "/tokens/"+other, "", keyHeader, globalKey).status)
			}
			// Every key reads and revokes itself.
			assert.Equal(t, 200, call(t, srv, "GET", "/tokens/self", "", keyHeader, key).status)
			expect(t, call(t, srv, "DELETE", "/tokens/self", "", keyHeader, key), 204, "")
			expectMsg(t, call(t, srv, "GET", "/tokens/self", "", keyHeader, key), 403, "Token lookup failed")
		})
	}
}

// TestAutomationTokens: an automation token is listed with its customer's
// tokens as Fastly sends it (scopes as a string), revoked by id with 204,
// and as a key reads and revokes only itself.
func TestAutomationTokens(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	admin, user, auto := srv.Account(api.RoleSuperuser), srv.Account(api.RoleUser), srv.Account(api.RoleAutomation)
	assert.Empty(t, auto.Login)
	assert.Empty(t, auto.UserID)
	assert.Equal(t, admin.CustomerID, auto.CustomerID)

	self := call(t, srv, "GET", "/tokens/self", "", keyHeader, auto.Token)
	require.Equal(t, 200, self.status, self.body)
	got := decode(t, self)
	id, _ := got["id"].(string)
	assert.Equal(t, "global:read", got["scopes"], "one space-delimited string, as recorded")
	assert.Equal(t, "engineer", got["role"])
	assert.Equal(t, admin.UserID, got["creator_id"])
	assert.Equal(t, "", got["access_token"])
	assert.Equal(t, false, got["tls_access"])
	assert.NotContains(t, got, "user_id")

	listed := call(t, srv, "GET", "/customer/"+admin.CustomerID+"/tokens", "", keyHeader, admin.Token)
	assert.Contains(t, ids(t, listed), id)
	assert.NotContains(t, ids(t, call(t, srv, "GET", "/tokens", "", keyHeader, admin.Token)), id, "not a user's token")

	for _, e := range endpoints(id, admin.CustomerID) {
		if e.name == "get-token-current" || e.name == "revoke-token-current" {
			continue
		}
		a := call(t, srv, e.method, e.path, e.body, keyHeader, auto.Token, ctHeader, e.contentType)
		expectMsg(t, a, 403, "Forbidden")
	}
	expectMsg(t, call(t, srv, "GET", "/tokens/"+id, "", keyHeader, user.Token), 404, "Token lookup failed")
	expectMsg(t, call(t, srv, "DELETE", "/tokens/"+id, "", keyHeader, user.Token), 404, "Token lookup failed")
	a := call(t, srv, "DELETE", "/tokens/"+id, "", keyHeader, admin.Token)
	expect(t, a, 204, "")
	assert.Equal(t, firstReset, a.header.Get(resetAt))
	expectMsg(t, call(t, srv, "GET", "/tokens/self", "", keyHeader, auto.Token), 403, "Token lookup failed")
}

// TestAutomationKeyRevokesItself: DELETE /tokens/self with an automation
// key answers 204 and counts against the token's own budget.
func TestAutomationKeyRevokesItself(t *testing.T) {
	t.Parallel()
	srv, _ := start(t, api.WithWriteLimit(5))
	auto := srv.Account(api.RoleAutomation)
	a := call(t, srv, "DELETE", "/tokens/self", "", keyHeader, auto.Token)
	expect(t, a, 204, "")
	assert.Equal(t, "4", a.header.Get(remaining))
	user := srv.Account(api.RoleUser)
	b := call(t, srv, "DELETE", "/tokens/"+noSuchID, "", keyHeader, user.Token)
	assert.Equal(t, "4", b.header.Get(remaining), "the user's budget is their own")
}
