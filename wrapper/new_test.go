package wrapper_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/wrapper"
)

// TestClone: a clone keeps the base URL and settings, takes its own key, and
// leaves the original unchanged.
func TestClone(t *testing.T) {
	ctx := t.Context()
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

// TestCallTimeoutBoundsEveryCall: WithCallTimeout bounds a call even when
// its context has a later deadline; zero or negative is refused.
func TestCallTimeoutBoundsEveryCall(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(testKey), wrapper.WithRetry(wrapper.RetryPolicy{}),
		wrapper.WithCallTimeout(100*time.Millisecond))
	require.NoError(t, err)
	long, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err = c.List(long)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second, "the call's bound, not the context's minute")
	clone, err := c.Clone()
	require.NoError(t, err)
	start = time.Now()
	_, err = clone.Current(long)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second, "clones keep it")
	for _, bad := range []time.Duration{0, -time.Second} {
		_, err = wrapper.New(wrapper.WithCallTimeout(bad))
		require.ErrorIs(t, err, wrapper.ErrInvalidInput)
	}
}
