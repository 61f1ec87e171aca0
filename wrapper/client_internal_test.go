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
	_, err = c.List(context.Background())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)

	own, err := New(WithBaseURL(srv.URL), WithHTTPClient(&http.Client{Timeout: time.Minute}))
	require.NoError(t, err)
	assert.Zero(t, own.defaultTimeout, "the caller's client decides")
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                     0,
		"0":                    0,
		"-5":                   0,
		"3":                    3 * time.Second,
		"3600":                 time.Hour,
		"99999999999":          maxRetryAfter,
		"99999999999999999999": maxRetryAfter,
		"soon":                 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
		now.Add(1000 * time.Hour).Format(http.TimeFormat): maxRetryAfter,
	}
	for in, want := range cases {
		assert.Equal(t, want, parseRetryAfter(in, now), in)
	}
}

func TestBackoffIsCappedFullJitter(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt := range 40 {
		ceiling := min(p.MaxDelay, p.BaseDelay<<min(attempt, 30))
		for range 50 {
			d := p.backoff(attempt)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.Less(t, d, ceiling+1)
		}
	}
	assert.Zero(t, (&RetryPolicy{}).backoff(3))
}
