// Package api is an in-memory stand-in for Fastly's token API: an
// http.Handler that serves the eight token operations and POST /sudo with
// Fastly's rules (authentication, scopes, sudo mode, two-factor OTPs,
// read-only keys, superusers, rate limits, automation tokens), checks every
// request against the contract in openapi/, and keeps its state in memory.
// It is safe for concurrent use and safe to expose: bodies are read through
// a size cap after authentication, guessing is locked out, and unknown
// logins answer exactly like wrong passwords.
//
// Use it to test code that manages tokens without touching Fastly. In a test,
// NewTestServer starts a seeded server that also checks every response
// against the contract, and hands out the seeded accounts by role:
//
//	srv := api.NewTestServer(t)
//	admin := srv.Account(api.RoleSuperuser)
//	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(admin.Token))
//
// Elsewhere, serve a Server yourself:
//
//	sim, _ := api.New()
//	accounts, _ := sim.SeedDemo()
//	srv := httptest.NewServer(sim)
//
// The standalone server api/cmd/fastly-api-sim serves it on a port for
// tests written in any language.
//
// # How a request is answered
//
// Cheap refusals come first. The key (Fastly-Key) is authenticated before a
// body is read or validated: no key is 401 whatever the body holds. Then the
// key's scope is checked, a non-GET request is counted against the user's
// hourly budget, and only then is the body read, through a cap of
// MaxBodyBytes (413 past it, before reading when Content-Length says so),
// and checked against the contract (400). The handler then runs under the
// server's lock and its answer is written after the lock is released.
//
// Scopes: reading tokens needs global or global:read; creating, revoking,
// bulk revoking and POST /sudo need global. A global:read key gets Fastly's
// 403 "Read only tokens are not allowed to access this endpoint."; any other
// key without the scope gets 403 "Forbidden". Every key may read and revoke
// itself (GET and DELETE /tokens/self).
//
// Credentials: a login (form fields, HTTP Basic, or /sudo's username) fails
// LockoutThreshold times in a row and is locked for LockoutDuration with
// Fastly's 400 {"code":"account_locked"}, whether the login exists or not,
// so unknown logins answer byte for byte like known ones with a wrong
// password. A one-time password is accepted once per 30-second step per user
// (RFC 6238 section 5.2); a replayed code is answered like a wrong one.
//
// # Where this differs from Fastly or guesses
//
// Fastly documents the statuses and messages above unless listed here. These
// are this package's choices, made where Fastly's behaviour is unverified:
//   - 403 {"msg":"Forbidden"} for a key lacking the scope (other than
//     global:read), for a non-superuser listing a customer's tokens, and for
//     an automation key on any endpoint but /tokens/self: Fastly's exact
//     answer is unverified.
//   - 404 {"msg":"Token lookup failed"} for a token the caller may not see,
//     on GET, DELETE and bulk DELETE alike, so a token's existence is never
//     revealed to someone who may not manage it.
//   - A bulk revoke is all or nothing: one id unknown or not the caller's
//     answers 404 and revokes none. At most MaxBulkIDs ids; more, or none,
//     answers 400. Fastly's batch limit and partial behaviour are unverified.
//   - 413 {"msg":"Request Entity Too Large"} for a body over MaxBodyBytes.
//   - 403 {"msg":"Incorrect username or password"} from POST /sudo for a
//     wrong password or another user's username (Fastly documents a 403,
//     not its text). Wrong, missing or replayed OTPs on /sudo answer
//     400 {"code":"2fa.verify"} as on create.
//   - /sudo's expiry_time is honoured up to MaxSudoDuration from now; a time
//     not in the future answers 400 {"code":"invalid_request"}.
//   - 422 {"msg":"Unprocessable Entity"} with a detail for an expires_at that
//     is malformed (documented) or not in the future (the same error, chosen).
//   - The lockout thresholds, and that a missing OTP is not counted as a
//     failure (clients learn that a code is needed from it).
//   - Credentials in the body or in HTTP Basic take precedence over a key on
//     create; failed credential attempts carry no rate-limit headers (the
//     budget is counted once the user is known, so the headers cannot tell
//     logins apart).
//   - Every nullable field is rendered, as null when empty, and lists come
//     back in creation order (Fastly promises no order).
//   - An automation token has no user; it may only read and revoke itself.
package api
