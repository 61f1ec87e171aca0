package wrapper

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tokenward/fastlytokens/gen"
)

// opID names one operation of the contract; it indexes routes.
type opID int

// The contract's operations, one wrapper method each.
const (
	opList opID = iota
	opListForCustomer
	opGet
	opCurrent
	opCreate
	opRevoke
	opRevokeCurrent
	opBulkRevoke
	opSudo
	opCount
)

// operations is every route fact the wrapper knows, in one table: the
// contract's operationId, the gen builder that knows the method, the path
// template and the fixed headers, what the call may safely repeat, and what
// its success body is. New captures each builder's request once.
var operations = [opCount]struct {
	operationID string
	kind        opKind
	expect      byte // '[' or '{' for a JSON body; 0 for none
	build       func(server string) (*http.Request, error)
}{
	opList: {"list-tokens-user", kindRead, '[', func(s string) (*http.Request, error) {
		return gen.NewListTokensUserRequest(s)
	}},
	opListForCustomer: {"list-tokens-customer", kindRead, '[', func(s string) (*http.Request, error) {
		return gen.NewListTokensCustomerRequest(s, sentinel)
	}},
	opGet: {"get-token", kindRead, '{', func(s string) (*http.Request, error) {
		return gen.NewGetTokenRequest(s, sentinel)
	}},
	opCurrent: {"get-token-current", kindRead, '{', func(s string) (*http.Request, error) {
		return gen.NewGetTokenCurrentRequest(s)
	}},
	opCreate: {"create-token", kindCreate, '{', func(s string) (*http.Request, error) {
		return gen.NewCreateTokenRequestWithBody(s, &gen.CreateTokenParams{FastlyOTP: sentinel}, formMediaType, strings.NewReader(""))
	}},
	opRevoke: {"revoke-token", kindRevoke, 0, func(s string) (*http.Request, error) {
		return gen.NewRevokeTokenRequest(s, sentinel)
	}},
	opRevokeCurrent: {"revoke-token-current", kindRevokeSelf, 0, func(s string) (*http.Request, error) {
		return gen.NewRevokeTokenCurrentRequest(s)
	}},
	opBulkRevoke: {"bulk-revoke-tokens", kindBulkRevoke, 0, func(s string) (*http.Request, error) {
		return gen.NewBulkRevokeTokensRequestWithBody(s, bulkMediaType, strings.NewReader(""))
	}},
	opSudo: {"request-sudo", kindSudo, '{', func(s string) (*http.Request, error) {
		return gen.NewRequestSudoRequestWithBody(s, &gen.RequestSudoParams{FastlyOTP: sentinel}, formMediaType, strings.NewReader(""))
	}},
}

// sentinel stands in for an id or a header value when gen builds a route's
// template; ids are alphanumeric, so it passes through escaping unchanged.
const sentinel = "S3ntinelValue0"

// route is one operation's request as gen builds it (method, URL, headers),
// captured once in New: gen's builders parse the base URL and format the
// path on every call, which costs more than the rest of a request. Per call
// only the id is placed into the captured URL.
type route struct {
	operationID    string
	kind           opKind
	expect         byte
	method         string
	hasID          bool        // the path takes an id
	prefix, suffix string      // the URL around the id (the whole URL without one)
	pathPrefix     string      // prefix without the base URL, for errors and logs: "/tokens/"
	header         http.Header // fixed headers gen sets (Content-Type), shared read-only
	otpHeader      string      // the header gen puts the OTP in, when the operation takes one
}

// routes holds every operation's route for one base URL.
type routes [opCount]route

// newRoutes captures every operation's request for server, the base URL with
// a trailing slash. A route that would not start with server exactly (the
// URL resolver rewrote the base path: dot segments, say) is refused, so
// requests go exactly where the caller said.
func newRoutes(server string) (*routes, error) {
	var r routes
	for id, spec := range operations {
		req, err := spec.build(server)
		if err != nil {
			return nil, fmt.Errorf("%w: base URL: %w", ErrInvalidInput, err)
		}
		rt := captureRoute(req)
		if !strings.HasPrefix(rt.prefix, server) {
			return nil, fmt.Errorf("%w: base URL %q would be rewritten to %q", ErrInvalidInput, server, rt.prefix)
		}
		rt.operationID, rt.kind, rt.expect = spec.operationID, spec.kind, spec.expect
		rt.pathPrefix = "/" + strings.TrimPrefix(rt.prefix, server)
		r[id] = rt
	}
	return &r, nil
}

func captureRoute(req *http.Request) route {
	rt := route{method: req.Method, header: http.Header{}}
	u := req.URL.String()
	if i := strings.Index(u, sentinel); i >= 0 {
		rt.hasID = true
		rt.prefix, rt.suffix = u[:i], u[i+len(sentinel):]
	} else {
		rt.prefix = u
	}
	for name, values := range req.Header {
		if len(values) == 1 && values[0] == sentinel {
			rt.otpHeader = name
			continue
		}
		rt.header[name] = values
	}
	return rt
}

// path is the API path of a call with id (or none), for errors and logs:
// "/tokens/abc", never a host or a query.
func (r *route) path(id string) string {
	if !r.hasID {
		return r.pathPrefix
	}
	return r.pathPrefix + id + r.suffix
}

// escapedPath is the URL path the route's requests carry (with the base
// path), for matching in the transport.
func (r *route) escapedPath() string {
	u := r.prefix
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexByte(u, '/'); i >= 0 {
		return u[i:]
	}
	return "/"
}

// request builds the route's request for id (or none) with ctx and body.
func (r *route) request(ctx context.Context, id string, body io.Reader) (*http.Request, error) {
	target := r.prefix
	if r.hasID {
		target = r.prefix + id + r.suffix
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, err
	}
	for name, values := range r.header {
		req.Header[name] = values
	}
	return req, nil
}

// withOTP sets the one-time password on this request only.
func (r *route) withOTP(req *http.Request, otp string) {
	if otp != "" && r.otpHeader != "" {
		req.Header[r.otpHeader] = []string{otp}
	}
}
