package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

// bench is a command run without a binary: an api/ server behind a counter
// and a sysIO whose streams the test controls.
type bench struct {
	srv    *api.TestServer
	url    string
	mu     sync.Mutex
	seen   []string
	stdout bytes.Buffer
	stderr bytes.Buffer
	env    map[string]string
	sys    *sysIO
}

func newBench(t *testing.T) *bench {
	t.Helper()
	b := &bench{srv: api.NewTestServer(t)}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.seen = append(b.seen, r.Method+" "+r.URL.Path)
		b.mu.Unlock()
		b.srv.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	b.url = front.URL
	user := b.srv.Account(api.RoleUser)
	b.env = map[string]string{"FASTLY_API_URL": front.URL, "FASTLY_API_TOKEN": user.Token}
	b.sys = &sysIO{in: strings.NewReader(""), out: &b.stdout, err: &b.stderr, getenv: func(k string) string { return b.env[k] },
		now: time.Now, stdinTerminal: func() bool { return false }, stderrTerminal: func() bool { return false }}
	return b
}

func (b *bench) run(ctx context.Context, args ...string) int { return run(ctx, b.sys, args) }

func (b *bench) requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.seen...)
}

// alive reports whether the simulator still accepts key.
func (b *bench) alive(t *testing.T, key string) bool {
	t.Helper()
	req, err := http.NewRequest("GET", b.srv.URL+"/tokens/self", nil)
	require.NoError(t, err)
	req.Header.Set("Fastly-Key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.StatusCode == 200
}

// fullDisk fails every write, as stdout on a full disk does.
type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// stdinOf returns a reader holding the user's password line.
func (b *bench) password() io.Reader {
	return strings.NewReader(b.srv.Account(api.RoleUser).Password + "\n")
}

// TestCreateRevokesWhatItCannotDeliver: with stdout on a full disk the new
// secret is written nowhere, so the new token is revoked and the command
// fails naming it.
func TestCreateRevokesWhatItCannotDeliver(t *testing.T) {
	for _, json := range []bool{false, true} {
		b := newBench(t)
		b.sys.out, b.sys.in = fullDisk{}, b.password()
		args := []string{"create", "--name", "lost", "--login", b.srv.Account(api.RoleUser).Login, "--password-stdin"}
		if json {
			args = append(args, "--json")
		}
		require.Equal(t, exitFailed, b.run(t.Context(), args...))
		msg := b.stderr.String()
		assert.Regexp(t, `^fastly-tokens: create: created ([A-Za-z0-9]{22}), could not write its secret \(no space left on device\): revoked ([A-Za-z0-9]{22})\n$`, msg)
		id := strings.Fields(msg)[3]
		id = strings.TrimSuffix(id, ",")
		assert.Contains(t, b.requests(), "DELETE /tokens/"+id)
		for _, tok := range b.listAll(t) {
			assert.NotEqual(t, "lost", tok, "no token named lost is left")
		}
	}
}

// listAll lists the user's token names through the simulator.
func (b *bench) listAll(t *testing.T) []string {
	t.Helper()
	var out bytes.Buffer
	sys := *b.sys
	sys.out, sys.err = &out, io.Discard
	require.Equal(t, 0, run(t.Context(), &sys, []string{"list", "--json"}))
	var names []string
	for _, line := range strings.Split(out.String(), "\n") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), `"name": "`); ok {
			names = append(names, strings.TrimSuffix(name, `",`))
		}
	}
	return names
}

// TestRotateKeepsTheOldKeyWhenTheNewCannotBeWritten: rotate writes the new
// secret before it revokes the old token; on a full disk the new token is
// revoked and the old one kept.
func TestRotateKeepsTheOldKeyWhenTheNewCannotBeWritten(t *testing.T) {
	b := newBench(t)
	user := b.srv.Account(api.RoleUser)
	oldID, oldKey, err := b.srv.AddToken(api.TokenSpec{UserID: user.UserID, Name: "deploy"})
	require.NoError(t, err)
	b.sys.out, b.sys.in = fullDisk{}, b.password()
	require.Equal(t, exitFailed, b.run(t.Context(), "rotate", oldID, "--login", user.Login, "--password-stdin"))
	assert.Contains(t, b.stderr.String(), "no space left on device")
	assert.True(t, b.alive(t, oldKey), "the old key still works")
	assert.NotContains(t, b.requests(), "DELETE /tokens/"+oldID)
	assert.Equal(t, 1, strings.Count(strings.Join(b.listAll(t), "\n"), "deploy"), "the new token was revoked")
}

