package api

import (
	"net/http/httptest"
)

// NewSeeded builds a Server with opts and seeds it with SeedDemo: the
// accounts every demo, example and test starts from.
func NewSeeded(opts ...Option) (*Server, Accounts, error) {
	sim, err := New(opts...)
	if err != nil {
		return nil, nil, err
	}
	accounts, err := sim.SeedDemo()
	if err != nil {
		return nil, nil, err
	}
	return sim, accounts, nil
}

// Demo is a seeded Server listening on loopback.
type Demo struct {
	*Server
	// URL is the base URL to give wrapper.WithBaseURL.
	URL string
	// Accounts are the seeded accounts (see SeedDemo); reach one by role
	// with Accounts.ByRole.
	Accounts Accounts

	http *httptest.Server
}

// StartDemo builds a seeded Server (NewSeeded) and serves it on loopback
// until Close: the examples and the demo run against it.
func StartDemo(opts ...Option) (*Demo, error) {
	sim, accounts, err := NewSeeded(opts...)
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(sim)
	return &Demo{Server: sim, URL: srv.URL, Accounts: accounts, http: srv}, nil
}

// Close stops serving and waits for requests in flight.
func (d *Demo) Close() { d.http.Close() }

// TB is the part of testing.TB that NewTestServer uses.
type TB interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// TestServer is a seeded Server listening on loopback for one test.
type TestServer struct {
	*Demo

	tb TB
}

// NewTestServer starts a seeded Server on loopback (StartDemo), stopped when
// the test ends. Every response is checked against the contract; a mismatch
// fails the test.
func NewTestServer(tb TB, opts ...Option) *TestServer {
	tb.Helper()
	opts = append([]Option{WithResponseCheck(func(err error) { tb.Errorf("%v", err) })}, opts...)
	demo, err := StartDemo(opts...)
	if err != nil {
		tb.Fatalf("api: %v", err)
	}
	tb.Cleanup(demo.Close)
	return &TestServer{Demo: demo, tb: tb}
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
