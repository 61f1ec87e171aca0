package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

// credentials are the flags that sign a create in: a login, its password
// (from stdin or a no-echo prompt) and a one-time password (--otp, else
// FASTLY_OTP).
type credentials struct {
	login         string
	passwordStdin bool
	otp           string
}

func (cr *credentials) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&cr.login, "login", "", "sign in as `LOGIN` (asks for the password, or reads it with --password-stdin)")
	f.BoolVar(&cr.passwordStdin, "password-stdin", false, "read the password from the first line of stdin")
	f.StringVar(&cr.otp, "otp", "", "one-time `CODE` of a two-factor account (default $FASTLY_OTP)")
}

// oneTimePassword is --otp, else FASTLY_OTP.
func (a *app) oneTimePassword(cr *credentials) string {
	if cr.otp != "" {
		return cr.otp
	}
	return strings.TrimSpace(a.sys.getenv("FASTLY_OTP"))
}

// password gets the login's password: the first line of stdin with
// --password-stdin, else a prompt without echo on a terminal. Ctrl-C ends
// either at once.
func (a *app) password(ctx context.Context, cr *credentials) (string, error) {
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
		line, err := a.sys.readLine(ctx, "--password-stdin")
		if isUsage(err) || errors.Is(err, errInterrupted) {
			return "", err
		}
		if err != nil || line == "" {
			return "", usagef("--password-stdin: no password on stdin")
		}
		return line, nil
	}
	if !a.sys.stdinTerminal() {
		return "", usagef("no password: pass --password-stdin, or run on a terminal to be asked")
	}
	_, _ = fmt.Fprintf(a.sys.err, "Password for %s: ", printable(cr.login))
	pw, err := a.sys.readPassword(ctx)
	_, _ = fmt.Fprintln(a.sys.err)
	if errors.Is(err, errInterrupted) {
		return "", err
	}
	if err != nil || pw == "" {
		return "", usagef("no password given")
	}
	if len(pw) > maxLineBytes {
		return "", usagef("the password is longer than %d bytes", maxLineBytes)
	}
	return pw, nil
}

// expiry is --expires-in or --expires-at as a time; zero when neither.
func expiry(now time.Time, in duration, at string) (time.Time, error) {
	switch {
	case in != 0 && at != "":
		return time.Time{}, usagef("--expires-in and --expires-at exclude each other")
	case in != 0:
		return wrapper.ExpiresIn(now, time.Duration(in)), nil
	case at != "":
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return time.Time{}, usagef("--expires-at: not an RFC 3339 time, e.g. 2027-01-31T00:00:00Z")
		}
		return t, nil
	}
	return time.Time{}, nil
}

// explain adds what to do to the refusals a create can meet; otpSent says
// whether a one-time password went with it.
func explain(err error, otpSent bool) error {
	var apiErr *wrapper.APIError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, wrapper.ErrSudoRequired):
		return fmt.Errorf("%w (sign in with --login to create)", err)
	case errors.Is(err, wrapper.ErrTwoFactorRequired) && otpSent:
		return fmt.Errorf("%w: the one-time password was refused: wrong, expired or already used; wait for the next code", err)
	case errors.Is(err, wrapper.ErrTwoFactorRequired):
		return fmt.Errorf("%w (pass the one-time password with --otp or FASTLY_OTP)", err)
	case errors.As(err, &apiErr) && apiErr.Code == wrapper.CodeInvalidGrant:
		return fmt.Errorf("%w: wrong login or password", err)
	case errors.As(err, &apiErr) && apiErr.Code == wrapper.CodeAccountLocked:
		return fmt.Errorf("%w: too many failed sign-ins, try again later", err)
	}
	return err
}

// scopesOf checks --scope values against the scopes Fastly accepts, before
// anything is sent.
func scopesOf(values []string) ([]wrapper.Scope, error) {
	known := wrapper.KnownScopes()
	var scopes []wrapper.Scope
	for _, v := range values {
		for _, word := range strings.Fields(v) {
			if !slices.Contains(known, wrapper.Scope(word)) {
				return nil, usagef("--scope: unknown scope %q (known: %s)", printable(word), wrapper.KnownScopesText(", "))
			}
			scopes = append(scopes, wrapper.Scope(word))
		}
		if strings.TrimSpace(v) == "" {
			return nil, usagef("--scope: empty scope")
		}
	}
	return scopes, nil
}

