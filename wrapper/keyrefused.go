package wrapper

import (
	"errors"
	"net/http"
	"strings"
)

// Fastly's texts for a request refused because of the key that sent it.
const (
	msgTokenLookupFailed = "Token lookup failed"
	msgReadOnly          = "Read only tokens are not allowed to access this endpoint"
)

// KeyRefused reports an error that refuses the request because of the key
// that sent it, not because of what it asked for: 401 (a missing, unknown
// or expired key), 403 "Token lookup failed" (unknown or revoked), or 403
// "Read only tokens are not allowed to access this endpoint." (a
// global:read key on a write). Every later request with that key is refused
// the same way. A 404, a 403 for sudo mode or any other 403 is not.
func KeyRefused(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.StatusCode {
	case http.StatusUnauthorized:
		return true
	case http.StatusForbidden:
		return apiErr.Message == msgTokenLookupFailed || ReadOnlyRefused(err)
	}
	return false
}

// ReadOnlyRefused reports a 403 refusing a write to a read-only
// (global:read) key: the request needs a key with global scope.
func ReadOnlyRefused(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusForbidden &&
		strings.HasPrefix(apiErr.Message, msgReadOnly)
}
