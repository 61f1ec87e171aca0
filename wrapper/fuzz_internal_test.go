package wrapper

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tokenward/fastlytokens/gen"
)

// Seeds: the shapes of ../shared/reference/fastly-tokens-api.md.
var tokenSeeds = []string{
	`{"id":"x","user_id":"u","customer_id":"c","name":"n","last_used_at":"2019-09-25T10:42:50Z","created_at":"2019-09-25T10:15:12Z","expires_at":null,"ip":"127.0.0.1","user_agent":"ua","sudo_expires_at":null,"scopes":["global"],"scope":"global","services":[],"service_id":null}`,
	`{"id":"x","name":"n","user_id":"u","service_id":null,"expires_at":null,"created_at":"2019-09-25T12:32:46Z","updated_at":"2019-09-25T12:32:46Z","scope":"global","services":[],"access_token":"xxxxxxxxxxxxxxxxxxxx"}`,
	`{"id":"x","creator_id":"c","access_token":"","role":"engineer","scopes":"global:read","services":null,"last_used_at":"","created_at":"2024-10-15T11:51:55Z","tls_access":false}`,
	`{"id":"x","scope":"global global:read","created_at":"2020-06-22T03:19:48.000Z","expires_at":"2016-07-28T19:24:50+00:00"}`,
	`{"expiry_time":"2021-01-14T11:52:45+00:00"}`,
	`{}`, `[]`, `null`, `{"id":1}`, `{"scopes":[1,2]}`,
}

// FuzzDecodeToken: decoding one token never panics, and a body that
// decodes gives a token whose scopes hold no empty or spaced value.
func FuzzDecodeToken(f *testing.F) {
	for _, s := range tokenSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var w gen.CreatedToken
		if decodeLenient(body, '{', &w) != nil {
			return
		}
		tok := tokenOf(&w.Token)
		for _, s := range tok.Scopes {
			if strings.ContainsAny(string(s), " \t\n") && w.Scopes == nil {
				t.Fatalf("scope %q split badly from %q", s, w.Scope)
			}
		}
		for _, at := range []time.Time{tok.CreatedAt, tok.UpdatedAt, tok.LastUsedAt, tok.ExpiresAt, tok.SudoExpiresAt, tok.DeletedAt} {
			if !at.IsZero() && at.Location() != time.UTC {
				t.Fatalf("time %v not in UTC", at)
			}
		}
	})
}

// FuzzDecodeList: a list decodes or fails cleanly; never a panic.
func FuzzDecodeList(f *testing.F) {
	for _, s := range tokenSeeds {
		f.Add([]byte("[" + s + "," + s + "]"))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var list []gen.Token
		if err := decodeLenient(body, '[', &list); err == nil {
			_ = tokensOf(list)
		}
	})
}

// FuzzParseError: any error body gives a one-line, bounded, valid UTF-8
// message that never contains the configured secrets.
func FuzzParseError(f *testing.F) {
	for _, s := range []string{
		`{"msg":"Provided credentials are missing or invalid"}`, `{"code":"2fa.verify"}`,
		`{"msg":"You must POST /sudo to access this endpoint"}`, `{"errors":[{"title":"t","detail":"d"}]}`,
		`{"title":"p","detail":"q","status":400}`, `<html><title>502 Bad Gateway</title></html>`, ``, `{"msg":"tru`,
		`{"msg":"key SecretKey12345 leaked"}`,
	} {
		f.Add([]byte(s), 400)
	}
	const key = "SecretKey12345"
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		if len(body) > 16<<10 {
			// Larger bodies only repeat the same paths, slowly: on two busy
			// cores a brief run could end inside one of them.
			t.Skip()
		}
		if status < 100 || status > 999 {
			status = 500
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{}}
		e := newAPIError("GET", "/tokens", resp, body, time.Now(), []string{key})
		line := e.Error()
		if strings.Contains(line, "\n") {
			t.Fatalf("multi-line error %q", line)
		}
		if len(line) > 1200 {
			t.Fatalf("error too long: %d bytes", len(line))
		}
		if strings.Contains(line, key) {
			t.Fatalf("secret in error %q", line)
		}
		if utf8.ValidString(string(body)) && !utf8.ValidString(line) {
			t.Fatalf("invalid UTF-8 from valid input: %q", line)
		}
	})
}

// FuzzSanitize: sanitised server text holds no control character (C0, DEL,
// C1) and no escape introducer, whatever the input.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07x", "\u009b2J", "a\tb\nc", "\xff\xfe", "\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := sanitize(s)
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
				t.Fatalf("control %U left in %q (from %q)", r, out, s)
			}
		}
	})
}

// FuzzRedact: after redaction, no 8-character run of the secret survives in
// any of the encodings it travels in, wherever it stands in the text.
func FuzzRedact(f *testing.F) {
	f.Add("prefix ", "pa ss@w0rd+long", " suffix")
	f.Add("", "KeyS3cret-abcdefghijklmnopqrstuv", "")
	f.Add("x=", "918273", "&y")
	f.Fuzz(func(t *testing.T, before, secret, after string) {
		// Real secrets and error excerpts are short; bounding the input keeps
		// each run fast, so a brief -fuzztime never ends mid-input.
		if len(secret) < minSecretRun || len(secret) > 256 || len(before)+len(after) > 4096 || strings.Contains(before+after, "[REDACTED]") {
			return
		}
		forms := encodedForms(secret)
		for _, form := range forms {
			out := redactAll(before+form+after, forms)
			for i := 0; i+minSecretRun <= len(form); i++ {
				if strings.Contains(out, form[i:i+minSecretRun]) {
					t.Fatalf("run %q of %q survives in %q", form[i:i+minSecretRun], form, out)
				}
			}
		}
	})
}
