package wrapper_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/wrapper"
)

// Behaviours a mutation run found unpinned, each pinned through HTTP.

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

// TestBasicAuthPasswordEchoIsRedacted: a server that echoes the password
// given to WithBasicAuth does not get it into the error.
func TestBasicAuthPasswordEchoIsRedacted(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(400, `{"msg":"bad password `+testPassword+`","detail":"for basic:`+testPassword+`"}`))
	c, err := wrapper.New(wrapper.WithBaseURL(f.url()), wrapper.WithBasicAuth("me@example.com", testPassword), wrapper.WithRetry(wrapper.RetryPolicy{}))
	require.NoError(t, err)
	_, err = c.Create(ctx, wrapper.CreateInput{Name: "x"})
	require.Error(t, err)
	noSecrets(t, err.Error())
	assert.Contains(t, err.Error(), "[REDACTED]")
}

// TestHTTPOnlyOnLoopback: plain http is refused on any host that is not
// loopback, IP addresses included.
func TestHTTPOnlyOnLoopback(t *testing.T) {
	for _, refused := range []string{"http://10.0.0.1", "http://192.168.1.10:8080", "http://8.8.8.8/", "http://[2001:db8::1]:80",
		"http://0.0.0.0:80", "http://localhost.evil.example", "http://127.0.0.1.nip.io"} {
		_, err := wrapper.New(wrapper.WithBaseURL(refused))
		require.ErrorIs(t, err, wrapper.ErrInvalidInput, refused)
	}
	for _, allowed := range []string{"http://127.0.0.1:1", "http://127.1.2.3:1", "http://[::1]:1", "http://localhost:1", "https://10.0.0.1"} {
		_, err := wrapper.New(wrapper.WithBaseURL(allowed))
		require.NoError(t, err, allowed)
	}
}

// TestBodyOfExactlyTheBound: a body of exactly WithMaxResponseBytes is read,
// declared or streamed; one byte more is ErrResponseTooLarge.
func TestBodyOfExactlyTheBound(t *testing.T) {
	ctx := t.Context()
	body := "[" + readTokenJSON + "]"
	for _, streamed := range []bool{false, true} {
		for extra, tooLarge := range map[int]bool{0: false, 1: true} {
			padded := body + strings.Repeat(" ", extra)
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if !streamed {
					w.Header().Set("Content-Length", strconv.Itoa(len(padded)))
				}
				_, _ = w.Write([]byte(padded[:10]))
				w.(http.Flusher).Flush() // without Content-Length: chunked
				_, _ = w.Write([]byte(padded[10:]))
			})
			c := f.client(t, wrapper.WithMaxResponseBytes(int64(len(body))))
			tokens, err := c.List(ctx)
			if tooLarge {
				require.ErrorIs(t, err, wrapper.ErrResponseTooLarge, "streamed %t", streamed)
			} else {
				require.NoError(t, err, "streamed %t", streamed)
				assert.Len(t, tokens, 1)
			}
		}
	}
}

// TestErrorAnswersReuseTheConnection: an error body longer than what the
// error keeps is drained, so the connection is reused.
func TestErrorAnswersReuseTheConnection(t *testing.T) {
	ctx := t.Context()
	big := `{"msg":"` + strings.Repeat("x", 96<<10) + `"}` // more than the 64 KiB an error keeps
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(reply(404, big))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) { // set before the server starts
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(testKey), wrapper.WithRetry(wrapper.RetryPolicy{}))
	require.NoError(t, err)
	for range 5 {
		_, err := c.Get(ctx, "abc")
		require.ErrorIs(t, err, wrapper.ErrNotFound)
	}
	assert.Equal(t, int32(1), conns.Load(), "one connection for five error answers")
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

// TestEmptyServicesAreNil: "services": [] and absent services both read as
// nil (all services), so a Token's JSON round trip holds.
func TestEmptyServicesAreNil(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, `{"id":"abc","services":[]}`))
	tok, err := f.client(t).Get(ctx, "abc")
	require.NoError(t, err)
	assert.Nil(t, tok.Services)
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

// TestJSONEscapedEchoIsRedacted: a password echoed JSON-escaped in a body
// that is not JSON (so nothing unescapes it) is redacted in that form too.
func TestJSONEscapedEchoIsRedacted(t *testing.T) {
	ctx := t.Context()
	const password = `pa<ss>w&rd"q\z`
	escaped := `pa\u003css\u003ew\u0026rd\"q\\z`
	f := newFake(t, reply(500, "upstream said: "+escaped, "Content-Type", "text/plain"))
	_, err := f.client(t).Create(ctx, wrapper.CreateInput{Name: "x", Username: "me", Password: password})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "u003css")
	assert.Contains(t, err.Error(), "[REDACTED]")
}

// TestEntityEscapedEchoIsRedacted: an HTML error page that echoes a
// password entity-escaped (&amp;, &#39;, &lt;) loses it as well; so does a
// raw echo of a password that itself reads like an entity.
func TestEntityEscapedEchoIsRedacted(t *testing.T) {
	ctx := t.Context()
	const password = `it's&a<pass>word`
	for _, page := range []string{
		`<html><body><p>login it&#39;s&amp;a&lt;pass&gt;word refused</p></body></html>`,
		`<html><title>refused it&#x27;s&amp;a&lt;pass&gt;word</title></html>`,
		`{"msg":"refused it&apos;s&amp;a&lt;pass&gt;word"}`,
	} {
		f := newFake(t, reply(502, page, "Content-Type", "text/html"))
		_, err := f.client(t).Create(ctx, wrapper.CreateInput{Name: "x", Username: "me", Password: password})
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "pass>word", page)
		assert.NotContains(t, err.Error(), "s&a<pass", page)
		assert.NotContains(t, err.Error(), "&lt;pass&gt;", page)
		assert.Contains(t, err.Error(), "[REDACTED]", page)
	}
	const entityLike = "Passw&lt;rd-1234"
	f := newFake(t, reply(403, `{"msg":"bad `+entityLike+`"}`))
	_, err := f.client(t).Create(ctx, wrapper.CreateInput{Name: "x", Username: "me", Password: entityLike})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Passw<rd")
	assert.NotContains(t, err.Error(), "rd-1234")
}
