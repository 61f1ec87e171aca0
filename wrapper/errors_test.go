package wrapper_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

// TestRedirectLocationLosesUserInfoAndQuery: a redirect target is reported
// without user info, query or fragment, which may carry someone's
// credentials; an @ in the path is kept.
func TestRedirectLocationLosesUserInfoAndQuery(t *testing.T) {
	ctx := t.Context()
	for location, want := range map[string]string{
		"https://alice:hunter2@evil.example/steal?token=abc123#frag": "https://evil.example/steal",
		"https://bob@evil.example":                                   "https://evil.example",
		"https://evil.example/a@b?token=abc123":                      "https://evil.example/a@b",
		"/relative?token=abc123":                                     "/relative",
		"?token=abc123":                                              "",
		"://alice:hunter2@evil.example/x":                            "unparsed",
		"https://alice:hunter2@evil.example/%zz?token=abc123":        "unparsed",
		"https://@evil.example/x":                                    "https://evil.example/x",
	} {
		f := newFake(t, reply(302, "", "Location", location))
		_, err := f.client(t, fastRetry).List(ctx)
		require.ErrorIs(t, err, wrapper.ErrRedirect, location)
		assert.Len(t, f.requests(), 1, "a redirect is never retried")
		var apiErr *wrapper.APIError
		if want == "unparsed" { // net/http cannot parse it: no APIError, and no Location in the text
			assert.False(t, errors.As(err, &apiErr))
			assert.Contains(t, err.Error(), "Location does not parse")
		} else {
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, want, apiErr.Location, location)
		}
		for _, secret := range []string{"hunter2", "abc123", "alice", "frag"} {
			assert.NotContains(t, err.Error(), secret, location)
		}
	}
}

// TestSentinelTable: each status (and body) matches exactly its sentinels.
func TestSentinelTable(t *testing.T) {
	sentinels := map[string]error{"unauthorized": wrapper.ErrUnauthorized, "forbidden": wrapper.ErrForbidden,
		"sudo": wrapper.ErrSudoRequired, "notfound": wrapper.ErrNotFound, "ratelimited": wrapper.ErrRateLimited,
		"2fa": wrapper.ErrTwoFactorRequired, "redirect": wrapper.ErrRedirect}
	cases := []struct {
		err  *wrapper.APIError
		want []string
	}{
		{&wrapper.APIError{StatusCode: 299}, nil},
		{&wrapper.APIError{StatusCode: 300}, []string{"redirect"}},
		{&wrapper.APIError{StatusCode: 302}, []string{"redirect"}},
		{&wrapper.APIError{StatusCode: 399}, []string{"redirect"}},
		{&wrapper.APIError{StatusCode: 400}, nil},
		{&wrapper.APIError{StatusCode: 400, Code: "2fa.verify"}, []string{"2fa"}},
		{&wrapper.APIError{StatusCode: 401, Code: "2fa.verify"}, []string{"unauthorized"}},
		{&wrapper.APIError{StatusCode: 401}, []string{"unauthorized"}},
		{&wrapper.APIError{StatusCode: 403}, []string{"forbidden"}},
		{&wrapper.APIError{StatusCode: 403, Message: "You must POST /sudo to access this endpoint"}, []string{"forbidden", "sudo"}},
		{&wrapper.APIError{StatusCode: 401, Message: "You must POST /sudo to access this endpoint"}, []string{"unauthorized"}},
		{&wrapper.APIError{StatusCode: 404}, []string{"notfound"}},
		{&wrapper.APIError{StatusCode: 429}, []string{"ratelimited"}},
		{&wrapper.APIError{StatusCode: 500}, nil},
		{&wrapper.APIError{StatusCode: 503}, nil},
	}
	for _, tc := range cases {
		for name, sentinel := range sentinels {
			want := false
			for _, w := range tc.want {
				want = want || w == name
			}
			assert.Equal(t, want, errors.Is(tc.err, sentinel), "%d %q %q is %s", tc.err.StatusCode, tc.err.Code, tc.err.Message, name)
		}
		assert.False(t, errors.Is(tc.err, wrapper.ErrInvalidInput))
	}
}

