package wrapper

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/tokenward/fastlytokens/gen"
)

// Responses decode into gen's models, the contract's own types: the
// contract, not a second hand-written copy, decides what is on the wire.
// gen's timestamp, scopes and nullable-string types are lenient (see
// gen/lenient.go), and encoding/json goes on past a field of an unexpected
// type, so one odd token never fails a list.

// tokenOf maps the contract's token to the public type. Empty scopes and
// services are nil, so a Token survives a JSON round trip unchanged.
func tokenOf(w *gen.Token) Token {
	t := tokenWithoutScopes(w)
	if len(w.Scopes) > 0 {
		t.Scopes = scopesOf(w.Scopes)
	} else {
		t.Scopes = legacyScopes(w)
	}
	return t
}

// tokenWithoutScopes maps every field but the scopes.
func tokenWithoutScopes(w *gen.Token) Token {
	t := Token{
		ID:            w.Id,
		Name:          w.Name,
		UserID:        w.UserId,
		CustomerID:    w.CustomerId,
		CreatedAt:     w.CreatedAt.Time,
		UpdatedAt:     w.UpdatedAt.Time,
		LastUsedAt:    w.LastUsedAt.Time,
		ExpiresAt:     w.ExpiresAt.Time,
		SudoExpiresAt: w.SudoExpiresAt.Time,
		DeletedAt:     w.DeletedAt.Time,
		IP:            string(w.Ip),
		UserAgent:     string(w.UserAgent),
	}
	if len(w.Services) > 0 {
		t.Services = w.Services
	}
	return t
}

// legacyScopes reads the space-delimited scope field, for tokens that send
// no scopes array (create's answer).
func legacyScopes(w *gen.Token) []Scope {
	if w.Scope == "" {
		return nil
	}
	return scopesOf(strings.Fields(w.Scope))
}

func scopesOf(in []string) []Scope {
	if len(in) == 0 {
		return nil
	}
	out := make([]Scope, len(in))
	for i, s := range in {
		out[i] = Scope(s)
	}
	return out
}

// tokensOf maps a list. Every token's scopes share one backing array (a
// list of 1,000 tokens costs one allocation for them, not 1,000); each
// token's slice is capped, so an append to one never reaches another's.
func tokensOf(wire []gen.Token) []Token {
	out := make([]Token, len(wire))
	total := 0
	for i := range wire {
		total += len(wire[i].Scopes)
	}
	shared := make([]Scope, total)
	for i := range wire {
		w := &wire[i]
		out[i] = tokenWithoutScopes(w)
		n := len(w.Scopes)
		if n == 0 {
			out[i].Scopes = legacyScopes(w)
			continue
		}
		for j, sc := range w.Scopes {
			shared[j] = Scope(sc)
		}
		out[i].Scopes, shared = shared[:n:n], shared[n:]
	}
	return out
}

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

// countElements counts the top-level elements of a JSON array in b without
// decoding it (a cheap scan), so a list that would decode into far more
// memory than its bytes is refused first. Broken JSON counts roughly; the
// decoder reports it.
func countElements(b []byte) int {
	depth, commas := 0, 0
	inString, escaped, nonEmpty := false, false, false
	for _, c := range b {
		if inString {
			if escaped {
				escaped = false
			} else if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '"':
			inString = true
		case '[', '{':
			depth++
			if depth == 1 {
				continue // the list itself
			}
		case ']', '}':
			depth--
			if depth == 0 {
				continue // the list's end
			}
		case ',':
			if depth == 1 {
				commas++
			}
		}
		nonEmpty = nonEmpty || depth >= 1
	}
	if !nonEmpty {
		return 0
	}
	return commas + 1
}
