package wrapper

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tokenward/fastlytokens/gen"
)

// Sentinel errors. Match them with errors.Is; an *APIError matches the ones
// its status and body stand for.
var (
	// ErrUnauthorized: 401, the key is missing or expired.
	ErrUnauthorized = errors.New("fastly: unauthorized")
	// ErrForbidden: 403, the key is unknown, read-only on a write, not allowed
	// here, or not in sudo mode.
	ErrForbidden = errors.New("fastly: forbidden")
	// ErrNotFound: 404, no such token (or not one the caller may see).
	ErrNotFound = errors.New("fastly: not found")
	// ErrRateLimited: 429, the hourly limit of non-GET requests is used up.
	// The *APIError carries RateLimitReset.
	ErrRateLimited = errors.New("fastly: rate limited")
	// ErrTwoFactorRequired: create answered 400 with code 2fa.verify: the
	// account needs a one-time password (CreateInput.OTP), or the one sent
	// was wrong.
	ErrTwoFactorRequired = errors.New("fastly: two-factor one-time password required or refused")
	// ErrSudoRequired: 403 "You must POST /sudo to access this endpoint":
	// creating with an API key needs Client.Sudo first, or user credentials.
	ErrSudoRequired = errors.New("fastly: sudo mode required")
	// ErrInvalidInput: the call's input was refused before any request was
	// sent (an empty or malformed id, an empty bulk list, a bad option).
	ErrInvalidInput = errors.New("fastly: invalid input")
	// ErrResponseTooLarge: a response body exceeded the configured bound.
	ErrResponseTooLarge = errors.New("fastly: response body too large")
	// ErrRedirect: the server answered with a redirect, which is never
	// followed (it could carry credentials to another host, or turn a DELETE
	// into a GET). The *APIError carries Location.
	ErrRedirect = errors.New("fastly: redirect not followed")
	// ErrForeignHost: a request to a host other than the base URL's was
	// refused before dialing, so credentials never leave for it.
	ErrForeignHost = errors.New("fastly: request to a foreign host refused")
)

// The codes of create's 400 answers (APIError.Code), as the contract names
// them.
const (
	CodeInvalidGrant   = string(gen.InvalidGrant)   // wrong login or password
	CodeInvalidRequest = string(gen.InvalidRequest) // a malformed request
	CodeInvalidScope   = string(gen.InvalidScope)   // an unknown scope
	CodeAccountLocked  = string(gen.AccountLocked)  // too many failed sign-ins
	CodeTwoFactor      = string(gen.N2faVerify)     // a one-time password is needed, or was refused
)

// ErrOutcomeUnknown means a call that changes something failed after its
// request may have reached Fastly and been acted on: a create (a token may
// or may not exist: it is never retried; reconcile with List, matching the
// token's name), a sudo, or a revoke (single, bulk or the key's own) whose
// answer never came, was a 5xx, or followed an uncertain attempt: the tokens
// may be revoked; check each with Get.
var ErrOutcomeUnknown = errors.New("fastly: outcome unknown: the request may have been processed")

// Bounds on error bodies: how much is read, and how much is shown.
const (
	maxErrorBody    = 64 << 10
	maxErrorExcerpt = 200
)

// APIError is the error for every non-success answer from Fastly.
type APIError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Method and Path are the request's method and path (never a query, never
	// a host's credentials).
	Method, Path string
	// Message is Fastly's msg (or the JSON:API title), or a short excerpt of
	// a body that is not JSON (an HTML proxy page, say).
	Message string
	// Detail is Fastly's detail, when sent.
	Detail string
	// Code is the create error code: invalid_grant, invalid_request,
	// invalid_scope, account_locked or 2fa.verify.
	Code string
	// RateLimitRemaining is Fastly-RateLimit-Remaining, or -1 when absent.
	RateLimitRemaining int
	// RateLimitReset is Fastly-RateLimit-Reset (zero when absent): when the
	// hourly window of non-GET requests starts again.
	RateLimitReset time.Time
	// RetryAfter is the Retry-After header's wait (zero when absent).
	RetryAfter time.Duration
	// Location is the target of a redirect that was not followed.
	Location string
}

// Error is one line: method, path, status and Fastly's message.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(errorPrefix(e.Method, e.Path))
	b.WriteString(strconv.Itoa(e.StatusCode))
	text := http.StatusText(e.StatusCode)
	if text != "" {
		b.WriteByte(' ')
		b.WriteString(text)
	}
	if e.Message != "" && !strings.EqualFold(e.Message, text) { // "422 Unprocessable Entity", not twice

		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Code != "" {
		b.WriteString(" (code ")
		b.WriteString(e.Code)
		b.WriteByte(')')
	}
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Detail)
		b.WriteByte(')')
	}
	if e.StatusCode == http.StatusTooManyRequests && !e.RateLimitReset.IsZero() {
		b.WriteString("; the rate limit resets at ")
		b.WriteString(e.RateLimitReset.UTC().Format(time.RFC3339))
	}
	if e.Location != "" {
		b.WriteString("; redirect to ")
		b.WriteString(e.Location)
		b.WriteString(" not followed")
	}
	return b.String()
}

