package wrapper

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// DefaultBaseURL is the Fastly API.
const DefaultBaseURL = "https://api.fastly.com"

// DefaultTimeout bounds a call whose context has no deadline, when the Client
// built its own http.Client. Bring your own http.Client or a context deadline
// to choose another bound.
const DefaultTimeout = 60 * time.Second

// An Option configures a Client. Options validate their input: New returns
// the first error.
type Option func(*settings) error

// settings is what the options collect before New builds the Client.
type settings struct {
	key         *secret
	username    string
	password    *secret
	baseURL     string
	httpClient  *http.Client
	userAgent   string
	retry       RetryPolicy
	logger      *slog.Logger
	maxBodySize int64
	maxListLen  int
	callTimeout time.Duration
	// defaultTransport is the transport New made when the caller gave no
	// http.Client; clones reuse it.
	defaultTransport *http.Transport
}

// WithCallTimeout bounds every call, retries and waits included, to d,
// whether or not its context has a deadline (the earlier of the two wins).
// Without it, DefaultTimeout bounds only calls whose context has no
// deadline. A command with an overall deadline uses it so that one
// unanswered request cannot take the whole budget.
func WithCallTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d <= 0 {
			return fmt.Errorf("%w: call timeout must be positive", ErrInvalidInput)
		}
		s.callTimeout = d
		return nil
	}
}

// WithToken sends key as the Fastly-Key header on every request to the base
// URL's host, and on no other host.
func WithToken(key string) Option {
	return func(s *settings) error {
		if err := checkCredential("API key", key); err != nil {
			return err
		}
		s.key = newSecret(key)
		return nil
	}
}

// WithBasicAuth sends username and password as HTTP Basic credentials on
// create (POST /tokens) and POST /sudo only: never on reads or revokes.
func WithBasicAuth(username, password string) Option {
	return func(s *settings) error {
		if err := checkCredential("username", username); err != nil {
			return err
		}
		if strings.Contains(username, ":") {
			return fmt.Errorf("%w: username must not contain ':'", ErrInvalidInput)
		}
		if err := checkCredential("password", password); err != nil {
			return err
		}
		s.username = username
		s.password = newSecret(password)
		return nil
	}
}

// WithBaseURL sets the API's address (default https://api.fastly.com). It
// must be https, or http on a loopback host (for api/ and tests), without
// user info, query or fragment. A path prefix is kept.
func WithBaseURL(rawURL string) Option {
	return func(s *settings) error {
		u, err := parseBaseURL(rawURL)
		if err != nil {
			return err
		}
		s.baseURL = u
		return nil
	}
}

// WithHTTPClient makes the Client send through a copy of c: its Transport,
// Timeout and Jar are used, c itself is never modified. Redirects are never
// followed whatever c says. Without this option the Client uses its own
// http.Client and bounds calls without a deadline by DefaultTimeout.
func WithHTTPClient(c *http.Client) Option {
	return func(s *settings) error {
		if c == nil {
			return fmt.Errorf("%w: nil *http.Client", ErrInvalidInput)
		}
		s.httpClient = c
		return nil
	}
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		if ua == "" || hasControl(ua) {
			return fmt.Errorf("%w: user agent must be non-empty, without control characters", ErrInvalidInput)
		}
		s.userAgent = ua
		return nil
	}
}

// WithLogger logs one debug line per attempt (method, path, status, attempt,
// duration, rate limit) to l. Headers and bodies are never logged, so no
// credential, password, OTP or access token can appear.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		s.logger = l
		return nil
	}
}

// WithMaxResponseBytes bounds how much of a successful response body is read
// (default 32 MiB, far above a list of 10,000 tokens). A larger body fails
// with ErrResponseTooLarge instead of exhausting memory.
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n <= 0 {
			return fmt.Errorf("%w: response size bound must be positive", ErrInvalidInput)
		}
		s.maxBodySize = n
		return nil
	}
}

// DefaultMaxListLength bounds the tokens of one list answer: far above any
// account's tokens, far below what would exhaust memory.
const DefaultMaxListLength = 100_000

// WithMaxListLength bounds how many tokens one list answer may hold (default
// DefaultMaxListLength). A longer list fails with ErrResponseTooLarge before
// it is decoded, so memory stays a small multiple of the body's bytes.
func WithMaxListLength(n int) Option {
	return func(s *settings) error {
		if n <= 0 {
			return fmt.Errorf("%w: list length bound must be positive", ErrInvalidInput)
		}
		s.maxListLen = n
		return nil
	}
}

func checkCredential(what, v string) error {
	if v == "" {
		return fmt.Errorf("%w: empty %s", ErrInvalidInput, what)
	}
	if hasControl(v) {
		// The value is never echoed: it is a secret.
		return fmt.Errorf("%w: %s contains a control character", ErrInvalidInput, what)
	}
	return nil
}

// parseBaseURL checks rawURL and returns it with a trailing slash, the form
// the generated request builders resolve operation paths against. The URL is
// kept exactly as given: one that parsing would rewrite (a path with spaces
// or dot segments, an upper-case scheme, an escape written another way) is
// refused, so requests go exactly where the caller said.
func parseBaseURL(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("%w: base URL does not parse", ErrInvalidInput)
	}
	// Ifs, not a switch: mutation testing cannot reach switch cases.
	if u.User != nil {
		return "", fmt.Errorf("%w: base URL must not carry user info", ErrInvalidInput)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(rawURL, "?#") {
		return "", fmt.Errorf("%w: base URL must not carry a query or fragment", ErrInvalidInput)
	}
	if u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("%w: base URL %q has no host", ErrInvalidInput, rawURL)
	}
	if u.Scheme != "https" && (u.Scheme != "http" || !isLoopback(u.Hostname())) {
		return "", fmt.Errorf("%w: base URL %q must be https (http only on a loopback host)", ErrInvalidInput, rawURL)
	}
	base := rawURL
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	for _, segment := range strings.Split(u.EscapedPath(), "/") {
		if segment == "." || segment == ".." {
			return "", fmt.Errorf("%w: base URL %q has a dot segment", ErrInvalidInput, rawURL)
		}
	}
	if canonical := u.Scheme + "://" + u.Host + u.EscapedPath(); canonical != base && canonical+"/" != base {
		return "", fmt.Errorf("%w: base URL %q is not in canonical form (it would be sent as %q)", ErrInvalidInput, rawURL, canonical)
	}
	return base, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Environment variables read by WithEnv.
const (
	EnvToken   = "FASTLY_API_TOKEN"
	EnvBaseURL = "FASTLY_API_URL"
)

// WithEnv reads the API key from FASTLY_API_TOKEN and, when set, the base
// URL from FASTLY_API_URL (point it at api/ in tests). Nothing is read from
// the environment unless this option is given. An unset FASTLY_API_TOKEN is
// an error.
func WithEnv() Option {
	return func(s *settings) error {
		key, ok := os.LookupEnv(EnvToken)
		if !ok || key == "" {
			return fmt.Errorf("%w: %s is not set", ErrInvalidInput, EnvToken)
		}
		if err := WithToken(key)(s); err != nil {
			return err
		}
		if base := os.Getenv(EnvBaseURL); base != "" {
			return WithBaseURL(base)(s)
		}
		return nil
	}
}
