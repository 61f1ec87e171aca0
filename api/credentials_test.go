package api_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

func basic(login, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(login+":"+password))
}

func TestCreateWithFormCredentials(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	a := call(t, srv, "POST", "/tokens", form("name", "ci", "username", user.Login, "password", user.Password,
		"scope", "purge_select global:read", "services[]", "svcA1", "services[]", "svcB2", "expires_at", "2027-01-01T00:00:00Z"),
		ctHeader, formType)
	require.Equal(t, 200, a.status, a.body)
	assert.Equal(t, "999", a.header.Get(remaining))
	assert.Equal(t, firstReset, a.header.Get(resetAt))
	got := decode(t, a)
	assert.Equal(t, user.UserID, got["user_id"])
	assert.Equal(t, "purge_select global:read", got["scope"])
	assert.Equal(t, []any{"svcA1", "svcB2"}, got["services"])
	assert.Equal(t, "svcB2", got["service_id"])
	assert.Equal(t, "2027-01-01T00:00:00Z", got["expires_at"])
	secret, _ := got["access_token"].(string)
	assert.Regexp(t, `^[A-Za-z0-9_-]{32}$`, secret)

	// The new secret works as a key; reads never return it again.
	self := call(t, srv, "GET", "/tokens/self", "", keyHeader, secret)
	require.Equal(t, 200, self.status)
	assert.Equal(t, got["id"], decode(t, self)["id"])
	assert.NotContains(t, call(t, srv, "GET", "/tokens", "", keyHeader, user.Token).body, secret)
}

func TestCreateWithBasicAuth(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	a := call(t, srv, "POST", "/tokens", form("name", "basic"), ctHeader, formType, "Authorization", basic(user.Login, user.Password))
	require.Equal(t, 200, a.status, a.body)
	assert.Equal(t, user.UserID, decode(t, a)["user_id"])
	a = call(t, srv, "POST", "/tokens", form("name", "basic"), ctHeader, formType, "Authorization", basic(user.Login, "wrong"))
	expect(t, a, 400, `{"code":"invalid_grant"}`)
}

// TestCredentialsWinOverAKey: form credentials on create sign in even when
// the key is not in sudo mode, and the key's user is counted once.
func TestCredentialsWinOverAKey(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	a := call(t, srv, "POST", "/tokens", form("name", "x", "username", user.Login, "password", user.Password),
		ctHeader, formType, keyHeader, user.Token)
	require.Equal(t, 200, a.status, a.body)
	assert.Equal(t, "999", a.header.Get(remaining), "counted once")
	expectMsg(t, call(t, srv, "POST", "/tokens", form("name", "x"), ctHeader, formType, keyHeader, user.Token),
		403, "You must POST /sudo to access this endpoint")
}

// TestUnknownLoginsAnswerLikeWrongPasswords: byte for byte, headers too
// (but Date), through lockout and after.
func TestUnknownLoginsAnswerLikeWrongPasswords(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	try := func(login string) answer {
		return call(t, srv, "POST", "/tokens", form("name", "x", "username", login, "password", "wrong password"), ctHeader, formType)
	}
	tryBasic := func(login string) answer {
		return call(t, srv, "POST", "/tokens", "", ctHeader, formType, "Authorization", basic(login, "wrong password"))
	}
	for i := range api.LockoutThreshold + 2 {
		for _, attempt := range []func(string) answer{try, tryBasic} {
			known, unknown := attempt(user.Login), attempt("nobody@example.com")
			known.header.Del("Date")
			unknown.header.Del("Date")
			assert.Equal(t, known, unknown, "attempt %d", i+1)
			assert.Empty(t, known.header.Get(remaining), "no budget is counted before the user is known")
		}
	}
	expect(t, try("nobody@example.com"), 400, `{"code":"account_locked"}`)
}

// TestLockout: LockoutThreshold failures in a row lock a login for
// LockoutDuration, the right password included; failures older than that
// are forgotten; a success resets the count.
func TestLockout(t *testing.T) {
	t.Parallel()
	srv, clk := start(t)
	user := srv.Account(api.RoleUser)
	create := func(password string) answer {
		return call(t, srv, "POST", "/tokens", form("username", user.Login, "password", password), ctHeader, formType)
	}
	for range api.LockoutThreshold - 1 {
		expect(t, create("wrong"), 400, `{"code":"invalid_grant"}`)
	}
	require.Equal(t, 200, create(user.Password).status, "a success resets the count")
	for range api.LockoutThreshold - 1 {
		expect(t, create("wrong"), 400, `{"code":"invalid_grant"}`)
	}
	clk.Advance(api.LockoutDuration + time.Second)
	expect(t, create("wrong"), 400, `{"code":"invalid_grant"}`) // the old ones are forgotten: 1 of 5
	for range api.LockoutThreshold - 1 {
		expect(t, create("wrong"), 400, `{"code":"invalid_grant"}`)
	}
	a := create(user.Password)
	expect(t, a, 400, `{"code":"account_locked"}`)
	assert.Empty(t, a.header.Get(remaining))
	// The lock holds across the ways of signing in, /sudo included.
	expect(t, call(t, srv, "POST", "/tokens", "", ctHeader, formType, "Authorization", basic(user.Login, user.Password)), 400, `{"code":"account_locked"}`)
	expect(t, call(t, srv, "POST", "/sudo", form("username", user.Login, "password", user.Password), keyHeader, user.Token, ctHeader, formType),
		400, `{"code":"account_locked"}`)
	clk.Advance(api.LockoutDuration - time.Second)
	expect(t, create(user.Password), 400, `{"code":"account_locked"}`)
	clk.Advance(time.Second)
	assert.Equal(t, 200, create(user.Password).status, "the lock ends")
	// Other logins were never locked.
	other := srv.Account(api.RoleSuperuser)
	assert.Equal(t, 200, call(t, srv, "POST", "/tokens", form("username", other.Login, "password", other.Password), ctHeader, formType).status)
}

