package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

var ctx = context.Background()

// clock is a settable time source for the server.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 28, 12, 10, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func start(t *testing.T, opts ...api.Option) (*api.TestServer, *clock) {
	t.Helper()
	clk := newClock()
	return api.NewTestServer(t, append([]api.Option{api.WithClock(clk.Now)}, opts...)...), clk
}

// answer is a raw response.
type answer struct {
	status int
	header http.Header
	body   string
}

// call sends a raw request; headers are pairs.
func call(t *testing.T, srv *api.TestServer, method, path, body string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

func client(t *testing.T, srv *api.TestServer, key string) *wrapper.Client {
	t.Helper()
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(key), wrapper.WithRetry(wrapper.RetryPolicy{}))
	require.NoError(t, err)
	return c
}

func msgOf(t *testing.T, a answer) string {
	t.Helper()
	var body struct{ Msg, Code string }
	require.NoError(t, json.Unmarshal([]byte(a.body), &body), a.body)
	return body.Msg + body.Code
}

func TestReadBodiesAreShapedLikeFastly(t *testing.T) {
	srv, _ := start(t)
	a := call(t, srv, "GET", "/tokens/self", "", "Fastly-Key", srv.Accounts[1].Token, "User-Agent", "probe/1")
	require.Equal(t, 200, a.status)
	assert.Equal(t, "application/json", a.header.Get("Content-Type"))
	assert.Empty(t, a.header.Get("Fastly-RateLimit-Remaining"), "GETs carry no rate-limit headers")
	// Values and nulls as api.fastly.com sends them. Rendered from the
	// contract's types, every nullable field is written (deleted_at and
	// updated_at too, as null), and keys come in the types' order.
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(a.body), &got))
	id, _ := got["id"].(string)
	assert.Regexp(t, `^[A-Za-z0-9]{22}$`, id)
	assert.JSONEq(t, `{"id":"`+id+`","user_id":"`+srv.Accounts[1].UserID+`","customer_id":"`+srv.Accounts[1].CustomerID+
		`","name":"demo global key","last_used_at":"2026-11-28T12:10:00Z","created_at":"2026-11-28T12:10:00Z","expires_at":null,`+
		`"ip":"127.0.0.1","user_agent":"probe/1","sudo_expires_at":null,"scopes":["global"],"scope":"global","services":[],"service_id":null,`+
		`"updated_at":null,"deleted_at":null}`, a.body)
}

func TestAuthentication(t *testing.T) {
	srv, clk := start(t)
	missing := call(t, srv, "GET", "/tokens", "")
	assert.Equal(t, 401, missing.status)
	assert.Equal(t, "Provided credentials are missing or invalid", msgOf(t, missing))

	unknown := call(t, srv, "GET", "/tokens", "", "Fastly-Key", "not-a-key-at-all-00000000000000")
	assert.Equal(t, 403, unknown.status)

	id, key, err := srv.AddToken(api.TokenSpec{UserID: srv.Accounts[1].UserID, Name: "short", ExpiresAt: clk.Now().Add(time.Minute)})
	require.NoError(t, err)
	tok, err := client(t, srv, key).Current(ctx)
	require.NoError(t, err)
	assert.Equal(t, id, tok.ID)
	clk.Advance(time.Minute)
	_, err = client(t, srv, key).Current(ctx)
	require.ErrorIs(t, err, wrapper.ErrUnauthorized, "an expired key stops working at once")
}

func TestReadOnlyKeysCannotWrite(t *testing.T) {
	srv, _ := start(t)
	ro := client(t, srv, srv.Accounts[1].ReadOnlyToken)
	tokens, err := ro.List(ctx)
	require.NoError(t, err)
	require.Len(t, tokens, 2)
	for name, err := range map[string]error{
		"revoke": ro.Revoke(ctx, tokens[0].ID),
		"bulk":   ro.RevokeMany(ctx, tokens[0].ID),
		"self":   ro.RevokeCurrent(ctx),
		"sudo": func() error {
			_, err := ro.Sudo(ctx, wrapper.SudoInput{Password: srv.Accounts[1].Password})
			return err
		}(),
		"create sudo": func() error { _, err := ro.Create(ctx, wrapper.CreateInput{Name: "x"}); return err }(),
	} {
		var apiErr *wrapper.APIError
		require.ErrorAs(t, err, &apiErr, name)
		assert.Equal(t, 403, apiErr.StatusCode, name)
		assert.Equal(t, "Read only tokens are not allowed to access this endpoint.", apiErr.Message, name)
	}
	again, err := ro.List(ctx)
	require.NoError(t, err)
	assert.Len(t, again, 2, "nothing was revoked")
}

