package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tokenward/fastlytokens/api"
)

// The scripts in testdata/script run the real command (this test binary,
// re-executed as fastly-tokens) against an in-process api/ server seeded
// for each script. Every output of every run is kept in a transcript and
// scanned for the secrets the command must never print.

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"fastly-tokens": scriptMain})
}

// scriptMain is fastly-tokens as the scripts run it: the real run, with
// stdout and stderr also appended to the script's transcripts.
func scriptMain() {
	sys := systemIO()
	if dir := os.Getenv("TRANSCRIPT_DIR"); dir != "" {
		stdout := appendTo(filepath.Join(dir, "stdout"))
		stderr := appendTo(filepath.Join(dir, "stderr"))
		defer func() { _ = stdout.Close(); _ = stderr.Close() }()
		sys.out, sys.err = io.MultiWriter(os.Stdout, stdout), io.MultiWriter(os.Stderr, stderr)
	}
	code := mainWith(sys, os.Args[1:])
	os.Exit(code) //nolint:gocritic // the transcripts are unbuffered files
}

func appendTo(path string) *os.File {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		panic(err)
	}
	return f
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:   "testdata/script",
		Setup: setupScript,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"ft":        cmdFT,
			"requests":  cmdRequests,
			"otp":       cmdOTP,
			"addtoken":  cmdAddToken,
			"nosecrets": cmdNoSecrets,
			"fault":     cmdFault,
			"waitstall": cmdWaitStall,
			"waitfile":  cmdWaitFile,
		},
	})
}

// fixture is one script's server and what the script may not see printed.
type fixture struct {
	faults   []fault       // hostile answers, first match wins
	stalled  atomic.Int32  // requests held by a stall fault now
	quit     chan struct{} // closed when the script ends
	srv      *api.Server
	accounts api.Accounts
	mu       sync.Mutex
	counts   map[string]int // "METHOD /path" -> requests
	canaries []string       // secrets that must never be printed
	problems []string       // responses outside the contract
}

func (f *fixture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.counts[r.Method+" "+r.URL.Path]++
	var hostile *fault
	for i := range f.faults {
		if f.faults[i].method == r.Method && f.faults[i].path.MatchString(r.URL.Path) {
			hostile = &f.faults[i]
			break
		}
	}
	f.mu.Unlock()
	if hostile == nil {
		f.srv.ServeHTTP(w, r)
		return
	}
	hostile.serve(f, w, r)
}

// fault is a hostile answer to the requests of one method whose path
// matches: the proxy the scripts put between the command and the API.
type fault struct {
	method string
	path   *regexp.Regexp
	action string
}

func (h *fault) serve(f *fixture, w http.ResponseWriter, r *http.Request) {
	switch h.action {
	case "stall": // never answer: the client gives up or is interrupted
		f.stalled.Add(1)
		defer f.stalled.Add(-1)
		select {
		case <-r.Context().Done():
		case <-f.quit: // the script ended: let the server close
		}
	case "500":
		http.Error(w, `{"msg":"internal error"}`, http.StatusInternalServerError)
	case "500after", "resetafter": // act, then lose the answer
		f.srv.ServeHTTP(httptest.NewRecorder(), r)
		if h.action == "500after" {
			http.Error(w, `{"msg":"internal error"}`, http.StatusInternalServerError)
			return
		}
		fallthrough
	case "reset":
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
}

// cmdFault: fault METHOD PATH-REGEXP stall|500|reset|500after|resetafter
// makes the proxy answer matching requests so; fault clear removes all.
func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	f := fixtureOf(ts)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(args) == 1 && args[0] == "clear" && !neg {
		f.faults = nil
		return
	}
	if len(args) != 3 || neg {
		ts.Fatalf("usage: fault METHOD PATH-REGEXP stall|500|reset|500after|resetafter, or fault clear")
	}
	f.faults = append(f.faults, fault{method: args[0], path: regexp.MustCompile("^" + args[1] + "$"), action: args[2]})
}

// cmdWaitFile: waitfile FILE TEXT waits (at most 10 s) until FILE holds
// TEXT: a background command's stderr says it got that far.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: waitfile FILE TEXT")
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if text, err := os.ReadFile(ts.MkAbs(args[0])); err == nil && strings.Contains(string(text), args[1]) {
			return
		}
	}
	ts.Fatalf("%s does not hold %q after 10s", args[0], args[1])
}

// cmdWaitStall: waitstall waits (at most 10 s) until a request is held by
// a stall fault.
func cmdWaitStall(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 0 || neg {
		ts.Fatalf("usage: waitstall")
	}
	f := fixtureOf(ts)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if f.stalled.Load() > 0 {
			return
		}
	}
	ts.Fatalf("no request stalled after 10s")
}

func (f *fixture) canary(secrets ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.canaries = append(f.canaries, secrets...)
}

