package wrapper

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// redactedText replaces a secret wherever one would be printed.
const redactedText = "[REDACTED]"

// secret holds a credential. It is always kept behind a pointer: fmt prints a
// nested pointer as an address, and every formatting hook below redacts, so
// the value cannot reach a log line, an error or %v of a Client.
type secret struct{ value string }

func newSecret(v string) *secret {
	if v == "" {
		return nil
	}
	return &secret{value: v}
}

// reveal returns the value, or "" for a nil secret.
func (s *secret) reveal() string {
	if s == nil {
		return ""
	}
	return s.value
}

func (s *secret) String() string               { return redactedText }
func (s *secret) GoString() string             { return redactedText }
func (s *secret) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte(redactedText)) }
func (s *secret) LogValue() slog.Value         { return slog.StringValue(redactedText) }
func (s *secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redactedText + `"`), nil }
func (s *secret) MarshalText() ([]byte, error) { return []byte(redactedText), nil }

// mask shows a secret's shape without its value, for a transcript or a log.
func mask(v string) string {
	if v == "" {
		return ""
	}
	return redactedText
}

// hasControl reports whether v holds a control character (CR, LF, NUL...),
// which would split or corrupt a header.
func hasControl(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

func marshalView(v any) ([]byte, error) { return json.Marshal(v) }
