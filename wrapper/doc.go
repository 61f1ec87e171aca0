// Package wrapper is a Go client for Fastly's API-token endpoints: create,
// list, inspect and revoke API tokens, one at a time or in bulk.
//
//	client, err := wrapper.New(wrapper.WithToken(os.Getenv("FASTLY_API_TOKEN")))
//	tokens, err := client.List(ctx)                   // GET /tokens
//	err = client.RevokeMany(ctx, leakedIDs...)         // DELETE /tokens, one request
//
// Every method takes a context, sends exactly the bytes Fastly expects, and
// returns value types ([Token], [CreatedToken]) that hold no pointers to
// check. A [Client] is safe for concurrent use: build one and share it.
//
// # Operations
//
//   - [Client.List]: GET /tokens, the caller's tokens
//   - [Client.ListForCustomer]: GET /customer/{customer_id}/tokens, a customer's tokens (superusers)
//   - [Client.Get]: GET /tokens/{token_id}
//   - [Client.Current]: GET /tokens/self, the token the Client uses
//   - [Client.Create]: POST /tokens, returns the secret once
//   - [Client.Revoke]: DELETE /tokens/{token_id}
//   - [Client.RevokeCurrent]: DELETE /tokens/self
//   - [Client.RevokeMany]: DELETE /tokens, JSON:API bulk revoke
//   - [Client.Sudo]: POST /sudo, so that a key may create tokens
//
// # Authentication
//
// [WithToken] sends the API key as the Fastly-Key header on every request.
// A transport adds it, and only to the base URL's scheme and host: any other
// request is refused before dialing ([ErrForeignHost]), and redirects are
// never followed ([ErrRedirect]), so the key cannot leak to another host.
//
// Creating a token needs more than a key. Three ways, pick one:
//
//  1. Credentials in the call, one request: set [CreateInput].Username and
//     Password. They are sent as form fields of that POST /tokens only.
//  2. [WithBasicAuth]: HTTP Basic credentials sent on POST /tokens and
//     POST /sudo only, never on reads or revokes. One request per create.
//  3. The sudo flow, for a user holding a key and their password: call
//     [Client.Sudo] (POST /sudo, the only request that carries the
//     password), then [Client.Create] with no credentials within five
//     minutes. Two requests in all; later creates in the window need one.
//
// Two-factor accounts put the one-time password in [CreateInput].OTP (or
// [SudoInput].OTP). It is sent as the Fastly-OTP header of that one request,
// never stored in the Client.
//
// Secrets never appear in an error, a log line, %v of a Client, a
// [CreateInput], a [SudoInput] or a [CreatedToken] (whose AccessToken prints
// as [REDACTED]: read the field to store it), nor in their JSON or slog form.
// Server text in errors and logs has every configured or per-call secret
// removed raw, URL-escaped, JSON-escaped and base64-encoded (an echoed
// Authorization header), and any run of 8 or more of its characters (a
// secret cut short); shorter secrets, such as OTPs, are removed whole.
// Control characters and ANSI escapes are removed from it too.
//
// The limit of these guarantees: fmt and slog's text handler cannot call
// the redacting methods of a value held in an unexported struct field, so a
// struct of yours with an unexported CreatedToken, CreateInput or SudoInput
// field prints their secrets. Keep them in exported fields, or do not print
// such structs. Exported fields, pointers, slices and maps are covered
// (TestSecretGuaranteeLimits).
//
// # Errors
//
// Every non-success answer is an [*APIError] with the status, Fastly's
// message, detail and code, and the rate-limit headers. Its Error() is one
// line: method, path, status and message. Match kinds with errors.Is:
//
//   - [ErrUnauthorized] (401), [ErrForbidden] (403), [ErrNotFound] (404),
//     [ErrRateLimited] (429, with RateLimitReset), [ErrRedirect] (3xx);
//   - [ErrSudoRequired]: 403 "You must POST /sudo to access this endpoint";
//   - [ErrTwoFactorRequired]: create's 400 with code 2fa.verify;
//   - [ErrInvalidInput]: refused before any request: an empty or malformed
//     id (only ASCII letters and digits; "self", ".", "..", "/" and "%" are
//     refused, so Revoke can never hit another endpoint or the caller's own
//     key), an empty bulk list, a bad option;
//   - [ErrOutcomeUnknown]: a create that failed after its request may have
//     been written (the deadline or a cancellation while waiting, a lost
//     connection, a 5xx, a 2xx whose body is unusable or lacks the id or the
//     secret); it is never retried (a retry could mint a second token): List
//     and match the name to reconcile. The cause stays reachable with
//     errors.Is. A failure before anything was sent (a dial or TLS failure)
//     is not outcome-unknown. A revoke (single, bulk or RevokeCurrent) that
//     fails after its request was sent (a reset, a timeout, a 5xx, or any
//     failure after an uncertain attempt) matches it too: the tokens may be
//     revoked, check each with Get. One answered 404 after an uncertain
//     attempt matches it with [ErrNotFound]: the earlier attempt may have
//     revoked it, or the token is not visible to this key.
//
// HTML error pages, empty, truncated and huge bodies still give a short,
// useful message. A success whose body is unusable is a [*ResponseError].
//
// # Reliability
//
// Reads and revokes are retried after connection failures and on 429, 502,
// 503 and 504, with capped exponential backoff and full jitter, honouring
// Retry-After and, for 429, Fastly-RateLimit-Reset within [RetryPolicy].MaxWait
// and the context's deadline ([WithRetry], [DefaultRetryPolicy]). A revoke
// retried after an uncertain failure that then answers 404 is never counted
// as done: it matches [ErrNotFound] and [ErrOutcomeUnknown].
// [Client.RateLimit] reports the latest rate-limit headers, from errors too.
// Calls without a deadline are bounded by [DefaultTimeout] unless you bring
// your own http.Client; bodies are read through a size bound and drained so
// connections are reused; a list longer than [WithMaxListLength] (default
// [DefaultMaxListLength]) is refused before decoding, and an announced
// Content-Length is never allocated ahead of the bytes. A 1xx final answer
// is an error at once. A nil context is [ErrInvalidInput]. TLS certificate
// failures are not retried. [WithLogger] logs one debug line per attempt,
// never headers or bodies.
//
// # Testing your code
//
// Package github.com/tokenward/fastlytokens/api is an in-memory Fastly token
// API with Fastly's rules (sudo mode, two-factor OTPs, read-only keys,
// superusers, rate limits). Point a Client at it:
//
//	srv := api.NewTestServer(t)           // seeded accounts, stopped with the test
//	client, _ := wrapper.New(
//		wrapper.WithBaseURL(srv.URL),     // http is allowed on loopback only
//		wrapper.WithToken(srv.Account(api.RoleUser).Token),
//	)
//
// The examples of this package run against it.
package wrapper
