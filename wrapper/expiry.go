package wrapper

import "time"

// ExpiresIn is the expires_at of a token that is to live d from now: now
// plus d, rounded up to the whole second in UTC, as Fastly takes expires_at.
// Up, never down: a token never dies a moment before the lifetime asked for
// (a Vault lease, a rotation's old lifetime), and outlives it by less than
// a second. Every lifetime this module and its commands compute goes
// through it.
func ExpiresIn(now time.Time, d time.Duration) time.Time {
	t := now.Add(d).UTC()
	if whole := t.Truncate(time.Second); !whole.Equal(t) {
		return whole.Add(time.Second)
	}
	return t
}