func TestCustomerListOnlyForItsSuperusers(t *testing.T) {
	srv, _ := start(t)
	admin, dev := srv.Accounts[0], srv.Accounts[1]
	all, err := client(t, srv, admin.Token).ListForCustomer(ctx, admin.CustomerID)
	require.NoError(t, err)
	assert.Len(t, all, 6, "three users with two keys each")

	_, err = client(t, srv, dev.Token).ListForCustomer(ctx, dev.CustomerID)
	require.ErrorIs(t, err, wrapper.ErrForbidden)

	other := srv.AddCustomer()
	_, err = client(t, srv, admin.Token).ListForCustomer(ctx, other)
	require.ErrorIs(t, err, wrapper.ErrForbidden)
}

func TestCreateWithFormCredentials(t *testing.T) {
	srv, _ := start(t)
	dev := srv.Accounts[1]
	anon, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithRetry(wrapper.RetryPolicy{}))
	require.NoError(t, err)
	created, err := anon.Create(ctx, wrapper.CreateInput{
		Name: "ci", Username: dev.Login, Password: dev.Password,
		Scopes:    []wrapper.Scope{wrapper.ScopePurgeSelect, wrapper.ScopeGlobalRead},
		Services:  []string{"svcA1", "svcB2"},
		ExpiresAt: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	require.NoError(t, err)
	assert.Len(t, created.AccessToken, 32)
	assert.Regexp(t, `^[A-Za-z0-9_-]{32}$`, created.AccessToken)
	assert.Equal(t, []wrapper.Scope{wrapper.ScopePurgeSelect, wrapper.ScopeGlobalRead}, created.Scopes)
	assert.Equal(t, []string{"svcA1", "svcB2"}, created.Services)
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), created.ExpiresAt)
	assert.Equal(t, dev.UserID, created.UserID)

	// The new secret works as a key, and reads never return it again.
	got, err := client(t, srv, created.AccessToken).Current(ctx)
	require.NoError(t, err)
	assert.Equal(t, created.ID, got.ID)
	a := call(t, srv, "GET", "/tokens", "", "Fastly-Key", dev.Token)
	assert.NotContains(t, a.body, created.AccessToken)

	_, err = anon.Create(ctx, wrapper.CreateInput{Name: "x", Username: dev.Login, Password: "wrong-password"})
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "invalid_grant", apiErr.Code)
}

func TestCreateWithBasicAuth(t *testing.T) {
	srv, _ := start(t)
	dev := srv.Accounts[1]
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithBasicAuth(dev.Login, dev.Password))
	require.NoError(t, err)
	created, err := c.Create(ctx, wrapper.CreateInput{Name: "basic"})
	require.NoError(t, err)
	assert.Equal(t, dev.UserID, created.UserID)
	assert.Equal(t, []wrapper.Scope{wrapper.ScopeGlobal}, created.Scopes, "scope defaults to global")
}

