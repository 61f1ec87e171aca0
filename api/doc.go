// Package api is an in-memory stand-in for Fastly's token API: an
// http.Handler that serves the eight token operations and POST /sudo with
// Fastly's rules (authentication, scopes, sudo mode, two-factor OTPs,
// read-only keys, superusers, rate limits, automation tokens), checks every
// request against the contract in openapi/, and keeps its state in memory.
// It is safe for concurrent use and safe to expose: bodies are read through
// a size cap after authentication, guessing is locked out (and the lockout
// cannot be evicted or outrun), unknown logins answer exactly like wrong
// passwords, and the number of tokens is bounded.
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
//	demo, _ := api.StartDemo()  // api.NewSeeded to listen yourself
//	defer demo.Close()          // demo.URL, demo.Accounts
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
// (RFC 6238 section 5.2); a replayed code is answered like a wrong one. On
// create, credentials in the form or in HTTP Basic win over a Fastly-Key
// beside them, even a read-only, unknown or revoked one; the key's refusal
// is the answer only when the request carries no credentials.
//
// Lockout: the server's own accounts are few and known, so each counts its
// failures on its own record, which nothing evicts: every failed sign-in of
// a real account counts, however busy the server is. Failures of logins
// that are no account are counted, by hash, in a table of 10,000 entries
// that exists so that they answer like real ones. A lock in it is never
// dropped before it ends; a count below LockoutThreshold may be, oldest
// first, when a new login needs room. While the table holds nothing but
// live locks, every refused sign-in, whatever the login (wrong password,
// locked account, wrong or missing OTP), is the same 429 {"msg":"Too many
// failed sign-ins: try again later"} with Retry-After (seconds until the
// first lock ends), so nothing tells which logins exist; a right password of
// a real, unlocked user still signs in. Each failed sign-in costs O(1)
// amortised under the server's lock.
//
// Bounds: at most WithMaxTokens live (not revoked) tokens per server
// (DefaultMaxTokens, 100,000) and MaxTokensPerUser (1,000) per user; past
// either, POST /tokens answers 422 {"msg":"Unprocessable Entity"} with a
// detail saying which, and nothing is minted (the request counts against the
// hourly budget like any refused create). Expired tokens count until they
// are revoked; revoked tokens are forgotten. AddToken and
// AddAutomationToken obey WithMaxTokens, not the per-user limit. A path the
// API serves, under a method it does not serve there, answers 405 with an
// Allow header; any other path 404.
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
//   - The lockout thresholds, the 429 of a full table of unknown logins,
//     and that a missing OTP is not counted as a failure (clients learn that
//     a code is needed from it).
//   - The token limits and their 422, and the 405 for a known path.
//   - Credentials in the body or in HTTP Basic take precedence over a key on
//     create; failed credential attempts carry no rate-limit headers (the
//     budget is counted once the user is known, so the headers cannot tell
//     logins apart).
//   - Every nullable field is rendered, as null when empty, and lists come
//     back in creation order (Fastly promises no order).
//   - An automation token has no user; it may only read and revoke itself.
package api
