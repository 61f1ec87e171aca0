package wrapper

import (
	"net/http"
	"sync"
	"testing"
	"time"
)

// InstantWaits makes c's retry waits fire at once and returns the waits
// asked for, in order. Only c changes: tests that use it may run in
// parallel.
func InstantWaits(_ testing.TB, c *Client) func() []time.Duration {
	var mu sync.Mutex
	var asked []time.Duration
	c.newTimer = func(d time.Duration) (<-chan time.Time, func() bool) {
		mu.Lock()
		asked = append(asked, d)
		mu.Unlock()
		fired := make(chan time.Time, 1)
		fired <- time.Now()
		return fired, func() bool { return true }
	}
	return func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Duration(nil), asked...)
	}
}

// RoundTripFunc adapts a function to http.RoundTripper: the one adapter of
// the package's tests, in and out of the package.
type RoundTripFunc func(*http.Request) (*http.Response, error)

// RoundTrip calls f.
func (f RoundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
