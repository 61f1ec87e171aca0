package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

func (a *app) revokeLeakedCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke-leaked < secrets",
		Short: "Revoke leaked keys by their secret, read from stdin one a line",
		Long: `revoke-leaked reads leaked secrets from stdin, one a line (blank lines and
# comments ignored), identifies each (GET /tokens/self with it), revokes it
(DELETE /tokens/self, or by id with your key when it may not revoke itself),
and prints one line per secret: token id, name and outcome (revoked,
already_invalid, failed). It never prints a secret.`,
		Args: cobra.NoArgs,
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			if err := a.stdinTaken("the leaked secrets"); err != nil {
				return err
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			secrets, err := a.sys.readLines()
			if err != nil {
				return err
			}
			if len(secrets) == 0 {
				return usagef("no secrets on stdin: one a line")
			}
			results := lifecycle.RevokeLeaked(ctx, c, secrets)
			failed := 0
			type line struct {
				TokenID string `json:"token_id"`
				Name    string `json:"name"`
				UserID  string `json:"user_id"`
				Outcome string `json:"outcome"`
				Error   string `json:"error,omitempty"`
			}
			lines := make([]line, len(results))
			for i, r := range results {
				lines[i] = line{TokenID: r.TokenID, Name: r.Name, UserID: r.UserID, Outcome: r.Outcome.String()}
				if r.Err != nil {
					lines[i].Error = r.Err.Error()
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
					t.row(strconv.Itoa(i+1), orDash(l.TokenID), orDash(l.Name), outcome)
				}
				t.flush()
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d leaked keys could not be revoked", failed, len(results))
			}
			return nil
		}),
	}
}
