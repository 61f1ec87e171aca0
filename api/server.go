package api

import (
	"net/http"
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

// maxTrackedLogins bounds the failure table, which attackers fill with
// logins of their choosing; past it, forgotten failures are pruned first.
const maxTrackedLogins = 10_000

// Server is the simulated API. Build it with New.
type Server struct {
	mu         sync.Mutex
	now        func() time.Time
	writeLimit int
	check      func(error)
	contract   *contract
	mux        *http.ServeMux

	customers map[string]bool
	users     map[string]*user
	logins    map[string]*user
	tokens    map[string]*token     // by id
	byHash    map[[32]byte]*token   // by sha256 of the access token
	windows   map[string]*window    // rate-limit windows by user id
	failures  map[[32]byte]*failure // failed credentials by hash of the login
	minted    uint64                // tokens minted so far: their creation order
}

// An Option configures a Server.
type Option func(*Server)

// WithClock makes the server read time from now (tokens expire, sudo mode
// ends, OTPs, lockouts and rate-limit windows turn over by it).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithWriteLimit sets the hourly budget of non-GET requests per user.
func WithWriteLimit(n int) Option { return func(s *Server) { s.writeLimit = n } }

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
		now:        time.Now,
		writeLimit: DefaultWriteLimit,
		contract:   c,
		customers:  map[string]bool{},
		users:      map[string]*user{},
		logins:     map[string]*user{},
		tokens:     map[string]*token{},
		byHash:     map[[32]byte]*token{},
		windows:    map[string]*window{},
		failures:   map[[32]byte]*failure{},
	}
	for _, opt := range opts {
		opt(s)
	}
	s.mux = http.NewServeMux()
	for operationID, op := range operations {
		s.handle(operationID, op)
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		newReply().json(http.StatusNotFound, errorBody("Record not found", "no such endpoint")).writeTo(w)
	})
	return s, nil
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }
