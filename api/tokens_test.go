package api_test

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

func TestReadBodiesAreShapedLikeFastly(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	a := call(t, srv, "GET", "/tokens/self", "", keyHeader, user.Token, "User-Agent", "probe/1")
	require.Equal(t, 200, a.status)
	assert.Equal(t, "application/json", a.header.Get(ctHeader))
	assert.Empty(t, a.header.Get(remaining), "GETs carry no rate-limit headers")
	assert.Empty(t, a.header.Get(resetAt))
	id, _ := decode(t, a)["id"].(string)
	assert.Regexp(t, `^[A-Za-z0-9]{22}$`, id)
	expect(t, a, 200, `{"id":"`+id+`","user_id":"`+user.UserID+`","customer_id":"`+user.CustomerID+
		`","name":"demo global key","last_used_at":"2026-11-28T12:10:00Z","created_at":"2026-11-28T12:10:00Z","expires_at":null,`+
		`"ip":"127.0.0.1","user_agent":"probe/1","sudo_expires_at":null,"scopes":["global"],"scope":"global","services":[],"service_id":null,`+
		`"updated_at":null,"deleted_at":null}`)
}

// TestListsComeInCreationOrder (Fastly promises no order; this server
// keeps one so tests that print lists are stable).
func TestListsComeInCreationOrder(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	var want []string
	for _, tok := range []string{"c", "a", "b"} {
		id, _, err := srv.AddToken(api.TokenSpec{UserID: user.UserID, Name: tok})
		require.NoError(t, err)
		want = append(want, id)
	}
	got := ids(t, call(t, srv, "GET", "/tokens", "", keyHeader, user.Token))
	require.Len(t, got, 5)
	assert.Equal(t, want, got[2:])
}

func TestCustomerListOnlyForItsSuperusers(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	admin, user, outsider := srv.Account(api.RoleSuperuser), srv.Account(api.RoleUser), srv.Account(api.RoleOtherCustomer)
	all := ids(t, call(t, srv, "GET", "/customer/"+admin.CustomerID+"/tokens", "", keyHeader, admin.Token))
	assert.Len(t, all, 7, "three users with two keys each, and the automation token")
	assert.Len(t, ids(t, call(t, srv, "GET", "/customer/"+admin.CustomerID+"/tokens", "", keyHeader, admin.ReadOnlyToken)), 7)

	expectMsg(t, call(t, srv, "GET", "/customer/"+user.CustomerID+"/tokens", "", keyHeader, user.Token), 403, "Forbidden")
	expectMsg(t, call(t, srv, "GET", "/customer/"+admin.CustomerID+"/tokens", "", keyHeader, outsider.Token), 403, "Forbidden")
	expectMsg(t, call(t, srv, "GET", "/customer/"+outsider.CustomerID+"/tokens", "", keyHeader, admin.Token), 403, "Forbidden")
	assert.Len(t, ids(t, call(t, srv, "GET", "/customer/"+outsider.CustomerID+"/tokens", "", keyHeader, outsider.Token)), 2)
}

// TestOthersTokensAreInvisible: a token the caller may not manage answers
// 404 on GET, DELETE and bulk DELETE, exactly like one that does not exist;
// a superuser manages the customer's tokens, never another customer's.
func TestOthersTokensAreInvisible(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	admin, user, outsider := srv.Account(api.RoleSuperuser), srv.Account(api.RoleUser), srv.Account(api.RoleOtherCustomer)
	adminKeyID := decode(t, call(t, srv, "GET", "/tokens/self", "", keyHeader, admin.Token))["id"].(string)
	userKeyID := decode(t, call(t, srv, "GET", "/tokens/self", "", keyHeader, user.ReadOnlyToken))["id"].(string)

	for _, probe := range []struct{ key, id string }{
		{user.Token, adminKeyID},     // another user of the customer
		{outsider.Token, userKeyID},  // a superuser of another customer
		{outsider.Token, adminKeyID}, // ... its superuser's token
		{user.Token, noSuchID},       // nothing at all
	} {
		get := call(t, srv, "GET", "/tokens/"+probe.id, "", keyHeader, probe.key)
		expect(t, get, 404, `{"msg":"Token lookup failed"}`)
		del := call(t, srv, "DELETE", "/tokens/"+probe.id, "", keyHeader, probe.key)
		expect(t, del, 404, `{"msg":"Token lookup failed"}`)
		many := call(t, srv, "DELETE", "/tokens", bulk(probe.id), keyHeader, probe.key, ctHeader, bulkType)
		expect(t, many, 404, `{"msg":"Token lookup failed","detail":"token `+probe.id+`"}`)
	}
	// Nothing was revoked; the superuser of the customer may.
	assert.Equal(t, 200, call(t, srv, "GET", "/tokens/self", "", keyHeader, admin.Token).status)
	assert.Equal(t, 200, call(t, srv, "GET", "/tokens/"+userKeyID, "", keyHeader, admin.Token).status)
	expect(t, call(t, srv, "DELETE", "/tokens/"+userKeyID, "", keyHeader, admin.Token), 204, "")
	expectMsg(t, call(t, srv, "GET", "/tokens/self", "", keyHeader, user.ReadOnlyToken), 403, "Token lookup failed")
	expect(t, call(t, srv, "DELETE", "/tokens/"+userKeyID, "", keyHeader, admin.Token), 404, `{"msg":"Token lookup failed"}`)
}

