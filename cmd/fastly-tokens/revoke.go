package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

func (a *app) revokeCommand() *cobra.Command {
	var (
		fromFile string
		current  bool
		dryRun   bool
		yes      bool
	)
	cmd := &cobra.Command{
		Use:   "revoke [ID...] [--from-file PATH] [--current]",
		Short: "Revoke tokens by id, from a file, or the key's own token",
		Long: `revoke revokes tokens in bulk batches (DELETE /tokens), sorting out a refused
batch with reads, and reports each id as revoked, not_found (revoked earlier, or
not visible to this key) or failed.

Ids come as arguments, from --from-file (one a line; - for stdin; blank lines
and # comments ignored), and --current adds the key's own token. --dry-run
lists what would be revoked and revokes nothing. On a terminal revoke asks
before it acts unless --yes; without a terminal it refuses unless --yes.`,
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, args []string) error {
			ids, err := a.revokeIDs(args, fromFile)
			if err != nil {
				return err
			}
			if len(ids) == 0 && !current {
				return usagef("nothing to revoke: give ids, --from-file or --current")
			}
			c, err := a.client()
			if err != nil {
				return err
			}
			if current {
				self, err := c.Current(ctx)
				if err != nil {
					return err
				}
				if !slices.Contains(ids, self.ID) {
					ids = append(ids, self.ID)
				}
			}
			if dryRun {
				return a.dryRun(ctx, c, ids)
			}
			if err := a.confirm(len(ids), yes, fromFile == "-"); err != nil {
				return err
			}
			opts := lifecycle.RevokeAllOptions{}
			if a.sys.stderrTerminal() && len(ids) > lifecycle.DefaultBatchSize {
				opts.Progress = func(done, total int) { _, _ = fmt.Fprintf(a.sys.err, "\rrevoking: %d of %d", done, total) }
				defer func() { _, _ = fmt.Fprintln(a.sys.err) }()
			}
			report, err := lifecycle.RevokeAll(ctx, c, ids, opts)
			if werr := a.writeReport(ids, report); werr != nil {
				return werr
			}
			return err
		}),
	}
	f := cmd.Flags()
	f.StringVar(&fromFile, "from-file", "", "read ids from `PATH`, one a line (- for stdin)")
	f.BoolVar(&current, "current", false, "revoke the key's own token too")
	f.BoolVar(&dryRun, "dry-run", false, "list what would be revoked (id and name); revoke nothing")
	f.BoolVar(&yes, "yes", false, "revoke without asking")
	return cmd
}

// revokeIDs gathers the ids of arguments and --from-file, checks each and
// drops repeats; a bad id is a usage error and nothing is sent.
func (a *app) revokeIDs(args []string, fromFile string) ([]string, error) {
	ids := slices.Clone(args)
	switch fromFile {
	case "":
	case "-":
		if err := a.stdinTaken("ids (--from-file -)"); err != nil {
			return nil, err
		}
		lines, err := a.sys.readLines()
		if err != nil {
			return nil, err
		}
		ids = append(ids, lines...)
	default:
		b, err := os.ReadFile(fromFile)
		if err != nil {
			return nil, usagef("--from-file: %v", err)
		}
		for line := range strings.Lines(string(b)) {
			if id, ok := entry(line); ok {
				ids = append(ids, id)
			}
		}
	}
	unique := ids[:0:0]
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if err := wrapper.CheckTokenID(id); err != nil {
			return nil, usageError{fmt.Errorf("id %d: %w", i+1, err)}
		}
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	return unique, nil
}

// dryRun lists each id with its name, reading only.
func (a *app) dryRun(ctx context.Context, c *wrapper.Client, ids []string) error {
	type planned struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Found bool   `json:"found"`
	}
	plan := make([]planned, 0, len(ids))
	for _, id := range ids {
		tok, err := c.Get(ctx, id)
		switch {
		case err == nil:
			plan = append(plan, planned{ID: id, Name: tok.Name, Found: true})
		case errors.Is(err, wrapper.ErrNotFound):
			plan = append(plan, planned{ID: id})
		default:
			return err
		}
	}
	if a.json {
		return a.writeJSON(plan)
	}
	t := newTable(a.sys.out, "WOULD REVOKE", "NAME")
	for _, p := range plan {
		name := orDash(p.Name)
		if !p.Found {
			name = "(not found)"
		}
		t.row(p.ID, name)
	}
	t.flush()
	return nil
}

// confirm asks on a terminal; without one it refuses unless --yes.
func (a *app) confirm(n int, yes, stdinUsed bool) error {
	if yes {
		return nil
	}
	if stdinUsed || !a.sys.stdinTerminal() {
		return usagef("refusing to revoke %d token(s) without --yes (no terminal to ask)", n)
	}
	answer, err := a.sys.prompt(fmt.Sprintf("Revoke %d token(s)? [y/N] ", n))
	if err != nil {
		return err
	}
	if answer = strings.ToLower(answer); answer != "y" && answer != "yes" {
		return errors.New("not confirmed: nothing revoked")
	}
	return nil
}

// writeReport prints each id's outcome in the order given.
func (a *app) writeReport(ids []string, report lifecycle.RevokeReport) error {
	if a.json {
		failed := map[string]string{}
		for id, err := range report.Failed {
			failed[id] = err.Error()
		}
		return a.writeJSON(struct {
			Revoked  []string          `json:"revoked"`
			NotFound []string          `json:"not_found"`
			Failed   map[string]string `json:"failed"`
		}{nonNil(report.Revoked), nonNil(report.NotFound), failed})
	}
	outcome := make(map[string]string, len(ids))
	for _, id := range report.Revoked {
		outcome[id] = "revoked"
	}
	for _, id := range report.NotFound {
		outcome[id] = "not_found"
	}
	for id, err := range report.Failed {
		outcome[id] = "failed: " + err.Error()
	}
	t := newTable(a.sys.out, "ID", "OUTCOME")
	for _, id := range ids {
		if o, ok := outcome[id]; ok {
			t.row(id, o)
		}
	}
	t.flush()
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
