package wrapper_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/wrapper"
)

// badIDs would each reach a wrong endpoint if sent: "" and "." become
// /tokens/, ".." becomes /, "self" the caller's own token, and the rest
// change the path or query.
var badIDs = []string{"", ".", "..", "self", "a/b", "../tokens", "a b", "a%2Fb", "%2e%2e", "ab?c", "ab#c", "a\nb", "tökén", "a-b", "a_b", strings.Repeat("a", 65)}

// TestBadIDsSendNothing: every method that takes an id refuses a bad one with
// ErrInvalidInput, without a request and without echoing the value.
func TestBadIDsSendNothing(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	c := f.client(t)
	for _, id := range badIDs {
		calls := map[string]error{}
		_, calls["Get"] = c.Get(ctx, id)
		calls["Revoke"] = c.Revoke(ctx, id)
		_, calls["ListForCustomer"] = c.ListForCustomer(ctx, id)
		calls["RevokeMany"] = c.RevokeMany(ctx, "abc", id)
		_, calls["Create"] = c.Create(ctx, wrapper.CreateInput{Services: []string{id}})
		for name, err := range calls {
			require.ErrorIs(t, err, wrapper.ErrInvalidInput, "%s(%q)", name, id)
			if len(id) > 2 && id != "self" {
				assert.NotContains(t, err.Error(), id, "%s echoes the id", name)
			}
		}
	}
	require.Empty(t, f.requests(), "no request may be sent for bad input")
}

func TestLongAlphanumericIDsAreFine(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	require.NoError(t, f.client(t).Revoke(ctx, strings.Repeat("a", 64)))
	require.NoError(t, f.client(t).Revoke(ctx, "xxxxxxxxxxxxxxxxxxxxx")) // 21 characters, as one real id
	require.Len(t, f.requests(), 2)
}

func TestRevokeManyEmptySendsNothing(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	c := f.client(t)
	require.ErrorIs(t, c.RevokeMany(ctx), wrapper.ErrInvalidInput)
	require.ErrorIs(t, c.RevokeMany(ctx, []string{}...), wrapper.ErrInvalidInput)
	require.Empty(t, f.requests())
}

func TestRevokeSelfIsRefused(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(204, ""))
	err := f.client(t).Revoke(ctx, "self")
	require.ErrorIs(t, err, wrapper.ErrInvalidInput)
	require.Contains(t, err.Error(), "RevokeCurrent")
	require.Empty(t, f.requests())
}

func TestCreateInputChecks(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, createdJSON))
	c := f.client(t)
	bad := []wrapper.CreateInput{
		{Scopes: []wrapper.Scope{""}},
		{Scopes: []wrapper.Scope{"global purge_all"}},
		{Username: "u"},
		{Password: testPassword},
		{OTP: "12\r\n34"},
		{Name: "a\nb"},
	}
	for _, in := range bad {
		_, err := c.Create(ctx, in)
		require.ErrorIs(t, err, wrapper.ErrInvalidInput, "%v", in)
		noSecrets(t, err.Error())
	}
	require.Empty(t, f.requests())
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

// TestSecretsNeverPrint: %v, %+v, %#v, %s of every type holding a secret,
// and of the Client, show no secret.
func TestSecretsNeverPrint(t *testing.T) {
	c, err := wrapper.New(wrapper.WithToken(testKey), wrapper.WithBasicAuth("me", testPassword))
	require.NoError(t, err)
	in := wrapper.CreateInput{Name: "n", Username: "me", Password: testPassword, OTP: testOTP, ExpiresAt: time.Unix(0, 0)}
	sudo := wrapper.SudoInput{Username: "me", Password: testPassword, OTP: testOTP}
	created := wrapper.CreatedToken{Token: wrapper.Token{ID: "abc", Name: "n"}, AccessToken: "QoU3neoxQQ6IPL8g7eRkkCjyWcwdNI7J"}
	for _, v := range []any{c, in, &in, sudo, &sudo, created, &created} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			text := fmt.Sprintf(verb, v)
			noSecrets(t, text, "QoU3neoxQQ6IPL8g7eRkkCjyWcwdNI7J")
		}
	}
	assert.Contains(t, fmt.Sprintf("%+v", in), "Name:n")
	assert.Contains(t, fmt.Sprintf("%+v", created), "ID:abc")
	assert.Contains(t, fmt.Sprintf("%v", created), "[REDACTED]")
}

// TestUniqueTokenIDs: checked and de-duplicated in order; a bad id names
// its place and fails the whole list.
func TestUniqueTokenIDs(t *testing.T) {
	ids, err := wrapper.UniqueTokenIDs([]string{"b", "a", "b", "c", "a"})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "a", "c"}, ids)
	_, err = wrapper.UniqueTokenIDs([]string{"a", "self"})
	require.ErrorIs(t, err, wrapper.ErrInvalidInput)
	assert.Contains(t, err.Error(), "token id 2 of 2 is \"self\"")
	_, err = wrapper.UniqueTokenIDs([]string{"a", "b", "../x"})
	assert.EqualError(t, err, "fastly: invalid input: token id 3 of 3 must be alphanumeric (character 1 is not)")
	ids, err = wrapper.UniqueTokenIDs(nil)
	require.NoError(t, err)
	assert.Empty(t, ids)
}
