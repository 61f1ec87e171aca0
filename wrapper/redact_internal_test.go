package wrapper

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSanitizeEdges: each class of character at the edges of its range,
// and each escape form, on the fast (ASCII) and the slow path.
func TestSanitizeEdges(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, spaces kept": "plain text, spaces kept",
		"é b":                     "é b",        // the slow path keeps spaces too
		"a\x80b":                  "a\uFFFDb",   // a lone continuation byte
		"a\xffb":                  "a\uFFFDb",   // an invalid byte
		"a\u0085b\u009fc\u00a0d":  "abc\u00a0d", // C1 controls go; U+00A0 (just past them) stays
		"a\x1fb\x7fc\x20d":        "abc d",      // C0 and DEL go; 0x20 stays
		"tab\tnl\ncr\rvt\vff\f.":  "tab nl cr vt ff .",
		"red\x1b[31mtext\x1b[0m":  "redtext",  // CSI
		"x\u009b31my":             "xy",       // C1 CSI
		"a\x1b[1@b\x1b[1~c":       "abc",      // final bytes 0x40 and 0x7e end a CSI
		"a\x1b[1\x7fb":            "a",        // 0x7f is no final byte: the CSI runs to the end
		"a\x1b]0;title\x07b":      "ab",       // OSC ended by BEL
		"a\x1b]0;title\x1b\\b":    "ab",       // OSC ended by ST
		"a\x1b]unterminated":      "a",        // OSC to the end
		"a\x1bcb":                 "ab",       // a two-character escape
		"a\x1bé":                  "a",        // ... whose second character is multi-byte
		"trailing\x1b":            "trailing", // a lone ESC at the end
		"a\x1b[":                  "a",        // an unfinished CSI
		"\u00e9\x1b":              "\u00e9",
		"\u0085\u009f":            "", // no ASCII at all: still the slow path
		"\xff\xfe":                "\uFFFD\uFFFD",
		"a\u0080b":                "ab", // the first C1 control
		"a\x1b]title\x1b":         "a",  // an OSC whose last byte is ESC
	} {
		assert.Equal(t, want, sanitize(in), "%q", in)
	}
}

// TestRedactAllEdges: overlapping runs up to the very end of the text, a
// form of exactly minSecretRun characters, short forms whole.
func TestRedactAllEdges(t *testing.T) {
	assert.Equal(t, "[REDACTED]", redactAll("aaaaaaaaa", []string{"aaaaaaaa"}))
	assert.Equal(t, "x [REDACTED] y", redactAll("x 12345678 y", []string{"12345678"}))
	assert.Equal(t, "x [REDACTED]5678 y", redactAll("x 12345675678 y", []string{"1234567"}), "a short form only whole")
	assert.Equal(t, "head [REDACTED]", redactAll("head abcdefghij", []string{"zzabcdefghij"}), "a run of 8 at the end")
	assert.Equal(t, "", redactAll("", []string{"abcdefgh"}))
	assert.Equal(t, "no secret here", redactAll("no secret here", []string{"", "abcdefgh"}))
}
