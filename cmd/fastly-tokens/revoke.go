package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

// The outcomes revoke and revoke --dry-run print.
const (
	outcomeRevoked     = "revoked"
	outcomeNotFound    = "not_found"
	outcomeFailed      = "failed"
	outcomeWouldRevoke = "would_revoke"
	outcomeUnknown     = "unknown"
	notFoundMeaning    = "not found: revoked earlier, or not visible to this key"
)

// revokeOptions are revoke's arguments and flags.
type revokeOptions struct {
	ids      []string
	fromFile string
	current  bool
	dryRun   bool
	yes      bool
}

func (a *app) revokeCommand() *cobra.Command {
	o := &revokeOptions{}
	cmd := &cobra.Command{
		Use: "revoke [ID...] [--from-file PATH] [--current]",
		Example: `  fastly-tokens revoke ID1 ID2 --dry-run
  fastly-tokens revoke --from-file ids.txt --yes
  fastly-tokens revoke --current --yes    # the key's own token`,
		Short: "Revoke tokens by id, from a file, or the key's own token",
		Long: `revoke revokes tokens in bulk batches (DELETE /tokens), sorting out a refused
batch with reads, and reports each id as:
  revoked    this command's revoke was answered 2xx
  not_found  revoked earlier, or not visible to this key (Fastly does not say
             which): not a failure
  unknown    the revoke was sent and its answer never came (a reset, a
             timeout, a 5xx): the token may be revoked; check with
             "fastly-tokens get ID"
  failed     not revoked: refused, or not sent (the error says why)
Exit 0 when every id is revoked or not_found, else 1. After a rate limit,
three batches in a row that fail, or two refused for the key itself (dead,
read-only), it sends nothing more.

Ids come as arguments, from --from-file (one a line; - for stdin; blank lines
and # comments ignored), and --current adds the key's own token, which is
revoked last. --dry-run lists what would be revoked and revokes nothing. On a
terminal revoke asks before it acts unless --yes; without a terminal it
refuses unless --yes.`,
		ValidArgsFunction: a.completeTokenIDs,
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, args []string) error {
			o.ids = args
			return a.runRevoke(ctx, o)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.fromFile, "from-file", "", "read ids from `PATH`, one a line (- for stdin)")
	f.BoolVar(&o.current, "current", false, "revoke the key's own token too (last)")
	f.BoolVar(&o.dryRun, "dry-run", false, "list what would be revoked (id and name); revoke nothing")
	f.BoolVar(&o.yes, "yes", false, "revoke without asking")
	return cmd
}

func (a *app) runRevoke(ctx context.Context, o *revokeOptions) error {
	ids, err := a.revokeIDs(ctx, o.ids, o.fromFile)
	if err != nil {
		return err
	}
	if len(ids) == 0 && !o.current {
		return usagef("nothing to revoke: give ids, --from-file or --current")
	}
	c, err := a.client(ctx)
	if err != nil {
		return err
	}
	if o.current {
		self, err := c.Current(ctx)
		if err != nil {
			return err
		}
		if !slices.Contains(ids, self.ID) {
			ids = append(ids, self.ID)
		}
	}
	if o.dryRun {
		return a.dryRun(ctx, c, ids)
	}
	names := readNames(ctx, c, ids) // before the revoke: a revoked token is not found
	if err := a.confirm(ctx, names, ids, o.yes, o.fromFile == "-"); err != nil {
		return err
	}
	opts := lifecycle.RevokeAllOptions{}
	progress := a.sys.stderrTerminal() && len(ids) > lifecycle.DefaultBatchSize
	if progress {
		opts.Progress = func(done, total int) { _, _ = fmt.Fprintf(a.sys.err, "\rrevoking: %d of %d", done, total) }
	}
	report, err := lifecycle.RevokeAll(ctx, c, ids, opts)
	if progress {
		_, _ = fmt.Fprintln(a.sys.err) // end the progress line before anything else is printed
	}
	werr := a.writeReport(ids, names, report)
	unknown := 0
	for _, e := range report.Failed {
		if errors.Is(e, wrapper.ErrOutcomeUnknown) {
			unknown++
		}
	}
	// The summary goes to stderr whatever became of stdout (a full disk).
	summary := fmt.Sprintf("revoked %d, not found %d, failed %d", len(report.Revoked), len(report.NotFound), len(report.Failed)-unknown)
	if unknown > 0 {
		summary = fmt.Sprintf("revoked %d, not found %d, unknown %d (may be revoked), failed %d",
			len(report.Revoked), len(report.NotFound), unknown, len(report.Failed)-unknown)
	}
	_, _ = fmt.Fprintln(a.sys.err, summary)
	if werr != nil {
		return errors.Join(fmt.Errorf("writing the report: %w", werr), err)
	}
	return err
}

