package wrapper

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/tokenward/fastlytokens/gen"
)

// Scope is one authorization scope of a token. The set is open: Fastly may
// add scopes, and a token may hold several.
type Scope string

// The scopes Fastly documents, from the contract's known_scope enum (gen).
const (
	// ScopeGlobal covers all supported capabilities (the default).
	ScopeGlobal = Scope(gen.Global)
	// ScopeGlobalRead allows read-only access to account information,
	// configuration and stats.
	ScopeGlobalRead = Scope(gen.GlobalRead)
	// ScopePurgeSelect allows purging by surrogate key and URL.
	ScopePurgeSelect = Scope(gen.PurgeSelect)
	// ScopePurgeAll allows purging a whole service.
	ScopePurgeAll = Scope(gen.PurgeAll)
)

// KnownScopes returns the scopes Fastly documents for create (the
// contract's known_scope enum), in the order Fastly lists them (a new slice
// each call). Every scope check and every text that lists scopes, in the
// command line, the simulator and the Vault engine, is built from it.
// Tokens may carry others: the set of Scope values is open.
func KnownScopes() []Scope {
	return []Scope{ScopeGlobal, ScopeGlobalRead, ScopePurgeSelect, ScopePurgeAll}
}

// KnownScopesText is KnownScopes joined with sep, for messages and help.
func KnownScopesText(sep string) string {
	known := KnownScopes()
	names := make([]string, len(known))
	for i, s := range known {
		names[i] = string(s)
	}
	return strings.Join(names, sep)
}

// Token is an API token as Fastly describes it. It never holds the secret.
//
// It marshals to JSON with Fastly's snake_case names, leaving out empty
// values and zero times, and that JSON decodes back into an equal Token.
type Token struct {
	ID         string `json:"id"`
	Name       string `json:"name,omitempty"`
	UserID     string `json:"user_id,omitempty"`
	CustomerID string `json:"customer_id,omitempty"`
	// Scopes holds every scope of the token (from "scopes", or else the
	// space-delimited "scope"); nil when Fastly sent none.
	Scopes []Scope `json:"scopes,omitempty"`
	// Services limits the token to these service ids; nil means all services.
	Services []string `json:"services,omitempty"`
	// Zero times mean absent: never used, never expires, not in sudo mode,
	// not deleted.
	CreatedAt     time.Time `json:"created_at,omitzero"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
	LastUsedAt    time.Time `json:"last_used_at,omitzero"`
	ExpiresAt     time.Time `json:"expires_at,omitzero"`
	SudoExpiresAt time.Time `json:"sudo_expires_at,omitzero"`
	DeletedAt     time.Time `json:"deleted_at,omitzero"`
	// IP and UserAgent are of the client that last used the token.
	IP        string `json:"ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
}

// HasScope reports whether the token holds scope s.
func (t Token) HasScope(s Scope) bool { return slices.Contains(t.Scopes, s) }

// ExpiredAt reports whether the token has an expiry at or before when.
func (t Token) ExpiredAt(when time.Time) bool {
	return !t.ExpiresAt.IsZero() && !t.ExpiresAt.After(when)
}

// CreatedToken is a new token with its secret, which Fastly shows only once.
// Printing it with fmt or slog, or marshalling it to JSON, redacts
// AccessToken: read the field itself to store it.
type CreatedToken struct {
	Token
	// AccessToken is the secret, usable as a Fastly-Key.
	AccessToken string `json:"access_token"`
}

// createdTokenView is CreatedToken with the secret redacted, for printing.
type createdTokenView struct {
	Token
	AccessToken string `json:"access_token"`
}

func (t CreatedToken) redacted() createdTokenView {
	return createdTokenView{Token: t.Token, AccessToken: mask(t.AccessToken)}
}

// Format prints the token with AccessToken redacted, for every verb.
func (t CreatedToken) Format(f fmt.State, verb rune) {
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), t.redacted())
}

// LogValue logs the token with AccessToken redacted.
func (t CreatedToken) LogValue() slog.Value { return slog.AnyValue(t.redacted()) }

// MarshalJSON writes the token with AccessToken redacted.
func (t CreatedToken) MarshalJSON() ([]byte, error) { return marshalView(t.redacted()) }

// CreateInput describes a token to create. Only Name is usual; every empty
// field is left out of the request and takes Fastly's default.
type CreateInput struct {
	// Name of the token.
	Name string
	// Scopes default to global.
	Scopes []Scope
	// Services limits the token to these service ids; empty means all.
	Services []string
	// ExpiresAt is when the token stops working; zero means never.
	ExpiresAt time.Time
	// Username and Password are the user's credentials, sent as form fields
	// of this create request only (as Fastly documents). Leave them empty
	// when the Client's key is in sudo mode or WithBasicAuth is set.
	Username, Password string
	// OTP is the two-factor one-time password, sent as Fastly-OTP on this
	// request only.
	OTP string
}

// createInputView is CreateInput with its secrets redacted, for printing.
type createInputView struct {
	Name      string
	Scopes    []Scope
	Services  []string
	ExpiresAt time.Time
	Username  string
	Password  string
	OTP       string
}

func (in CreateInput) redacted() createInputView {
	return createInputView{in.Name, in.Scopes, in.Services, in.ExpiresAt, in.Username, mask(in.Password), mask(in.OTP)}
}

// Format prints the input with Password and OTP redacted, for every verb.
func (in CreateInput) Format(f fmt.State, verb rune) {
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), in.redacted())
}

// LogValue logs the input with Password and OTP redacted.
func (in CreateInput) LogValue() slog.Value { return slog.AnyValue(in.redacted()) }

// MarshalJSON writes the input with Password and OTP redacted.
func (in CreateInput) MarshalJSON() ([]byte, error) { return marshalView(in.redacted()) }

// SudoInput is what Client.Sudo sends to POST /sudo.
type SudoInput struct {
	// Username is the login of the key's user; Fastly requires it.
	Username string
	// Password is the user's password.
	Password string
	// OTP is the one-time password of a two-factor account.
	OTP string
	// ExpiryTime asks for sudo mode to end then; zero takes Fastly's
	// default (about five minutes). Fastly may grant less.
	ExpiryTime time.Time
}

type sudoInputView struct {
	Username, Password, OTP string
	ExpiryTime              time.Time
}

func (in SudoInput) redacted() sudoInputView {
	return sudoInputView{in.Username, mask(in.Password), mask(in.OTP), in.ExpiryTime}
}

// Format prints the input with Password and OTP redacted, for every verb.
func (in SudoInput) Format(f fmt.State, verb rune) {
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), in.redacted())
}

// LogValue logs the input with Password and OTP redacted.
func (in SudoInput) LogValue() slog.Value { return slog.AnyValue(in.redacted()) }

// MarshalJSON writes the input with Password and OTP redacted.
func (in SudoInput) MarshalJSON() ([]byte, error) { return marshalView(in.redacted()) }
