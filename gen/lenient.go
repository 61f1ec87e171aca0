// This file is written by hand, not generated: the lenient types that
// overlay.yaml names with x-go-type. A timestamp, a scopes field or a
// nullable string of an odd shape is never worth failing a response for, so
// their decoders accept every shape Fastly sends and take anything else as
// absent, without an error.

package gen

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// Time is a contract timestamp. It decodes RFC 3339 with or without
// fractional seconds, with Z or a numeric offset, and null or "" for "none";
// anything else is the zero time. Decoded times are in UTC. It encodes the
// zero time as null and any other as RFC 3339 without fractions, as Fastly
// sends it.
type Time struct{ time.Time }

// lenientLayouts are tried after strict RFC 3339 fails.
var lenientLayouts = []string{
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

// UnmarshalJSON never fails: a value it cannot read is the zero time.
func (t *Time) UnmarshalJSON(b []byte) error {
	var parsed time.Time
	if parsed.UnmarshalJSON(b) == nil { // fast path: RFC 3339, or null
		if !parsed.IsZero() {
			parsed = parsed.UTC()
		}
		t.Time = parsed
		return nil
	}
	t.Time = time.Time{}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil
	}
	s := string(b[1 : len(b)-1])
	for _, layout := range lenientLayouts {
		if p, err := time.Parse(layout, s); err == nil {
			t.Time = p.UTC()
			return nil
		}
	}
	return nil
}

// MarshalJSON writes null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(time.RFC3339) + `"`), nil
}

// Scopes is a token's scopes: a JSON array of strings, or one
// space-delimited string (automation tokens send it so). Anything else is no
// scopes.
type Scopes []string

// UnmarshalJSON never fails: a value it cannot read is no scopes.
func (s *Scopes) UnmarshalJSON(b []byte) error {
	*s = nil
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		var one string
		if json.Unmarshal(b, &one) == nil {
			*s = strings.Fields(one)
		}
	case '[':
		if scopes, ok := parsePlainStrings(b); ok {
			*s = scopes
			return nil
		}
		var many []string
		if json.Unmarshal(b, &many) == nil {
			*s = many
		}
	}
	return nil
}

// parsePlainStrings parses a JSON array of strings without escapes, the
// shape scopes always have, without a second pass through encoding/json.
func parsePlainStrings(b []byte) ([]string, bool) {
	out := make([]string, 0, 2)
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
		out = append(out, string(b[i+1:i+1+end]))
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

// NullableString is a string that Fastly sends as null when absent. It
// decodes null, or a value of any other JSON type, as "" and encodes "" as
// null.
type NullableString string

// UnmarshalJSON never fails: a value that is not a string is "".
func (s *NullableString) UnmarshalJSON(b []byte) error {
	*s = ""
	if plain := plainString(b); plain != nil {
		*s = NullableString(plain)
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var v string
		if json.Unmarshal(b, &v) == nil {
			*s = NullableString(v)
		}
	}
	return nil
}

// MarshalJSON writes null for "".
func (s NullableString) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(s))
}

// plainString returns the contents of a JSON string made of printable ASCII
// without escapes (the usual shape, decoded without encoding/json), or nil.
func plainString(b []byte) []byte {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil
	}
	inner := b[1 : len(b)-1]
	for _, c := range inner {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return nil
		}
	}
	return inner
}
