package api_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

// TestCreateWithAnEmptyBody: fastly-py's and fastly-go's clients send no
// fields at all; with HTTP Basic or a key in sudo mode that takes Fastly's
// defaults: scope global, all services, no expiry.
func TestCreateWithAnEmptyBody(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	for name, headers := range map[string][]string{
		"basic":             {"Authorization", basic(user.Login, user.Password)},
		"basic, form type":  {"Authorization", basic(user.Login, user.Password), ctHeader, formType},
		"sudo key":          {keyHeader, user.Token},
		"sudo key, no type": {keyHeader, user.Token, ctHeader, formType},
	} {
		sudoOn(t, srv, user, user.Token)
		a := call(t, srv, "POST", "/tokens", "", headers...)
		require.Equal(t, 200, a.status, "%s: %s", name, a.body)
		got := decode(t, a)
		assert.Equal(t, "global", got["scope"], name)
		assert.Equal(t, []any{}, got["services"], name)
		assert.Nil(t, got["service_id"], name)
		assert.Nil(t, got["expires_at"], name)
		assert.Equal(t, user.UserID, got["user_id"], name)
		_, named := got["name"]
		assert.False(t, named, "%s: no name", name)
	}
	expectMsg(t, call(t, srv, "POST", "/tokens", ""), 401, "Provided credentials are missing or invalid")
}

// TestCreateAnswerShape: the create answer carries Fastly's create fields
// and, rendered from the contract's types, the other nullable ones as null.
func TestCreateAnswerShape(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	a := call(t, srv, "POST", "/tokens", form("name", "x", "username", user.Login, "password", user.Password), ctHeader, formType)
	require.Equal(t, 200, a.status, a.body)
	created := decode(t, a)
	for key, want := range map[string]any{"name": "x", "service_id": nil, "expires_at": nil, "scope": "global", "services": []any{},
		"last_used_at": nil, "ip": nil, "user_agent": nil, "sudo_expires_at": nil, "deleted_at": nil,
		"user_id": user.UserID, "customer_id": user.CustomerID, "created_at": "2026-11-28T12:10:00Z", "updated_at": "2026-11-28T12:10:00Z"} {
		assert.Equal(t, want, created[key], key)
	}
	assert.Regexp(t, `^[A-Za-z0-9]{22}$`, created["id"])
	assert.Regexp(t, `^[\w-]{32}$`, created["access_token"])
	assert.Len(t, created, 16)
}

func TestCreateRefusals(t *testing.T) {
	t.Parallel()
	srv, clk := start(t)
	user := srv.Account(api.RoleUser)
	creds := []string{"username", user.Login, "password", user.Password}
	create := func(pairs ...string) answer {
		return call(t, srv, "POST", "/tokens", form(append(pairs, creds...)...), ctHeader, formType)
	}
	expect(t, create("scope", "global superpowers"), 400, `{"code":"invalid_scope"}`)
	expect(t, create("services[]", "not-an-id"), 400, `{"code":"invalid_request"}`)

	a := create("expires_at", "next tuesday")
	expectMsg(t, a, 422, "Unprocessable Entity")
	assert.Contains(t, decode(t, a)["detail"], "expires_at")
	past := clk.Now().Add(-1).Format("2006-01-02T15:04:05Z07:00")
	a = create("expires_at", past)
	expectMsg(t, a, 422, "Unprocessable Entity")
	assert.Equal(t, "expires_at must be in the future", decode(t, a)["detail"])
	expectMsg(t, create("expires_at", clk.Now().Format("2006-01-02T15:04:05Z07:00")), 422, "Unprocessable Entity")

	a = call(t, srv, "POST", "/tokens", form(append([]string{"name", "x"}, creds...)...))
	expectMsg(t, a, 400, "Bad request")
	assert.Contains(t, decode(t, a)["detail"], "Content-Type", "a create without a form content type is malformed")
	expect(t, call(t, srv, "POST", "/tokens", "%zz", ctHeader, formType), 401, `{"msg":"Provided credentials are missing or invalid"}`)
	assert.Len(t, ids(t, call(t, srv, "GET", "/tokens", "", keyHeader, user.Token)), 2, "nothing was created")
}

// TestCreateStoresScopesOnceAndIgnoresOtherServiceForms: duplicate scopes
// are stored once; services= and services[0]= are ignored, as Fastly
// ignores them.
func TestCreateStoresScopesOnceAndIgnoresOtherServiceForms(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	a := call(t, srv, "POST", "/tokens", form("scope", "purge_all global:read purge_all  global:read", "services", "abc", "services[0]", "def",
		"username", user.Login, "password", user.Password), ctHeader, formType)
	require.Equal(t, 200, a.status, a.body)
	got := decode(t, a)
	assert.Equal(t, "purge_all global:read", got["scope"])
	assert.Equal(t, []any{}, got["services"])
	read := decode(t, call(t, srv, "GET", "/tokens/"+got["id"].(string), "", keyHeader, user.Token))
	assert.Equal(t, []any{"purge_all", "global:read"}, read["scopes"])
}

// TestServiceIDsAreAlphanumeric: every letter and digit is accepted, the
// characters just outside each range are refused.
func TestServiceIDsAreAlphanumeric(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	create := func(service string) answer {
		return call(t, srv, "POST", "/tokens", form("services[]", service, "username", user.Login, "password", user.Password), ctHeader, formType)
	}
	a := create("azAZ09")
	require.Equal(t, 200, a.status, a.body)
	assert.Equal(t, []any{"azAZ09"}, decode(t, a)["services"])
	for _, bad := range []string{"`", "{", "@", "[", "/", ":"} {
		expect(t, create("ok"+bad), 400, `{"code":"invalid_request"}`)
	}
}

// TestFormCredentialsWinOverTheKey: on create, valid form credentials sign
// in whatever key stands beside them (read-only, unknown, revoked); the
// key's refusal is the answer only when the body carries no credentials.
func TestFormCredentialsWinOverTheKey(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	creds := form("name", "by form", "username", user.Login, "password", user.Password)
	for i, key := range []string{user.ReadOnlyToken, "NoSuchKeyAtAllxxxxxxxxxxxxxxxxxx", srv.Account(api.RoleAutomation).Token} {
		a := call(t, srv, "POST", "/tokens", creds, ctHeader, formType, keyHeader, key)
		require.Equal(t, 200, a.status, "key %d: %s", i, a.body)
		assert.Equal(t, user.UserID, decode(t, a)["user_id"], "key %d", i)
		assert.Equal(t, fmt.Sprint(999-i), a.header.Get(remaining), "key %d: counted once, against the signed-in user", i)
	}
	expectMsg(t, call(t, srv, "POST", "/tokens", form("name", "x"), ctHeader, formType, keyHeader, user.ReadOnlyToken),
		403, "Read only tokens are not allowed to access this endpoint.")
	expectMsg(t, call(t, srv, "POST", "/tokens", form("name", "x"), ctHeader, formType, keyHeader, "NoSuchKeyAtAllxxxxxxxxxxxxxxxxxx"),
		403, "Token lookup failed")
	expect(t, call(t, srv, "POST", "/tokens", form("name", "x", "username", user.Login, "password", "wrong"), ctHeader, formType,
		keyHeader, user.ReadOnlyToken), 400, `{"code":"invalid_grant"}`)
}