// createOptions are create's flags.
type createOptions struct {
	name      string
	scopes    []string
	services  []string
	expiresIn duration
	expiresAt string
	cr        credentials
	out       secretOutput
}

func (a *app) createCommand() *cobra.Command {
	o := &createOptions{}
	cmd := &cobra.Command{
		Use: "create --name NAME",
		Example: `  fastly-tokens create --name ci --scope purge_select --service SVC --expires-in 90d \
      --login me@example.com --output ci.secret
  fastly-tokens create --name deploy --login me@example.com --password-stdin --json < password.txt`,
		Short: "Create a token and print its secret, once (POST /tokens)",
		Long: `create creates a token and delivers its secret once: on stdout, or with
--output to a new file (mode 0600, written whole or not at all). Delivered
means written and readable: a file synced, a terminal written, a pipe whose
reader took it. When the secret is not delivered (a full disk, a reader that
exits before reading, Ctrl-C, --timeout), the new token is revoked on a
fresh 30-second context and create exits 1 (130 on Ctrl-C) naming it; if
even that revoke fails, it prints the token's id and "fastly-tokens revoke
ID", never the secret, and exits 1. With stdout on /dev/null or closed it
refuses before any request (exit 2): discard stdout with --output FILE.
Ctrl-C while the create is in flight says that the token may exist and how
to find it.`,
		Args: cobra.NoArgs,
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, _ []string) error { return a.runCreate(ctx, o) }),
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "", "the token's `NAME`")
	f.StringArrayVar(&o.scopes, "scope", nil, "a `SCOPE` ("+wrapper.KnownScopesText(", ")+"); repeat for several; default global")
	f.StringArrayVar(&o.services, "service", nil, "limit to service `ID`; repeat for several; default all services")
	f.Var(&o.expiresIn, "expires-in", "expire after `DURATION` (e.g. 90d, 36h)")
	f.StringVar(&o.expiresAt, "expires-at", "", "expire at `TIME` (RFC 3339)")
	o.cr.register(cmd)
	o.out.register(cmd)
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.RegisterFlagCompletionFunc("scope", completeScopes)
	return cmd
}

func (a *app) runCreate(ctx context.Context, o *createOptions) error {
	expires, err := expiry(a.sys.now(), o.expiresIn, o.expiresAt)
	if err != nil {
		return err
	}
	scopes, err := scopesOf(o.scopes)
	if err != nil {
		return err
	}
	if err := a.checkDestination(&o.out); err != nil {
		return err
	}
	key, err := a.key(ctx)
	if err != nil {
		return err
	}
	if key == "" && o.cr.login == "" {
		return usagef("no API key and no --login: set FASTLY_API_TOKEN, pass --token-file, or sign in with --login")
	}
	password, err := a.password(ctx, &o.cr)
	if err != nil {
		return err
	}
	otp := a.oneTimePassword(&o.cr)
	in := wrapper.CreateInput{Name: o.name, Scopes: scopes, Services: o.services, ExpiresAt: expires,
		Username: o.cr.login, Password: password, OTP: otp}
	c, err := a.clientWith(key)
	if err != nil {
		return err
	}
	created, err := c.Create(ctx, in)
	if err != nil {
		return explain(err, otp != "")
	}
	if err := a.deliver(ctx, &o.out, created, newToken{Token: created.Token, AccessToken: created.AccessToken}); err != nil {
		return undo(ctx, c, created, err)
	}
	return nil
}

// sudoMargin is how much of a sudo window rotate needs left: its create
// comes after a read or two.
const sudoMargin = 10 * time.Second

// rotateOptions are rotate's flags.
type rotateOptions struct {
	name      string
	expiresIn duration
	keepOld   bool
	cr        credentials
	out       secretOutput
}

