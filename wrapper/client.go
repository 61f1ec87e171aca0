package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Version is this library's version, sent in the default User-Agent.
const Version = "0.1.0"

const defaultUserAgent = "fastlytokens/" + Version + " (+https://github.com/tokenward/fastlytokens)"

// defaultMaxBody bounds a successful body; a list of 10,000 tokens is ~4 MiB.
const defaultMaxBody = 32 << 20

// Client calls Fastly's token endpoints. It is safe for concurrent use by
// many goroutines; build one and share it.
type Client struct {
	server         string // base URL with a trailing slash, as gen's builders want
	routes         *routes
	http           *http.Client
	userAgent      []string
	retry          RetryPolicy
	logger         *slog.Logger
	maxBody        int64
	defaultTimeout time.Duration
	// credentials returns the configured key and password, for redaction.
	// A func, not fields: fmt prints a func as an address even where it
	// would print one level of a pointer's contents (a bad verb on a copy).
	credentials func() (key, password string)

	rateMu sync.Mutex
	rate   RateLimit
}

// New builds a Client. It makes no request. Without options it talks to
// https://api.fastly.com without credentials; most calls need WithToken.
func New(opts ...Option) (*Client, error) {
	s := settings{baseURL: DefaultBaseURL + "/", userAgent: defaultUserAgent, retry: DefaultRetryPolicy, maxBodySize: defaultMaxBody}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&s); err != nil {
			return nil, err
		}
	}
	rts, err := newRoutes(s.baseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		routes:      rts,
		server:      s.baseURL,
		userAgent:   []string{s.userAgent},
		retry:       s.retry,
		logger:      s.logger,
		maxBody:     s.maxBodySize,
		credentials: func() (string, string) { return s.key.reveal(), s.password.reveal() },
	}
	var hc http.Client
	var base http.RoundTripper
	if s.httpClient != nil {
		hc = *s.httpClient // a copy: the caller's client is never modified
		base = hc.Transport
	} else {
		c.defaultTimeout = DefaultTimeout
	}
	if base == nil {
		base = newDefaultTransport()
	}
	auth, err := newAuthTransport(base, s.baseURL, s.key, s.username, s.password)
	if err != nil {
		return nil, err
	}
	hc.Transport = auth
	// A redirect is answered as an error carrying its Location: following it
	// could send credentials elsewhere or turn a DELETE into a GET.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.http = &hc
	return c, nil
}

// String names the client without any credential.
func (c *Client) String() string { return "wrapper.Client(" + c.server + ")" }

// GoString is String, so %#v shows no credential either.
func (c *Client) GoString() string { return c.String() }

func newDefaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// Many goroutines share one Client: keep enough idle connections to the
	// one host it talks to that they are reused, not redialed.
	t.MaxIdleConnsPerHost = 32
	return t
}

// operation describes one call: what it may repeat, how to build its request
// (again, for each attempt) and what its body decodes into.
type operation struct {
	kind    opKind
	method  string
	path    string // API path for errors and logs, without the id
	id      string // appended to path when set
	tail    string // appended after id
	route   *route
	body    []byte // sent again, unchanged, on every attempt
	otp     string // Fastly-OTP of this request only
	expect  byte   // '[' or '{' for a JSON body; 0 for none
	secrets [2]string
}

func (op *operation) fullPath() string { return op.path + op.id + op.tail }

// do runs op with retries and decodes a successful body into out.
func (c *Client) do(ctx context.Context, op *operation, out any) error {
	if c.defaultTimeout > 0 {
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
			return err
		}
		if failure.api != nil && failure.api.StatusCode == http.StatusNotFound && doubt && op.kind == kindRevoke {
			return nil // the earlier attempt revoked it
		}
		doubt = doubt || failure.doubt
		wait, retry := c.shouldRetry(ctx, op, failure, attempt)
		if !retry {
			return failure.final(op)
		}
		if err := sleep(ctx, wait, op.method, op.fullPath(), failure.final(op)); err != nil {
			return err
		}
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
}

func (e *attemptError) Error() string {
	if e.api != nil {
		return e.api.Error()
	}
	return e.transport.Error()
}

// final is the error the caller sees when no retry follows.
func (e *attemptError) final(op *operation) error {
	if e.api != nil {
		return e.api
	}
	if op.kind == kindCreate && !e.notSent {
		return fmt.Errorf("%w (%w; reconcile with List, matching the name)", e.transport, ErrOutcomeUnknown)
	}
	return e.transport
}

