package wrapper

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// wireToken is a token as Fastly sends it. Its field types are lenient: a
// null, "" or unparseable timestamp is the zero time, scopes may be an array
// or a string, and encoding/json skips any other field of an unexpected type,
// so one odd token never fails a list.
type wireToken struct {
	ID            string     `json:"id"`
	UserID        string     `json:"user_id"`
	CustomerID    string     `json:"customer_id"`
	Name          string     `json:"name"`
	Scope         string     `json:"scope"`
	Scopes        wireScopes `json:"scopes"`
	Services      []string   `json:"services"`
	CreatedAt     wireTime   `json:"created_at"`
	UpdatedAt     wireTime   `json:"updated_at"`
	LastUsedAt    wireTime   `json:"last_used_at"`
	ExpiresAt     wireTime   `json:"expires_at"`
	SudoExpiresAt wireTime   `json:"sudo_expires_at"`
	IP            string     `json:"ip"`
	UserAgent     string     `json:"user_agent"`
}

// wireCreatedToken is create's answer: a token and its secret.
type wireCreatedToken struct {
	wireToken
	AccessToken string `json:"access_token"`
}

// wireSudo is POST /sudo's answer.
type wireSudo struct {
	ExpiryTime wireTime `json:"expiry_time"`
}

func (w *wireToken) token() Token {
	scopes := []Scope(w.Scopes)
	if len(scopes) == 0 && w.Scope != "" {
		scopes = splitScopes(w.Scope)
	}
	return Token{
		ID:            w.ID,
		Name:          w.Name,
		UserID:        w.UserID,
		CustomerID:    w.CustomerID,
		Scopes:        scopes,
		Services:      w.Services,
		CreatedAt:     time.Time(w.CreatedAt),
		UpdatedAt:     time.Time(w.UpdatedAt),
		LastUsedAt:    time.Time(w.LastUsedAt),
		ExpiresAt:     time.Time(w.ExpiresAt),
		SudoExpiresAt: time.Time(w.SudoExpiresAt),
		IP:            w.IP,
		UserAgent:     w.UserAgent,
	}
}

func splitScopes(s string) []Scope {
	fields := strings.Fields(s)
	scopes := make([]Scope, len(fields))
	for i, f := range fields {
		scopes[i] = Scope(f)
	}
	return scopes
}

// wireTime accepts RFC 3339 with or without fractional seconds, with Z or a
// numeric offset, and null or "" for "none". Anything else is the zero time:
// a timestamp is never worth failing a response for.
type wireTime time.Time

// lenientLayouts are tried after strict RFC 3339 fails.
var lenientLayouts = []string{
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

func (t *wireTime) UnmarshalJSON(b []byte) error {
	var parsed time.Time
	if parsed.UnmarshalJSON(b) == nil { // fast path: RFC 3339, or null
		if !parsed.IsZero() {
			parsed = parsed.UTC()
		}
		*t = wireTime(parsed)
		return nil
	}
	*t = wireTime{}
	if len(b) < 2 || b[0] != '"' {
		return nil
	}
	s := string(b[1 : len(b)-1])
	for _, layout := range lenientLayouts {
		if p, err := time.Parse(layout, s); err == nil {
			*t = wireTime(p.UTC())
			return nil
		}
	}
	return nil
}

// wireScopes takes scopes as an array of strings or as one space-delimited
// string (automation tokens send it so). Anything else is no scopes.
type wireScopes []Scope

func (s *wireScopes) UnmarshalJSON(b []byte) error {
	*s = nil
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		var one string
		if json.Unmarshal(b, &one) == nil {
			*s = splitScopes(one)
		}
	case '[':
		if scopes, ok := parsePlainStrings(b); ok {
			*s = scopes
			return nil
		}
		var many []string
		if json.Unmarshal(b, &many) == nil || len(many) > 0 {
			out := make([]Scope, 0, len(many))
			for _, m := range many {
				out = append(out, Scope(m))
			}
			*s = out
		}
	}
	return nil
}

// parsePlainStrings parses a JSON array of strings without escapes, the
// shape scopes always have, without a second pass through encoding/json.
func parsePlainStrings(b []byte) ([]Scope, bool) {
	out := make([]Scope, 0, 2)
	i := 1
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return nil, false
		}
		if b[i] == ']' && len(out) == 0 {
			return out, true
		}
		if b[i] != '"' {
			return nil, false
		}
		end := bytes.IndexByte(b[i+1:], '"')
		if end < 0 || bytes.IndexByte(b[i+1:i+1+end], '\\') >= 0 {
			return nil, false
		}
		out = append(out, Scope(b[i+1:i+1+end]))
		i += end + 2
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case ',':
			i++
		case ']':
			return out, true
		default:
			return nil, false
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// decodeLenient unmarshals b into out, which must be a JSON value of the kind
// first says ('[' or '{'). Fields of unexpected types are skipped (encoding/json
// goes on past them); a body of the wrong kind or broken JSON is an error.
func decodeLenient(b []byte, first byte, out any) error {
	trimmed := bytes.TrimLeft(b, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != first {
		return errUnexpectedShape(first)
	}
	if err := json.Unmarshal(trimmed, out); err != nil && !isTypeError(err) {
		return err
	}
	return nil
}

type errUnexpectedShape byte

func (e errUnexpectedShape) Error() string {
	if e == '[' {
		return "expected a JSON array"
	}
	return "expected a JSON object"
}
