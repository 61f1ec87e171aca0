package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper"
)

func (a *app) whoamiCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "whoami",
		Short: "Show the token the key belongs to (GET /tokens/self)",
		Args:  cobra.NoArgs,
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			c, err := a.client()
			if err != nil {
				return err
			}
			tok, err := c.Current(ctx)
			if err != nil {
				return err
			}
			return a.writeToken(tok)
		}),
	}
}

func (a *app) listCommand() *cobra.Command {
	var customer string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List your tokens, or a customer's with --customer (superusers)",
		Args:  cobra.NoArgs,
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			tokens, err := a.listTokens(ctx, customer)
			if err != nil {
				return err
			}
			return a.writeTokens(tokens)
		}),
	}
	cmd.Flags().StringVar(&customer, "customer", "", "list the tokens of customer `ID` (GET /customer/{id}/tokens)")
	return cmd
}

// listTokens lists the caller's tokens, or a customer's.
func (a *app) listTokens(ctx context.Context, customer string) ([]wrapper.Token, error) {
	c, err := a.client()
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
		Use:   "get ID",
		Short: "Show one token by id (GET /tokens/{id})",
		Args:  cobra.ExactArgs(1),
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, args []string) error {
			c, err := a.clientFor(args[0])
			if err != nil {
				return err
			}
			tok, err := c.Get(ctx, args[0])
			if err != nil {
				return err
			}
			return a.writeToken(tok)
		}),
	}
}

// writeToken prints one token: a one-row table, or a JSON object.
func (a *app) writeToken(tok wrapper.Token) error {
	if a.json {
		return a.writeJSON(tok)
	}
	return a.writeTokens([]wrapper.Token{tok})
}
