package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper"
)

func (a *app) whoamiCommand() *cobra.Command {
	return &cobra.Command{
		Use: "whoami",
		Example: `  fastly-tokens whoami
  fastly-tokens whoami --token-file key.txt --json`,
		Short: "Show the token the key belongs to (GET /tokens/self)",
		Args:  cobra.NoArgs,
		RunE:  a.command(func(ctx context.Context, _ *cobra.Command, _ []string) error { return a.runWhoami(ctx) }),
	}
}

func (a *app) runWhoami(ctx context.Context) error {
	c, err := a.client(ctx)
	if err != nil {
		return err
	}
	tok, err := c.Current(ctx)
	if err != nil {
		return err
	}
	return a.writeToken(tok)
}

func (a *app) listCommand() *cobra.Command {
	var customer string
	cmd := &cobra.Command{
		Use: "list",
		Example: `  fastly-tokens list
  fastly-tokens list --customer CUSTOMER_ID --json   # superusers`,
		Short: "List your tokens, or a customer's with --customer (superusers)",
		Long: `list lists your tokens, or with --customer a customer's (superusers only),
with the user each belongs to, so same-named tokens can be told apart.`,
		Args: cobra.NoArgs,
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, _ []string) error { return a.runList(ctx, customer) }),
	}
	cmd.Flags().StringVar(&customer, "customer", "", "list the tokens of customer `ID` (GET /customer/{id}/tokens)")
	return cmd
}

func (a *app) runList(ctx context.Context, customer string) error {
	tokens, err := a.listTokens(ctx, customer)
	if err != nil {
		return err
	}
	return a.writeTokens(tokens)
}

// listTokens lists the caller's tokens, or a customer's.
func (a *app) listTokens(ctx context.Context, customer string) ([]wrapper.Token, error) {
	c, err := a.client(ctx)
	if err != nil {
		return nil, err
	}
	if customer != "" {
		return c.ListForCustomer(ctx, customer)
	}
	return c.List(ctx)
}

func (a *app) getCommand() *cobra.Command {
	return &cobra.Command{
		Use: "get ID",
		Example: `  fastly-tokens get ID
  fastly-tokens get ID --json`,
		Short:             "Show one token by id (GET /tokens/{id})",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeTokenIDs,
		RunE:              a.command(func(ctx context.Context, _ *cobra.Command, args []string) error { return a.runGet(ctx, args[0]) }),
	}
}

func (a *app) runGet(ctx context.Context, id string) error {
	c, err := a.clientFor(ctx, id)
	if err != nil {
		return err
	}
	tok, err := c.Get(ctx, id)
	if errors.Is(err, wrapper.ErrNotFound) {
		return fmt.Errorf("%w: token %s is not found: revoked, or not visible to this key (\"fastly-tokens list\" shows the key's tokens)", err, id)
	}
	if err != nil {
		return err
	}
	return a.writeToken(tok)
}

// writeToken prints one token: a one-row table, or a JSON object.
func (a *app) writeToken(tok wrapper.Token) error {
	if a.json {
		return a.writeJSON(tok)
	}
	return a.writeTokens([]wrapper.Token{tok})
}

// completionTimeout bounds the one list call that completing a token id
// costs.
const completionTimeout = 2 * time.Second

// completeTokenIDs offers the ids of the key's tokens (one list call,
// bounded) when a key is set; nothing otherwise.
func (a *app) completeTokenIDs(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	key := a.sys.getenv("FASTLY_API_TOKEN")
	if a.tokenFile != "" && a.tokenFile != "-" {
		key, _ = a.key(context.Background())
	}
	if key == "" {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	c, err := a.clientWith(key)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	parent := cmd.Context()
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, completionTimeout)
	defer cancel()
	tokens, err := c.List(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	out := make([]cobra.Completion, 0, len(tokens))
	for _, t := range tokens {
		out = append(out, cobra.CompletionWithDesc(t.ID, printable(t.Name)))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
