package wrapper

import (
	"sync"
	"testing"
	"time"
)

// InstantWaits makes retry waits fire at once for the rest of the test and
// returns the waits asked for, in order.
func InstantWaits(t testing.TB) func() []time.Duration {
	var mu sync.Mutex
	var asked []time.Duration
	saved := newTimer
	newTimer = func(d time.Duration) (<-chan time.Time, func() bool) {
		mu.Lock()
		asked = append(asked, d)
		mu.Unlock()
		fired := make(chan time.Time, 1)
		fired <- time.Now()
		return fired, func() bool { return true }
	}
	t.Cleanup(func() { newTimer = saved })
	return func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Duration(nil), asked...)
	}
}
