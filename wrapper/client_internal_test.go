package wrapper

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDefaultTimeoutBoundsCallsWithoutDeadline: with neither a deadline nor
// an http.Client of the caller's, a call is bounded by the default timeout;
// a caller's http.Client (with its own Timeout) switches that off.
func TestDefaultTimeoutBoundsCallsWithoutDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)

	c, err := New(WithBaseURL(srv.URL), WithRetry(RetryPolicy{}))
	require.NoError(t, err)
	assert.Equal(t, DefaultTimeout, c.defaultTimeout)
	c.defaultTimeout = 100 * time.Millisecond // DefaultTimeout, shortened for the test
	start := time.Now()
	_, err = c.List(t.Context())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
	_, err = c.Create(t.Context(), CreateInput{Name: "x"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, ErrOutcomeUnknown, "the default timeout ended a create that was sent")

	own, err := New(WithBaseURL(srv.URL), WithHTTPClient(&http.Client{Timeout: time.Minute}))
	require.NoError(t, err)
	assert.Zero(t, own.defaultTimeout, "the caller's client decides")
}
