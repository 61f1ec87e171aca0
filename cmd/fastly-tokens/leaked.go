package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

func (a *app) revokeLeakedCommand() *cobra.Command {
	return &cobra.Command{
		Use: "revoke-leaked < leaked-lines",
		Example: `  fastly-tokens revoke-leaked < leaked.env
  grep -h FASTLY ci-logs/*.log | fastly-tokens revoke-leaked --json`,
		Short: "Revoke leaked keys found in lines read from stdin",
		Long: `revoke-leaked reads lines from stdin (blank lines and # comments ignored) and
finds the keys in them as leaks really look: every run of exactly 32
characters of [A-Za-z0-9_-], wherever it stands (FASTLY_API_TOKEN=... of a
.env file, a JSON string, a URL, a log line, the key alone). A line with no
key is failed and nothing is sent for it; a line over 4 KiB refuses the whole
input before any request (exit 2).

It proves your own key first, identifies each key (GET /tokens/self with it),
revokes it (DELETE /tokens/self, or by id with your key when it may not
revoke itself), and prints one row per key found: the input line, token id,
name and outcome:
  revoked          this command's revoke was answered 2xx
  already_invalid  the API refused the key: unknown there, revoked or expired
  unknown          a revoke was sent and its answer never came (a reset, a
                   timeout, a 5xx): the token may be revoked; check with
                   "fastly-tokens get ID"
  failed           not judged or not revoked (the error says why): it may be live
After a rate limit, or three requests in a row that fail, it sends nothing
more (the rest are failed: not sent). When the API is not
https://api.fastly.com, a line on stderr names the host that judged the keys.
It never prints a secret. Exit 0 when every key was revoked or already
invalid, else 1.`,
		Args: cobra.NoArgs,
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, _ []string) error { return a.runRevokeLeaked(ctx) }),
	}
}

// outcomeLine is one id's outcome in the job commands' JSON: revoke,
// revoke --dry-run and revoke-leaked print an array of these.
type outcomeLine struct {
	Line    int    `json:"line,omitempty"` // revoke-leaked: the input line the key was found in
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Outcome string `json:"outcome"`
	Error   string `json:"error,omitempty"`
}

func (a *app) runRevokeLeaked(ctx context.Context) error {
	if err := a.stdinTaken("the leaked secrets"); err != nil {
		return err
	}
	c, err := a.client(ctx)
	if err != nil {
		return err
	}
	if a.sys.stdinTerminal() {
		_, _ = fmt.Fprintln(a.sys.err, "reading leaked keys from standard input, one a line; end with Ctrl-D")
	}
	entries, err := interruptible(ctx, func() ([]numbered, error) { return readNumbered(a.sys.inLines(), "secrets on stdin") }, nil)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return usagef("no secrets on stdin: one a line")
	}
	lines := make([]string, len(entries))
	for i, e := range entries {
		if len(e.text) > lifecycle.MaxLeakLineBytes {
			return usagef("secrets on stdin: line %d is longer than %d bytes: nothing was sent", e.line, lifecycle.MaxLeakLineBytes)
		}
		lines[i] = e.text
	}
	results := lifecycle.RevokeLeaked(ctx, c, lines)
	if err := ownKeyFailed(results); err != nil {
		return err // one error, not one row per key: nothing was judged
	}
	judged := false
	for _, r := range results {
		judged = judged || r.Outcome != lifecycle.Failed || r.TokenID != ""
	}
	if judged && c.BaseURL() != wrapper.DefaultBaseURL {
		_, _ = fmt.Fprintf(a.sys.err, "fastly-tokens: revoke-leaked: keys judged by %s, not api.fastly.com\n", printable(results[0].APIHost))
	}
	failed, unknown := 0, 0
	out := make([]outcomeLine, len(results))
	for i, r := range results {
		line := entries[r.Line-1].line // the line of the input, comments and blank lines counted
		out[i] = outcomeLine{Line: line, ID: r.TokenID, Name: r.Name, Outcome: r.Outcome.String()}
		switch {
		case errors.Is(r.Err, lifecycle.ErrNoKeyFound):
			out[i].Error = fmt.Sprintf("no key found in line %d: nothing was sent for it", line)
		case r.Err != nil:
			out[i].Error = detail(r.Err)
		}
		if r.Outcome == lifecycle.Failed {
			failed++
		}
		if errors.Is(r.Err, wrapper.ErrOutcomeUnknown) {
			out[i].Outcome, out[i].Error = outcomeUnknown, unknownMeaning(r.TokenID)
			unknown++
		}
	}
	if err := a.writeLeakReport(out); err != nil {
		return err
	}
	switch {
	case failed > 0 && unknown > 0:
		return fmt.Errorf("%d of %d leaked keys not confirmed revoked (%d may be revoked: outcome unknown)", failed, len(results), unknown)
	case failed > 0:
		return fmt.Errorf("%d of %d leaked keys could not be revoked", failed, len(results))
	}
	return nil
}

// writeLeakReport prints one line per key found (or line without one).
func (a *app) writeLeakReport(out []outcomeLine) error {
	if a.json {
		return a.writeJSON(out)
	}
	t := newTable(a.sys.out, "LINE", "TOKEN ID", "NAME", "OUTCOME")
	for _, l := range out {
		outcome := l.Outcome
		if l.Error != "" {
			outcome += ": " + l.Error
		}
		t.row(strconv.Itoa(l.Line), orDash(l.ID), orDash(l.Name), outcome)
	}
	return t.flush()
}

// ownKeyFailed is the one error of a run in which the client's own key did
// not prove out: every result carries it and no key was judged.
func ownKeyFailed(results []lifecycle.LeakResult) error {
	if len(results) > 0 && errors.Is(results[0].Err, lifecycle.ErrNothingJudged) {
		return results[0].Err
	}
	return nil
}
