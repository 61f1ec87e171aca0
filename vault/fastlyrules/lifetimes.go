package fastlyrules

import (
	"errors"
	"fmt"
	"time"

	"github.com/tokenward/fastlytokens/wrapper"
)

// Role is what a role grants: scopes, services and lease lifetimes (zero
// TTL and MaxTTL take the mount's).
type Role struct {
	Scopes   []string      `json:"scopes"`
	Services []string      `json:"services"`
	TTL      time.Duration `json:"ttl"`
	MaxTTL   time.Duration `json:"max_ttl"`
}

// CheckLifetimes refuses a ttl above max_ttl, and either above the mount's
// maximum (when it has one).
func CheckLifetimes(ttl, maxTTL, mountMax time.Duration) error {
	if ttl < 0 || maxTTL < 0 {
		return errors.New("ttl and max_ttl must not be negative")
	}
	if maxTTL > 0 && ttl > maxTTL {
		return fmt.Errorf("ttl %s is above max_ttl %s", ttl, maxTTL)
	}
	if mountMax > 0 && (maxTTL > mountMax || ttl > mountMax) {
		return fmt.Errorf("ttl and max_ttl must be at most the mount's maximum, %s", mountMax)
	}
	return nil
}

// Issue is how a new credential is timed: the lease's first TTL, its
// maximum, and the token's expires_at at Fastly, which is never before the
// lease's latest end.
type Issue struct {
	TTL, MaxTTL time.Duration
	ExpiresAt   time.Time
}

// DefaultMaxTTL is a role's max_ttl when it sets none: a token on lease
// lives an hour at most unless the role says otherwise, not the mount's
// maximum (32 days on a default mount).
const DefaultMaxTTL = time.Hour

// PlanIssue times a credential issued at now under role, with the mount's
// default and maximum lease TTLs (a role's zero TTL takes the mount's
// default, a zero MaxTTL DefaultMaxTTL; the mount's maximum caps both). expires_at is now + MaxTTL rounded up to the
// whole second, as Fastly takes it: never down, so the token outlives no
// lease and dies with the longest one.
func PlanIssue(now time.Time, role Role, mountDefault, mountMax time.Duration) Issue {
	maxTTL := role.MaxTTL
	if maxTTL <= 0 {
		maxTTL = DefaultMaxTTL
	}
	if mountMax > 0 && maxTTL > mountMax {
		maxTTL = mountMax
	}
	ttl := role.TTL
	if ttl <= 0 {
		ttl = mountDefault
	}
	ttl = min(ttl, maxTTL)
	return Issue{TTL: ttl, MaxTTL: maxTTL, ExpiresAt: wrapper.ExpiresIn(now, maxTTL)}
}

// Renewal is how a renewed lease is timed.
type Renewal struct {
	TTL, MaxTTL time.Duration
	Capped      bool // the increment asked for ran past expires_at
}

// ErrExpired means the token behind a lease has reached its expires_at:
// there is nothing left to renew.
var ErrExpired = errors.New("the Fastly token has expired: nothing left to renew")

// PlanRenew times a renewal at now of a lease issued at issued whose token
// expires at expiresAt: the increment asked for (when zero the role's TTL,
// else the mount's default lease TTL), never past expires_at: Capped only
// when what was asked runs past it. With no TTL anywhere, what is left.
// MaxTTL is expiresAt − issued rounded down, which Vault applies to every
// later renewal too.
func PlanRenew(now, issued, expiresAt time.Time, increment, roleTTL, mountDefault time.Duration) (Renewal, error) {
	left := expiresAt.Sub(now)
	if left <= 0 {
		return Renewal{}, ErrExpired
	}
	want := increment
	if want <= 0 {
		want = roleTTL
	}
	if want <= 0 {
		want = mountDefault
	}
	r := Renewal{TTL: want, MaxTTL: expiresAt.Sub(issued).Truncate(time.Second)}
	if want <= 0 {
		r.TTL = left.Truncate(time.Second)
	}
	if want > left {
		r.TTL, r.Capped = left.Truncate(time.Second), true
	}
	return r, nil
}
