package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTranscriptCheckCatchesLeaks: the scan every script ends with fails on
// a canary on either stream, on a new secret echoed to stderr, and on a
// response outside the contract.
func TestTranscriptCheckCatchesLeaks(t *testing.T) {
	newSecret := "abcdefghijklmnopqrstuvwxyzABCDEF"
	cases := map[string]struct {
		stdout, stderr, problem, want string
	}{
		"clean":              {stdout: "ok\naccess token (shown once, store it now): " + newSecret + "\n", want: ""},
		"canary on stdout":   {stdout: "key CANARYSECRET1", want: "printed on stdout"},
		"canary on stderr":   {stderr: "fastly-tokens: CANARYSECRET1", want: "printed on stderr"},
		"new secret echoed":  {stdout: `"access_token": "` + newSecret + `"`, stderr: newSecret, want: "new secret was printed on stderr"},
		"outside a contract": {problem: "GET /tokens answered 200 outside the contract", want: "outside the contract"},
	}
	for name, tc := range cases {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "stdout"), []byte(tc.stdout), 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "stderr"), []byte(tc.stderr), 0o600))
		f := &fixture{canaries: []string{"CANARYSECRET1", ""}}
		if tc.problem != "" {
			f.problems = []string{tc.problem}
		}
		got := f.check(dir)
		if tc.want == "" {
			assert.Empty(t, got, name)
		} else {
			assert.Contains(t, got, tc.want, name)
			assert.NotContains(t, got, "CANARYSECRET1", "the report does not repeat the secret")
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "1d": 24 * time.Hour, "0d": 0,
		"36h": 36 * time.Hour, "90m": 90 * time.Minute, "1h30m": 90 * time.Minute, "0": 0} {
		got, err := parseDuration(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "d", "-1d", "-5m", "1.5d", "3w", "1h30d", "99999999999d", "tomorrow"} {
		_, err := parseDuration(in)
		assert.Error(t, err, in)
	}
}

func TestRelative(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		0: "just now", 30 * time.Second: "in under a minute", -30 * time.Second: "just now",
		time.Minute: "in 1 minute", -5 * time.Minute: "5 minutes ago", 2 * time.Hour: "in 2 hours",
		-time.Hour: "1 hour ago", 6 * 24 * time.Hour: "in 6 days", 30*24*time.Hour - time.Second: "in 30 days",
		-90 * 24 * time.Hour: "3 months ago", 400 * 24 * time.Hour: "in 1 year", -3 * 365 * 24 * time.Hour: "3 years ago",
	} {
		assert.Equal(t, want, relative(now.Add(d), now, "never"), d.String())
	}
	assert.Equal(t, "never", relative(time.Time{}, now, "never"))
}

// TestPrintable: text from the server cannot break a table or drive the
// terminal: C0 controls become spaces; C1 controls (the 8-bit CSI U+009B
// among them), bidirectional overrides and zero-width characters go.
func TestPrintable(t *testing.T) {
	assert.Equal(t, "a b", printable("a\nb\x1bc\x7f"), "ESC c (a terminal reset) is removed whole")
	assert.Equal(t, "name2J", printable("name\u009b[2J"))
	assert.Equal(t, "evil", printable("\u202eev\u200bil\u2066"))
	assert.Equal(t, "tab sep", printable("tab\tsep"))
	assert.Equal(t, "plain naïve", printable("plain naïve"))
}

// TestDurationBounds: whole days that overflow or are negative are refused
// with messages that say so.
func TestDurationBounds(t *testing.T) {
	for in, want := range map[string]string{
		"213504d": "too large", "99999999999999999999d": "too large", "-5d": "must be positive", "-1h": "must be positive",
		"5x": "not a duration", "d": "not a duration",
	} {
		_, err := parseDuration(in)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), want, in)
	}
	d, err := parseDuration("106751d")
	require.NoError(t, err)
	assert.Equal(t, 106751*24*time.Hour, d)
	var v duration
	assert.Empty(t, v.String(), "zero shows no default of its own")
	require.NoError(t, v.Set("14d"))
	assert.Equal(t, "14d", v.String())
	require.NoError(t, v.Set("36h"))
	assert.Equal(t, "36h0m0s", v.String())
}

// TestFailKinds: --fail-on names the valid kinds when refusing one, and an
// empty value is refused.
func TestFailKinds(t *testing.T) {
	_, err := failKinds([]string{"expired", "soon"}, true)
	require.ErrorContains(t, err, `unknown kind "soon": give one or more of expired, expiring, never_used, unused, no_expiry, too_long, global_all_services, none`)
	_, err = failKinds(nil, true)
	require.ErrorContains(t, err, "empty")
	_, err = failKinds([]string{""}, true)
	require.ErrorContains(t, err, "empty kind")
	set, err := failKinds(nil, false)
	require.NoError(t, err)
	assert.Len(t, set, 7, "every kind by default")
	set, err = failKinds([]string{"none"}, true)
	require.NoError(t, err)
	assert.Empty(t, set)
}

// TestScopesOf: --scope is checked locally against the known scopes.
func TestScopesOf(t *testing.T) {
	scopes, err := scopesOf([]string{"purge_select", "global:read purge_all"})
	require.NoError(t, err)
	assert.Len(t, scopes, 3)
	_, err = scopesOf([]string{"purge"})
	require.ErrorContains(t, err, `unknown scope "purge" (known: global, global:read, purge_select, purge_all)`)
	_, err = scopesOf([]string{" "})
	require.ErrorContains(t, err, "empty scope")
}

// TestConfirmListsIDs: the prompt names the first twenty ids with their
// names and how many more; a declined prompt is a usage exit, nothing
// revoked.
func TestConfirmListsIDs(t *testing.T) {
	var stderr strings.Builder
	a := &app{sys: &sysIO{in: strings.NewReader("y\nn\n"), err: &stderr, stdinTerminal: func() bool { return true }}}
	ids := make([]string, 22)
	for i := range ids {
		ids[i] = fmt.Sprintf("id%02d", i)
	}
	named := map[string]string{}
	for i, id := range ids {
		if i != 1 {
			named[id] = "name of " + id
		}
	}
	require.NoError(t, a.confirm(t.Context(), named, ids, false, false))
	prompt := stderr.String()
	assert.True(t, strings.HasPrefix(prompt, "Revoke 22 token(s)?\n  ID    NAME\n  id00  name of id00\n  id01  -\n"), prompt)
	assert.Contains(t, prompt, "  id19  name of id19\n  and 2 more\n[y/N] ")
	assert.NotContains(t, prompt, "id20")
	err := a.confirm(t.Context(), named, ids[:1], false, false)
	require.ErrorContains(t, err, "cancelled: nothing revoked")
	assert.True(t, isUsage(err), "exit 2")
}

// TestEveryCommandHasExamples: every command's --help has an Examples
// section.
func TestEveryCommandHasExamples(t *testing.T) {
	root := (&app{sys: &sysIO{}}).rootCommand()
	commands := append([]*cobra.Command{root}, root.Commands()...)
	for _, cmd := range commands {
		if cmd.Name() == "completion" || cmd.Name() == "help" {
			continue // cobra's own
		}
		assert.NotEmpty(t, cmd.Example, cmd.Name())
	}
	assert.GreaterOrEqual(t, len(commands), 9)
}
