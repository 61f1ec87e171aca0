package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

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

func TestOneLine(t *testing.T) {
	assert.Equal(t, "a b c ", oneLine("a\nb\x1bc\x7f"))
}