func TestTwoFactor(t *testing.T) {
	srv, clk := start(t)
	secure := srv.Accounts[2]
	require.NotEmpty(t, secure.TwoFactorSecret)
	anon, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithRetry(wrapper.RetryPolicy{}))
	require.NoError(t, err)
	in := wrapper.CreateInput{Name: "2fa", Username: secure.Login, Password: secure.Password}

	_, err = anon.Create(ctx, in)
	require.ErrorIs(t, err, wrapper.ErrTwoFactorRequired, "no OTP")
	in.OTP = "000000"
	_, err = anon.Create(ctx, in)
	require.ErrorIs(t, err, wrapper.ErrTwoFactorRequired, "wrong OTP")

	for _, skew := range []time.Duration{0, -30 * time.Second, 30 * time.Second} {
		in.OTP, err = api.TOTP(secure.TwoFactorSecret, clk.Now().Add(skew))
		require.NoError(t, err)
		_, err = anon.Create(ctx, in)
		require.NoError(t, err, "OTP of step %v", skew)
	}
	in.OTP, err = api.TOTP(secure.TwoFactorSecret, clk.Now().Add(-90*time.Second))
	require.NoError(t, err)
	_, err = anon.Create(ctx, in)
	require.ErrorIs(t, err, wrapper.ErrTwoFactorRequired, "an OTP three steps old")
}

// TestTOTPKnownAnswer checks the generator against RFC 6238's SHA-1 vectors.
func TestTOTPKnownAnswer(t *testing.T) {
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1234567890: "005924", 2000000000: "279037"} {
		got, err := api.TOTP(secret, time.Unix(unix, 0))
		require.NoError(t, err)
		assert.Equal(t, want, got, "t=%d", unix)
	}
	_, err := api.TOTP("not base32!", time.Now())
	require.Error(t, err)
}

func TestSudoFlow(t *testing.T) {
	srv, clk := start(t)
	dev := srv.Accounts[1]
	c := client(t, srv, dev.Token)

	_, err := c.Create(ctx, wrapper.CreateInput{Name: "no sudo"})
	require.ErrorIs(t, err, wrapper.ErrSudoRequired)

	_, err = c.Sudo(ctx, wrapper.SudoInput{Password: "wrong"})
	require.Error(t, err)
	until, err := c.Sudo(ctx, wrapper.SudoInput{Username: dev.Login, Password: dev.Password})
	require.NoError(t, err)
	assert.Equal(t, clk.Now().Add(api.SudoDuration), until)
	cur, err := c.Current(ctx)
	require.NoError(t, err)
	assert.Equal(t, until, cur.SudoExpiresAt)

	_, err = c.Create(ctx, wrapper.CreateInput{Name: "with sudo"})
	require.NoError(t, err)
	clk.Advance(api.SudoDuration)
	_, err = c.Create(ctx, wrapper.CreateInput{Name: "sudo over"})
	require.ErrorIs(t, err, wrapper.ErrSudoRequired)

	// Two-factor users need the OTP for sudo too.
	secure := srv.Accounts[2]
	sc := client(t, srv, secure.Token)
	_, err = sc.Sudo(ctx, wrapper.SudoInput{Password: secure.Password})
	require.ErrorIs(t, err, wrapper.ErrTwoFactorRequired)
	otp, err := api.TOTP(secure.TwoFactorSecret, clk.Now())
	require.NoError(t, err)
	_, err = sc.Sudo(ctx, wrapper.SudoInput{Password: secure.Password, OTP: otp})
	require.NoError(t, err)
}

func TestCreateRefusals(t *testing.T) {
	srv, _ := start(t)
	dev := srv.Accounts[1]
	creds := "&username=" + strings.ReplaceAll(dev.Login, "@", "%40") + "&password=" + dev.Password
	form := "Content-Type"
	ct := "application/x-www-form-urlencoded"

	a := call(t, srv, "POST", "/tokens", "name=x&scope=global+superpowers"+creds, form, ct)
	assert.Equal(t, 400, a.status)
	assert.Equal(t, "invalid_scope", msgOf(t, a))

	a = call(t, srv, "POST", "/tokens", "name=x&expires_at=next+tuesday"+creds, form, ct)
	assert.Equal(t, 422, a.status)

	// services= and services[0]= are ignored, as Fastly ignores them.
	a = call(t, srv, "POST", "/tokens", "name=x&services=abc&services%5B0%5D=def"+creds, form, ct)
	require.Equal(t, 200, a.status, a.body)
	assert.Contains(t, a.body, `"services":[]`)
	// The create answer has Fastly's create fields (and, rendered from the
	// contract's types, the other nullable fields as null).
	var created map[string]any
	require.NoError(t, json.Unmarshal([]byte(a.body), &created))
	for key, want := range map[string]any{"name": "x", "service_id": nil, "expires_at": nil, "scope": "global", "services": []any{},
		"last_used_at": nil, "ip": nil, "user_agent": nil, "sudo_expires_at": nil, "deleted_at": nil} {
		assert.Equal(t, want, created[key], key)
	}
	assert.Regexp(t, `^[\w-]{32}$`, created["access_token"])
	for _, key := range []string{"id", "user_id", "customer_id", "created_at", "updated_at"} {
		assert.NotEmpty(t, created[key], key)
	}
	assert.Len(t, created, 16)

	a = call(t, srv, "POST", "/tokens", "name=x"+creds)
	assert.Equal(t, 400, a.status, "a create without a form content type is malformed")
}

