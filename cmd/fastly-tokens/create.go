package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

// credentials are the flags that sign a create in: a login, its password
// (from stdin or a no-echo prompt) and a one-time password.
type credentials struct {
	login         string
	passwordStdin bool
	otp           string
}

func (cr *credentials) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&cr.login, "login", "", "sign in as `LOGIN` (asks for the password, or reads it with --password-stdin)")
	f.BoolVar(&cr.passwordStdin, "password-stdin", false, "read the password from the first line of stdin")
	f.StringVar(&cr.otp, "otp", "", "one-time `CODE` of a two-factor account")
}

// password gets the login's password: the first line of stdin with
// --password-stdin, else a prompt without echo on a terminal.
func (a *app) password(cr *credentials) (string, error) {
	if cr.login == "" {
		if cr.passwordStdin {
			return "", usagef("--password-stdin needs --login")
		}
		return "", nil
	}
	if cr.passwordStdin {
		if err := a.stdinTaken("the password"); err != nil {
			return "", err
		}
		line, err := a.sys.readLine()
		if err != nil || line == "" {
			return "", usagef("--password-stdin: no password on stdin")
		}
		return line, nil
	}
	if !a.sys.stdinTerminal() {
		return "", usagef("no password: pass --password-stdin, or run on a terminal to be asked")
	}
	_, _ = fmt.Fprintf(a.sys.err, "Password for %s: ", cr.login)
	pw, err := a.sys.readPassword()
	_, _ = fmt.Fprintln(a.sys.err)
	if err != nil || pw == "" {
		return "", usagef("no password given")
	}
	return pw, nil
}

// expiry is --expires-in or --expires-at as a time; zero when neither.
func expiry(now time.Time, in duration, at string) (time.Time, error) {
	switch {
	case in != 0 && at != "":
		return time.Time{}, usagef("--expires-in and --expires-at exclude each other")
	case in != 0:
		return now.Add(time.Duration(in)).UTC().Truncate(time.Second), nil
	case at != "":
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return time.Time{}, usagef("--expires-at: not an RFC 3339 time, e.g. 2027-01-31T00:00:00Z")
		}
		return t, nil
	}
	return time.Time{}, nil
}

// explain adds what to do to the refusals a create can meet.
func explain(err error) error {
	var apiErr *wrapper.APIError
	switch {
	case errors.Is(err, wrapper.ErrSudoRequired):
		return fmt.Errorf("%w (sign in with --login to create)", err)
	case errors.Is(err, wrapper.ErrTwoFactorRequired):
		return fmt.Errorf("%w (pass the one-time password with --otp)", err)
	case errors.As(err, &apiErr) && apiErr.Code == "invalid_grant":
		return fmt.Errorf("%w: wrong login or password", err)
	case errors.As(err, &apiErr) && apiErr.Code == "account_locked":
		return fmt.Errorf("%w: too many failed sign-ins, try again later", err)
	}
	return err
}

func (a *app) createCommand() *cobra.Command {
	var (
		name      string
		scopes    []string
		services  []string
		expiresIn duration
		expiresAt string
		cr        credentials
	)
	cmd := &cobra.Command{
		Use:   "create --name NAME",
		Short: "Create a token and print its secret, once (POST /tokens)",
		Args:  cobra.NoArgs,
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, _ []string) error {
			expires, err := expiry(a.sys.now(), expiresIn, expiresAt)
			if err != nil {
				return err
			}
			key, err := a.key()
			if err != nil {
				return err
			}
			if key == "" && cr.login == "" {
				return usagef("no API key and no --login: set FASTLY_API_TOKEN, pass --token-file, or sign in with --login")
			}
			password, err := a.password(&cr)
			if err != nil {
				return err
			}
			in := wrapper.CreateInput{Name: name, Services: services, ExpiresAt: expires,
				Username: cr.login, Password: password, OTP: cr.otp}
			for _, s := range scopes {
				in.Scopes = append(in.Scopes, wrapper.Scope(s))
			}
			c, err := a.clientWith(key)
			if err != nil {
				return err
			}
			created, err := c.Create(ctx, in)
			if err != nil {
				return explain(err)
			}
			return a.writeCreated(created)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "the token's `NAME`")
	f.StringArrayVar(&scopes, "scope", nil, "a `SCOPE` (global, global:read, purge_select, purge_all); repeat for several; default global")
	f.StringArrayVar(&services, "service", nil, "limit to service `ID`; repeat for several; default all services")
	f.Var(&expiresIn, "expires-in", "expire after `DURATION` (e.g. 90d, 36h)")
	f.StringVar(&expiresAt, "expires-at", "", "expire at `TIME` (RFC 3339)")
	cr.register(cmd)
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func (a *app) rotateCommand() *cobra.Command {
	var (
		name      string
		expiresIn duration
		keepOld   bool
		cr        credentials
	)
	cmd := &cobra.Command{
		Use:   "rotate ID",
		Short: "Replace a token: create, prove the new key, then revoke the old one",
		Long: `rotate creates a token with the old one's scopes and services, proves the new
key works (GET /tokens/self with it), and only then revokes the old token
(unless --keep-old). It prints the new secret once, even when revoking the
old token fails: store it.`,
		Args: cobra.ExactArgs(1),
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, args []string) error {
			c, err := a.clientFor(args[0])
			if err != nil {
				return err
			}
			password, err := a.password(&cr)
			if err != nil {
				return err
			}
			in := lifecycle.RotateInput{Name: name, Username: cr.login, Password: password, OTP: cr.otp, KeepOld: keepOld}
			if expiresIn != 0 {
				in.ExpiresAt = a.sys.now().Add(time.Duration(expiresIn)).UTC().Truncate(time.Second)
			}
			rot, err := lifecycle.Rotate(ctx, c, args[0], in)
			if rot.New.ID != "" {
				if werr := a.writeRotation(rot); werr != nil {
					return werr
				}
			}
			return explain(err)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "the new token's `NAME` (default: the old one's)")
	f.Var(&expiresIn, "expires-in", "the new token expires after `DURATION` (default: the old one's lifetime)")
	f.BoolVar(&keepOld, "keep-old", false, "leave the old token alive")
	cr.register(cmd)
	return cmd
}

// rotationJSON is a rotation as --json prints it.
type rotationJSON struct {
	Old        wrapper.Token `json:"old"`
	New        newToken      `json:"new"`
	OldRevoked bool          `json:"old_revoked"`
}

func (a *app) writeRotation(rot lifecycle.Rotation) error {
	if a.json {
		return a.writeJSON(rotationJSON{Old: rot.Old, New: newToken{Token: rot.New.Token, AccessToken: rot.New.AccessToken}, OldRevoked: rot.OldRevoked})
	}
	a.createdText(rot.New)
	state := "kept"
	if rot.OldRevoked {
		state = "revoked"
	}
	_, _ = fmt.Fprintf(a.sys.out, "old token %s %s\n", rot.Old.ID, state)
	return nil
}
