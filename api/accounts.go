package api

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// UserSpec describes a user to add.
type UserSpec struct {
	Login, Password, CustomerID string
	Superuser                   bool
	// TwoFactorSecret is a base32 TOTP secret (RFC 6238, 30 s, 6 digits); ""
	// means no two-factor authentication.
	TwoFactorSecret string
}

// TokenSpec describes a token to add directly (without POST /tokens).
type TokenSpec struct {
	UserID, Name string
	// Scope is space-delimited; "" means global.
	Scope     string
	Services  []string
	ExpiresAt time.Time
}

// Account is one seeded user with a global key and a global:read key. Its
// JSON form is what fastly-api-sim prints.
type Account struct {
	Login           string `json:"login"`
	Password        string `json:"password"`
	UserID          string `json:"user_id"`
	CustomerID      string `json:"customer_id"`
	Superuser       bool   `json:"superuser"`
	TwoFactorSecret string `json:"two_factor_secret"`
	Token           string `json:"token"`
	ReadOnlyToken   string `json:"read_only_token"`
}

// AddCustomer adds a customer and returns its id.
func (s *Server) AddCustomer() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := newID()
	s.customers[id] = true
	return id
}

// AddUser adds a user to an existing customer and returns the user's id.
func (s *Server) AddUser(spec UserSpec) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.customers[spec.CustomerID] {
		return "", fmt.Errorf("api: unknown customer %q", spec.CustomerID)
	}
	if spec.Login == "" || spec.Password == "" {
		return "", errors.New("api: a user needs a login and a password")
	}
	if _, taken := s.logins[spec.Login]; taken {
		return "", fmt.Errorf("api: login %q is taken", spec.Login)
	}
	if spec.TwoFactorSecret != "" {
		if _, err := decodeTOTPSecret(spec.TwoFactorSecret); err != nil {
			return "", err
		}
	}
	u := &user{id: newID(), login: spec.Login, customerID: spec.CustomerID, passwordHash: hash(spec.Password),
		superuser: spec.Superuser, totpSecret: spec.TwoFactorSecret}
	s.users[u.id] = u
	s.logins[u.login] = u
	return u.id, nil
}

// AddToken adds a token for an existing user and returns its id and secret.
func (s *Server) AddToken(spec TokenSpec) (id, accessToken string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[spec.UserID]
	if !ok {
		return "", "", fmt.Errorf("api: unknown user %q", spec.UserID)
	}
	scopes, ok := parseScopes(spec.Scope)
	if !ok {
		return "", "", fmt.Errorf("api: unknown scope in %q", spec.Scope)
	}
	t, secret := s.mintLocked(u, spec.Name, scopes, spec.Services, spec.ExpiresAt)
	return t.id, secret, nil
}

// mintLocked creates a token; the secret is returned once and only its hash kept.
func (s *Server) mintLocked(u *user, name string, scopes, services []string, expiresAt time.Time) (*token, string) {
	secret := newAccessToken()
	now := s.now().UTC().Truncate(time.Second)
	if services == nil {
		services = []string{}
	}
	t := &token{id: newID(), userID: u.id, customerID: u.customerID, name: name, scopes: scopes,
		services: services, hash: hash(secret), createdAt: now, updatedAt: now, expiresAt: expiresAt.UTC().Truncate(time.Second)}
	s.tokens[t.id] = t
	s.byHash[t.hash] = t
	return t, secret
}

// knownScopes are the scopes Fastly accepts on create.
var knownScopes = map[string]bool{"global": true, "global:read": true, "purge_select": true, "purge_all": true}

// parseScopes splits a space-delimited scope; "" is global.
func parseScopes(scope string) ([]string, bool) {
	fields := strings.Fields(scope)
	if len(fields) == 0 {
		return []string{"global"}, true
	}
	for _, f := range fields {
		if !knownScopes[f] {
			return nil, false
		}
	}
	return fields, true
}

// SeedDemo adds one customer with three users: a superuser, an ordinary user
// and an ordinary user with two-factor authentication, each with a global
// key and a global:read key. Passwords and secrets are random.
func (s *Server) SeedDemo() ([]Account, error) {
	customerID := s.AddCustomer()
	specs := []UserSpec{
		{Login: "admin@example.com", Superuser: true},
		{Login: "dev@example.com"},
		{Login: "secure@example.com", TwoFactorSecret: NewTOTPSecret()},
	}
	accounts := make([]Account, 0, len(specs))
	for _, spec := range specs {
		spec.CustomerID = customerID
		spec.Password = randomString(idAlphabet, 16)
		userID, err := s.AddUser(spec)
		if err != nil {
			return nil, err
		}
		_, key, err := s.AddToken(TokenSpec{UserID: userID, Name: "demo global key", Scope: "global"})
		if err != nil {
			return nil, err
		}
		_, readOnly, err := s.AddToken(TokenSpec{UserID: userID, Name: "demo read-only key", Scope: "global:read"})
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, Account{Login: spec.Login, Password: spec.Password, UserID: userID,
			CustomerID: customerID, Superuser: spec.Superuser, TwoFactorSecret: spec.TwoFactorSecret,
			Token: key, ReadOnlyToken: readOnly})
	}
	return accounts, nil
}
