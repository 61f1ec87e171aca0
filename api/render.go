package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
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

type errorBody struct {
	Msg    string `json:"msg,omitempty"`
	Detail string `json:"detail,omitempty"`
}

type codeBody struct {
	Code string `json:"code"`
}

// readToken is the read endpoints' token, fields in the order Fastly sends.
type readToken struct {
	ID            string   `json:"id"`
	UserID        string   `json:"user_id"`
	CustomerID    string   `json:"customer_id"`
	Name          string   `json:"name"`
	LastUsedAt    *string  `json:"last_used_at"`
	CreatedAt     *string  `json:"created_at"`
	ExpiresAt     *string  `json:"expires_at"`
	IP            *string  `json:"ip"`
	UserAgent     *string  `json:"user_agent"`
	SudoExpiresAt *string  `json:"sudo_expires_at"`
	Scopes        []string `json:"scopes"`
	Scope         string   `json:"scope"`
	Services      []string `json:"services"`
	ServiceID     *string  `json:"service_id"`
}

// createdToken is create's token, fields in the order Fastly sends.
type createdToken struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	UserID      string   `json:"user_id"`
	CustomerID  string   `json:"customer_id"`
	ServiceID   *string  `json:"service_id"`
	ExpiresAt   *string  `json:"expires_at"`
	CreatedAt   *string  `json:"created_at"`
	UpdatedAt   *string  `json:"updated_at"`
	Scope       string   `json:"scope"`
	Services    []string `json:"services"`
	AccessToken string   `json:"access_token"`
}

// stamp is RFC 3339 without fractions, or null for the zero time.
func stamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format("2006-01-02T15:04:05Z")
	return &s
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// lastService is the legacy service_id: the last of services, or null.
func lastService(services []string) *string {
	if len(services) == 0 {
		return nil
	}
	return &services[len(services)-1]
}

func (t *token) read(now time.Time) readToken {
	sudo := time.Time{}
	if t.sudoUntil.After(now) {
		sudo = t.sudoUntil
	}
	return readToken{
		ID: t.id, UserID: t.userID, CustomerID: t.customerID, Name: t.name,
		LastUsedAt: stamp(t.lastUsedAt), CreatedAt: stamp(t.createdAt), ExpiresAt: stamp(t.expiresAt),
		IP: orNull(t.ip), UserAgent: orNull(t.userAgent), SudoExpiresAt: stamp(sudo),
		Scopes: t.scopes, Scope: strings.Join(t.scopes, " "), Services: t.services, ServiceID: lastService(t.services),
	}
}

func (t *token) created(secret string) createdToken {
	return createdToken{
		ID: t.id, Name: t.name, UserID: t.userID, CustomerID: t.customerID, ServiceID: lastService(t.services),
		ExpiresAt: stamp(t.expiresAt), CreatedAt: stamp(t.createdAt), UpdatedAt: stamp(t.updatedAt),
		Scope: strings.Join(t.scopes, " "), Services: t.services, AccessToken: secret,
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"msg":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
