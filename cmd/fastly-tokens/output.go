package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tokenward/fastlytokens/wrapper"
)

// table writes aligned columns; call flush when done.
type table struct{ w *tabwriter.Writer }

func newTable(out io.Writer, header ...string) *table {
	t := &table{w: tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = oneLine(c)
	}
	_, _ = fmt.Fprintln(t.w, strings.Join(cells, "\t"))
}

func (t *table) flush() { _ = t.w.Flush() }

// oneLine keeps server text from breaking the table: control characters
// become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

var tokenHeader = []string{"ID", "NAME", "SCOPES", "SERVICES", "CREATED", "LAST USED", "EXPIRES"}

func (t *table) token(tok wrapper.Token, now time.Time) {
	scopes := make([]string, len(tok.Scopes))
	for i, s := range tok.Scopes {
		scopes[i] = string(s)
	}
	services := "all"
	if len(tok.Services) > 0 {
		services = strings.Join(tok.Services, ",")
	}
	t.row(tok.ID, orDash(tok.Name), orDash(strings.Join(scopes, " ")), services,
		relative(tok.CreatedAt, now, "-"), relative(tok.LastUsedAt, now, "never"), relative(tok.ExpiresAt, now, "never"))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeTokens prints tokens as a table, or as a JSON array with --json.
func (a *app) writeTokens(tokens []wrapper.Token) error {
	if a.json {
		if tokens == nil {
			tokens = []wrapper.Token{}
		}
		return a.writeJSON(tokens)
	}
	t := newTable(a.sys.out, tokenHeader...)
	now := a.sys.now()
	for _, tok := range tokens {
		t.token(tok, now)
	}
	t.flush()
	return nil
}

// writeJSON writes v as indented JSON on stdout.
func (a *app) writeJSON(v any) error {
	enc := json.NewEncoder(a.sys.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newToken is a created token as --json prints it: the token's JSON and the
// secret, shown once.
type newToken struct {
	wrapper.Token
	AccessToken string `json:"access_token"`
}

// writeCreated prints a new token and its secret, once.
func (a *app) writeCreated(created wrapper.CreatedToken) error {
	if a.json {
		return a.writeJSON(newToken{Token: created.Token, AccessToken: created.AccessToken})
	}
	a.createdText(created)
	return nil
}

func (a *app) createdText(created wrapper.CreatedToken) {
	t := newTable(a.sys.out, tokenHeader...)
	t.token(created.Token, a.sys.now())
	t.flush()
	_, _ = fmt.Fprintf(a.sys.out, "\naccess token (shown once, store it now): %s\n", created.AccessToken)
}

// relative writes t from now in plain words: "in 6 days", "3 months ago";
// zero when t is the zero time.
func relative(t, now time.Time, zero string) string {
	if t.IsZero() {
		return zero
	}
	d := t.Sub(now)
	future := d > 0
	if !future {
		d = -d
	}
	const day = 24 * time.Hour
	// Whole units, rounded: a token made to expire in 30 days still says
	// "in 30 days" a moment later.
	round := func(unit time.Duration) int64 { return int64((d + unit/2) / unit) }
	var n int64
	var unit string
	switch {
	case d < time.Minute:
		if future {
			return "in under a minute"
		}
		return "just now"
	case d < time.Hour:
		n, unit = round(time.Minute), "minute"
	case d < day:
		n, unit = round(time.Hour), "hour"
	case d < 60*day:
		n, unit = round(day), "day"
	case d < 365*day:
		n, unit = round(30*day), "month"
	default:
		n, unit = round(365*day), "year"
	}
	s := strconv.FormatInt(n, 10) + " " + unit
	if n != 1 {
		s += "s"
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}