func setupScript(env *testscript.Env) error {
	f := &fixture{counts: map[string]int{}, quit: make(chan struct{})}
	sim, accounts, err := api.NewSeeded(api.WithResponseCheck(func(err error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.problems = append(f.problems, err.Error())
	}))
	if err != nil {
		return err
	}
	f.srv, f.accounts = sim, accounts
	srv := httptest.NewServer(f)
	env.Defer(srv.Close)
	env.Defer(func() { close(f.quit) }) // deferred calls run last first: before Close
	env.Values["fixture"] = f

	transcripts := filepath.Join(env.WorkDir, ".transcript")
	if err := os.Mkdir(transcripts, 0o700); err != nil {
		return err
	}
	env.Setenv("TRANSCRIPT_DIR", transcripts)
	env.Setenv("FASTLY_API_URL", srv.URL)
	for _, a := range accounts {
		f.canary(a.Token, a.Password, a.ReadOnlyToken, a.TwoFactorSecret)
		prefix := strings.ToUpper(string(a.Role))
		env.Setenv(prefix+"_KEY", a.Token)
		env.Setenv(prefix+"_RO_KEY", a.ReadOnlyToken)
		env.Setenv(prefix+"_LOGIN", a.Login)
		env.Setenv(prefix+"_CUSTOMER", a.CustomerID)
		env.Setenv(prefix+"_USER_ID", a.UserID)
		env.Setenv(prefix+"_KEY_ID", keyID(sim, a.Token))
		if a.Password != "" {
			if err := os.WriteFile(filepath.Join(env.WorkDir, string(a.Role)+".password"), []byte(a.Password+"\n"), 0o600); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(env.WorkDir, string(a.Role)+".key"), []byte(a.Token+"\n"), 0o600); err != nil {
			return err
		}
	}
	user, _ := accounts.ByRole(api.RoleUser)
	env.Setenv("FASTLY_API_TOKEN", user.Token)
	// The scripts end with nosecrets; this catches one that forgets.
	env.Defer(func() {
		if msg := f.check(transcripts); msg != "" {
			env.T().Fatal(msg)
		}
	})
	return nil
}

// keyID asks the server, uncounted, for the id of key's token.
func keyID(sim *api.Server, key string) string {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/tokens/self", nil)
	req.Header.Set("Fastly-Key", key)
	sim.ServeHTTP(rec, req)
	var tok struct{ ID string }
	_ = json.Unmarshal(rec.Body.Bytes(), &tok)
	return tok.ID
}

func fixtureOf(ts *testscript.TestScript) *fixture { return ts.Value("fixture").(*fixture) }

// ft N ARGS... runs fastly-tokens ARGS and asserts its exit status is N;
// stdout and stderr are then checked as after exec.
func cmdFT(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || neg {
		ts.Fatalf("usage: ft STATUS [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec("fastly-tokens", args[1:]...); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			ts.Fatalf("fastly-tokens did not run: %v", err)
		}
		got = exit.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

// requests METHOD PATH N asserts how many requests reached the server
// (PATH "*" counts every path with that method).
func cmdRequests(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 || neg {
		ts.Fatalf("usage: requests METHOD PATH N")
	}
	want, err := strconv.Atoi(args[2])
	ts.Check(err)
	f := fixtureOf(ts)
	f.mu.Lock()
	defer f.mu.Unlock()
	got := 0
	for key, n := range f.counts {
		method, path, _ := strings.Cut(key, " ")
		if method == args[0] && (args[1] == "*" || path == args[1]) {
			got += n
		}
	}
	if got != want {
		ts.Fatalf("%s %s: %d requests, want %d", args[0], args[1], got, want)
	}
}

// otp sets $OTP to the two-factor user's current one-time password.
func cmdOTP(ts *testscript.TestScript, _ bool, _ []string) {
	f := fixtureOf(ts)
	secure, _ := f.accounts.ByRole(api.RoleTwoFactorUser)
	code, err := api.TOTP(secure.TwoFactorSecret, time.Now())
	ts.Check(err)
	f.canary(code)
	ts.Setenv("OTP", code)
}

// addtoken VAR NAME [SCOPE [EXPIRES_IN]] adds a token for the ordinary user
// and sets $VAR to its id and $VAR_KEY to its key (a canary).
func cmdAddToken(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) < 2 || len(args) > 4 {
		ts.Fatalf("usage: addtoken VAR NAME [SCOPE [EXPIRES_IN]]")
	}
	f := fixtureOf(ts)
	user, _ := f.accounts.ByRole(api.RoleUser)
	spec := api.TokenSpec{UserID: user.UserID, Name: args[1]}
	if len(args) > 2 {
		spec.Scope = args[2]
	}
	if len(args) > 3 {
		d, err := parseDuration(args[3])
		ts.Check(err)
		spec.ExpiresAt = time.Now().Add(d)
	}
	id, key, err := f.srv.AddToken(spec)
	ts.Check(err)
	f.canary(key)
	ts.Setenv(args[0], id)
	ts.Setenv(args[0]+"_KEY", key)
}

// nosecrets asserts that no output so far holds a canary secret, that
// stderr holds no new secret printed on stdout, and that every response
// was inside the contract.
func cmdNoSecrets(ts *testscript.TestScript, neg bool, _ []string) {
	if neg {
		ts.Fatalf("unsupported: ! nosecrets")
	}
	if msg := fixtureOf(ts).check(ts.Getenv("TRANSCRIPT_DIR")); msg != "" {
		ts.Fatalf("%s", msg)
	}
}

var printedSecret = regexp.MustCompile(`(?:store it now\): |"access_token": ")([A-Za-z0-9_-]{32})`)

func (f *fixture) check(dir string) string {
	stdout, _ := os.ReadFile(filepath.Join(dir, "stdout"))
	stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.problems) > 0 {
		return "responses outside the contract: " + strings.Join(f.problems, "; ")
	}
	for _, secret := range f.canaries {
		if secret == "" {
			continue
		}
		for name, out := range map[string][]byte{"stdout": stdout, "stderr": stderr} {
			if strings.Contains(string(out), secret) {
				return fmt.Sprintf("a secret (%.4s…) was printed on %s", secret, name)
			}
		}
	}
	for _, m := range printedSecret.FindAllStringSubmatch(string(stdout), -1) {
		if strings.Contains(string(stderr), m[1]) {
			return "a new secret was printed on stderr"
		}
	}
	return ""
}
