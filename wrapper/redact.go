package wrapper

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// minSecretRun is the shortest run of a secret's characters that counts as
// a leak: any 8 consecutive characters of a secret (in any encoding below)
// are redacted, so a secret cut short by a read bound leaves no head behind.
// A secret shorter than this (an OTP, a short password) is redacted whole.
const minSecretRun = 8

// transportError keeps the cause but drops the URL that *url.Error prints,
// and redacts any credential a transport put into its error text.
func (c *Client) transportError(op *operation, err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	if strings.HasPrefix(err.Error(), "failed to parse Location header") {
		// net/http quotes the whole Location, which may carry someone's
		// credentials (user:pass@, ?token=): say what happened without it.
		return op.errorf("%w (its Location does not parse)", ErrRedirect)
	}
	wrapped := op.errorf("%w", err)
	text := wrapped.Error()
	if redacted := redactAll(sanitize(text), c.secretsFor(op)); redacted != text {
		return &redactedError{text: redacted, cause: wrapped}
	}
	return wrapped
}

// redactedError is an error whose text had a credential replaced; errors.Is
// and errors.As still reach the cause.
type redactedError struct {
	text  string
	cause error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.cause }

// secretsFor lists every form in which op's text could echo a secret: the
// Client's key and Basic credentials and the call's own password and OTP,
// each raw and in the encodings secrets travel in.
func (c *Client) secretsFor(op *operation) []string {
	forms := c.secretForms()
	for _, s := range op.secrets {
		forms = append(forms, encodedForms(s)...)
	}
	return forms
}

// clientSecretForms lists the encoded forms of the Client's own credentials.
func clientSecretForms(key, username, password string) []string {
	forms := append(encodedForms(key), encodedForms(password)...)
	if password != "" {
		forms = append(forms, base64.StdEncoding.EncodeToString([]byte(username+":"+password)))
	}
	return forms
}

// encodedForms is s raw, URL-query and path escaped (%40, + for space),
// JSON-escaped, and base64 (an echoed header). Empty for "".
func encodedForms(s string) []string {
	if s == "" {
		return nil
	}
	forms := []string{s, url.QueryEscape(s), url.PathEscape(s),
		base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s))}
	if quoted, err := json.Marshal(s); err == nil {
		forms = append(forms, string(quoted[1:len(quoted)-1]))
	}
	return forms
}

// redactAll replaces every run of minSecretRun or more characters of any
// form in forms (and every whole occurrence of a shorter form) with
// [REDACTED]; overlapping and adjacent runs merge into one.
func redactAll(text string, forms []string) string {
	if text == "" {
		return text
	}
	var mask []bool
	mark := func(needle string) {
		for from := 0; from+len(needle) <= len(text); {
			i := strings.Index(text[from:], needle)
			if i < 0 {
				return
			}
			if mask == nil {
				mask = make([]bool, len(text))
			}
			for j := from + i; j < from+i+len(needle); j++ {
				mask[j] = true
			}
			from += i + 1
		}
	}
	for _, form := range forms {
		if form == "" {
			continue
		}
		if len(form) < minSecretRun {
			mark(form)
			continue
		}
		for i := 0; i+minSecretRun <= len(form); i++ {
			mark(form[i : i+minSecretRun])
		}
	}
	if mask == nil {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		if !mask[i] {
			b.WriteByte(text[i])
			i++
			continue
		}
		b.WriteString(redactedText)
		for i < len(text) && (mask[i] || !utf8.RuneStart(text[i])) {
			i++ // a run's end inside a rune takes the whole rune
		}
	}
	return b.String()
}

// sanitize removes what a terminal or a log viewer would act on: ANSI escape
// sequences, C0 controls other than white space (which becomes a space),
// DEL, C1 controls, and invisible format characters (Unicode Cf: bidi
// overrides that reorder what is shown, zero-width characters). Server
// text passes through it before it is shown.
func sanitize(s string) string {
	clean := true // printable ASCII only: nothing to do
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		// Ifs, not a switch: mutation testing cannot reach switch cases.
		if r == 0x1b || r == 0x9b {
			i += escapeLength(s[i:], size)
			continue
		}
		if r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' {
			b.WriteByte(' ')
		} else if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD") // an invalid byte, so that no removal can join bytes into a new rune
		} else if r >= 0x20 && r != 0x7f && (r < 0x80 || r > 0x9f) && !unicode.Is(unicode.Cf, r) {
			b.WriteString(s[i : i+size])
		} // other control characters are dropped
		i += size
	}
	return b.String()
}

// escapeLength is the length of the escape sequence at the start of s (ESC
// or the one-rune CSI, size bytes long): CSI up to its final byte, OSC up to
// BEL or ST, any other escape with the one character after it.
func escapeLength(s string, size int) int {
	n := size
	csi := size == 2 // U+009B
	if !csi && n < len(s) {
		switch s[n] {
		case '[':
			csi = true
			n++
		case ']':
			for n++; n < len(s); n++ {
				if s[n] == 0x07 {
					return n + 1
				}
				if s[n] == 0x1b && n+1 < len(s) && s[n+1] == '\\' {
					return n + 2
				}
			}
			return n
		default:
			_, next := utf8.DecodeRuneInString(s[n:])
			return n + next
		}
	}
	if csi {
		for ; n < len(s); n++ {
			if c := s[n]; c >= 0x40 && c <= 0x7e {
				return n + 1
			}
		}
	}
	return n
}

// TerminalSafe is s with nothing a terminal or a log viewer would act on:
// the one filter for text from a server or a file before it is printed
// (the command line's tables and messages use it too). ANSI escape
// sequences, C0 and C1 controls, DEL and invisible format characters (bidi
// overrides, zero-width characters) are removed; tabs and line breaks
// become spaces; an invalid byte becomes U+FFFD.
func TerminalSafe(s string) string { return sanitize(s) }