func (a *app) rotateCommand() *cobra.Command {
	o := &rotateOptions{}
	cmd := &cobra.Command{
		Use: "rotate ID",
		Example: `  fastly-tokens rotate ID --login me@example.com --output ID.secret
  fastly-tokens rotate ID --login me@example.com --password-stdin --json < password.txt
  fastly-tokens rotate ID --keep-old --expires-in 90d --login me@example.com`,
		Short: "Replace a token: create, prove the new key, deliver it, then revoke the old one",
		Long: `rotate creates a token with the old one's scopes, services and owner, proves
the new key works (GET /tokens/self with it), delivers the new secret (on
stdout, or with --output to a new file, mode 0600) and only then revokes the
old token (unless --keep-old). The replacement must have the old token's
scopes and services as Fastly answers them (an old token that reads with no
scopes is refused before anything is created). When the secret is not
delivered (a full disk, a reader that exits before reading, Ctrl-C,
--timeout), the new token is revoked on a fresh 30-second context and the
old one kept: exit 1 (130 on Ctrl-C); if even that revoke fails, rotate
prints the new token's id and "fastly-tokens revoke ID", never its secret.
With stdout on /dev/null or closed it refuses before any request (exit 2).
With --json, stdout gets one
object {"old_id", "new"} before the old token is revoked; exit 0 means it
was revoked (or kept with --keep-old).`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: a.completeTokenIDs,
		RunE: a.command(func(ctx context.Context, _ *cobra.Command, args []string) error {
			return a.runRotate(ctx, args[0], o)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "", "the new token's `NAME` (default: the old one's)")
	f.Var(&o.expiresIn, "expires-in", "the new token expires after `DURATION` (default: the old one's lifetime)")
	f.BoolVar(&o.keepOld, "keep-old", false, "leave the old token alive")
	o.cr.register(cmd)
	o.out.register(cmd)
	return cmd
}

// rotationJSON is the new token as rotate --json prints it, before the old
// one is revoked.
type rotationJSON struct {
	OldID string   `json:"old_id"`
	New   newToken `json:"new"`
}

func (a *app) runRotate(ctx context.Context, id string, o *rotateOptions) error {
	if err := a.checkDestination(&o.out); err != nil {
		return err
	}
	c, err := a.clientFor(ctx, id)
	if err != nil {
		return err
	}
	if o.cr.login == "" {
		// Without a sign-in the create needs the key in sudo mode: ask
		// before anything is written, not after a refused create (the
		// token is read first, so an unknown id says so).
		if _, err := c.Get(ctx, id); err != nil {
			return fmt.Errorf("reading token %s: %w", id, err)
		}
		me, err := c.Current(ctx)
		if err != nil {
			return err
		}
		if !me.SudoExpiresAt.After(a.sys.now().Add(sudoMargin)) {
			return usagef("the key is not in sudo mode, so a create would be refused: sign in with --login (and --password-stdin, or a prompt)")
		}
	}
	password, err := a.password(ctx, &o.cr)
	if err != nil {
		return err
	}
	otp := a.oneTimePassword(&o.cr)
	delivered := false
	in := lifecycle.RotateInput{Name: o.name, Username: o.cr.login, Password: password, OTP: otp, KeepOld: o.keepOld,
		Store: func(ctx context.Context, created wrapper.CreatedToken) error {
			err := a.deliver(ctx, &o.out, created, rotationJSON{OldID: id, New: newToken{Token: created.Token, AccessToken: created.AccessToken}})
			delivered = err == nil
			return err
		}}
	if o.expiresIn != 0 {
		in.ExpiresAt = wrapper.ExpiresIn(a.sys.now(), time.Duration(o.expiresIn))
	}
	rot, err := lifecycle.Rotate(ctx, c, id, in)
	if err != nil && rot.New.ID != "" && !delivered {
		return &survivorError{id: rot.New.ID, err: err} // Rotate could not revoke what it could not deliver
	}
	if err != nil {
		return explain(err, otp != "")
	}
	if a.json {
		return nil
	}
	state := "kept"
	if rot.OldRevoked {
		state = "revoked"
	}
	_, err = fmt.Fprintf(a.sys.out, "old token %s %s\n", rot.Old.ID, state)
	return err
}

// completeScopes offers the scopes Fastly accepts.
func completeScopes(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, s := range wrapper.KnownScopes() {
		out = append(out, string(s))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
