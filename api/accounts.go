package api

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokenward/fastlytokens/gen"
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

// Role names a seeded account by what it is for.
type Role string

// The roles SeedDemo seeds, one account each.
const (
	// RoleSuperuser is a superuser of the demo customer.
	RoleSuperuser Role = "superuser"
	// RoleUser is an ordinary user of the same customer.
	RoleUser Role = "user"
	// RoleTwoFactorUser is an ordinary user of the same customer with
	// two-factor authentication.
	RoleTwoFactorUser Role = "two_factor_user"
	// RoleOtherCustomer is a superuser of another customer.
	RoleOtherCustomer Role = "other_customer_superuser"
	// RoleAutomation is an automation token of the demo customer (global:read,
	// no user): Token is its key; it has no login, password or read-only key.
	RoleAutomation Role = "automation"
)

// Account is one seeded user with a global key and a global:read key (or
// an automation token, by Role). Its JSON form is what fastly-api-sim
// prints.
type Account struct {
	Role            Role   `json:"role"`
	Login           string `json:"login"`
	Password        string `json:"password"`
	UserID          string `json:"user_id"`
	CustomerID      string `json:"customer_id"`
	Superuser       bool   `json:"superuser"`
	TwoFactorSecret string `json:"two_factor_secret"`
	Token           string `json:"token"`
	ReadOnlyToken   string `json:"read_only_token"`
}

// Accounts are seeded accounts.
type Accounts []Account

// ByRole returns the account seeded for role.
func (a Accounts) ByRole(role Role) (Account, bool) {
	for _, acc := range a {
		if acc.Role == role {
			return acc, true
		}
	}
	return Account{}, false
}

// AutomationTokenSpec describes an automation token to add: a key that
// belongs to a customer, not to a user.
type AutomationTokenSpec struct {
	CustomerID, Name string
	// Role is the automation token's role, e.g. "engineer".
	Role string
	// Scope is space-delimited; "" means global.
	Scope     string
	Services  []string
	ExpiresAt time.Time
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
	if full := s.tokenLimit(nil); full != "" {
		return "", "", errors.New("api: " + full)
	}
	t, secret := s.mintLocked(u.id, u.customerID, spec.Name, scopes, spec.Services, spec.ExpiresAt)
	return t.id, secret, nil
}

// AddAutomationToken adds an automation token to an existing customer and
// returns its id and secret. It is listed with the customer's tokens, is
// revoked by DELETE /tokens/{id}, and as a key may read and revoke only
// itself.
func (s *Server) AddAutomationToken(spec AutomationTokenSpec) (id, accessToken string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.customers[spec.CustomerID] {
		return "", "", fmt.Errorf("api: unknown customer %q", spec.CustomerID)
	}
	scopes, ok := parseScopes(spec.Scope)
	if !ok {
		return "", "", fmt.Errorf("api: unknown scope in %q", spec.Scope)
	}
	if full := s.tokenLimit(nil); full != "" {
		return "", "", errors.New("api: " + full)
	}
	t, secret := s.mintLocked("", spec.CustomerID, spec.Name, scopes, spec.Services, spec.ExpiresAt)
	t.automation, t.role = true, spec.Role
	for _, u := range s.users {
		if u.superuser && u.customerID == spec.CustomerID {
			t.creatorID = u.id
			break
		}
	}
	return t.id, secret, nil
}

// tokenLimit says why no token may be minted (for u, when u is not nil), or
// "" when one may.
func (s *Server) tokenLimit(u *user) string {
	if len(s.tokens) >= s.maxTokens {
		return fmt.Sprintf("the server holds %d live tokens, the most it allows: revoke some first", s.maxTokens)
	}
	if u != nil && u.tokens >= MaxTokensPerUser {
		return fmt.Sprintf("the user has %d live tokens, the most one user may hold: revoke some first", MaxTokensPerUser)
	}
	return ""
}

// mintLocked creates a token; the secret is returned once and only its hash kept.
func (s *Server) mintLocked(userID, customerID, name string, scopes, services []string, expiresAt time.Time) (*token, string) {
	secret := newAccessToken()
	now := s.now().UTC().Truncate(time.Second)
	if services == nil {
		services = []string{}
	}
	s.minted++
	t := &token{seq: s.minted, id: newID(), userID: userID, customerID: customerID, name: name, scopes: scopes,
		services: services, hash: hash(secret), createdAt: now, updatedAt: now, expiresAt: expiresAt.UTC().Truncate(time.Second)}
	s.tokens[t.id] = t
	s.byHash[t.hash] = t
	if u := s.users[userID]; u != nil {
		u.tokens++
	}
	return t, secret
}

// parseScopes splits a space-delimited scope, each scope once; "" is global.
func parseScopes(scope string) ([]string, bool) {
	var scopes []string
	for _, f := range strings.Fields(scope) {
		if !gen.KnownScope(f).Valid() { // the contract's known_scope enum
			return nil, false
		}
		if !slices.Contains(scopes, f) {
			scopes = append(scopes, f)
		}
	}
	if len(scopes) == 0 {
		return []string{scopeGlobal}, true
	}
	return scopes, true
}

// SeedDemo adds one customer with three users (a superuser, an ordinary
// user and an ordinary user with two-factor authentication) and an
// automation token, and a second customer with a superuser. Each user has a
// global key and a global:read key. Passwords and secrets are random. Reach
// the accounts by role (Accounts.ByRole).
func (s *Server) SeedDemo() (Accounts, error) {
	customerID, otherID := s.AddCustomer(), s.AddCustomer()
	specs := []struct {
		role Role
		spec UserSpec
	}{
		{RoleSuperuser, UserSpec{Login: "admin@example.com", Superuser: true, CustomerID: customerID}},
		{RoleUser, UserSpec{Login: "dev@example.com", CustomerID: customerID}},
		{RoleTwoFactorUser, UserSpec{Login: "secure@example.com", TwoFactorSecret: NewTOTPSecret(), CustomerID: customerID}},
		{RoleOtherCustomer, UserSpec{Login: "admin@other.example", Superuser: true, CustomerID: otherID}},
	}
	accounts := make(Accounts, 0, len(specs)+1)
	for _, seed := range specs {
		spec := seed.spec
		spec.Password = randomString(idAlphabet, 16)
		userID, err := s.AddUser(spec)
		if err != nil {
			return nil, err
		}
		_, key, err := s.AddToken(TokenSpec{UserID: userID, Name: "demo global key", Scope: scopeGlobal})
		if err != nil {
			return nil, err
		}
		_, readOnly, err := s.AddToken(TokenSpec{UserID: userID, Name: "demo read-only key", Scope: scopeGlobalRead})
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, Account{Role: seed.role, Login: spec.Login, Password: spec.Password, UserID: userID,
			CustomerID: spec.CustomerID, Superuser: spec.Superuser, TwoFactorSecret: spec.TwoFactorSecret,
			Token: key, ReadOnlyToken: readOnly})
	}
	_, key, err := s.AddAutomationToken(AutomationTokenSpec{CustomerID: customerID, Name: "demo automation token",
		Role: "engineer", Scope: scopeGlobalRead})
	if err != nil {
		return nil, err
	}
	accounts = append(accounts, Account{Role: RoleAutomation, CustomerID: customerID, Token: key})
	return accounts, nil
}
