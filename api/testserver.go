package api

import (
	"net/http/httptest"
)

// TB is the part of testing.TB that NewTestServer uses.
type TB interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// TestServer is a seeded Server listening on loopback for one test.
type TestServer struct {
	*Server
	// URL is the base URL to give wrapper.WithBaseURL.
	URL string
	// Accounts are the seeded accounts (see SeedDemo); reach one by role
	// with Account.
	Accounts Accounts

	tb TB
}

// NewTestServer starts a seeded Server on loopback, stopped when the test
// ends. Every response is checked against the contract; a mismatch fails the
// test.
func NewTestServer(tb TB, opts ...Option) *TestServer {
	tb.Helper()
	opts = append([]Option{WithResponseCheck(func(err error) { tb.Errorf("%v", err) })}, opts...)
	sim, err := New(opts...)
	if err != nil {
		tb.Fatalf("api: %v", err)
	}
	accounts, err := sim.SeedDemo()
	if err != nil {
		tb.Fatalf("api: %v", err)
	}
	srv := httptest.NewServer(sim)
	tb.Cleanup(srv.Close)
	return &TestServer{Server: sim, URL: srv.URL, Accounts: accounts, tb: tb}
}

// Account returns the account seeded for role, and fails the test when
// there is none.
func (s *TestServer) Account(role Role) Account {
	s.tb.Helper()
	a, ok := s.Accounts.ByRole(role)
	if !ok {
		s.tb.Fatalf("api: no account seeded for role %q", role)
	}
	return a
}