// revokeIDs gathers the ids of arguments and --from-file, checks each and
// drops repeats; a bad id is a usage error naming where it came from, and
// nothing is sent.
func (a *app) revokeIDs(ctx context.Context, args []string, fromFile string) ([]string, error) {
	type source struct {
		id    string
		where string
	}
	var all []source
	for i, id := range args {
		all = append(all, source{id, fmt.Sprintf("argument %d", i+1)})
	}
	var lines []numbered
	switch fromFile {
	case "":
	case "-":
		if err := a.stdinTaken("ids (--from-file -)"); err != nil {
			return nil, err
		}
		if a.sys.stdinTerminal() {
			_, _ = fmt.Fprintln(a.sys.err, "reading token ids from standard input, one a line; end with Ctrl-D")
		}
		read, err := interruptible(ctx, func() ([]numbered, error) { return readNumbered(a.sys.inLines(), "--from-file -") }, nil)
		if err != nil {
			return nil, err
		}
		lines = read
	default:
		read, err := a.readFile(ctx, "--from-file", fromFile)
		if err != nil {
			return nil, err
		}
		lines = read
	}
	for _, l := range lines {
		all = append(all, source{l.text, fmt.Sprintf("--from-file %s: line %d", fromFile, l.line)})
	}
	ids := make([]string, 0, len(all))
	for _, s := range all {
		if err := checkTokenArg(s.id); err != nil {
			return nil, usageError{fmt.Errorf("%s: %w", s.where, err)}
		}
		ids = append(ids, s.id)
	}
	return wrapper.UniqueTokenIDs(ids) // every id is checked: no error
}

// dryRun lists each id with its name, reading only.
func (a *app) dryRun(ctx context.Context, c *wrapper.Client, ids []string) error {
	plan := make([]outcomeLine, 0, len(ids))
	for _, id := range ids {
		tok, err := c.Get(ctx, id)
		switch {
		case err == nil:
			plan = append(plan, outcomeLine{ID: id, Name: tok.Name, Outcome: outcomeWouldRevoke})
		case errors.Is(err, wrapper.ErrNotFound):
			plan = append(plan, outcomeLine{ID: id, Outcome: outcomeNotFound})
		default:
			return err
		}
	}
	if a.json {
		return a.writeJSON(plan)
	}
	t := newTable(a.sys.out, "ID", "NAME", "OUTCOME")
	notFound := false
	for _, p := range plan {
		t.row(p.ID, orDash(p.Name), p.Outcome)
		notFound = notFound || p.Outcome == outcomeNotFound
	}
	return a.endTable(t, notFound)
}

// endTable flushes t and, when an id was not found, says once what that means.
func (a *app) endTable(t *table, notFound bool) error {
	if err := t.flush(); err != nil {
		return err
	}
	if notFound {
		_, err := fmt.Fprintln(a.sys.out, "\n"+notFoundMeaning)
		return err
	}
	return nil
}

// promptShows is how many tokens a confirmation prompt lists by id and name.
const promptShows = 20

