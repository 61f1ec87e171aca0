package wrapper_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokenward/fastlytokens/wrapper"
)

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

func TestNewOptionChecks(t *testing.T) {
	cases := map[string]wrapper.Option{
		"http on a public host":   wrapper.WithBaseURL("http://api.fastly.com"),
		"user info":               wrapper.WithBaseURL("https://api.fastly.com@evil.example/"),
		"user info with password": wrapper.WithBaseURL("https://user:" + testPassword + "@api.fastly.com/"),
		"query":                   wrapper.WithBaseURL("https://api.fastly.com/?x=1"),
		"fragment":                wrapper.WithBaseURL("https://api.fastly.com/#x"),
		"no host":                 wrapper.WithBaseURL("https:///tokens"),
		"not a URL":               wrapper.WithBaseURL("::"),
		"ftp":                     wrapper.WithBaseURL("ftp://api.fastly.com"),
		"key with CRLF":           wrapper.WithToken(testKey + "\r\nX-Evil: 1"),
		"empty key":               wrapper.WithToken(""),
		"password with LF":        wrapper.WithBasicAuth("u", testPassword+"\n"),
		"username with colon":     wrapper.WithBasicAuth("u:v", testPassword),
		"nil http client":         wrapper.WithHTTPClient(nil),
		"empty user agent":        wrapper.WithUserAgent(""),
		"negative retries":        wrapper.WithRetry(wrapper.RetryPolicy{MaxRetries: -1}),
		"zero body bound":         wrapper.WithMaxResponseBytes(0),
	}
	for name, opt := range cases {
		c, err := wrapper.New(opt)
		require.ErrorIs(t, err, wrapper.ErrInvalidInput, name)
		require.Nil(t, c, name)
		noSecrets(t, err.Error())
	}
	for _, ok := range []string{"https://api.fastly.com", "http://127.0.0.1:8080", "http://localhost:1/prefix", "http://[::1]:9/", "https://proxy.example/fastly/"} {
		_, err := wrapper.New(wrapper.WithBaseURL(ok))
		require.NoError(t, err, ok)
	}
}
