package wrapper_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/wrapper"
)

func wantToken(t *testing.T) wrapper.Token {
	return wrapper.Token{
		ID: "5Yo3XXnrQpjc20u0ybrf2g", Name: "deploy", UserID: "4y5K5trZocEAQYkesWlk7M", CustomerID: "51MumwLiSJyFTWhtbByYgR",
		Scopes: []wrapper.Scope{wrapper.ScopeGlobal}, Services: []string{"7frORaFZvHgC6eRAJdA7kf"},
		CreatedAt: mustTime(t, "2021-01-14T11:25:39Z"), LastUsedAt: mustTime(t, "2021-01-14T11:36:43Z"),
		IP: "92.238.40.48", UserAgent: "curl/8",
	}
}

// checkRequest asserts method, path, key and user agent of a request, and
// that it carried no credentials other than the key.
func checkRequest(t *testing.T, r seen, method, path string) {
	t.Helper()
	assert.Equal(t, method, r.Method)
	assert.Equal(t, path, r.Path)
	assert.Empty(t, r.RawQuery)
	assert.Equal(t, []string{testKey}, r.Header.Values("Fastly-Key"))
	assert.Empty(t, r.Header.Get("Authorization"))
	assert.Empty(t, r.Header.Get("Fastly-OTP"))
	assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "fastlytokens/"), r.Header.Get("User-Agent"))
}

func TestList(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, "["+readTokenJSON+"]"))
	tokens, err := f.client(t).List(ctx)
	require.NoError(t, err)
	require.Equal(t, []wrapper.Token{wantToken(t)}, tokens)
	checkRequest(t, f.only(t), "GET", "/api/tokens")
}

func TestListEmpty(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, "[]"))
	tokens, err := f.client(t).List(ctx)
	require.NoError(t, err)
	require.NotNil(t, tokens)
	require.Empty(t, tokens)
}

func TestListForCustomer(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, "["+readTokenJSON+","+readTokenJSON+"]"))
	tokens, err := f.client(t).ListForCustomer(ctx, "51MumwLiSJyFTWhtbByYgR")
	require.NoError(t, err)
	require.Len(t, tokens, 2)
	checkRequest(t, f.only(t), "GET", "/api/customer/51MumwLiSJyFTWhtbByYgR/tokens")
}

func TestGet(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, readTokenJSON))
	tok, err := f.client(t).Get(ctx, "5Yo3XXnrQpjc20u0ybrf2g")
	require.NoError(t, err)
	require.Equal(t, wantToken(t), tok)
	checkRequest(t, f.only(t), "GET", "/api/tokens/5Yo3XXnrQpjc20u0ybrf2g")
}

func TestCurrent(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, readTokenJSON))
	tok, err := f.client(t).Current(ctx)
	require.NoError(t, err)
	require.Equal(t, wantToken(t), tok)
	checkRequest(t, f.only(t), "GET", "/api/tokens/self")
}

func TestRevoke(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	require.NoError(t, f.client(t).Revoke(ctx, "5Yo3XXnrQpjc20u0ybrf2g"))
	r := f.only(t)
	checkRequest(t, r, "DELETE", "/api/tokens/5Yo3XXnrQpjc20u0ybrf2g")
	assert.Empty(t, r.Body)
}

func TestRevokeCurrent(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	require.NoError(t, f.client(t).RevokeCurrent(ctx))
	checkRequest(t, f.only(t), "DELETE", "/api/tokens/self")
}

// TestRevokeManyGoldenBody pins the exact bulk bytes and media type, and
// shows repeated ids sent once in first-seen order.
func TestRevokeManyGoldenBody(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	err := f.client(t).RevokeMany(ctx, "2j1hEyxXOEqYaSipeZHaW4", "5NSGsvF9ybBxXAdEQhcYPz", "2j1hEyxXOEqYaSipeZHaW4")
	require.NoError(t, err)
	r := f.only(t)
	checkRequest(t, r, "DELETE", "/api/tokens")
	assert.Equal(t, "application/vnd.api+json; ext=bulk", r.Header.Get("Content-Type"))
	assert.Equal(t, `{"data":[{"type":"token","id":"2j1hEyxXOEqYaSipeZHaW4"},{"type":"token","id":"5NSGsvF9ybBxXAdEQhcYPz"}]}`, r.Body)
}

func TestRevokeManyOne(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	require.NoError(t, f.client(t).RevokeMany(ctx, "abc"))
	assert.Equal(t, `{"data":[{"type":"token","id":"abc"}]}`, f.only(t).Body)
}