// Is matches the sentinel errors that the status and body stand for.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrSudoRequired:
		return e.StatusCode == http.StatusForbidden && strings.Contains(e.Message, "POST /sudo")
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrTwoFactorRequired:
		return e.StatusCode == http.StatusBadRequest && e.Code == CodeTwoFactor
	case ErrRedirect:
		return e.StatusCode >= 300 && e.StatusCode < 400
	}
	return false
}

// errorBody is every error shape Fastly sends. The contract's own error
// bodies (create_token_error: msg, detail, code; generic_token_error is its
// subset) decode into gen's model; title and errors are shapes from outside
// the contract that other Fastly endpoints and proxies send: problem+json
// {title, detail} and JSON:API {errors: [{title, detail, code}]}.
type errorBody struct {
	gen.CreateTokenError
	Title  string         `json:"title"`
	Errors []jsonAPIError `json:"errors"`
}

// jsonAPIError is one entry of a JSON:API errors array.
type jsonAPIError struct {
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
}

// parseErrorBody fills Message, Detail and Code from a body of any shape. It
// never fails: what cannot be parsed becomes a short excerpt. Secrets are
// replaced before anything is cut, so no part of one survives a cut.
func parseErrorBody(e *APIError, body []byte, secrets []string) {
	clean := func(s string) string { return cleanText(s, secrets) }
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "{") {
		var eb errorBody
		// A field of an unexpected type is skipped; the rest still counts.
		if err := json.Unmarshal([]byte(trimmed), &eb); err == nil || isTypeError(err) {
			e.Message, e.Detail, e.Code = eb.Msg, eb.Detail, string(eb.Code)
			if e.Message == "" {
				e.Message = eb.Title
			}
			if len(eb.Errors) > 0 {
				first := eb.Errors[0]
				if e.Message == "" {
					e.Message = first.Title
				}
				if e.Detail == "" {
					e.Detail = first.Detail
				}
				if e.Code == "" {
					e.Code = first.Code
				}
			}
			e.Message, e.Detail, e.Code = clean(e.Message), clean(e.Detail), clean(e.Code)
			if e.Message != "" || e.Detail != "" || e.Code != "" {
				return
			}
		}
	}
	e.Message = clean(textOf(trimmed))
}

// cleanText makes text from an error body fit to show: secrets replaced
// (raw, and again once HTML entities are decoded, so a page that echoes a
// password as &amp; or &#39; loses it too), control characters removed, cut
// to an excerpt.
func cleanText(s string, secrets []string) string {
	s = redactAll(s, secrets)
	if strings.IndexByte(s, '&') >= 0 {
		s = redactAll(html.UnescapeString(s), secrets)
	}
	return excerpt(redactAll(sanitize(s), secrets))
}

// textOf turns an HTML page into its title, or its text without tags.
func textOf(body string) string {
	// ASCII-only lowering keeps byte offsets valid for body (strings.ToLower
	// may change the length of invalid or non-ASCII text).
	lower := asciiLower(body)
	if start := strings.Index(lower, "<title>"); start >= 0 {
		from := start + len("<title>")
		if end := strings.Index(lower[from:], "</title>"); end >= 0 {
			if title := strings.TrimSpace(body[from : from+end]); title != "" {
				return title
			} // an empty title says nothing: the text may
		}
	}
	if !strings.Contains(body, "<") {
		return body
	}
	var b strings.Builder
	inTag := false
	for _, r := range body {
		if r == '<' {
			inTag = true
		} else if r == '>' {
			inTag = false
			b.WriteByte(' ')
		} else if !inTag {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// excerpt folds white space to single spaces and cuts s to a few hundred
// bytes on a rune boundary, so an error stays one short line.
func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxErrorExcerpt {
		return s
	}
	cut := maxErrorExcerpt
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

// newAPIError builds the error for a non-success response whose (bounded)
// body is body; secrets are replaced wherever the server echoed them.
func newAPIError(method, path string, resp *http.Response, body []byte, now time.Time, secrets []string) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, Method: method, Path: path, RateLimitRemaining: -1}
	limit := parseRateLimit(resp.Header)
	if limit.Known {
		e.RateLimitRemaining, e.RateLimitReset = limit.Remaining, limit.Reset
	}
	e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		e.Location = excerpt(redactAll(sanitize(redactLocation(resp.Header.Get("Location"))), secrets))
	}
	parseErrorBody(e, body, secrets)
	return e
}

// redactLocation drops user info and query from a redirect target: they may
// carry credentials, and the error only needs to say where it pointed.
func redactLocation(loc string) string {
	if i := strings.IndexAny(loc, "?#"); i >= 0 {
		loc = loc[:i]
	}
	if scheme := strings.Index(loc, "://"); scheme >= 0 {
		rest := loc[scheme+3:]
		if at := strings.IndexByte(rest, '@'); at >= 0 && at < strings.IndexAny(rest+"/", "/") {
			loc = loc[:scheme+3] + rest[at+1:]
		}
	}
	return loc
}

// ResponseError reports a successful status whose body could not be used
// (not JSON, or too large). It never contains the body.
type ResponseError struct {
	Method, Path string
	StatusCode   int
	Err          error
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("%s%d response unusable: %v", errorPrefix(e.Method, e.Path), e.StatusCode, e.Err)
}

// Unwrap returns the cause (ErrResponseTooLarge or a decoding error).
func (e *ResponseError) Unwrap() error { return e.Err }

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