// TestOutputFile: --output writes the secret to a new file, mode 0600,
// never over an existing one without --force (refused before anything is
// sent); with --json the file holds the whole JSON.
func TestOutputFile(t *testing.T) {
	b := newBench(t)
	user := b.srv.Account(api.RoleUser)
	dir := t.TempDir()
	path := filepath.Join(dir, "secret")
	create := func(extra ...string) int {
		b.stdout.Reset()
		b.stderr.Reset()
		b.sys.in, b.sys.lines = b.password(), nil
		return b.run(t.Context(), append([]string{"create", "--name", "filed", "--login", user.Login, "--password-stdin", "--output", path}, extra...)...)
	}
	require.Equal(t, 0, create(), b.stderr.String())
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	secret, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Regexp(t, `^[A-Za-z0-9_-]{32}\n$`, string(secret))
	assert.NotContains(t, b.stdout.String(), strings.TrimSpace(string(secret)), "the secret is in the file only")
	assert.Contains(t, b.stdout.String(), "access token written to "+path+" (mode 0600)")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left")

	posts := strings.Count(strings.Join(b.requests(), "\n"), "POST /tokens")
	assert.Equal(t, exitUsage, create())
	assert.Contains(t, b.stderr.String(), "exists: pass --force to replace it")
	assert.Equal(t, posts, strings.Count(strings.Join(b.requests(), "\n"), "POST /tokens"), "refused before anything is sent")
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, secret, after, "the existing file is untouched")

	require.Equal(t, 0, create("--force", "--json"), b.stderr.String())
	whole, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(whole), `"access_token": "`)
	assert.Contains(t, string(whole), `"name": "filed"`)
	assert.Empty(t, b.stdout.String(), "with --json the whole JSON went to the file")

	b.sys.lines = nil
	assert.Equal(t, exitUsage, b.run(t.Context(), "create", "--name", "x", "--output", filepath.Join(dir, "no", "such", "dir")))
	assert.Contains(t, b.stderr.String(), "its folder does not exist")
}

// TestInterruptEndsReadsAtOnce: Ctrl-C while the command waits on stdin,
// a password prompt or a confirmation ends it at once with 130, and
// nothing is sent afterwards.
func TestInterruptEndsReadsAtOnce(t *testing.T) {
	cases := map[string]struct {
		args  []string
		setup func(b *bench, in io.Reader)
	}{
		"ids on stdin": {args: []string{"revoke", "--from-file", "-", "--yes"}},
		"secrets":      {args: []string{"revoke-leaked"}},
		"password":     {args: []string{"create", "--name", "x", "--login", "me@example.com", "--password-stdin"}},
		"prompt": {args: []string{"create", "--name", "x", "--login", "me@example.com"}, setup: func(b *bench, in io.Reader) {
			b.sys.stdinTerminal = func() bool { return true }
			b.sys.readPassword = func(ctx context.Context) (string, error) {
				return interruptible(ctx, func() (string, error) {
					_, err := io.ReadAll(in)
					return "", err
				}, nil)
			}
		}},
		"confirmation": {args: []string{"revoke", "AbcdefAbcdefAbcdef0123"}, setup: func(b *bench, _ io.Reader) {
			b.sys.stdinTerminal = func() bool { return true }
		}},
	}
	for name, tc := range cases {
		b := newBench(t)
		stdin, writer := io.Pipe()
		t.Cleanup(func() { _ = writer.Close() })
		b.sys.in = stdin
		if tc.setup != nil {
			tc.setup(b, stdin)
		}
		ctx, cancel := context.WithCancelCause(t.Context())
		done := make(chan int, 1)
		go func() { done <- b.run(ctx, tc.args...) }()
		time.Sleep(50 * time.Millisecond) // the command is waiting on stdin now
		before := len(b.requests())
		cancel(errInterrupted)
		select {
		case code := <-done:
			assert.Equal(t, exitInterrupted, code, name)
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: still waiting on stdin after the interrupt", name)
		}
		assert.Len(t, b.requests(), before, "%s: nothing sent after the interrupt", name)
		assert.Regexp(t, `(?m)^fastly-tokens: [a-z-]+: interrupted$`, b.stderr.String(), name)
	}
}

