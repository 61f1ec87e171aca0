package wrapper_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/wrapper"
)

// TestClone: a clone keeps the base URL and settings, takes its own key, and
// leaves the original unchanged.
func TestClone(t *testing.T) {
	f := newFake(t, reply(200, readTokenJSON))
	c := f.client(t, wrapper.WithUserAgent("ua/1"))
	clone, err := c.Clone(wrapper.WithToken("Another-key-0123456789"))
	require.NoError(t, err)
	_, err = clone.Current(ctx)
	require.NoError(t, err)
	_, err = c.Current(ctx)
	require.NoError(t, err)
	reqs := f.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/api/tokens/self", reqs[0].Path, "the clone keeps the base URL")
	assert.Equal(t, "Another-key-0123456789", reqs[0].Header.Get("Fastly-Key"))
	assert.Equal(t, "ua/1", reqs[0].Header.Get("User-Agent"), "and the other settings")
	assert.Equal(t, testKey, reqs[1].Header.Get("Fastly-Key"), "the original is unchanged")
	_, err = c.Clone(wrapper.WithToken("bad\nkey"))
	require.ErrorIs(t, err, wrapper.ErrInvalidInput)
}

// TestBaseURL: the address a Client talks to, without its trailing slash;
// the default is Fastly's.
func TestBaseURL(t *testing.T) {
	c, err := wrapper.New()
	require.NoError(t, err)
	assert.Equal(t, "https://api.fastly.com", c.BaseURL())
	c, err = wrapper.New(wrapper.WithBaseURL("http://127.0.0.1:8080/api/"))
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080/api", c.BaseURL())
	clone, err := c.Clone(wrapper.WithToken("Another-key-0123456789"))
	require.NoError(t, err)
	assert.Equal(t, c.BaseURL(), clone.BaseURL())
}
