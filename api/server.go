// Package api is an in-memory stand-in for Fastly's token API: an
// http.Handler that serves the eight token operations and POST /sudo with
// Fastly's rules (authentication, sudo mode, two-factor OTP, read-only keys,
// superusers, rate limits), checks every request against the contract in
// openapi/, and keeps its state in memory. It is safe for concurrent use.
//
// Use it to test code that manages tokens without touching Fastly. In a test,
// NewTestServer starts a seeded server that also checks every response
// against the contract:
//
//	srv := api.NewTestServer(t)
//	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(srv.Accounts[0].Token))
//
// Elsewhere, serve a Server yourself:
//
//	sim, _ := api.New()
//	accounts, _ := sim.SeedDemo()
//	srv := httptest.NewServer(sim)
//
// The standalone server api/cmd/fastly-api-sim serves it on a port for
// tests written in any language.
package api

import (
	"net/http"
	"sync"
	"time"
)

// DefaultWriteLimit is the hourly budget of non-GET requests per user
// (Fastly documents 1,000; accounts differ, so it is configurable).
const DefaultWriteLimit = 1000

// SudoDuration is how long POST /sudo keeps a key in sudo mode.
const SudoDuration = 5 * time.Minute

// Server is the simulated API. Build it with New.
type Server struct {
	mu         sync.Mutex
	now        func() time.Time
	writeLimit int
	check      func(error)
	contract   *contract
	mux        *http.ServeMux
	handlers   map[string]func(*exchange) // by the contract's operationId

	customers map[string]bool
	users     map[string]*user
	logins    map[string]*user
	tokens    map[string]*token   // by id
	byHash    map[[32]byte]*token // by sha256 of the access token
	windows   map[string]*window  // rate-limit windows by user id
}

// An Option configures a Server.
type Option func(*Server)

// WithClock makes the server read time from now (tokens expire, sudo mode
// ends, OTPs and rate-limit windows turn over by it).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithWriteLimit sets the hourly budget of non-GET requests per user.
func WithWriteLimit(n int) Option { return func(s *Server) { s.writeLimit = n } }

// WithResponseCheck validates every response against the contract and
// reports each mismatch to report (tests pass a func that calls t.Error).
func WithResponseCheck(report func(error)) Option { return func(s *Server) { s.check = report } }

// New builds an empty server: add accounts with AddCustomer, AddUser and
// AddToken, or SeedDemo.
func New(opts ...Option) (*Server, error) {
	c, err := loadContract()
	if err != nil {
		return nil, err
	}
	s := &Server{
		now:        time.Now,
		writeLimit: DefaultWriteLimit,
		contract:   c,
		customers:  map[string]bool{},
		users:      map[string]*user{},
		logins:     map[string]*user{},
		tokens:     map[string]*token{},
		byHash:     map[[32]byte]*token{},
		windows:    map[string]*window{},
	}
	for _, opt := range opts {
		opt(s)
	}
	s.routes()
	return s, nil
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.handlers = map[string]func(*exchange){
		"list-tokens-user":     s.listTokens,
		"create-token":         s.createToken,
		"bulk-revoke-tokens":   s.bulkRevoke,
		"get-token-current":    s.getCurrent,
		"revoke-token-current": s.revokeCurrent,
		"get-token":            s.getToken,
		"revoke-token":         s.revokeToken,
		"list-tokens-customer": s.listCustomerTokens,
		"request-sudo":         s.sudo,
	}
	for operationID, h := range s.handlers {
		s.handle(operationID, h)
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody("Record not found", "no such endpoint: "+r.Method+" "+r.URL.Path))
	})
}
