package wrapper

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
)

// authTransport adds credentials to requests for the base URL's scheme and
// host, and refuses every other request before dialing, so a key can never
// travel to another host (Go's http.Client forwards custom headers such as
// Fastly-Key on redirects; redirects are also never followed, see New).
type authTransport struct {
	base        http.RoundTripper
	scheme      string
	host        string
	keyHeader   []string // {key}, or nil
	basicHeader []string // {"Basic …"}, or nil
	// basicRoutes are the requests (method and escaped URL path) that may
	// carry HTTP Basic credentials: create and sudo, from the route table.
	basicRoutes [][2]string
}

func newAuthTransport(base http.RoundTripper, baseURL string, key *secret, username string, password *secret, basicRoutes []*route) (*authTransport, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("%w: base URL does not parse", ErrInvalidInput)
	}
	t := &authTransport{
		base:   base,
		scheme: u.Scheme,
		host:   u.Host,
	}
	for _, r := range basicRoutes {
		t.basicRoutes = append(t.basicRoutes, [2]string{r.method, r.escapedPath()})
	}
	if key != nil {
		t.keyHeader = []string{key.reveal()}
	}
	if password != nil {
		cred := base64.StdEncoding.EncodeToString([]byte(username + ":" + password.reveal()))
		t.basicHeader = []string{"Basic " + cred}
	}
	return t, nil
}

// RoundTrip leaves req untouched, as the RoundTripper contract asks: the
// credentials go on a shallow copy with its own header map.
func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != t.scheme || req.URL.Host != t.host {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("%w: %s://%s is not the base URL's host", ErrForeignHost, req.URL.Scheme, req.URL.Host)
	}
	withAuth := *req
	withAuth.Header = make(http.Header, len(req.Header)+2)
	for k, v := range req.Header {
		withAuth.Header[k] = v
	}
	if t.keyHeader != nil {
		withAuth.Header["Fastly-Key"] = t.keyHeader
	}
	if t.basicHeader != nil && t.mayCarryBasic(req) {
		withAuth.Header["Authorization"] = t.basicHeader
	}
	return t.base.RoundTrip(&withAuth)
}

func (t *authTransport) mayCarryBasic(req *http.Request) bool {
	path := req.URL.EscapedPath()
	for _, r := range t.basicRoutes {
		if req.Method == r[0] && path == r[1] {
			return true
		}
	}
	return false
}