func TestRevokeRules(t *testing.T) {
	srv, _ := start(t)
	admin, dev := srv.Accounts[0], srv.Accounts[1]
	devClient := client(t, srv, dev.Token)
	adminClient := client(t, srv, admin.Token)

	adminTokens, err := adminClient.List(ctx)
	require.NoError(t, err)
	err = devClient.Revoke(ctx, adminTokens[0].ID)
	require.ErrorIs(t, err, wrapper.ErrForbidden, "an ordinary user cannot revoke another user's token")

	_, err = devClient.Get(ctx, adminTokens[0].ID)
	require.ErrorIs(t, err, wrapper.ErrNotFound, "nor see it")

	devTokens, err := devClient.List(ctx)
	require.NoError(t, err)
	var readOnlyID string
	for _, tok := range devTokens {
		if tok.HasScope(wrapper.ScopeGlobalRead) {
			readOnlyID = tok.ID
		}
	}
	require.NoError(t, adminClient.Revoke(ctx, readOnlyID), "a superuser revokes any token of the customer")
	_, err = client(t, srv, dev.ReadOnlyToken).List(ctx)
	require.ErrorIs(t, err, wrapper.ErrForbidden, "a revoked key stops working at once")

	require.ErrorIs(t, adminClient.Revoke(ctx, readOnlyID), wrapper.ErrNotFound)
	require.ErrorIs(t, adminClient.Revoke(ctx, "NoSuchToken0000000000"), wrapper.ErrNotFound)

	require.NoError(t, devClient.RevokeCurrent(ctx))
	_, err = devClient.Current(ctx)
	require.ErrorIs(t, err, wrapper.ErrForbidden)
}

func TestBulkRevoke(t *testing.T) {
	srv, _ := start(t)
	admin, dev := srv.Accounts[0], srv.Accounts[1]
	var ids []string
	for range 3 {
		id, _, err := srv.AddToken(api.TokenSpec{UserID: dev.UserID, Name: "bulk"})
		require.NoError(t, err)
		ids = append(ids, id)
	}
	key := "Fastly-Key"
	body := `{"data":[{"type":"token","id":"` + ids[0] + `"}]}`

	a := call(t, srv, "DELETE", "/tokens", body, key, dev.Token, "Content-Type", "application/json")
	assert.Equal(t, 400, a.status, "the media type must be exact")
	a = call(t, srv, "DELETE", "/tokens", body, key, dev.Token, "Content-Type", "application/vnd.api+json;ext=bulk")
	assert.Equal(t, 400, a.status, "the media type must be exact, space included")
	a = call(t, srv, "DELETE", "/tokens", `{"data":[{"type":"tokens","id":"`+ids[0]+`"}]}`, key, dev.Token, "Content-Type", "application/vnd.api+json; ext=bulk")
	assert.Equal(t, 400, a.status, "the resource type is the singular token")
	a = call(t, srv, "DELETE", "/tokens", `{"data":[]}`, key, dev.Token, "Content-Type", "application/vnd.api+json; ext=bulk")
	assert.Equal(t, 400, a.status, "at least one item")

	devClient := client(t, srv, dev.Token)
	err := devClient.RevokeMany(ctx, ids[0], "NoSuchToken0000000000")
	require.ErrorIs(t, err, wrapper.ErrNotFound)
	_, err = devClient.Get(ctx, ids[0])
	require.NoError(t, err, "all or nothing: the known id was not revoked")

	adminTokens, err := client(t, srv, admin.Token).List(ctx)
	require.NoError(t, err)
	require.ErrorIs(t, devClient.RevokeMany(ctx, ids[0], adminTokens[0].ID), wrapper.ErrForbidden)

	require.NoError(t, devClient.RevokeMany(ctx, ids...))
	for _, id := range ids {
		_, err = devClient.Get(ctx, id)
		require.ErrorIs(t, err, wrapper.ErrNotFound)
	}
}

