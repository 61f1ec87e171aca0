package wrapper

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTransportRefusesForeignHost: the auth transport refuses, before
// dialing, any request to a host other than the base URL's.
func TestTransportRefusesForeignHost(t *testing.T) {
	dialed := false
	base := RoundTripFunc(func(*http.Request) (*http.Response, error) { dialed = true; return nil, nil })
	tr, err := newAuthTransport(base, "https://api.fastly.com/", newSecret("KeyS3cret-abcdefghij"), "", nil, nil)
	require.NoError(t, err)
	for _, target := range []string{"https://evil.example/tokens", "http://api.fastly.com/tokens", "https://api.fastly.com:8443/tokens", "https://sub.api.fastly.com/tokens"} {
		req, err := http.NewRequest("GET", target, nil)
		require.NoError(t, err)
		resp, err := tr.RoundTrip(req) //nolint:bodyclose // refused: no response
		require.ErrorIs(t, err, ErrForeignHost, target)
		require.Nil(t, resp)
		assert.NotContains(t, err.Error(), "KeyS3cret")
	}
	require.False(t, dialed)
	req, _ := http.NewRequest("GET", "https://api.fastly.com/tokens", nil)
	resp, _ := tr.RoundTrip(req) //nolint:bodyclose // the stub returns no response
	require.Nil(t, resp)
	require.True(t, dialed)
	assert.Empty(t, req.Header.Get("Fastly-Key"), "the caller's request is not modified")
}