// endless is stdin that never ends, counting what was read.
type endless struct {
	line []byte
	read int
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], e.line)
	}
	e.read += n
	return n, nil
}

// TestInputsAreBounded: id and secret lists stop at 16 MiB, a password or
// key line at 4 KiB: a usage error, before the whole input is read, and
// nothing sent.
func TestInputsAreBounded(t *testing.T) {
	for name, tc := range map[string]struct {
		args  []string
		line  string
		limit int
		want  string
	}{
		"ids":      {[]string{"revoke", "--from-file", "-", "--yes"}, "AbcdefAbcdefAbcdef0123\n", maxListBytes, "more than 16 MiB"},
		"secrets":  {[]string{"revoke-leaked"}, "AbcdefAbcdefAbcdef0123AbcdefAbcd\n", maxListBytes, "more than 16 MiB"},
		"password": {[]string{"create", "--name", "x", "--login", "me@example.com", "--password-stdin"}, "x", maxLineBytes, "longer than 4096 bytes"},
		"key":      {[]string{"whoami", "--token-file", "-"}, "k", maxLineBytes, "longer than 4096 bytes"},
	} {
		b := newBench(t)
		in := &endless{line: []byte(tc.line)}
		b.sys.in = in
		assert.Equal(t, exitUsage, b.run(t.Context(), tc.args...), name)
		assert.Contains(t, b.stderr.String(), tc.want, name)
		assert.Less(t, in.read, tc.limit+(1<<20), "%s: stopped near the bound", name)
		assert.Empty(t, b.requests(), name)
	}
}

// TestServerTextCannotDriveTheTerminal: a token named with C1 and C0
// control characters prints as harmless text.
func TestServerTextCannotDriveTheTerminal(t *testing.T) {
	b := newBench(t)
	user := b.srv.Account(api.RoleUser)
	_, _, err := b.srv.AddToken(api.TokenSpec{UserID: user.UserID, Name: "evil\u009b2J\x1b[31m\u202eeman"})
	require.NoError(t, err)
	require.Equal(t, 0, b.run(t.Context(), "list"))
	out := b.stdout.String()
	assert.NotContains(t, out, "\u009b")
	assert.NotContains(t, out, "\x1b")
	assert.NotContains(t, out, "\u202e")
	assert.Contains(t, out, "evileman", "the escape sequences are removed whole")
}

// TestHelpShowsOneDefault: each duration flag shows its default once; the
// timeout's help says what 0 means and that each request gives up after
// 60 s.
func TestHelpShowsOneDefault(t *testing.T) {
	b := newBench(t)
	require.Equal(t, 0, b.run(t.Context(), "audit", "--help"))
	help := b.stdout.String()
	assert.NotContains(t, help, "(default 0s)")
	assert.Equal(t, 1, strings.Count(help, "(default 14d)"))
	assert.Equal(t, 1, strings.Count(help, "(default 90d)"))
	assert.Contains(t, help, "0, the default, sets no limit (each request still gives up after 60s)")
}

// TestMessagesHaveOnePrefix: an error from deep in the library reads as
// one line with one prefix.
func TestMessagesHaveOnePrefix(t *testing.T) {
	b := newBench(t)
	require.Equal(t, exitFailed, b.run(t.Context(), "rotate", "NoSuchToken0000000000"))
	assert.Equal(t, "fastly-tokens: rotate: reading token NoSuchToken0000000000: 404 Not Found: Token lookup failed\n", b.stderr.String())
	assert.False(t, errors.Is(context.Cause(t.Context()), errInterrupted))
}