func TestRateLimit(t *testing.T) {
	srv, clk := start(t, api.WithWriteLimit(3))
	dev := srv.Accounts[1]
	c := client(t, srv, dev.Token)
	reset := time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC)
	for i := range 3 {
		err := c.Revoke(ctx, "NoSuchToken0000000000")
		require.ErrorIs(t, err, wrapper.ErrNotFound)
		assert.Equal(t, wrapper.RateLimit{Remaining: 2 - i, Reset: reset, Known: true}, c.RateLimit())
	}
	_, err := c.List(ctx)
	require.NoError(t, err, "GETs are not counted")

	err = c.Revoke(ctx, "NoSuchToken0000000000")
	require.ErrorIs(t, err, wrapper.ErrRateLimited)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "You have exceeded your hourly rate limit. Please contact support@fastly.com if you think this is a mistake.", apiErr.Message)
	assert.Equal(t, reset, apiErr.RateLimitReset)
	assert.Equal(t, 0, apiErr.RateLimitRemaining)

	// Budgets are per user.
	require.ErrorIs(t, client(t, srv, srv.Accounts[0].Token).Revoke(ctx, "NoSuchToken0000000000"), wrapper.ErrNotFound)

	clk.Advance(50 * time.Minute) // 13:00: a new window
	require.ErrorIs(t, c.Revoke(ctx, "NoSuchToken0000000000"), wrapper.ErrNotFound)
	assert.Equal(t, 2, c.RateLimit().Remaining)
}

// TestContractRejectsMalformedRequests: requests outside the contract get
// 400 with a message that says what is wrong.
func TestContractRejectsMalformedRequests(t *testing.T) {
	srv, _ := start(t)
	key := srv.Accounts[1].Token
	a := call(t, srv, "GET", "/tokens/abc-def", "", "Fastly-Key", key)
	assert.Equal(t, 400, a.status)
	var body struct{ Msg, Detail string }
	require.NoError(t, json.Unmarshal([]byte(a.body), &body))
	assert.Equal(t, "Bad request", body.Msg)
	assert.Contains(t, body.Detail, "token_id")

	a = call(t, srv, "DELETE", "/tokens", `{"data":"nope"}`, "Fastly-Key", key, "Content-Type", "application/vnd.api+json; ext=bulk")
	assert.Equal(t, 400, a.status)
	require.NoError(t, json.Unmarshal([]byte(a.body), &body))
	assert.Contains(t, body.Detail, "data")

	a = call(t, srv, "GET", "/no/such/endpoint", "", "Fastly-Key", key)
	assert.Equal(t, 404, a.status)
}

func TestConcurrentClients(t *testing.T) {
	srv, _ := start(t, api.WithWriteLimit(100000))
	admin := srv.Accounts[0]
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithBasicAuth(admin.Login, admin.Password), wrapper.WithToken(admin.Token))
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				created, err := c.Create(ctx, wrapper.CreateInput{Name: "load"})
				if err != nil {
					errs <- err
					return
				}
				if _, err := c.List(ctx); err != nil {
					errs <- err
				}
				if (g+i)%2 == 0 {
					errs <- c.Revoke(ctx, created.ID)
				} else {
					errs <- c.RevokeMany(ctx, created.ID)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	left, err := c.List(ctx)
	require.NoError(t, err)
	assert.Len(t, left, 2, "every created token was revoked exactly once")
}