// TestCreateGoldenForm pins the exact create form: sorted keys, one
// space-joined scope, repeated services[], RFC 3339 expires_at in UTC,
// credentials as form fields, the OTP as a header of this request only.
func TestCreateGoldenForm(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, createdJSON))
	c := f.client(t)
	expires := time.Date(2030, 1, 2, 4, 4, 5, 999, time.FixedZone("CET", 3600))
	got, err := c.Create(ctx, wrapper.CreateInput{
		Name:      "my test/token",
		Scopes:    []wrapper.Scope{wrapper.ScopeGlobal, wrapper.ScopePurgeAll},
		Services:  []string{"0Us63sb8R1BpWQBIhluncu", "7frORaFZvHgC6eRAJdA7kf"},
		ExpiresAt: expires,
		Username:  "testing@fastly.com",
		Password:  testPassword,
		OTP:       testOTP,
	})
	require.NoError(t, err)
	r := f.only(t)
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/api/tokens", r.Path)
	assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
	assert.Equal(t, "expires_at=2030-01-02T03%3A04%3A05Z&name=my+test%2Ftoken&password=Passw0rd-very-secret&scope=global+purge_all"+
		"&services%5B%5D=0Us63sb8R1BpWQBIhluncu&services%5B%5D=7frORaFZvHgC6eRAJdA7kf&username=testing%40fastly.com", r.Body)
	assert.Equal(t, []string{testOTP}, r.Header.Values("Fastly-OTP"))
	assert.Equal(t, []string{testKey}, r.Header.Values("Fastly-Key"))
	assert.Empty(t, r.Header.Get("Authorization"))

	assert.Equal(t, "QoU3neoxQQ6IPL8g7eRkkCjyWcwdNI7J", got.AccessToken)
	assert.Equal(t, "2j1hEyxXOEqYaSipeZHaW4", got.ID)
	assert.Equal(t, []wrapper.Scope{wrapper.ScopeGlobal, wrapper.ScopePurgeAll}, got.Scopes)
	assert.Equal(t, []string{"0Us63sb8R1BpWQBIhluncu", "7frORaFZvHgC6eRAJdA7kf"}, got.Services)
	assert.Equal(t, mustTime(t, "2030-01-02T03:04:05Z"), got.ExpiresAt)
	assert.True(t, got.LastUsedAt.IsZero(), "create sends no last_used_at")

	// The next request carries no OTP: it belonged to the create alone.
	f2 := newFake(t, reply(200, "[]"))
	_, err = f2.client(t).List(ctx)
	require.NoError(t, err)
	assert.Empty(t, f2.only(t).Header.Get("Fastly-OTP"))
}

func TestCreateMinimalFormSendsNoAbsentField(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, createdJSON))
	_, err := f.client(t).Create(ctx, wrapper.CreateInput{Name: "ci"})
	require.NoError(t, err)
	r := f.only(t)
	assert.Equal(t, "name=ci", r.Body)
	assert.Empty(t, r.Header.Values("Fastly-OTP"))
}

func TestCreateEmptyInputSendsEmptyForm(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, createdJSON))
	_, err := f.client(t).Create(ctx, wrapper.CreateInput{})
	require.NoError(t, err)
	assert.Empty(t, f.only(t).Body)
}

// TestBasicAuthOnlyOnCreateAndSudo: WithBasicAuth credentials go on POST
// /tokens and POST /sudo, never on reads or revokes.
func TestBasicAuthOnlyOnCreateAndSudo(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && r.URL.Path == "/sudo":
			reply(200, `{"expiry_time":"2021-01-14T11:52:45+00:00"}`)(w, r)
		case r.Method == "POST":
			reply(200, createdJSON)(w, r)
		case r.Method == "DELETE":
			reply(204, "")(w, r)
		default:
			reply(200, "["+readTokenJSON+"]")(w, r)
		}
	})
	c := f.client(t, wrapper.WithBasicAuth("testing@fastly.com", testPassword))
	_, err := c.List(ctx)
	require.NoError(t, err)
	require.NoError(t, c.Revoke(ctx, "abc"))
	_, err = c.Create(ctx, wrapper.CreateInput{Name: "x"})
	require.NoError(t, err)
	_, err = c.Sudo(ctx, wrapper.SudoInput{Username: "me", Password: "again"})
	require.NoError(t, err)

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("testing@fastly.com:"+testPassword))
	reqs := f.requests()
	require.Len(t, reqs, 4)
	assert.Empty(t, reqs[0].Header.Get("Authorization"), "list")
	assert.Empty(t, reqs[1].Header.Get("Authorization"), "revoke")
	assert.Equal(t, basic, reqs[2].Header.Get("Authorization"), "create")
	assert.Equal(t, basic, reqs[3].Header.Get("Authorization"), "sudo")
	assert.Equal(t, "name=x", reqs[2].Body, "the password is not repeated in the form")
}