func TestTwoFactor(t *testing.T) {
	t.Parallel()
	srv, clk := start(t)
	secure := srv.Account(api.RoleTwoFactorUser)
	require.NotEmpty(t, secure.TwoFactorSecret)
	create := func(code string) answer {
		headers := []string{ctHeader, formType}
		if code != "" {
			headers = append(headers, otpHeader, code)
		}
		return call(t, srv, "POST", "/tokens", form("name", "2fa", "username", secure.Login, "password", secure.Password), headers...)
	}
	expect(t, create(""), 400, `{"code":"2fa.verify"}`)
	expect(t, create("000000"), 400, `{"code":"2fa.verify"}`)
	expect(t, create("12345"), 400, `{"code":"2fa.verify"}`)

	// One step either side is accepted, each step once, in order.
	for _, skew := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		a := create(otp(t, secure, clk.Now().Add(skew)))
		require.Equal(t, 200, a.status, "OTP of step %v: %s", skew, a.body)
	}
	clk.Advance(2 * time.Minute)
	expect(t, create(otp(t, secure, clk.Now().Add(-90*time.Second))), 400, `{"code":"2fa.verify"}`)
}

// TestOTPReplay: a code is accepted once per step per user (RFC 6238
// section 5.2); a replay, or an older step's code after a newer one, is
// answered exactly like a wrong code.
func TestOTPReplay(t *testing.T) {
	t.Parallel()
	srv, clk := start(t)
	secure := srv.Account(api.RoleTwoFactorUser)
	create := func(code string) answer {
		return call(t, srv, "POST", "/tokens", form("username", secure.Login, "password", secure.Password), ctHeader, formType, otpHeader, code)
	}
	code := otp(t, secure, clk.Now())
	require.Equal(t, 200, create(code).status)
	replay, wrong := create(code), create("000000")
	replay.header.Del("Date")
	wrong.header.Del("Date")
	assert.Equal(t, wrong, replay)
	expect(t, replay, 400, `{"code":"2fa.verify"}`)
	expect(t, create(otp(t, secure, clk.Now().Add(-30*time.Second))), 400, `{"code":"2fa.verify"}`)

	// The code replayed on /sudo is refused too, and the next step's works.
	a := call(t, srv, "POST", "/sudo", form("username", secure.Login, "password", secure.Password), keyHeader, secure.Token, ctHeader, formType, otpHeader, code)
	expect(t, a, 400, `{"code":"2fa.verify"}`)
	clk.Advance(30 * time.Second)
	a = call(t, srv, "POST", "/sudo", form("username", secure.Login, "password", secure.Password), keyHeader, secure.Token, ctHeader, formType,
		otpHeader, otp(t, secure, clk.Now()))
	assert.Equal(t, 200, a.status, a.body)

	// Wrong and replayed codes count towards the lockout (the success above
	// reset the count); a missing one does not.
	for range 2 * api.LockoutThreshold {
		expect(t, call(t, srv, "POST", "/tokens", form("username", secure.Login, "password", secure.Password), ctHeader, formType), 400, `{"code":"2fa.verify"}`)
	}
	for range api.LockoutThreshold {
		expect(t, create("000000"), 400, `{"code":"2fa.verify"}`)
	}
	clk.Advance(30 * time.Second)
	expect(t, create(otp(t, secure, clk.Now())), 400, `{"code":"account_locked"}`)
}

// TestTOTPKnownAnswer checks the generator against RFC 6238's SHA-1 vectors.
func TestTOTPKnownAnswer(t *testing.T) {
	t.Parallel()
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1234567890: "005924", 2000000000: "279037"} {
		got, err := api.TOTP(secret, time.Unix(unix, 0))
		require.NoError(t, err)
		assert.Equal(t, want, got, "t=%d", unix)
	}
	_, err := api.TOTP("not base32!", time.Now())
	require.Error(t, err)
	assert.Len(t, api.NewTOTPSecret(), 32)
}
