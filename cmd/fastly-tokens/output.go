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

// table writes aligned columns; flush writes them and reports a failed write.
type table struct{ w *tabwriter.Writer }

func newTable(out io.Writer, header ...string) *table {
	t := &table{w: tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

// row adds a row; tabwriter keeps it until flush.
func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = printable(c)
	}
	_, _ = fmt.Fprintln(t.w, strings.Join(cells, "\t"))
}

func (t *table) flush() error { return t.w.Flush() }

// printable keeps text from the server from breaking the table or driving
// the terminal: wrapper.TerminalSafe, the one filter for printed text.
func printable(s string) string { return wrapper.TerminalSafe(s) }

var tokenHeader = []string{"ID", "NAME", "USER", "SCOPES", "SERVICES", "CREATED", "LAST USED", "EXPIRES"}

func (t *table) token(tok wrapper.Token, now time.Time) {
	scopes := make([]string, len(tok.Scopes))
	for i, s := range tok.Scopes {
		scopes[i] = string(s)
	}
	services := "all"
	if len(tok.Services) > 0 {
		services = strings.Join(tok.Services, ",")
	}
	t.row(tok.ID, orDash(tok.Name), orDash(tok.UserID), orDash(strings.Join(scopes, " ")), services,
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
	return t.flush()
}

// writeJSON writes v as indented JSON on stdout.
func (a *app) writeJSON(v any) error {
	return writeJSONTo(a.sys.out, v)
}

func writeJSONTo(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
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
