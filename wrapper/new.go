package wrapper

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Version is this library's version, sent in the default User-Agent.
const Version = "0.2.0"

const defaultUserAgent = "fastlytokens/" + Version + " (+https://github.com/tokenward/fastlytokens)"

// defaultMaxBody bounds a successful body; a list of 10,000 tokens is ~4 MiB.
const defaultMaxBody = 32 << 20

// Client calls Fastly's token endpoints. It is safe for concurrent use by
// many goroutines; build one and share it.
type Client struct {
	settings       settings // what built it, for Clone
	server         string   // base URL with a trailing slash, as gen's builders want
	routes         *routes
	http           *http.Client
	userAgent      []string
	retry          RetryPolicy
	logger         *slog.Logger
	maxBody        int64
	maxListLength  int
	defaultTimeout time.Duration
	callTimeout    time.Duration
	newTimer       timerFunc // what retries wait on
	// secretForms returns the configured credentials in every encoding they
	// could be echoed in, for redaction. A func, not a field: fmt prints a
	// func as an address even where it would print one level of a pointer's
	// contents (a bad verb on a copy).
	secretForms func() []string

	rateMu sync.Mutex
	rate   RateLimit
}

// New builds a Client. It makes no request. Without options it talks to
// https://api.fastly.com without credentials; most calls need WithToken.
func New(opts ...Option) (*Client, error) {
	return build(settings{baseURL: DefaultBaseURL + "/", userAgent: defaultUserAgent, retry: DefaultRetryPolicy,
		maxBodySize: defaultMaxBody, maxListLen: DefaultMaxListLength}, opts)
}

// Clone returns a new Client with c's settings (base URL, HTTP client and
// transport, retry policy, logger, bounds, credentials) and opts applied on
// top, e.g. c.Clone(wrapper.WithToken(newKey)). c is unchanged; the two
// share connections.
func (c *Client) Clone(opts ...Option) (*Client, error) {
	return build(c.settings, opts)
}

// build applies opts to s and builds the Client.
func build(s settings, opts []Option) (*Client, error) {
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
		settings:      s,
		routes:        rts,
		server:        s.baseURL,
		userAgent:     []string{s.userAgent},
		retry:         s.retry,
		logger:        s.logger,
		maxBody:       s.maxBodySize,
		maxListLength: s.maxListLen,
		callTimeout:   s.callTimeout,
		newTimer:      realTimer,
		secretForms:   secretFormsOf(s.key.reveal(), s.username, s.password.reveal()),
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
		if s.defaultTransport == nil {
			s.defaultTransport = newDefaultTransport() // kept, so that clones share it
			c.settings.defaultTransport = s.defaultTransport
		}
		base = s.defaultTransport
	}
	basicRoutes := []*route{&rts[opCreate], &rts[opSudo]}
	auth, err := newAuthTransport(base, s.baseURL, s.key, s.username, s.password, basicRoutes)
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

// BaseURL is the API address the Client talks to (WithBaseURL, default
// https://api.fastly.com), without the trailing slash. It never carries a
// credential: WithBaseURL refuses user info, query and fragment. Jobs name
// it in reports, so a reader can tell which API judged a key.
func (c *Client) BaseURL() string { return strings.TrimSuffix(c.server, "/") }

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

// secretFormsOf computes the credentials' forms once; each call returns a
// slice whose appends never touch the shared one.
func secretFormsOf(key, username, password string) func() []string {
	forms := clientSecretForms(key, username, password)
	return func() []string { return forms[:len(forms):len(forms)] }
}
