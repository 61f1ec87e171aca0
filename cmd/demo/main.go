// Command demo walks through every token operation of the wrapper package
// against the in-memory Fastly API (package api), started in process: no
// credentials, no network. Run it with `make demo`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// transcript prints numbered steps.
type transcript struct {
	w    io.Writer
	step int
}

func (t *transcript) section(format string, args ...any) {
	t.step++
	_, _ = fmt.Fprintf(t.w, "\n%d. %s\n", t.step, fmt.Sprintf(format, args...))
}

func (t *transcript) line(format string, args ...any) {
	_, _ = fmt.Fprintf(t.w, "   %s\n", fmt.Sprintf(format, args...))
}

// masked shows a secret's first four characters only.
func masked(secret string) string {
	if len(secret) <= 4 {
		return "****"
	}
	return secret[:4] + strings.Repeat("*", len(secret)-4)
}

func describe(t wrapper.Token) string {
	services := "all services"
	if len(t.Services) > 0 {
		services = strings.Join(t.Services, ",")
	}
	expires := "never expires"
	if !t.ExpiresAt.IsZero() {
		expires = "expires " + t.ExpiresAt.Format(time.RFC3339)
	}
	return fmt.Sprintf("%s %q scopes=%v %s, %s", t.ID, t.Name, t.Scopes, services, expires)
}

