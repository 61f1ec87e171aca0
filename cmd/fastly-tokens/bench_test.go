package main

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

// BenchmarkScale compares the command's list --json and audit over 10,000
// tokens with the library's List of the same tokens, on one loopback
// server: the command's cost beyond List is decoding flags, building a
// client, and writing the output. (Process start-up, a fixed cost, is not
// included: run the binary to see it.)
func BenchmarkScale(b *testing.B) {
	sim, accounts, err := api.NewSeeded()
	if err != nil {
		b.Fatal(err)
	}
	user, _ := accounts.ByRole(api.RoleUser)
	for i := range 10_000 {
		spec := api.TokenSpec{UserID: user.UserID, Name: "bulk", Scope: "purge_all"}
		if i%3 == 0 {
			spec.ExpiresAt = time.Now().Add(time.Duration(i) * time.Hour)
		}
		if _, _, err := sim.AddToken(spec); err != nil {
			b.Fatal(err)
		}
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	env := map[string]string{"FASTLY_API_URL": srv.URL, "FASTLY_API_TOKEN": user.Token}
	sys := &sysIO{in: strings.NewReader(""), out: io.Discard, err: io.Discard, getenv: func(k string) string { return env[k] },
		now: time.Now, stdinTerminal: func() bool { return false }, stderrTerminal: func() bool { return false }}
	ctx := b.Context()

	b.Run("library List", func(b *testing.B) {
		c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(user.Token))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := c.List(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	for name, args := range map[string][]string{
		"cli list --json": {"list", "--json"},
		"cli audit":       {"audit", "--fail-on", "none"},
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if code := run(ctx, sys, args); code != 0 {
					b.Fatalf("exit status %d", code)
				}
			}
		})
	}
}
