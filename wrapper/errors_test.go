package wrapper_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/wrapper"
)

// TestErrorMapping: every non-success is an *APIError with status, message,
// detail and code, matching exactly the sentinels it stands for.
func TestErrorMapping(t *testing.T) {
	ctx := t.Context()
	all := []error{wrapper.ErrUnauthorized, wrapper.ErrForbidden, wrapper.ErrSudoRequired, wrapper.ErrNotFound,
		wrapper.ErrRateLimited, wrapper.ErrTwoFactorRequired, wrapper.ErrRedirect, wrapper.ErrInvalidInput}
	cases := []struct {
		name    string
		status  int
		body    string
		matches []error
		message string
		code    string
		text    string // the whole Error() line
	}{
		{"401", 401, `{"msg":"Provided credentials are missing or invalid"}`, []error{wrapper.ErrUnauthorized},
			"Provided credentials are missing or invalid", "",
			"fastly: POST /tokens: 401 Unauthorized: Provided credentials are missing or invalid"},
		{"403", 403, `{"msg":"Token lookup failed"}`, []error{wrapper.ErrForbidden}, "Token lookup failed", "", ""},
		{"403 read only", 403, `{"msg":"Read only tokens are not allowed to access this endpoint."}`, []error{wrapper.ErrForbidden},
			"Read only tokens are not allowed to access this endpoint.", "", ""},
		{"403 sudo", 403, `{"msg":"You must POST /sudo to access this endpoint"}`, []error{wrapper.ErrForbidden, wrapper.ErrSudoRequired},
			"You must POST /sudo to access this endpoint", "", ""},
		{"404", 404, `{"msg":"Token lookup failed"}`, []error{wrapper.ErrNotFound}, "Token lookup failed", "", ""},
		{"400 2fa", 400, `{"code":"2fa.verify"}`, []error{wrapper.ErrTwoFactorRequired}, "", "2fa.verify",
			"fastly: POST /tokens: 400 Bad Request (code 2fa.verify)"},
		{"400 invalid_grant", 400, `{"code":"invalid_grant"}`, nil, "", "invalid_grant", ""},
		{"422 msg detail", 422, `{"msg":"Unprocessable Entity","detail":"expires_at must be RFC 3339"}`, nil, "Unprocessable Entity", "",
			"fastly: POST /tokens: 422 Unprocessable Entity (expires_at must be RFC 3339)"},
		{"JSON:API errors", 409, `{"errors":[{"title":"Conflict","detail":"busy","code":"x"}]}`, nil, "Conflict", "x", ""},
		{"problem+json", 400, `{"type":"about:blank","title":"Bad things","detail":"very","status":400}`, nil, "Bad things", "", ""},
		{"detail of another type", 400, `{"msg":"odd","detail":{"a":1}}`, nil, "odd", "", ""},
		{"HTML 502", 502, "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad</h1></body></html>", nil, "502 Bad Gateway", "", ""},
		{"HTML without title", 503, "<html><body><p>Service\n   down</p></body></html>", nil, "Service down", "", ""},
		{"empty 500", 500, "", nil, "", "", "fastly: POST /tokens: 500 Internal Server Error"},
		{"truncated JSON", 500, `{"msg":"Tok`, nil, `{"msg":"Tok`, "", ""},
		{"plain text", 500, "upstream connect error", nil, "upstream connect error", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, reply(tc.status, tc.body))
			_, err := f.client(t).Create(ctx, wrapper.CreateInput{Name: "x"})
			var apiErr *wrapper.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.message, apiErr.Message)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Equal(t, "POST", apiErr.Method)
			assert.Equal(t, "/tokens", apiErr.Path)
			for _, sentinel := range all {
				assert.Equal(t, contains(tc.matches, sentinel), errors.Is(err, sentinel), "errors.Is(%v)", sentinel)
			}
			// A 5xx to a create leaves its outcome unknown: the token may exist.
			assert.Equal(t, tc.status >= 500, errors.Is(err, wrapper.ErrOutcomeUnknown), "outcome unknown")
			line := apiErr.Error()
			assert.NotContains(t, err.Error(), "\n")
			assert.True(t, strings.HasPrefix(line, "fastly: POST /tokens: "), line)
			if tc.text != "" {
				assert.Equal(t, tc.text, line)
			}
		})
	}
}

func contains(list []error, target error) bool { return slices.Contains(list, target) }

func TestHugeErrorBodyGivesShortError(t *testing.T) {
	ctx := t.Context()
	huge := `{"msg":"` + strings.Repeat("x", 1<<20) + `"}`
	f := newFake(t, reply(500, huge))
	_, err := f.client(t).List(ctx)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Less(t, len(err.Error()), 400)
	assert.Equal(t, 500, apiErr.StatusCode)
}

func TestHugeHTMLBodyGivesShortError(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(503, "<html><body>"+strings.Repeat("<p>overloaded</p>", 100000)+"</body></html>", "Content-Type", "text/html"))
	_, err := f.client(t).List(ctx)
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 400)
	assert.Contains(t, err.Error(), "overloaded")
}

