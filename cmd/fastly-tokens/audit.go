package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

// auditOptions are audit's flags.
type auditOptions struct {
	customer                          string
	expiringWithin, unusedFor, maxAge duration
	failOn                            []string
	failOnGiven                       bool
}

func (a *app) auditCommand() *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use: "audit",
		Example: `  fastly-tokens audit
  fastly-tokens audit --max-lifetime 365d --fail-on expired,expiring   # a CI gate
  fastly-tokens audit --customer CUSTOMER_ID --json                  # superusers`,
		Short: "Find expired, expiring, unused, never-expiring and over-broad tokens",
		Long: `audit lists your tokens (or a customer's with --customer) and reports, per
token, each kind of finding that applies: ` + strings.Join(kindNames(), ", ") + `.
It exits 1 when a finding's kind is in --fail-on (default: every kind;
"none" never fails), so CI can gate on it.`,
		Args: cobra.NoArgs,
		RunE: a.command(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			o.failOnGiven = cmd.Flags().Changed("fail-on")
			return a.runAudit(ctx, o)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.customer, "customer", "", "audit the tokens of customer `ID` (superusers)")
	f.Var(&o.expiringWithin, "expiring-within", "report tokens expiring within `DURATION` (default 14d)")
	f.Var(&o.unusedFor, "unused-for", "report tokens unused for `DURATION` (default 90d)")
	f.Var(&o.maxAge, "max-lifetime", "report tokens whose lifetime exceeds `DURATION` (default: not checked)")
	f.StringSliceVar(&o.failOn, "fail-on", nil, "exit 1 when a finding is of `KIND[,KIND]` (default: every kind; none: never)")
	_ = cmd.RegisterFlagCompletionFunc("fail-on", completeList(func() []string { return append(kindNames(), "none") }))
	return cmd
}

func (a *app) runAudit(ctx context.Context, o *auditOptions) error {
	failing, err := failKinds(o.failOn, o.failOnGiven)
	if err != nil {
		return err
	}
	tokens, err := a.listTokens(ctx, o.customer)
	if err != nil {
		return err
	}
	policy := lifecycle.Policy{ExpiringWithin: time.Duration(o.expiringWithin), UnusedFor: time.Duration(o.unusedFor),
		MaxLifetime: time.Duration(o.maxAge)}
	findings := lifecycle.Audit(tokens, policy, a.sys.now())
	if err := a.writeFindings(findings); err != nil {
		return err
	}
	var hit []string
	n := 0
	for _, f := range findings {
		if failing[f.Kind] {
			n++
			if !slices.Contains(hit, string(f.Kind)) {
				hit = append(hit, string(f.Kind))
			}
		}
	}
	if n > 0 {
		return fmt.Errorf("%d finding(s) of a failing kind: %s", n, strings.Join(hit, ", "))
	}
	return nil
}

// kindNames are the finding kinds, in report order.
func kindNames() []string {
	kinds := make([]string, len(lifecycle.Kinds()))
	for i, k := range lifecycle.Kinds() {
		kinds[i] = string(k)
	}
	return kinds
}

// failKinds reads --fail-on; an unknown or empty kind is a usage error
// that lists the valid ones. given says whether the flag was set at all.
func failKinds(names []string, given bool) (map[lifecycle.FindingKind]bool, error) {
	set := map[lifecycle.FindingKind]bool{}
	valid := strings.Join(append(kindNames(), "none"), ", ")
	if given && len(names) == 0 {
		return nil, usagef("--fail-on: empty: give one or more of %s", valid)
	}
	if len(names) == 0 {
		for _, k := range lifecycle.Kinds() {
			set[k] = true
		}
		return set, nil
	}
	for _, name := range names {
		name = strings.TrimSpace(name)
		if name == "none" {
			continue
		}
		if name == "" {
			return nil, usagef("--fail-on: empty kind: give one or more of %s", valid)
		}
		if !slices.Contains(lifecycle.Kinds(), lifecycle.FindingKind(name)) {
			return nil, usagef("--fail-on: unknown kind %q: give one or more of %s", printable(name), valid)
		}
		set[lifecycle.FindingKind(name)] = true
	}
	return set, nil
}

// finding is one finding as --json prints it.
type finding struct {
	Kind   lifecycle.FindingKind `json:"kind"`
	Detail string                `json:"detail"`
	Token  wrapper.Token         `json:"token"`
}

func (a *app) writeFindings(findings []lifecycle.Finding) error {
	if a.json {
		out := make([]finding, len(findings))
		for i, f := range findings {
			out[i] = finding{Kind: f.Kind, Detail: f.Detail, Token: f.Token}
		}
		return a.writeJSON(out)
	}
	t := newTable(a.sys.out, "KIND", "ID", "NAME", "USER", "DETAIL")
	for _, f := range findings {
		t.row(string(f.Kind), f.Token.ID, orDash(f.Token.Name), orDash(f.Token.UserID), f.Detail)
	}
	return t.flush()
}

// completeList completes every value of a comma list: what is typed after
// the last comma, offered as the whole list so far plus each value not yet
// in it.
func completeList(values func() []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
		done := beforeLast(typed)
		var out []cobra.Completion
		for _, v := range values() {
			if !slices.Contains(strings.Split(done, ","), v) {
				if done == "" {
					out = append(out, v)
				} else {
					out = append(out, done+","+v)
				}
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// beforeLast is a comma list without its last (partly typed) value.
func beforeLast(typed string) string {
	i := strings.LastIndexByte(typed, ',')
	if i < 0 {
		return ""
	}
	return typed[:i]
}
