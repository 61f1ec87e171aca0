package wrapper

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"time"
)

// RetryPolicy says how failed calls are tried again. Reads (GET) and revokes
// are retried after connection errors and on 429, 502, 503 and 504. Create
// and POST /sudo are retried only when the request provably never reached
// the server (the connection was never made): a second create would mint a
// second token. RevokeCurrent is retried only when the server said it did
// nothing (429), since a retry after a success would see 401.
type RetryPolicy struct {
	// MaxRetries is how many times a call may be tried again; zero turns
	// retries off.
	MaxRetries int
	// BaseDelay and MaxDelay bound the capped exponential backoff with full
	// jitter: before retry n the wait is random in [0, min(MaxDelay, BaseDelay·2ⁿ)).
	BaseDelay, MaxDelay time.Duration
	// MaxWait is the longest server-directed wait (Retry-After, or for 429
	// Fastly-RateLimit-Reset) that is honoured. A longer one, or one past the
	// context's deadline, returns the error at once: the window is hourly.
	MaxWait time.Duration
}

// DefaultRetryPolicy is used unless WithRetry says otherwise.
var DefaultRetryPolicy = RetryPolicy{
	MaxRetries: 3,
	BaseDelay:  200 * time.Millisecond,
	MaxDelay:   5 * time.Second,
	MaxWait:    30 * time.Second,
}

// WithRetry replaces DefaultRetryPolicy. RetryPolicy{} turns retries off.
func WithRetry(p RetryPolicy) Option {
	return func(s *settings) error {
		if p.MaxRetries < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxWait < 0 {
			return fmt.Errorf("%w: retry policy values must not be negative", ErrInvalidInput)
		}
		s.retry = p
		return nil
	}
}

// opKind is what a call may safely repeat.
type opKind uint8

const (
	kindRead       opKind = iota // GET: always safe to repeat
	kindRevoke                   // DELETE by id: repeatable, but 404 after doubt may mean "not yours"
	kindBulkRevoke               // DELETE /tokens: repeatable, but 404 after doubt proves nothing
	kindRevokeSelf               // DELETE /tokens/self: a repeat after success sees 401
	kindCreate                   // POST /tokens: a repeat may mint a second token
	kindSudo                     // POST /sudo: a repeat is another sign-in, counted towards a lockout
)

// sentOnce says whether the call is never repeated once it may have reached
// the server, so that a failure after that point has an unknown outcome.
func (k opKind) sentOnce() bool { return k == kindCreate || k == kindSudo }

// retriesStatus says whether a status proves the call can be tried again.
func (k opKind) retriesStatus(status int) bool {
	switch k {
	case kindRead, kindRevoke, kindBulkRevoke:
		return status == http.StatusTooManyRequests || status == http.StatusBadGateway ||
			status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
	case kindRevokeSelf:
		return status == http.StatusTooManyRequests
	}
	return false
}

// retriesTransportError says whether a failure without a response may be
// tried again; notSent is true when the connection was never made.
func (k opKind) retriesTransportError(notSent bool) bool {
	return k == kindRead || k == kindRevoke || k == kindBulkRevoke || notSent
}

// afterDoubt decides a failure that follows an attempt that may have been
// processed (doubt). A revoke answered 404 then proves nothing: the earlier
// attempt may have revoked it, or the token was never one this key may see
// (Fastly answers 404 for both). For a bulk revoke any one id can cause it.
// Either way the caller gets an error matching ErrNotFound and
// ErrOutcomeUnknown, never success.
func (k opKind) afterDoubt(f *attemptError, doubt bool) (done bool, err error) {
	if !doubt || f.api == nil || f.api.StatusCode != http.StatusNotFound {
		return false, nil
	}
	if k == kindRevoke || k == kindBulkRevoke {
		return true, &doubtError{api: f.api, bulk: k == kindBulkRevoke}
	}
	return false, nil
}

// doubtError is a 404 to a revoke that an earlier, uncertain attempt may
// have done. It matches ErrNotFound and ErrOutcomeUnknown.
type doubtError struct {
	api  *APIError
	bulk bool
}

func (e *doubtError) Error() string {
	if e.bulk {
		return e.api.Error() + "; an earlier attempt may have revoked some of the tokens: check each with Get"
	}
	return e.api.Error() + "; an earlier attempt may have revoked it, or the token is not visible to this key"
}

func (e *doubtError) Unwrap() []error { return []error{e.api, ErrOutcomeUnknown} }

// neverSent reports a failure to connect: the request cannot have arrived.
func neverSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// backoff is the full-jitter wait before retry number attempt (0-based).
func (p *RetryPolicy) backoff(attempt int) time.Duration {
	ceiling := p.MaxDelay
	if attempt < 32 {
		if d := p.BaseDelay << attempt; d > 0 && d < ceiling {
			ceiling = d
		}
	}
	if ceiling <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceiling)))
}

