package api

import (
	"crypto/subtle"
	"time"
)

// verdict is the outcome of checking credentials.
type verdict int

const (
	passed        verdict = iota
	lockedOut             // too many failures: account_locked
	wrongPassword         // unknown login, wrong password, or refused outright
	needsOTP              // a two-factor user sent no code (not counted as a failure)
	wrongOTP              // a wrong or replayed code
)

// failure counts one login's recent failed attempts.
type failure struct {
	count       int
	last        time.Time
	lockedUntil time.Time
}

// noPassword is compared against when the login is unknown, so unknown and
// known logins cost the same.
var noPassword = hash("\x00no such user")

// verify checks login, password and, for two-factor users, the Fastly-OTP
// header. refused fails the password check whatever the password (/sudo
// with another user's username). Unknown logins go through every step known
// ones do, failures included, so the answers cannot tell them apart.
func (x *exchange) verify(login, password string, refused bool) (*user, verdict) {
	s, key := x.s, hash(login)
	if f := s.failures[key]; f != nil && f.lockedUntil.After(x.now) {
		return nil, lockedOut
	}
	u := s.logins[login]
	want := noPassword
	if u != nil {
		want = u.passwordHash
	}
	given := hash(password)
	if subtle.ConstantTimeCompare(want[:], given[:]) != 1 || u == nil || refused {
		s.recordFailure(key, x.now)
		return nil, wrongPassword
	}
	if u.totpSecret != "" {
		code := x.r.Header.Get("Fastly-OTP")
		if code == "" {
			return nil, needsOTP
		}
		step, ok := matchTOTP(u.totpSecret, code, x.now)
		if !ok || step <= u.lastOTPStep { // RFC 6238 section 5.2: once per step
			s.recordFailure(key, x.now)
			return nil, wrongOTP
		}
		u.lastOTPStep = step
	}
	delete(s.failures, key)
	return u, passed
}

// recordFailure counts a failure for the login hashed to key and locks it
// at LockoutThreshold. Logins are kept as hashes, so the table's size does
// not depend on what attackers send, and it holds at most maxTrackedLogins.
func (s *Server) recordFailure(key [32]byte, now time.Time) {
	f := s.failures[key]
	if f == nil {
		if len(s.failures) >= maxTrackedLogins {
			s.pruneFailures(now)
		}
		f = &failure{}
		s.failures[key] = f
	}
	if now.Sub(f.last) > LockoutDuration {
		f.count = 0
	}
	f.count++
	f.last = now
	if f.count >= LockoutThreshold {
		f.lockedUntil = now.Add(LockoutDuration)
		f.count = 0
	}
}

// pruneFailures makes room in a full table. Forgotten failures (unlocked
// and older than LockoutDuration) go first, all of them: they count for
// nothing. If that frees nothing, the unlocked count with the oldest
// failure goes, else the lock that ends first.
func (s *Server) pruneFailures(now time.Time) {
	for key, f := range s.failures {
		if !f.lockedUntil.After(now) && now.Sub(f.last) > LockoutDuration {
			delete(s.failures, key)
		}
	}
	if len(s.failures) < maxTrackedLogins {
		return
	}
	var victim [32]byte
	var best *failure
	for key, f := range s.failures {
		if best == nil || evictsBefore(f, best, now) {
			victim, best = key, f
		}
	}
	delete(s.failures, victim)
}

// evictsBefore orders entries for eviction: unlocked before locked, then
// the oldest failure (unlocked) or the soonest end (locked).
func evictsBefore(a, b *failure, now time.Time) bool {
	aLocked, bLocked := a.lockedUntil.After(now), b.lockedUntil.After(now)
	if aLocked != bLocked {
		return !aLocked
	}
	if aLocked {
		return a.lockedUntil.Before(b.lockedUntil)
	}
	return a.last.Before(b.last)
}