func (c *Client) shouldRetry(ctx context.Context, op *operation, f *attemptError, attempt int) (time.Duration, bool) {
	if attempt >= c.retry.MaxRetries || ctx.Err() != nil {
		return 0, false
	}
	if f.api != nil {
		if !op.kind.retriesStatus(f.api.StatusCode) {
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
		return c.retry.backoff(attempt), op.kind == kindRead
	}
	if errors.Is(f.transport, ErrForeignHost) || errors.Is(f.transport, ErrResponseTooLarge) {
		return 0, false
	}
	return c.retry.backoff(attempt), op.kind.retriesTransportError(f.notSent)
}

// attempt sends op once. Errors worth a retry decision are *attemptError.
func (c *Client) attempt(ctx context.Context, op *operation, out any, attempt int) error {
	var body io.Reader
	if op.body != nil {
		body = bytes.NewReader(op.body)
	}
	req, err := op.route.request(ctx, op.id, body)
	if err != nil {
		return fmt.Errorf("fastly: %s %s: building request: %w", op.method, op.fullPath(), err)
	}
	op.route.withOTP(req, op.otp)
	req.Header["User-Agent"] = c.userAgent
	start := time.Now()
	resp, err := c.http.Do(req) //nolint:bodyclose // readSuccess or readErrorBody drains and closes it
	if err != nil {
		failure := c.transportError(op, err)
		c.log(ctx, op, attempt, 0, start, failure)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("fastly: %s %s: %w", op.method, op.fullPath(), ctxErr)
		}
		notSent := neverSent(err)
		return &attemptError{transport: failure, notSent: notSent, doubt: !notSent}
	}
	c.noteRateLimit(resp.Header)
	c.log(ctx, op, attempt, resp.StatusCode, start, nil)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return c.readSuccess(ctx, op, resp, out)
	}
	apiErr := newAPIError(op.method, op.fullPath(), resp, readErrorBody(resp.Body), time.Now(), c.secretsFor(op))
	return &attemptError{api: apiErr, doubt: resp.StatusCode >= 500}
}

// transportError keeps the cause but drops the URL that *url.Error prints,
// and redacts any credential a transport put into its error text.
func (c *Client) transportError(op *operation, err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	wrapped := fmt.Errorf("fastly: %s %s: %w", op.method, op.fullPath(), err)
	text := wrapped.Error()
	if redacted := redactAll(text, c.secretsFor(op)); redacted != text {
		return &redactedError{text: redacted, cause: wrapped}
	}
	return wrapped
}

// redactedError is an error whose text had a credential replaced; errors.Is
// and errors.As still reach the cause.
type redactedError struct {
	text  string
	cause error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.cause }

func (c *Client) secretsFor(op *operation) []string {
	key, password := c.credentials()
	return []string{key, password, op.secrets[0], op.secrets[1]}
}

// readSuccess reads a 2xx body through the size bound and decodes it.
func (c *Client) readSuccess(ctx context.Context, op *operation, resp *http.Response, out any) error {
	defer closeBody(resp.Body)
	if out == nil || op.expect == 0 {
		return nil
	}
	if resp.ContentLength > c.maxBody {
		return &ResponseError{Method: op.method, Path: op.fullPath(), StatusCode: resp.StatusCode, Err: ErrResponseTooLarge}
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if resp.ContentLength > 0 {
		buf.Grow(int(resp.ContentLength) + bytes.MinRead)
	}
	n, err := readBounded(buf, resp.Body, c.maxBody+1)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("fastly: %s %s: reading body: %w", op.method, op.fullPath(), ctxErr)
		}
		return &attemptError{transport: fmt.Errorf("fastly: %s %s: reading %d response body: %w", op.method, op.fullPath(), resp.StatusCode, err), readBody: true, doubt: true}
	}
	if n > c.maxBody {
		return &ResponseError{Method: op.method, Path: op.fullPath(), StatusCode: resp.StatusCode, Err: ErrResponseTooLarge}
	}
	if err := decodeLenient(buf.Bytes(), op.expect, out); err != nil {
		return &ResponseError{Method: op.method, Path: op.fullPath(), StatusCode: resp.StatusCode, Err: err}
	}
	return nil
}

// readErrorBody reads at most maxErrorBody bytes of an error body, then
// drains a little more and closes, so the connection can be reused.
func readErrorBody(body io.ReadCloser) []byte {
	defer closeBody(body)
	b, _ := io.ReadAll(io.LimitReader(body, maxErrorBody))
	return b
}

// closeBody drains a bounded amount (so the connection is reused) and closes.
func closeBody(body io.ReadCloser) {
	if body != http.NoBody {
		var scratch [512]byte
		for drained := 0; drained < maxErrorBody; {
			n, err := body.Read(scratch[:])
			drained += n
			if err != nil {
				break
			}
		}
	}
	_ = body.Close()
}

// readBounded appends at most limit bytes of r to buf, reading straight into
// buf's spare capacity (no intermediate reader or copy).
func readBounded(buf *bytes.Buffer, r io.Reader, limit int64) (int64, error) {
	var total int64
	for total < limit {
		buf.Grow(bytes.MinRead)
		spare := buf.AvailableBuffer()
		spare = spare[:min(int64(cap(spare)), limit-total)]
		n, err := r.Read(spare)
		buf.Write(spare[:n])
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return bufferPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 4<<20 {
		return // let a rare huge buffer go rather than pin it
	}
	b.Reset()
	bufferPool.Put(b)
}

func (c *Client) log(ctx context.Context, op *operation, attempt, status int, start time.Time, err error) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", op.method),
		slog.String("path", op.fullPath()),
		slog.Int("attempt", attempt+1),
		slog.Duration("duration", time.Since(start)),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error())) // transportError redacted it
	}
	if limit := c.RateLimit(); limit.Known {
		attrs = append(attrs, slog.Int("ratelimit_remaining", limit.Remaining))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "fastly request", attrs...)
}

func redactAll(text string, secrets []string) string {
	for _, s := range secrets {
		text = redactValue(text, s)
	}
	return text
}
