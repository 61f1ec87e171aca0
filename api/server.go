package api

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultWriteLimit is the hourly budget of non-GET requests per user
// (Fastly documents 1,000; accounts differ, so it is configurable).
const DefaultWriteLimit = 1000

// SudoDuration is how long POST /sudo keeps a key in sudo mode when the
// request names no expiry_time; MaxSudoDuration is the most it grants.
const (
	SudoDuration    = 5 * time.Minute
	MaxSudoDuration = time.Hour
)

// MaxBodyBytes caps every request body (forms, /sudo, bulk documents): far
// above any legitimate request, far below what could exhaust memory.
const MaxBodyBytes = 1 << 20

// MaxBulkIDs is the most ids one bulk revoke may name.
const MaxBulkIDs = 1000

// LockoutThreshold failures in a row (password or OTP) lock a login for
// LockoutDuration. A failure older than LockoutDuration is forgotten.
const (
	LockoutThreshold = 5
	LockoutDuration  = 15 * time.Minute
)

// maxUnknownLogins bounds the table of failed sign-ins of logins that are
// no account, which attackers fill with logins of their choosing.
const maxUnknownLogins = 10_000

// DefaultMaxTokens is how many live (not revoked) tokens a Server holds
// unless WithMaxTokens says otherwise; MaxTokensPerUser is how many one user
// may hold. Past either, POST /tokens answers 422 and creates nothing, so an
// exposed simulator's memory stays bounded. Fastly's own limits are
// unverified.
const (
	DefaultMaxTokens = 100_000
	MaxTokensPerUser = 1_000
)

// Server is the simulated API. Build it with New.
type Server struct {
	mu         sync.Mutex
	now        func() time.Time
	writeLimit int
	maxTokens  int
	check      func(error)
	contract   *contract
	mux        *http.ServeMux

	customers map[string]bool
	users     map[string]*user
	logins    map[string]*user
	tokens    map[string]*token   // by id
	byHash    map[[32]byte]*token // by sha256 of the access token
	windows   map[string]*window  // rate-limit windows by user id
	// unknownLogins counts failed sign-ins of logins that are no account.
	unknownLogins *loginTable
	minted        uint64 // tokens minted so far: their creation order
}

// An Option configures a Server.
type Option func(*Server)

// WithClock makes the server read time from now (tokens expire, sudo mode
// ends, OTPs, lockouts and rate-limit windows turn over by it).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithWriteLimit sets the hourly budget of non-GET requests per user.
func WithWriteLimit(n int) Option { return func(s *Server) { s.writeLimit = n } }

// WithMaxTokens sets how many live tokens the server holds at most (n > 0;
// default DefaultMaxTokens): past it, POST /tokens answers 422 and
// AddToken and AddAutomationToken return an error.
func WithMaxTokens(n int) Option { return func(s *Server) { s.maxTokens = max(n, 1) } }

// WithResponseCheck validates every response against the contract and
// reports each mismatch to report (tests pass a func that calls t.Error).
func WithResponseCheck(report func(error)) Option { return func(s *Server) { s.check = report } }

// New builds an empty server: add accounts with AddCustomer, AddUser,
// AddToken and AddAutomationToken, or SeedDemo.
func New(opts ...Option) (*Server, error) {
	c, err := loadContract()
	if err != nil {
		return nil, err
	}
	s := &Server{
		now:           time.Now,
		writeLimit:    DefaultWriteLimit,
		maxTokens:     DefaultMaxTokens,
		contract:      c,
		customers:     map[string]bool{},
		users:         map[string]*user{},
		logins:        map[string]*user{},
		tokens:        map[string]*token{},
		byHash:        map[[32]byte]*token{},
		windows:       map[string]*window{},
		unknownLogins: newLoginTable(maxUnknownLogins),
	}
	for _, opt := range opts {
		opt(s)
	}
	s.mux = http.NewServeMux()
	for operationID, op := range operations {
		s.handle(operationID, op)
	}
	s.mux.HandleFunc("/", s.noRoute)
	return s, nil
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// methods are the methods a route may be registered for, in the order an
// Allow header lists them.
var methods = []string{http.MethodDelete, http.MethodGet, http.MethodPatch, http.MethodPost, http.MethodPut}

// noRoute answers a request no operation serves: 405 with Allow when the
// path is an operation's under another method, else 404.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range methods {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host}
		if _, pattern := s.mux.Handler(probe); pattern != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		newReply().json(http.StatusNotFound, errorBody("Record not found", "no such endpoint")).writeTo(w)
		return
	}
	rep := newReply().json(http.StatusMethodNotAllowed, errorBody("Method Not Allowed", "this path allows "+strings.Join(allow, ", ")))
	rep.header.Set("Allow", strings.Join(allow, ", "))
	rep.writeTo(w)
}