// TestSudoFlow: with a key and the password, a token is created in two
// requests, and the password goes to /sudo only.
func TestSudoFlow(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sudo" {
			reply(200, `{"expiry_time":"2021-01-14T11:52:45+00:00"}`)(w, r)
			return
		}
		reply(200, createdJSON)(w, r)
	})
	c := f.client(t)
	until, err := c.Sudo(ctx, wrapper.SudoInput{Username: "testing@fastly.com", Password: testPassword, OTP: testOTP})
	require.NoError(t, err)
	assert.Equal(t, mustTime(t, "2021-01-14T11:52:45Z"), until)
	_, err = c.Create(ctx, wrapper.CreateInput{Name: "rotated"})
	require.NoError(t, err)

	reqs := f.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/api/sudo", reqs[0].Path)
	assert.Equal(t, "password=Passw0rd-very-secret&username=testing%40fastly.com", reqs[0].Body)
	assert.Equal(t, testOTP, reqs[0].Header.Get("Fastly-OTP"))
	assert.Equal(t, "/api/tokens", reqs[1].Path)
	assert.Equal(t, "name=rotated", reqs[1].Body)
	assert.NotContains(t, reqs[1].Body, testPassword)
	assert.Empty(t, reqs[1].Header.Get("Fastly-OTP"))
}

func TestSudoNeedsPassword(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, `{}`))
	_, err := f.client(t).Sudo(ctx, wrapper.SudoInput{Username: "u"})
	require.ErrorIs(t, err, wrapper.ErrInvalidInput)
	require.Empty(t, f.requests())
}

func TestUserAgentOption(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, "[]"))
	_, err := f.client(t, wrapper.WithUserAgent("rotator/2.0")).List(ctx)
	require.NoError(t, err)
	assert.Equal(t, "rotator/2.0", f.only(t).Header.Get("User-Agent"))
}

func TestNoKeyNoHeader(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, "[]"))
	c, err := wrapper.New(wrapper.WithBaseURL(f.url()))
	require.NoError(t, err)
	_, err = c.List(ctx)
	require.NoError(t, err)
	assert.Empty(t, f.only(t).Header.Values("Fastly-Key"))
}

func TestWithEnv(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, "[]"))
	t.Setenv(wrapper.EnvToken, testKey)
	t.Setenv(wrapper.EnvBaseURL, f.url())
	c, err := wrapper.New(wrapper.WithEnv(), wrapper.WithRetry(wrapper.RetryPolicy{}))
	require.NoError(t, err)
	_, err = c.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, testKey, f.only(t).Header.Get("Fastly-Key"))

	t.Setenv(wrapper.EnvToken, "")
	_, err = wrapper.New(wrapper.WithEnv())
	require.ErrorIs(t, err, wrapper.ErrInvalidInput)
	t.Setenv(wrapper.EnvToken, testKey)
	t.Setenv(wrapper.EnvBaseURL, "http://example.com")
	_, err = wrapper.New(wrapper.WithEnv())
	require.ErrorIs(t, err, wrapper.ErrInvalidInput, "http only on loopback")
}

// TestListedScopesAreIndependent: a list's scopes share one backing array;
// appending to one token's scopes never changes another's.
func TestListedScopesAreIndependent(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, `[{"id":"a","scopes":["global"]},{"id":"b","scopes":["purge_all","global:read"]},{"id":"c","scope":"purge_select"}]`,
		"Content-Type", "application/json"))
	tokens, err := f.client(t).List(ctx)
	require.NoError(t, err)
	require.Len(t, tokens, 3)
	tokens[0].Scopes = append(tokens[0].Scopes, "tampered")
	assert.Equal(t, []wrapper.Scope{wrapper.ScopePurgeAll, wrapper.ScopeGlobalRead}, tokens[1].Scopes)
	assert.Equal(t, []wrapper.Scope{wrapper.ScopePurgeSelect}, tokens[2].Scopes, "the legacy scope field still counts")
}
