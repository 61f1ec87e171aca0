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
// only the ids are placed into the captured URL, one per path parameter,
// however many the path has.
type route struct {
	operationID string
	kind        opKind
	expect      byte
	method      string
	parts       []string    // the URL split where each path parameter goes (one part: none)
	pathParts   []string    // the same without the base URL, for errors and logs: "/tokens/", ""
	header      http.Header // fixed headers gen sets (Content-Type), shared read-only
	otpHeader   string      // the header gen puts the OTP in, when the operation takes one
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
		if !strings.HasPrefix(rt.parts[0], server) {
			return nil, fmt.Errorf("%w: base URL %q would be rewritten to %q", ErrInvalidInput, server, rt.parts[0])
		}
		rt.operationID, rt.kind, rt.expect = spec.operationID, spec.kind, spec.expect
		rt.pathParts = append([]string{"/" + strings.TrimPrefix(rt.parts[0], server)}, rt.parts[1:]...)
		r[id] = rt
	}
	return &r, nil
}

// captureRoute splits req's URL at every sentinel, so a path with any
// number of parameters is captured whole.
func captureRoute(req *http.Request) route {
	rt := route{method: req.Method, header: http.Header{}, parts: strings.Split(req.URL.String(), sentinel)}
	for name, values := range req.Header {
		if len(values) == 1 && values[0] == sentinel {
			rt.otpHeader = name
			continue
		}
		rt.header[name] = values
	}
	return rt
}

// params is how many path parameters the route takes.
func (r *route) params() int { return len(r.parts) - 1 }

// fill places ids into the gaps between parts, in order.
func fill(parts, ids []string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	n := 0
	for i, p := range parts {
		n += len(p)
		if i < len(ids) {
			n += len(ids[i])
		}
	}
	var b strings.Builder
	b.Grow(n)
	last := len(parts) - 1
	for i, p := range parts[:last] {
		b.WriteString(p)
		if i < len(ids) {
			b.WriteString(ids[i])
		}
	}
	b.WriteString(parts[last])
	return b.String()
}

// path is the API path of a call with ids, for errors and logs:
// "/tokens/abc", never a host or a query.
func (r *route) path(ids []string) string { return fill(r.pathParts, ids) }

// escapedPath is the URL path the route's requests carry (with the base
// path), for matching in the transport.
func (r *route) escapedPath() string {
	u := r.parts[0]
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexByte(u, '/'); i >= 0 {
		return u[i:]
	}
	return "/"
}

// request builds the route's request for ids (one per path parameter) with
// ctx and body.
func (r *route) request(ctx context.Context, ids []string, body io.Reader) (*http.Request, error) {
	if len(ids) != r.params() {
		return nil, fmt.Errorf("%s takes %d ids, not %d", r.operationID, r.params(), len(ids))
	}
	req, err := http.NewRequestWithContext(ctx, r.method, fill(r.parts, ids), body)
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
