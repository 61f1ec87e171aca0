package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

// TestProgressOnlyOnATerminal: a long revoke shows its progress on stderr
// when stderr is a terminal, and says nothing there otherwise.
func TestProgressOnlyOnATerminal(t *testing.T) {
	for _, terminal := range []bool{true, false} {
		srv := api.NewTestServer(t)
		user := srv.Account(api.RoleUser)
		ids := make([]string, 150)
		for i := range ids {
			id, _, err := srv.AddToken(api.TokenSpec{UserID: user.UserID, Name: "bulk"})
			require.NoError(t, err)
			ids[i] = id
		}
		var stdout, stderr bytes.Buffer
		env := map[string]string{"FASTLY_API_URL": srv.URL, "FASTLY_API_TOKEN": user.Token}
		sys := &sysIO{in: strings.NewReader(""), out: &stdout, err: &stderr, getenv: func(k string) string { return env[k] },
			now: time.Now, stdinTerminal: func() bool { return false }, stderrTerminal: func() bool { return terminal }}
		code := run(t.Context(), sys, append([]string{"revoke", "--yes"}, ids...))
		require.Equal(t, 0, code, stderr.String())
		assert.Equal(t, 151, strings.Count(stdout.String(), "\n"), "a header and a line per id")
		summary := "revoked 150, not found 0, failed 0\n"
		if terminal {
			assert.Equal(t, "\rrevoking: 100 of 150\rrevoking: 150 of 150\n"+summary, stderr.String(),
				"the progress line is ended before anything else; a summary follows")
		} else {
			assert.Equal(t, summary, stderr.String())
		}
	}
}

// TestPasswordPrompt: on a terminal the password is read without echo and
// the prompt goes to stderr; an empty answer is refused.
func TestPasswordPrompt(t *testing.T) {
	for answer, ok := range map[string]bool{"s3cret": true, "": false} {
		var stderr bytes.Buffer
		a := &app{sys: &sysIO{err: &stderr, stdinTerminal: func() bool { return true },
			readPassword: func(context.Context) (string, error) { return answer, nil }}}
		pw, err := a.password(t.Context(), &credentials{login: "me@example.com"})
		assert.Equal(t, "Password for me@example.com: \n", stderr.String())
		if ok {
			require.NoError(t, err)
			assert.Equal(t, "s3cret", pw)
		} else {
			require.Error(t, err)
			assert.Empty(t, pw)
		}
	}
}
