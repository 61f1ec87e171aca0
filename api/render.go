package api

import (
	"strings"
	"time"

	"github.com/tokenward/fastlytokens/gen"
)

// Messages Fastly sends, verbatim.
const (
	msgMissingCredentials = "Provided credentials are missing or invalid"
	msgTokenLookupFailed  = "Token lookup failed"
	msgSudoRequired       = "You must POST /sudo to access this endpoint"
	msgReadOnly           = "Read only tokens are not allowed to access this endpoint."
	msgRateLimited        = "You have exceeded your hourly rate limit. Please contact support@fastly.com if you think this is a mistake."
	msgForbidden          = "Forbidden"
)

// Messages this package chooses where Fastly's are unverified (see the
// package doc).
const (
	msgBadRequest    = "Bad request"
	msgUnprocessable = "Unprocessable Entity"
	msgTooLarge      = "Request Entity Too Large"
	msgBadPassword   = "Incorrect username or password"
	msgSignInsLocked = "Too many failed sign-ins: try again later"
)

// Every body is rendered from gen's models, the contract's own types: a
// token's nulls (never used, never expires, no IP) come from gen's nullable
// types.

func errorBody(msg, detail string) gen.GenericTokenError {
	return gen.GenericTokenError{Msg: msg, Detail: detail}
}

// lastService is the legacy service_id: the last of services, or null.
func lastService(services []string) gen.NullableString {
	if len(services) == 0 {
		return ""
	}
	return gen.NullableString(services[len(services)-1])
}

func stamp(t time.Time) gen.Time { return gen.Time{Time: t} }

// read renders t as the read endpoints send it; an automation token the way
// Fastly sends those (scopes as one string, extra fields).
func (t *token) read(now time.Time) any {
	plain := t.plain(now)
	if t.automation {
		return automationToken{Token: plain, Scopes: plain.Scope, CreatorID: t.creatorID, Role: t.role}
	}
	return plain
}

// automationToken is an automation token as recorded: its scopes field is
// a space-delimited string, and it carries creator_id, role, tls_access and
// an empty access_token.
type automationToken struct {
	gen.Token
	Scopes      string `json:"scopes"`
	CreatorID   string `json:"creator_id"`
	Role        string `json:"role"`
	AccessToken string `json:"access_token"`
	TLSAccess   bool   `json:"tls_access"`
}

func (t *token) plain(now time.Time) gen.Token {
	sudo := time.Time{}
	if t.sudoUntil.After(now) {
		sudo = t.sudoUntil
	}
	return gen.Token{
		Id: t.id, UserId: t.userID, CustomerId: t.customerID, Name: t.name,
		LastUsedAt: stamp(t.lastUsedAt), CreatedAt: stamp(t.createdAt), ExpiresAt: stamp(t.expiresAt),
		Ip: gen.NullableString(t.ip), UserAgent: gen.NullableString(t.userAgent), SudoExpiresAt: stamp(sudo),
		Scopes: t.scopes, Scope: strings.Join(t.scopes, " "), Services: t.services, ServiceId: lastService(t.services),
	}
}

// created is create's answer: the token as create sends it (Fastly leaves
// out last use and scopes there) and its secret.
func (t *token) created(secret string) gen.CreatedToken {
	return gen.CreatedToken{
		Token: gen.Token{
			Id: t.id, Name: t.name, UserId: t.userID, CustomerId: t.customerID, ServiceId: lastService(t.services),
			ExpiresAt: stamp(t.expiresAt), CreatedAt: stamp(t.createdAt), UpdatedAt: stamp(t.updatedAt),
			Scope: strings.Join(t.scopes, " "), Services: t.services,
		},
		AccessToken: secret,
	}
}