func run(out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t := &transcript{w: out}

	demo, err := api.StartDemo()
	if err != nil {
		return err
	}
	defer demo.Close()
	baseURL, accounts := demo.URL, demo.Accounts
	admin, _ := accounts.ByRole(api.RoleSuperuser)
	dev, _ := accounts.ByRole(api.RoleUser)
	secure, _ := accounts.ByRole(api.RoleTwoFactorUser)

	_, _ = fmt.Fprintf(out, "In-memory Fastly token API at %s\n", baseURL)
	for _, a := range accounts {
		login := a.Login
		if login == "" {
			login = "(no login)"
		}
		_, _ = fmt.Fprintf(out, "  %-24s %-20s key %s\n", a.Role, login, masked(a.Token))
	}

	// 1. Create, as the two-factor user, with services, expiry and an OTP.
	t.section("Create a token (POST /tokens) as %s, limited to two services, expiring in 30 days, with a one-time password", secure.Login)
	otp, err := api.TOTP(secure.TwoFactorSecret, time.Now())
	if err != nil {
		return err
	}
	anonymous, err := wrapper.New(wrapper.WithBaseURL(baseURL))
	if err != nil {
		return err
	}
	created, err := anonymous.Create(ctx, wrapper.CreateInput{
		Name:      "deploy-bot",
		Scopes:    []wrapper.Scope{wrapper.ScopePurgeSelect, wrapper.ScopeGlobalRead},
		Services:  []string{"SU1Z0isxPaozGVKXdv0eY", "7frORaFZvHgC6eRAJdA7kf"},
		ExpiresAt: wrapper.ExpiresIn(time.Now(), 30*24*time.Hour),
		Username:  secure.Login,
		Password:  secure.Password,
		OTP:       otp,
	})
	if err != nil {
		return err
	}
	t.line("created %s", describe(created.Token))
	t.line("access token (shown once, store it now): %s", created.AccessToken)

	// The new token is a key of its own.
	bot, err := wrapper.New(wrapper.WithBaseURL(baseURL), wrapper.WithToken(created.AccessToken))
	if err != nil {
		return err
	}

	t.section("Current token (GET /tokens/self) with the new key %s", masked(created.AccessToken))
	current, err := bot.Current(ctx)
	if err != nil {
		return err
	}
	t.line("%s", describe(current))

	owner, err := wrapper.New(wrapper.WithBaseURL(baseURL), wrapper.WithToken(secure.Token))
	if err != nil {
		return err
	}
	t.section("List the user's tokens (GET /tokens)")
	tokens, err := owner.List(ctx)
	if err != nil {
		return err
	}
	for _, tok := range tokens {
		t.line("%s", describe(tok))
	}

	t.section("Get one token by id (GET /tokens/%s)", created.ID)
	got, err := owner.Get(ctx, created.ID)
	if err != nil {
		return err
	}
	t.line("%s, last used from %s", describe(got), got.IP)

	superuser, err := wrapper.New(wrapper.WithBaseURL(baseURL), wrapper.WithToken(admin.Token))
	if err != nil {
		return err
	}
	t.section("List every token of the customer (GET /customer/%s/tokens) as superuser %s", admin.CustomerID, admin.Login)
	all, err := superuser.ListForCustomer(ctx, admin.CustomerID)
	if err != nil {
		return err
	}
	t.line("%d tokens of customer %s (users' keys and an automation token)", len(all), admin.CustomerID)

	t.section("Revoke one token (DELETE /tokens/%s)", created.ID)
	if err := owner.Revoke(ctx, created.ID); err != nil {
		return err
	}
	t.line("revoked %s; its key %s no longer works", created.ID, masked(created.AccessToken))

	t.section("Typed error: get the revoked token again")
	_, err = owner.Get(ctx, created.ID)
	t.line("errors.Is(err, wrapper.ErrNotFound) = %t", errors.Is(err, wrapper.ErrNotFound))
	t.line("err: %v", err)

	t.section("Bulk revoke (DELETE /tokens, JSON:API) after a leak: three tokens in one request")
	user, err := wrapper.New(wrapper.WithBaseURL(baseURL), wrapper.WithBasicAuth(dev.Login, dev.Password), wrapper.WithToken(dev.Token))
	if err != nil {
		return err
	}
	var leaked []string
	for i := range 3 {
		tok, err := user.Create(ctx, wrapper.CreateInput{Name: fmt.Sprintf("ci-runner-%d", i+1)})
		if err != nil {
			return err
		}
		leaked = append(leaked, tok.ID)
	}
	if err := user.RevokeMany(ctx, leaked...); err != nil {
		return err
	}
	t.line("revoked %s", strings.Join(leaked, ", "))
	limit := user.RateLimit()
	t.line("rate limit: %d writes left this hour, window resets at %s", limit.Remaining, limit.Reset.Format(time.RFC3339))

	t.section("Typed error: a read-only key may revoke only itself, not a token by id")
	readOnly, err := wrapper.New(wrapper.WithBaseURL(baseURL), wrapper.WithToken(dev.ReadOnlyToken))
	if err != nil {
		return err
	}
	self, err := readOnly.Current(ctx)
	if err != nil {
		return err
	}
	err = readOnly.Revoke(ctx, self.ID)
	var apiErr *wrapper.APIError
	if errors.As(err, &apiErr) {
		t.line("errors.Is(err, wrapper.ErrForbidden) = %t, status %d, Fastly says %q", errors.Is(err, wrapper.ErrForbidden), apiErr.StatusCode, apiErr.Message)
	}

	t.section("Sudo flow: a key and the password create a token in two requests")
	keyOnly, err := wrapper.New(wrapper.WithBaseURL(baseURL), wrapper.WithToken(dev.Token))
	if err != nil {
		return err
	}
	until, err := keyOnly.Sudo(ctx, wrapper.SudoInput{Username: dev.Login, Password: dev.Password})
	if err != nil {
		return err
	}
	rotated, err := keyOnly.Create(ctx, wrapper.CreateInput{Name: "rotated-key"})
	if err != nil {
		return err
	}
	t.line("sudo until %s; created %s, key %s", until.Format(time.RFC3339), rotated.ID, masked(rotated.AccessToken))

	t.section("Revoke the current token (DELETE /tokens/self) with the rotated key")
	rotatedClient, err := wrapper.New(wrapper.WithBaseURL(baseURL), wrapper.WithToken(rotated.AccessToken))
	if err != nil {
		return err
	}
	if err := rotatedClient.RevokeCurrent(ctx); err != nil {
		return err
	}
	_, err = rotatedClient.Current(ctx)
	t.line("the key revoked itself; using it again: %v", err)

	_, _ = fmt.Fprintln(out, "\nDone: every operation ran against the in-memory API.")
	return nil
}