// TestErrorBodyShapes: msg/detail/code, JSON:API errors[] filling what is
// missing, an HTML title at the very start, a JSON body of no known shape,
// and a long message cut on a rune boundary.
func TestErrorBodyShapes(t *testing.T) {
	ctx := t.Context()
	cases := []struct {
		body, contentType     string
		message, detail, code string
	}{
		{`{"errors":[{"title":"T","detail":"D","code":"C"}]}`, "application/vnd.api+json", "T", "D", "C"},
		{`{"msg":"M","errors":[{"title":"T","detail":"D","code":"C"}]}`, "", "M", "D", "C"},
		{`{"detail":"own","errors":[{"title":"T","detail":"D"}]}`, "", "T", "own", ""},
		{`{"code":"invalid_grant"}`, "", "", "", "invalid_grant"},
		{`{"unexpected":"shape"}`, "", `{"unexpected":"shape"}`, "", ""},
		{`<title>Bad Gateway</title><body><p>try later</p></body>`, "text/html", "Bad Gateway", "", ""},
		{`<html><body><p>try later</p></body></html>`, "text/html", "try later", "", ""},
		{`<HTML><HEAD><TITLE>Service Unavailable</TITLE></HEAD><BODY>Try later</BODY></HTML>`, "text/html", "Service Unavailable", "", ""},
		{`<html><head><title> </title></head><body>Try later</body></html>`, "text/html", "Try later", "", ""},
	}
	for _, tc := range cases {
		headers := []string{}
		if tc.contentType != "" {
			headers = append(headers, "Content-Type", tc.contentType)
		}
		f := newFake(t, reply(502, tc.body, headers...))
		_, err := f.client(t).List(ctx)
		var apiErr *wrapper.APIError
		require.ErrorAs(t, err, &apiErr, tc.body)
		assert.Equal(t, tc.message, apiErr.Message, tc.body)
		assert.Equal(t, tc.detail, apiErr.Detail, tc.body)
		assert.Equal(t, tc.code, apiErr.Code, tc.body)
	}

	long := "a" + strings.Repeat("é", 400) // two bytes each, after one: byte 200 is inside a rune
	f := newFake(t, reply(400, `{"msg":"`+long+`"}`))
	_, err := f.client(t).List(ctx)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, utf8.ValidString(apiErr.Message), "cut on a rune boundary")
	assert.True(t, strings.HasSuffix(apiErr.Message, "…"))
	assert.LessOrEqual(t, len(apiErr.Message), 200+len("…"), "at most 200 bytes and the ellipsis")
	assert.Less(t, len(apiErr.Message), len(long))
}

// TestStatus300IsARedirectNotASuccess: 2xx only is success.
func TestStatus300IsARedirectNotASuccess(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(300, "["+readTokenJSON+"]", "Location", "/elsewhere"))
	tokens, err := f.client(t).List(ctx)
	require.ErrorIs(t, err, wrapper.ErrRedirect)
	assert.Nil(t, tokens)
	var apiErr *wrapper.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "/elsewhere", apiErr.Location)

	// A 300 is not a redirect net/http follows, so it never parses the
	// Location: user info is still stripped from the text it carries.
	f = newFake(t, reply(300, "", "Location", "://alice:hunter2@evil.example/x"))
	_, err = f.client(t).List(ctx)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "://evil.example/x", apiErr.Location)
	assert.NotContains(t, err.Error(), "hunter2")

	// Location is kept for 3xx answers only.
	f = newFake(t, reply(400, `{"msg":"no"}`, "Location", "/elsewhere"))
	_, err = f.client(t).List(ctx)
	require.ErrorAs(t, err, &apiErr)
	assert.Empty(t, apiErr.Location)
	assert.NotContains(t, err.Error(), "elsewhere")
}