func TestRevokeCurrent(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	a := call(t, srv, "DELETE", "/tokens/self", "", keyHeader, user.Token)
	expect(t, a, 204, "")
	assert.Equal(t, "999", a.header.Get(remaining))
	assert.Equal(t, firstReset, a.header.Get(resetAt))
	expectMsg(t, call(t, srv, "GET", "/tokens", "", keyHeader, user.Token), 403, "Token lookup failed")
}

func TestBulkRevoke(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	admin, user := srv.Account(api.RoleSuperuser), srv.Account(api.RoleUser)
	var toRevoke []string
	for range 3 {
		id, _, err := srv.AddToken(api.TokenSpec{UserID: user.UserID, Name: "bulk"})
		require.NoError(t, err)
		toRevoke = append(toRevoke, id)
	}
	del := func(body, contentType string) answer {
		return call(t, srv, "DELETE", "/tokens", body, keyHeader, user.Token, ctHeader, contentType)
	}
	expectMsg(t, del(bulk(toRevoke[0]), "application/json"), 400, "Bad request")
	expectMsg(t, del(bulk(toRevoke[0]), "application/vnd.api+json;ext=bulk"), 400, "Bad request")
	expectMsg(t, del(`{"data":[{"type":"tokens","id":"`+toRevoke[0]+`"}]}`, bulkType), 400, "Bad request")
	expectMsg(t, del(`{"data":"nope"}`, bulkType), 400, "Bad request")

	expect(t, del(bulk(toRevoke[0], noSuchID), bulkType), 404, `{"msg":"Token lookup failed","detail":"token `+noSuchID+`"}`)
	assert.Equal(t, 200, call(t, srv, "GET", "/tokens/"+toRevoke[0], "", keyHeader, user.Token).status, "all or nothing")
	adminKeyID := decode(t, call(t, srv, "GET", "/tokens/self", "", keyHeader, admin.Token))["id"].(string)
	expectMsg(t, del(bulk(toRevoke[0], adminKeyID), bulkType), 404, "Token lookup failed")

	a := del(bulk(toRevoke...), bulkType)
	expect(t, a, 204, "")
	assert.NotEmpty(t, a.header.Get(remaining))
	for _, id := range toRevoke {
		expectMsg(t, call(t, srv, "GET", "/tokens/"+id, "", keyHeader, user.Token), 404, "Token lookup failed")
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	srv, clk := start(t, api.WithWriteLimit(3))
	user, admin := srv.Account(api.RoleUser), srv.Account(api.RoleSuperuser)
	revoke := func(key string) answer { return call(t, srv, "DELETE", "/tokens/"+noSuchID, "", keyHeader, key) }
	for i := range 3 {
		a := revoke(user.Token)
		expectMsg(t, a, 404, "Token lookup failed")
		assert.Equal(t, strconv.Itoa(2-i), a.header.Get(remaining))
		assert.Equal(t, firstReset, a.header.Get(resetAt))
	}
	assert.Equal(t, 200, call(t, srv, "GET", "/tokens", "", keyHeader, user.Token).status, "GETs are not counted")
	a := revoke(user.Token)
	expectMsg(t, a, 429, "You have exceeded your hourly rate limit. Please contact support@fastly.com if you think this is a mistake.")
	assert.Equal(t, "0", a.header.Get(remaining))
	assert.Equal(t, firstReset, a.header.Get(resetAt))
	// The budget is the user's, whichever key they use.
	expectMsg(t, call(t, srv, "DELETE", "/tokens/self", "", keyHeader, user.ReadOnlyToken), 429, "You have exceeded your hourly rate limit. Please contact support@fastly.com if you think this is a mistake.")
	expectMsg(t, revoke(admin.Token), 404, "Token lookup failed") // budgets are per user

	clk.Advance(50 * time.Minute) // 13:00: a new window
	a = revoke(user.Token)
	expectMsg(t, a, 404, "Token lookup failed")
	assert.Equal(t, "2", a.header.Get(remaining))
	assert.Equal(t, "1795874400", a.header.Get(resetAt))
}

// TestContractRejectsMalformedRequests: requests outside the contract get
// 400 with a message that says what is wrong, after authentication.
func TestContractRejectsMalformedRequests(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	key := srv.Account(api.RoleUser).Token
	a := call(t, srv, "GET", "/tokens/abc-def", "", keyHeader, key)
	expectMsg(t, a, 400, "Bad request")
	assert.Contains(t, decode(t, a)["detail"], "token_id")
	a = call(t, srv, "GET", "/customer/abc-def/tokens", "", keyHeader, key)
	expectMsg(t, a, 400, "Bad request")
	a = call(t, srv, "DELETE", "/tokens/abc-def", "", keyHeader, key)
	expectMsg(t, a, 400, "Bad request")
	expectMsg(t, call(t, srv, "GET", "/tokens/abc-def", ""), 401, "Provided credentials are missing or invalid")
}

func TestUnknownEndpoints(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	a := call(t, srv, "GET", "/no/such/endpoint", "")
	expect(t, a, 404, `{"msg":"Record not found","detail":"no such endpoint"}`)
	a = call(t, srv, "GET", "/tokens/a/b", "")
	expect(t, a, 404, `{"msg":"Record not found","detail":"no such endpoint"}`)
}

// TestKnownPathUnknownMethod: a path the API serves, under a method it does
// not serve there, is 405 with an Allow header naming the ones it does.
func TestKnownPathUnknownMethod(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	key := srv.Account(api.RoleUser).Token
	for path, allow := range map[string]string{
		"/tokens":              "DELETE, GET, POST",
		"/tokens/self":         "DELETE, GET",
		"/tokens/abc":          "DELETE, GET",
		"/sudo":                "POST",
		"/customer/abc/tokens": "GET",
	} {
		a := call(t, srv, "PUT", path, "", keyHeader, key)
		expect(t, a, 405, `{"msg":"Method Not Allowed","detail":"this path allows `+allow+`"}`)
		assert.Equal(t, allow, a.header.Get("Allow"), path)
		assert.Equal(t, 405, call(t, srv, "PATCH", path, "").status, path)
	}
}

// TestConcurrentClients: many clients create, list and revoke at once (run
// with -race); every created token is revoked exactly once.
func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	srv, _ := start(t, api.WithWriteLimit(100000))
	admin := srv.Account(api.RoleSuperuser)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				a := call(t, srv, "POST", "/tokens", "", "Authorization", basic(admin.Login, admin.Password))
				if !assert.Equal(t, 200, a.status, a.body) {
					return
				}
				id := decode(t, a)["id"].(string)
				assert.Equal(t, 200, call(t, srv, "GET", "/tokens", "", keyHeader, admin.Token).status)
				if (g+i)%2 == 0 {
					assert.Equal(t, 204, call(t, srv, "DELETE", "/tokens/"+id, "", keyHeader, admin.Token).status)
				} else {
					assert.Equal(t, 204, call(t, srv, "DELETE", "/tokens", bulk(id), keyHeader, admin.Token, ctHeader, bulkType).status)
				}
			}
		})
	}
	wg.Wait()
	assert.Len(t, ids(t, call(t, srv, "GET", "/tokens", "", keyHeader, admin.Token)), 2)
}
