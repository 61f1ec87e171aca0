package wrapper

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tokenward/fastlytokens/gen"
)

// sentinel stands in for an id or a header value when gen builds a route's
// template; ids are alphanumeric, so it passes through escaping unchanged.
const sentinel = "S3ntinelValue0"

// route is one operation's request as gen builds it (method, URL, headers),
// captured once in New: gen's builders parse the base URL and format the
// path on every call, which costs more than the rest of a request. Per call
// only the id is placed into the captured URL.
type route struct {
	method         string
	prefix, suffix string      // the URL around the id (suffix empty without one)
	header         http.Header // fixed headers gen sets (Content-Type), shared read-only
	otpHeader      string      // the header gen puts the OTP in, when the operation takes one
}

// routes holds every operation's route for one base URL.
type routes struct {
	list, listForCustomer, get, current, create, revoke, revokeCurrent, bulkRevoke, sudo route
}

func newRoutes(server string) (*routes, error) {
	otp := sentinel
	body := func() io.Reader { return strings.NewReader("") }
	var r routes
	for _, spec := range []struct {
		into  *route
		build func() (*http.Request, error)
	}{
		{&r.list, func() (*http.Request, error) { return gen.NewListTokensUserRequest(server) }},
		{&r.listForCustomer, func() (*http.Request, error) { return gen.NewListTokensCustomerRequest(server, sentinel) }},
		{&r.get, func() (*http.Request, error) { return gen.NewGetTokenRequest(server, sentinel) }},
		{&r.current, func() (*http.Request, error) { return gen.NewGetTokenCurrentRequest(server) }},
		{&r.create, func() (*http.Request, error) {
			return gen.NewCreateTokenRequestWithBody(server, &gen.CreateTokenParams{FastlyOTP: &otp}, formMediaType, body())
		}},
		{&r.revoke, func() (*http.Request, error) { return gen.NewRevokeTokenRequest(server, sentinel) }},
		{&r.revokeCurrent, func() (*http.Request, error) { return gen.NewRevokeTokenCurrentRequest(server) }},
		{&r.bulkRevoke, func() (*http.Request, error) {
			return gen.NewBulkRevokeTokensRequestWithBody(server, bulkMediaType, body())
		}},
		{&r.sudo, func() (*http.Request, error) {
			return gen.NewRequestSudoRequestWithBody(server, &gen.RequestSudoParams{FastlyOTP: &otp}, formMediaType, body())
		}},
	} {
		req, err := spec.build()
		if err != nil {
			return nil, fmt.Errorf("%w: base URL: %w", ErrInvalidInput, err)
		}
		*spec.into = captureRoute(req)
	}
	return &r, nil
}

func captureRoute(req *http.Request) route {
	rt := route{method: req.Method, header: http.Header{}}
	u := req.URL.String()
	if i := strings.Index(u, sentinel); i >= 0 {
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

// request builds the route's request for id (or none) with ctx and body.
func (r *route) request(ctx context.Context, id string, body io.Reader) (*http.Request, error) {
	target := r.prefix
	if id != "" {
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
