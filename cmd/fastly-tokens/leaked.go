package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

func (a *app) revokeLeakedCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke-leaked < secrets",
		Short: "Revoke leaked keys by their secret, read from stdin one a line",
		Long: `revoke-leaked reads leaked secrets from stdin, one a line (blank lines and
# comments ignored; a byte-order mark, CRLF line ends and zero-width characters
are trimmed), proves your own key first, identifies each secret (GET
/tokens/self with it), revokes it (DELETE /tokens/self, or by id with your
key when it may not revoke itself), and prints one line per secret: token
id, name and outcome: revoked, already_invalid (the API refused the key) or
failed. When the API is not https://api.fastly.com, a line on stderr names
the host that judged the keys. It never prints a secret.`,
		Args: cobra.NoArgs,
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, _ []string) error { return a.runRevokeLeaked(ctx) }),
	}
}

// outcomeLine is one id's outcome in the job commands' JSON: revoke,
// revoke --dry-run and revoke-leaked print an array of these.
type outcomeLine struct {
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
	secrets, err := a.sys.readLines(ctx, "secrets on stdin")
	if err != nil {
		return err
	}
	if len(secrets) == 0 {
		return usagef("no secrets on stdin: one a line")
	}
	results := lifecycle.RevokeLeaked(ctx, c, secrets)
	if c.BaseURL() != wrapper.DefaultBaseURL && len(results) > 0 {
		_, _ = fmt.Fprintf(a.sys.err, "fastly-tokens: revoke-leaked: keys judged by %s, not api.fastly.com\n", printable(results[0].APIHost))
	}
	failed := 0
	lines := make([]outcomeLine, len(results))
	for i, r := range results {
		lines[i] = outcomeLine{ID: r.TokenID, Name: r.Name, Outcome: r.Outcome.String()}
		if r.Err != nil {
			lines[i].Error = detail(r.Err)
		}
		if r.Outcome == lifecycle.Failed {
			failed++
		}
	}
	if a.json {
		if err := a.writeJSON(lines); err != nil {
			return err
		}
	} else {
		t := newTable(a.sys.out, "#", "TOKEN ID", "NAME", "OUTCOME")
		for i, l := range lines {
			outcome := l.Outcome
			if l.Error != "" {
				outcome += ": " + l.Error
			}
			t.row(strconv.Itoa(i+1), orDash(l.ID), orDash(l.Name), outcome)
		}
		if err := t.flush(); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d leaked keys could not be revoked", failed, len(results))
	}
	return nil
}