// TestErrorsNeverContainSecrets: a server echoing the key, password, OTP or
// an access token back in msg, detail or Location does not get them into the
// error text.
func TestErrorsNeverContainSecrets(t *testing.T) {
	ctx := t.Context()
	echo := `{"msg":"bad key ` + testKey + ` or password ` + testPassword + `","detail":"otp ` + testOTP + `"}`
	f := newFake(t, reply(400, echo))
	c := f.client(t, wrapper.WithBasicAuth("me", testPassword))
	_, err := c.Create(ctx, wrapper.CreateInput{Name: "x", Username: "me", Password: testPassword, OTP: testOTP})
	require.Error(t, err)
	noSecrets(t, err.Error())
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	noSecrets(t, apiErr.Message+apiErr.Detail)
	assert.Contains(t, apiErr.Message, "[REDACTED]")

	f2 := newFake(t, reply(302, "", "Location", "https://evil.example/steal?key="+testKey))
	_, err = f2.client(t).List(ctx)
	require.Error(t, err)
	noSecrets(t, err.Error())
}

// TestRateLimitOnErrors: the 429 error carries the headers and says when the
// window resets; the Client's RateLimit is updated from errors too.
func TestRateLimitOnErrors(t *testing.T) {
	ctx := t.Context()
	reset := time.Date(2026, 11, 28, 18, 0, 0, 0, time.UTC)
	f := newFake(t, reply(429, `{"msg":"You have exceeded your hourly rate limit. Please contact support@fastly.com if you think this is a mistake."}`,
		"Fastly-RateLimit-Remaining", "0", "Fastly-RateLimit-Reset", "1795888800"))
	c := f.client(t)
	err := c.Revoke(ctx, "abc")
	require.ErrorIs(t, err, wrapper.ErrRateLimited)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 0, apiErr.RateLimitRemaining)
	assert.Equal(t, reset, apiErr.RateLimitReset)
	assert.Contains(t, err.Error(), "resets at 2026-11-28T18:00:00Z")
	assert.Equal(t, wrapper.RateLimit{Remaining: 0, Reset: reset, Known: true}, c.RateLimit())
}

func TestRateLimitOnSuccess(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, "", "Fastly-RateLimit-Remaining", "976", "Fastly-RateLimit-Reset", "1740463200"))
	c := f.client(t)
	assert.False(t, c.RateLimit().Known)
	require.NoError(t, c.Revoke(ctx, "abc"))
	assert.Equal(t, wrapper.RateLimit{Remaining: 976, Reset: time.Unix(1740463200, 0).UTC(), Known: true}, c.RateLimit())
}

func TestRateLimitAbsentIsMinusOne(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(404, `{"msg":"Token lookup failed"}`))
	_, err := f.client(t).Get(ctx, "abc")
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, -1, apiErr.RateLimitRemaining)
	assert.True(t, apiErr.RateLimitReset.IsZero())
}

// TestRedirectNotFollowed: a redirect to another host is an error; the other
// host sees no request (so no key), and a redirected DELETE is never
// reported as a success.
func TestRedirectNotFollowed(t *testing.T) {
	ctx := t.Context()
	other := newFake(t, reply(200, "[]"))
	for _, status := range []int{301, 302, 303, 307, 308} {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.url()+"/tokens/abc", status)
		})
		c := f.client(t)
		err := c.Revoke(ctx, "abc")
		require.ErrorIs(t, err, wrapper.ErrRedirect, "status %d", status)
		var apiErr *wrapper.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, status, apiErr.StatusCode)
		assert.Equal(t, other.url()+"/tokens/abc", apiErr.Location)
		_, err = c.List(ctx)
		require.ErrorIs(t, err, wrapper.ErrRedirect)
		assert.Len(t, f.requests(), 2)
	}
	require.Empty(t, other.requests(), "the other host must never be contacted")
}

// TestRedirectSameHostNotFollowedEither: even on the same host a redirect is
// reported, so a DELETE never turns into a GET.
func TestRedirectSameHostNotFollowedEither(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "DELETE" {
			http.Redirect(w, r, "/api/tokens/elsewhere", http.StatusFound)
			return
		}
		reply(200, readTokenJSON)(w, r)
	})
	err := f.client(t).Revoke(ctx, "abc")
	require.ErrorIs(t, err, wrapper.ErrRedirect)
	require.Len(t, f.requests(), 1)
	assert.Equal(t, "DELETE", f.requests()[0].Method)
}

// TestCallerHTTPClientKeptIntact: WithHTTPClient copies the client; its
// redirect policy and transport are not replaced or modified.
func TestCallerHTTPClientKeptIntact(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, "[]"))
	mine := &http.Client{Timeout: 7 * time.Second}
	c, err := wrapper.New(wrapper.WithBaseURL(f.url()), wrapper.WithToken(testKey), wrapper.WithHTTPClient(mine))
	require.NoError(t, err)
	_, err = c.List(ctx)
	require.NoError(t, err)
	assert.Nil(t, mine.CheckRedirect)
	assert.Nil(t, mine.Transport)
	assert.Equal(t, 7*time.Second, mine.Timeout)
}

// TestSecretAtTheCutIsRedacted: a secret straddling the excerpt's cut is
// replaced before the cut, so not even its first characters survive.
func TestSecretAtTheCutIsRedacted(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(400, `{"msg":"`+strings.Repeat("x", 190)+testKey+`"}`))
	_, err := f.client(t).List(ctx)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testKey[:8])
}
