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

func (a *app) auditCommand() *cobra.Command {
	var (
		customer                          string
		expiringWithin, unusedFor, maxAge duration
		failOn                            []string
	)
	kinds := make([]string, len(lifecycle.Kinds))
	for i, k := range lifecycle.Kinds {
		kinds[i] = string(k)
	}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Find expired, expiring, unused, never-expiring and over-broad tokens",
		Long: `audit lists your tokens (or a customer's with --customer) and reports, per
token, each kind of finding that applies: ` + strings.Join(kinds, ", ") + `.
It exits 1 when a finding's kind is in --fail-on (default: every kind;
"none" never fails), so CI can gate on it.`,
		Args: cobra.NoArgs,
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			failing, err := failKinds(failOn)
			if err != nil {
				return err
			}
			tokens, err := a.listTokens(ctx, customer)
			if err != nil {
				return err
			}
			policy := lifecycle.Policy{ExpiringWithin: time.Duration(expiringWithin), UnusedFor: time.Duration(unusedFor),
				MaxLifetime: time.Duration(maxAge)}
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
		}),
	}
	f := cmd.Flags()
	f.StringVar(&customer, "customer", "", "audit the tokens of customer `ID` (superusers)")
	f.Var(&expiringWithin, "expiring-within", "report tokens expiring within `DURATION` (default 14d)")
	f.Var(&unusedFor, "unused-for", "report tokens unused for `DURATION` (default 90d)")
	f.Var(&maxAge, "max-lifetime", "report tokens whose lifetime exceeds `DURATION` (default: not checked)")
	f.StringSliceVar(&failOn, "fail-on", nil, "exit 1 when a finding is of `KIND[,KIND]` (default: every kind; none: never)")
	return cmd
}

// failKinds reads --fail-on; an unknown kind is a usage error.
func failKinds(names []string) (map[lifecycle.FindingKind]bool, error) {
	set := map[lifecycle.FindingKind]bool{}
	if len(names) == 0 {
		for _, k := range lifecycle.Kinds {
			set[k] = true
		}
		return set, nil
	}
	for _, name := range names {
		name = strings.TrimSpace(name)
		if name == "none" {
			continue
		}
		if !slices.Contains(lifecycle.Kinds, lifecycle.FindingKind(name)) {
			return nil, usagef("--fail-on: unknown kind %q", name)
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
	t := newTable(a.sys.out, "KIND", "ID", "NAME", "DETAIL")
	for _, f := range findings {
		t.row(string(f.Kind), f.Token.ID, orDash(f.Token.Name), f.Detail)
	}
	t.flush()
	return nil
}
