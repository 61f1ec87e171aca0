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

// noPassword is compared against when the login is unknown, so unknown and
// known logins cost the same.
var noPassword = hash("\x00no such user")

// verify checks login, password and, for two-factor users, the Fastly-OTP
// header. refused fails the password check whatever the password (/sudo
// with another user's username). Unknown logins go through every step known
// ones do, failures included, so the answers cannot tell them apart.
func (x *exchange) verify(login, password string, refused bool) (*user, verdict) {
	s, key := x.s, hash(login)
	u := s.logins[login]
	if (u != nil && u.failed.locked(x.now)) || (u == nil && s.unknownLogins.locked(key, x.now)) {
		return nil, lockedOut
	}
	want := noPassword
	if u != nil {
		want = u.passwordHash
	}
	given := hash(password)
	if subtle.ConstantTimeCompare(want[:], given[:]) != 1 || u == nil || refused {
		s.recordFailure(u, key, x.now)
		return nil, wrongPassword
	}
	if u.totpSecret != "" {
		code := x.r.Header.Get("Fastly-OTP")
		if code == "" {
			return nil, needsOTP
		}
		step, ok := matchTOTP(u.totpSecret, code, x.now)
		if !ok || step <= u.lastOTPStep { // RFC 6238 section 5.2: once per step
			s.recordFailure(u, key, x.now)
			return nil, wrongOTP
		}
		u.lastOTPStep = step
	}
	u.failed = attempts{}
	return u, passed
}

// recordFailure counts a failure on the user's own record, which is never
// evicted, or for a login that is no account in the bounded table of
// unknown logins (by hash, so its size does not depend on what attackers
// send).
func (s *Server) recordFailure(u *user, key [32]byte, now time.Time) {
	if u != nil {
		u.failed.fail(now)
		return
	}
	s.unknownLogins.fail(key, now)
}