// TestRevokeAgainstASilentAPIEnds: against an API that never answers a
// revoke, revoke of 1,000 ids stops after three batches, each bounded by
// the per-request timeout (60 s by default: about 3 minutes in all; 200 ms
// here), even under a longer --timeout.
func TestRevokeAgainstASilentAPIEnds(t *testing.T) {
	b := newBench(t)
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.seen = append(b.seen, r.Method+" "+r.URL.Path)
		b.mu.Unlock()
		if r.Method == "DELETE" {
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		b.srv.ServeHTTP(w, r)
	}))
	t.Cleanup(silent.Close)
	b.env["FASTLY_API_URL"] = silent.URL
	args := []string{"revoke", "--yes", "--timeout", "10m"}
	for i := range 1000 {
		args = append(args, fmt.Sprintf("Silent%016d", i))
	}
	start := time.Now()
	code := runApp(t.Context(), &app{sys: b.sys, callTimeout: 200 * time.Millisecond}, args)
	assert.Equal(t, exitFailed, code)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.Equal(t, 3, strings.Count(strings.Join(b.requests(), "\n"), "DELETE /tokens"))
	assert.Contains(t, b.stderr.String(), "revoked 0, not found 0, unknown 300 (may be revoked), failed 700", "the three batches sent may have acted; the rest were never sent")
	assert.Equal(t, 300, strings.Count(b.stdout.String(), "  unknown: the revoke was sent"), "each id of a batch sent and never answered")
}

// TestCreateRefusesAnUnprintableSecret: a server whose access_token holds
// control characters (an escape sequence) gets nothing printed raw: the
// token is revoked, as any secret that cannot be delivered.
func TestCreateRefusesAnUnprintableSecret(t *testing.T) {
	b := newBench(t)
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.seen = append(b.seen, r.Method+" "+r.URL.Path)
		b.mu.Unlock()
		if r.Method != "POST" || r.URL.Path != "/tokens" {
			b.srv.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		b.srv.ServeHTTP(rec, r)
		body := regexp.MustCompile(`"access_token":"[^"]*"`).ReplaceAll(rec.Body.Bytes(), []byte(`"access_token":"\u001b]52;c;AAAA\u0007xxxxxxxxxxxxxxxxxxxxxxxxxx"`))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}))
	t.Cleanup(hostile.Close)
	b.env["FASTLY_API_URL"] = hostile.URL
	b.sys.in = b.password()
	require.Equal(t, exitFailed, b.run(t.Context(), "create", "--name", "esc", "--login", b.srv.Account(api.RoleUser).Login, "--password-stdin"))
	assert.NotContains(t, b.stdout.String(), "\x1b")
	assert.NotContains(t, b.stderr.String(), "\x1b")
	assert.Regexp(t, `^fastly-tokens: create: created (\w{22}), could not write its secret \(the server's access_token holds characters a key never has: not printed\): revoked \w{22}\n$`, b.stderr.String())
	for _, name := range b.listAll(t) {
		assert.NotEqual(t, "esc", name)
	}
}

// TestRotateWithoutSignInNeedsSudo: without --login, rotate asks the key's
// own token whether it is in sudo mode before anything is written: not in
// sudo mode is refused (exit 2, no create); in sudo mode, it rotates.
func TestRotateWithoutSignInNeedsSudo(t *testing.T) {
	b := newBench(t)
	user := b.srv.Account(api.RoleUser)
	oldID, _, err := b.srv.AddToken(api.TokenSpec{UserID: user.UserID, Name: "deploy"})
	require.NoError(t, err)
	require.Equal(t, exitUsage, b.run(t.Context(), "rotate", oldID))
	assert.Contains(t, b.stderr.String(), "the key is not in sudo mode")
	assert.NotContains(t, b.requests(), "POST /tokens")

	c, err := wrapper.New(wrapper.WithBaseURL(b.url), wrapper.WithToken(user.Token))
	require.NoError(t, err)
	_, err = c.Sudo(t.Context(), wrapper.SudoInput{Username: user.Login, Password: user.Password})
	require.NoError(t, err)
	b.stderr.Reset()
	require.Equal(t, exitOK, b.run(t.Context(), "rotate", oldID), b.stderr.String())
	assert.Contains(t, b.stdout.String(), "old token "+oldID+" revoked")
}
