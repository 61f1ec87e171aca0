package api_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

func sudoCall(t *testing.T, srv *api.TestServer, key, body string, headers ...string) answer {
	t.Helper()
	return call(t, srv, "POST", "/sudo", body, append([]string{keyHeader, key, ctHeader, formType}, headers...)...)
}

func TestSudoFlow(t *testing.T) {
	t.Parallel()
	srv, clk := start(t)
	user := srv.Account(api.RoleUser)
	create := func() answer {
		return call(t, srv, "POST", "/tokens", form("name", "k"), keyHeader, user.Token, ctHeader, formType)
	}
	expectMsg(t, create(), 403, "You must POST /sudo to access this endpoint")

	a := sudoCall(t, srv, user.Token, form("username", user.Login, "password", user.Password))
	expect(t, a, 200, `{"expiry_time":"2026-11-28T12:15:00Z"}`)
	assert.Equal(t, "998", a.header.Get(remaining), "the refused create counted too")
	assert.Equal(t, firstReset, a.header.Get(resetAt))
	assert.Equal(t, "2026-11-28T12:15:00Z", decode(t, call(t, srv, "GET", "/tokens/self", "", keyHeader, user.Token))["sudo_expires_at"])

	require.Equal(t, 200, create().status)
	clk.Advance(api.SudoDuration)
	expectMsg(t, create(), 403, "You must POST /sudo to access this endpoint")
	assert.Nil(t, decode(t, call(t, srv, "GET", "/tokens/self", "", keyHeader, user.Token))["sudo_expires_at"])

	// Sudo mode belongs to the key, not to the user.
	sudoOn(t, srv, user, user.Token)
	a = call(t, srv, "POST", "/tokens", form("name", "k"), keyHeader, user.ReadOnlyToken, ctHeader, formType)
	expectMsg(t, a, 403, "Read only tokens are not allowed to access this endpoint.")
}

// TestSudoJSON: /sudo takes JSON as well as a form.
func TestSudoJSON(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	a := call(t, srv, "POST", "/sudo", `{"username":"`+user.Login+`","password":"`+user.Password+`","expiry_time":"2026-11-28T12:30:00Z"}`,
		keyHeader, user.Token, ctHeader, "application/json")
	expect(t, a, 200, `{"expiry_time":"2026-11-28T12:30:00Z"}`)
	a = call(t, srv, "POST", "/sudo", `{"username":"`+user.Login+`","password":"wrong"}`, keyHeader, user.Token, ctHeader, "application/json")
	expectMsg(t, a, 403, "Incorrect username or password")
	a = call(t, srv, "POST", "/sudo", `{"password":"`+user.Password+`"}`, keyHeader, user.Token, ctHeader, "application/json")
	expectMsg(t, a, 400, "Bad request")
}

// TestSudoNeedsTheRightUserAndPassword: username and password are required;
// a wrong password, or another user's username even with that user's
// password, is 403 and counts towards the lockout.
func TestSudoNeedsTheRightUserAndPassword(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user, admin := srv.Account(api.RoleUser), srv.Account(api.RoleSuperuser)

	for body, detail := range map[string]string{
		form("password", user.Password): `property "username" is missing`,
		form("username", user.Login):    `property "password" is missing`,
		"":                              "value is required but missing",
	} {
		a := sudoCall(t, srv, user.Token, body)
		expectMsg(t, a, 400, "Bad request")
		assert.Contains(t, decode(t, a)["detail"], detail)
	}
	expectMsg(t, sudoCall(t, srv, user.Token, form("username", user.Login, "password", "wrong")), 403, "Incorrect username or password")
	expectMsg(t, sudoCall(t, srv, user.Token, form("username", admin.Login, "password", admin.Password)), 403, "Incorrect username or password")
	expectMsg(t, sudoCall(t, srv, user.Token, form("username", admin.Login, "password", user.Password)), 403, "Incorrect username or password")
	assert.Nil(t, decode(t, call(t, srv, "GET", "/tokens/self", "", keyHeader, user.Token))["sudo_expires_at"])
	// The admin's own login was not charged: it is the key's user who failed.
	sudoOn(t, srv, admin, admin.Token)
	for range api.LockoutThreshold - 3 {
		expectMsg(t, sudoCall(t, srv, user.Token, form("username", user.Login, "password", "wrong")), 403, "Incorrect username or password")
	}
	expect(t, sudoCall(t, srv, user.Token, form("username", user.Login, "password", user.Password)), 400, `{"code":"account_locked"}`)
}

// TestSudoExpiryTime: expiry_time is honoured up to MaxSudoDuration; one
// not in the future, or malformed, is refused.
func TestSudoExpiryTime(t *testing.T) {
	t.Parallel()
	srv, clk := start(t)
	user := srv.Account(api.RoleUser)
	creds := []string{"username", user.Login, "password", user.Password}
	at := func(d time.Duration) string { return clk.Now().Add(d).Format(time.RFC3339) }

	expect(t, sudoCall(t, srv, user.Token, form(append(creds, "expiry_time", at(20*time.Minute))...)), 200, `{"expiry_time":"2026-11-28T12:30:00Z"}`)
	expect(t, sudoCall(t, srv, user.Token, form(append(creds, "expiry_time", at(5*time.Hour))...)), 200, `{"expiry_time":"2026-11-28T13:10:00Z"}`)
	expect(t, sudoCall(t, srv, user.Token, form(append(creds, "expiry_time", at(0))...)), 400, `{"code":"invalid_request"}`)
	expect(t, sudoCall(t, srv, user.Token, form(append(creds, "expiry_time", at(-time.Minute))...)), 400, `{"code":"invalid_request"}`)
	expectMsg(t, sudoCall(t, srv, user.Token, form(append(creds, "expiry_time", "tomorrow")...)), 400, "Bad request")

	clk.Advance(time.Hour - time.Second)
	require.Equal(t, 200, call(t, srv, "POST", "/tokens", "", keyHeader, user.Token, ctHeader, formType).status, "still in sudo mode")
	clk.Advance(time.Second)
	expectMsg(t, call(t, srv, "POST", "/tokens", "", keyHeader, user.Token, ctHeader, formType), 403, "You must POST /sudo to access this endpoint")
}

func TestSudoTwoFactor(t *testing.T) {
	t.Parallel()
	srv, clk := start(t)
	secure := srv.Account(api.RoleTwoFactorUser)
	creds := form("username", secure.Login, "password", secure.Password)
	expect(t, sudoCall(t, srv, secure.Token, creds), 400, `{"code":"2fa.verify"}`)
	expect(t, sudoCall(t, srv, secure.Token, creds, otpHeader, "000000"), 400, `{"code":"2fa.verify"}`)
	assert.Equal(t, 200, sudoCall(t, srv, secure.Token, creds, otpHeader, otp(t, secure, clk.Now())).status)
}
