package wrapper_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tokenward/fastlytokens/wrapper"
)

// TestEncodedSecretsAreRedacted: a server echoing credentials URL-encoded,
// in an Authorization header's base64, cut short, or short themselves gets
// none of them into an error or a log line.
func TestEncodedSecretsAreRedacted(t *testing.T) {
	ctx := t.Context()
	const login, password = "ops@example.com", "pa ss@w0rd+long"
	basic := base64.StdEncoding.EncodeToString([]byte(login + ":" + password))
	echoes := []string{
		url.QueryEscape(password), url.PathEscape(password), "Basic " + basic,
		testKey[:12], "..." + testKey[len(testKey)-9:], url.QueryEscape(testKey),
	}
	for _, echo := range echoes {
		f := newFake(t, reply(403, `{"msg":"refused `+echo+` here","detail":"`+echo+`"}`))
		var logs strings.Builder
		c := f.client(t, wrapper.WithBasicAuth(login, password), wrapper.WithLogger(debugLogger(&logs)))
		_, err := c.Create(ctx, wrapper.CreateInput{Name: "x"})
		require.Error(t, err)
		assert.NotContains(t, err.Error(), strings.TrimPrefix(echo, "Basic "), echo)
		assert.Contains(t, err.Error(), "[REDACTED]", echo)
		noSecrets(t, err.Error()+logs.String(), password, url.QueryEscape(password), basic)
	}

	// Short secrets: a 3-character password and a 6-digit OTP.
	f := newFake(t, reply(400, `{"msg":"pw is abc, otp 918273"}`))
	_, err := f.client(t).Create(ctx, wrapper.CreateInput{Name: "x", Username: "me", Password: "abc", OTP: "918273"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "abc")
	assert.NotContains(t, err.Error(), "918273")

	// A secret whose head falls at the excerpt's cut leaves no 8 characters.
	f = newFake(t, reply(500, strings.Repeat("x", 195)+testKey))
	_, err = f.client(t).List(ctx)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testKey[:8])
}

// TestServerTextIsSanitised: control characters and ANSI escapes in server
// text never reach Error() or the logs.
func TestServerTextIsSanitised(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(403, "{\"msg\":\"\\u001b[31mred\\u001b[0m\\u0007bell\\u009b2Jc1\\u0085x\\u007fdel\\u001b]0;title\\u0007end\"}"))
	_, err := f.client(t).List(ctx)
	require.Error(t, err)
	text := err.Error()
	for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u0085", "\x7f", "[31m", "title"} {
		assert.NotContains(t, text, bad)
	}
	assert.Contains(t, text, "redbell")
	assert.Contains(t, text, "end")
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
	// An echo at the very start of the text, every character of the password
	// next to one an entity encodes, so no 8-character run survives
	// escaping: only unescaping finds it.
	const spread = `<a>b&c'd<e>f"g`
	f0 := newFake(t, reply(403, `{"msg":"&lt;a&gt;b&amp;c&#39;d&lt;e&gt;f&#34;g was refused"}`))
	_, err0 := f0.client(t).Create(t.Context(), wrapper.CreateInput{Name: "x", Username: "me", Password: spread})
	require.Error(t, err0)
	assert.NotContains(t, err0.Error(), "&lt;a&gt;b")
	assert.NotContains(t, err0.Error(), "<a>b&c")
	assert.Contains(t, err0.Error(), "[REDACTED] was refused")
	const entityLike = "Passw&lt;rd-1234"
	f := newFake(t, reply(403, `{"msg":"bad `+entityLike+`"}`))
	_, err := f.client(t).Create(ctx, wrapper.CreateInput{Name: "x", Username: "me", Password: entityLike})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "Passw<rd")
	assert.NotContains(t, err.Error(), "rd-1234")
}

// leakyTransport fails its first request with an error that quotes the key.
type leakyTransport struct {
	failed atomic.Bool
	next   http.RoundTripper
}

func (l *leakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if l.failed.CompareAndSwap(false, true) {
		return nil, errors.New("proxy refused key " + r.Header.Get("Fastly-Key"))
	}
	return l.next.RoundTrip(r)
}

// TestTransportErrorsRedacted: a transport error quoting a credential is
// returned with the credential replaced, the cause still reachable.
func TestTransportErrorsRedacted(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, "[]"))
	c := f.client(t, wrapper.WithHTTPClient(&http.Client{Transport: &leakyTransport{next: http.DefaultTransport}}))
	_, err := c.List(ctx)
	require.Error(t, err)
	noSecrets(t, err.Error())
	assert.Contains(t, err.Error(), "proxy refused key [REDACTED]")
}

// TestTerminalSafeDropsFormatCharacters: bidi overrides and zero-width
// characters (Unicode Cf), which reorder or hide what a terminal shows, are
// removed from server text like escapes; other non-ASCII text stays.
func TestTerminalSafeDropsFormatCharacters(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "evil naïve", wrapper.TerminalSafe("\u202eev\u200bil\u2066 na\u00efve\ufeff"))
	assert.Equal(t, "a b", wrapper.TerminalSafe("a\tb"))
	assert.Equal(t, "plain", wrapper.TerminalSafe("plain"))
}