// serverWait is the wait a response asks for: Retry-After, else for 429 the
// time until Fastly-RateLimit-Reset. ok is false when it asks for none.
func serverWait(e *APIError, now time.Time) (time.Duration, bool) {
	if e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	if e.StatusCode == http.StatusTooManyRequests && !e.RateLimitReset.IsZero() {
		return max(e.RateLimitReset.Sub(now), 0), true
	}
	return 0, false
}

// timerFunc starts the timer a retry waits on: a Client's own, so a test can
// make the waits of one Client instant without touching any other.
type timerFunc func(d time.Duration) (<-chan time.Time, func() bool)

// realTimer is the timer of every Client outside tests.
func realTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// sleep waits d or until ctx ends; then it returns an error that matches
// ctx.Err() and the failure that led to the wait.
func (c *Client) sleep(ctx context.Context, d time.Duration, op *operation, last error) error {
	if d <= 0 {
		if err := ctx.Err(); err != nil {
			return op.errorf("stopped before retrying: %w (last error: %w)", err, last)
		}
		return nil
	}
	fired, stop := c.newTimer(d)
	defer stop()
	select {
	case <-fired:
		return nil
	case <-ctx.Done():
		return op.errorf("stopped while waiting to retry: %w (last error: %w)", ctx.Err(), last)
	}
}

// attemptError is a failed attempt, with what is known about whether the
// server processed it.
type attemptError struct {
	api       *APIError // the server answered with an error status
	transport error     // no usable response
	notSent   bool      // the connection was never made
	doubt     bool      // the server may have processed the request
	readBody  bool      // a success status whose body could not be read
	noRetry   bool      // never worth a retry: the context ended, a certificate failed
}

func (e *attemptError) Error() string {
	if e.api != nil {
		return e.api.Error()
	}
	return e.transport.Error()
}

// final is the error the caller sees when no retry follows; doubt says
// whether this or an earlier attempt may have been processed.
func (e *attemptError) final(op *operation, doubt bool) error {
	if e.api != nil {
		return op.settle(e.api, doubt) // a 5xx or 1xx: the server may have acted
	}
	return op.settle(e.transport, doubt || !e.notSent)
}

// settle is the one place that decides an outcome is unknown: a failure of
// a call that changes something (create, sudo, a revoke), when the server
// may have acted on it: a request sent whose answer never came, a 5xx, or
// an earlier attempt of a revoke that was in doubt. err stays reachable
// with errors.Is and errors.As.
func (op *operation) settle(err error, mayHaveActed bool) error {
	kind := op.route.kind
	if kind == kindRead || !mayHaveActed || errors.Is(err, ErrOutcomeUnknown) {
		return err
	}
	switch kind {
	case kindSudo:
		return fmt.Errorf("%w (%w; the key may or may not be in sudo mode)", err, ErrOutcomeUnknown)
	case kindRevoke, kindRevokeSelf:
		return fmt.Errorf("%w (%w; the token may be revoked: check it with Get)", err, ErrOutcomeUnknown)
	case kindBulkRevoke:
		return fmt.Errorf("%w (%w; some or all of the tokens may be revoked: check each with Get)", err, ErrOutcomeUnknown)
	}
	return fmt.Errorf("%w (%w; reconcile with List, matching the name)", err, ErrOutcomeUnknown)
}

// errorf formats an error of op with the prefix every error of this
// package carries: "fastly: METHOD PATH: ".
func (op *operation) errorf(format string, args ...any) error {
	return fmt.Errorf(errorPrefix(op.method(), op.path())+format, args...)
}

// errorPrefix is "fastly: METHOD PATH: ".
func errorPrefix(method, path string) string { return "fastly: " + method + " " + path + ": " }

// isCertificateError reports a TLS certificate failure: it will fail the
// same way on every attempt, so it is never retried.
func isCertificateError(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

// shouldRetry says whether and after how long a failed attempt is tried
// again: only what op's kind may repeat, within MaxRetries, MaxWait and the
// context's deadline.
func (c *Client) shouldRetry(ctx context.Context, op *operation, f *attemptError, attempt int) (time.Duration, bool) {
	if attempt >= c.retry.MaxRetries || ctx.Err() != nil || f.noRetry {
		return 0, false
	}
	kind := op.route.kind
	if f.api != nil {
		if !kind.retriesStatus(f.api.StatusCode) {
			return 0, false
		}
		if wait, ok := serverWait(f.api, time.Now()); ok {
			if wait > c.retry.MaxWait {
				return 0, false
			}
			if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
				return 0, false
			}
			return wait, true
		}
		return c.retry.backoff(attempt), true
	}
	if f.readBody {
		return c.retry.backoff(attempt), kind == kindRead
	}
	if errors.Is(f.transport, ErrForeignHost) || errors.Is(f.transport, ErrResponseTooLarge) || errors.Is(f.transport, ErrRedirect) {
		return 0, false
	}
	return c.retry.backoff(attempt), kind.retriesTransportError(f.notSent)
}