// confirm asks on a terminal, listing what it will revoke (id and name of
// the first 20, names as readNames found them; then how many more); without one it
// refuses unless --yes. A declined prompt is exit 2, as a refusal without a
// terminal is. Ctrl-C at the prompt ends the command at once.
func (a *app) confirm(ctx context.Context, names map[string]string, ids []string, yes, stdinUsed bool) error {
	if yes {
		return nil
	}
	if stdinUsed || !a.sys.stdinTerminal() {
		return usagef("refusing to revoke %d token(s) without --yes (no terminal to ask)", len(ids))
	}
	shown := ids[:min(len(ids), promptShows)]
	var list strings.Builder
	t := newTable(&list, "  ID", "NAME")
	for _, id := range shown {
		t.row("  "+id, orDash(names[id]))
	}
	_ = t.flush() // into a Builder: no error
	if more := len(ids) - len(shown); more > 0 {
		fmt.Fprintf(&list, "  and %d more\n", more)
	}
	answer, err := a.sys.prompt(ctx, fmt.Sprintf("Revoke %d token(s)?\n%s[y/N] ", len(ids), list.String()))
	if err != nil {
		return err
	}
	if answer = strings.ToLower(answer); answer != "y" && answer != "yes" {
		return usagef("cancelled: nothing revoked")
	}
	return nil
}

// readNames is the name of every id it can read, before anything is
// revoked: one list of the key's own tokens, then a read of each id not in
// it (another user's token, for a superuser; four at once). An id that
// cannot be read has no name.
func readNames(ctx context.Context, c *wrapper.Client, ids []string) map[string]string {
	names := make(map[string]string, len(ids))
	own, err := c.List(ctx)
	if err != nil {
		return names // the API does not answer reads: no name is worth a delay before the revoke
	}
	for _, tok := range own {
		names[tok.ID] = tok.Name
	}
	var missing []string
	for _, id := range ids {
		if _, ok := names[id]; !ok {
			missing = append(missing, id)
		}
	}
	var mu sync.Mutex
	failed := false // a read failed other than 404: read no more
	slots := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, id := range missing {
		slots <- struct{}{}
		mu.Lock()
		stop := failed
		mu.Unlock()
		if stop {
			<-slots
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			tok, err := c.Get(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				names[id] = tok.Name
			case !errors.Is(err, wrapper.ErrNotFound):
				failed = true
			}
		}()
	}
	wg.Wait()
	return names
}

// unknownMeaning is what an outcome "unknown" tells the reader of id.
func unknownMeaning(id string) string {
	if id == "" {
		return "the revoke was sent and its answer never came: the key may be revoked"
	}
	return fmt.Sprintf("the revoke was sent and its answer never came: the token may be revoked; check with \"fastly-tokens get %s\"", id)
}

// writeReport prints each id's outcome in the order given.
func (a *app) writeReport(ids []string, names map[string]string, report lifecycle.RevokeReport) error {
	lines := make([]outcomeLine, 0, len(ids))
	notFound := make(map[string]bool, len(report.NotFound))
	for _, id := range report.NotFound {
		notFound[id] = true
	}
	revoked := make(map[string]bool, len(report.Revoked))
	for _, id := range report.Revoked {
		revoked[id] = true
	}
	for _, id := range ids {
		line := outcomeLine{ID: id, Name: names[id]}
		switch {
		case revoked[id]:
			line.Outcome = outcomeRevoked
		case notFound[id]:
			line.Outcome = outcomeNotFound
		case errors.Is(report.Failed[id], wrapper.ErrOutcomeUnknown):
			line.Outcome, line.Error = outcomeUnknown, unknownMeaning(id)
		default:
			line.Outcome = outcomeFailed
			if err := report.Failed[id]; err != nil {
				line.Error = detail(err)
			}
		}
		lines = append(lines, line)
	}
	if a.json {
		return a.writeJSON(lines)
	}
	t := newTable(a.sys.out, "ID", "NAME", "OUTCOME")
	for _, l := range lines {
		outcome := l.Outcome
		if l.Error != "" {
			outcome += ": " + l.Error
		}
		t.row(l.ID, orDash(l.Name), outcome)
	}
	return a.endTable(t, len(report.NotFound) > 0)
}
