package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// operation is one call: its route, the ids that go into the route's URL,
// the body sent again, unchanged, on every attempt, and the per-call secrets
// that must never be echoed.
type operation struct {
	route   *route
	ids     []string // one per path parameter
	body    []byte
	otp     string // Fastly-OTP of this request only
	secrets [2]string
	// check, when set, vets a decoded success: a 2xx that fails it is a
	// *ResponseError (and for create, an unknown outcome).
	check func() error
}

func (op *operation) method() string { return op.route.method }
func (op *operation) path() string   { return op.route.path(op.ids) }

// do runs op with retries and decodes a successful body into out.
func (c *Client) do(ctx context.Context, op *operation, out any) error {
	if ctx == nil {
		return fmt.Errorf("%w: nil context", ErrInvalidInput)
	}
	if c.callTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.callTimeout)
		defer cancel()
	} else if c.defaultTimeout > 0 {
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, c.defaultTimeout)
			defer cancel()
		}
	}
	doubt := false // an earlier attempt may have been processed
	for attempt := 0; ; attempt++ {
		err := c.attempt(ctx, op, out, attempt)
		if err == nil {
			return nil
		}
		var failure *attemptError
		if !errors.As(err, &failure) {
			return op.settle(err, true) // the answer came, but unusable
		}
		if done, err := op.route.kind.afterDoubt(failure, doubt); done {
			return err
		}
		doubt = doubt || failure.doubt
		wait, retry := c.shouldRetry(ctx, op, failure, attempt)
		if !retry {
			return failure.final(op, doubt)
		}
		if err := c.sleep(ctx, wait, op, failure.final(op, doubt)); err != nil {
			return err
		}
	}
}

// attempt sends op once. Errors worth a retry decision are *attemptError.
func (c *Client) attempt(ctx context.Context, op *operation, out any, attempt int) error {
	var body io.Reader
	if op.body != nil {
		body = bytes.NewReader(op.body)
	}
	req, err := op.route.request(ctx, op.ids, body)
	if err != nil {
		return op.errorf("building request: %w", err)
	}
	op.route.withOTP(req, op.otp)
	req.Header["User-Agent"] = c.userAgent
	var sent *atomic.Bool
	if op.route.kind.sentOnce() || op.route.kind == kindRevokeSelf {
		req, sent = traceWrite(req) // these decide by whether anything was sent
	}
	start := time.Now()
	resp, err := c.http.Do(req) //nolint:bodyclose // readSuccess or readErrorBody drains and closes it
	if err != nil {
		failure := c.transportError(op, err)
		c.log(ctx, op, attempt, 0, start, failure)
		notSent := neverSent(err) || (sent != nil && !sent.Load())
		if ctxErr := ctx.Err(); ctxErr != nil {
			return &attemptError{transport: op.errorf("%w", ctxErr), notSent: notSent, doubt: !notSent, noRetry: true}
		}
		return &attemptError{transport: failure, notSent: notSent, doubt: !notSent, noRetry: isCertificateError(err)}
	}
	c.noteRateLimit(resp.Header)
	c.log(ctx, op, attempt, resp.StatusCode, start, nil)
	if resp.StatusCode < 200 {
		// A 1xx final answer (101 Switching Protocols): its body is the raw
		// connection, which no deadline bounds. Close it unread.
		_ = resp.Body.Close()
		apiErr := &APIError{StatusCode: resp.StatusCode, Method: op.method(), Path: op.path(), RateLimitRemaining: -1,
			Message: "unexpected informational answer"}
		return &attemptError{api: apiErr, doubt: true}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return c.readSuccess(ctx, op, resp, out)
	}
	apiErr := newAPIError(op.method(), op.path(), resp, readErrorBody(resp.Body), time.Now(), c.secretsFor(op))
	return &attemptError{api: apiErr, doubt: resp.StatusCode >= 500}
}

// traceWrite returns req with a trace that records whether the request's
// headers were written: until then the server cannot have acted on it.
func traceWrite(req *http.Request) (*http.Request, *atomic.Bool) {
	wrote := new(atomic.Bool)
	trace := &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }}
	return req.WithContext(httptrace.WithClientTrace(req.Context(), trace)), wrote
}
