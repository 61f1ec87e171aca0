package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1   // the operation failed, or audit found something
	exitUsage       = 2   // bad flags or arguments, no key, refusing without --yes
	exitInterrupted = 130 // SIGINT or SIGTERM (128 + SIGINT, as shells report it)
)

// usageError is a mistake in how the command was called: exit status 2.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// app holds one run's settings and streams.
type app struct {
	sys *sysIO

	tokenFile string
	apiURL    string
	json      bool
	timeout   duration
	debug     bool

	started bool   // a command's own code ran: later errors are not usage
	name    string // the running command's name, for its messages
	// callTimeout bounds each request (retries included), --timeout or not.
	callTimeout time.Duration
}

// run runs the command line args and returns the exit status. When ctx
// ends with errInterrupted as its cause (SIGINT, SIGTERM), the status is
// 130 and nothing more is sent.
func run(ctx context.Context, sys *sysIO, args []string) int {
	return runApp(ctx, &app{sys: sys, callTimeout: wrapper.DefaultTimeout}, args)
}

// runApp is run with the app given, so tests can shorten its bounds.
func runApp(ctx context.Context, a *app, args []string) int {
	sys := a.sys
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(sys.in)
	root.SetOut(sys.out)
	root.SetErr(sys.err)
	err := root.ExecuteContext(ctx)
	var survivor *survivorError
	if err != nil && errors.Is(context.Cause(ctx), errInterrupted) && !errors.As(err, &survivor) {
		msg := "fastly-tokens: interrupted"
		if a.name != "" {
			msg = "fastly-tokens: " + a.name + ": interrupted"
		}
		var undone *undoneError
		if errors.As(err, &undone) || errors.Is(err, wrapper.ErrOutcomeUnknown) {
			msg += ": " + detail(err) // what is known of what it left behind
		}
		_, _ = fmt.Fprintln(sys.err, "\n"+msg)
		return exitInterrupted
	}
	return a.exit(err)
}

// exit prints err as one line and maps it to an exit status. Errors before
// a command's own code ran (flags, arguments, unknown commands) are usage.
func (a *app) exit(err error) int {
	if err == nil {
		return exitOK
	}
	code := exitFailed
	var usage usageError
	if errors.As(err, &usage) || errors.Is(err, wrapper.ErrInvalidInput) || !a.started {
		code = exitUsage
	}
	msg := a.message(err)
	if a.timeout > 0 && errors.Is(err, context.DeadlineExceeded) {
		msg += fmt.Sprintf(" (--timeout %s ran out)", a.timeout.String())
	}
	_, _ = fmt.Fprintln(a.sys.err, msg)
	return code
}

// message is err as one line with one prefix, "fastly-tokens: COMMAND: ".
func (a *app) message(err error) string {
	if a.name != "" {
		return "fastly-tokens: " + a.name + ": " + detail(err)
	}
	return "fastly-tokens: " + detail(err)
}

// detail is err as one line without prefixes: the library's own ("fastly:
// ", "lifecycle: ") and the method and path of an API error are dropped,
// since the command says what it did.
func detail(err error) string {
	text := strings.Join(strings.Fields(err.Error()), " ") // one line, whatever the error holds
	var apiErr *wrapper.APIError
	if errors.As(err, &apiErr) {
		full := apiErr.Error()
		short := strings.TrimPrefix(full, "fastly: "+apiErr.Method+" "+apiErr.Path+": ")
		text = strings.ReplaceAll(text, full, short)
		switch {
		case wrapper.ReadOnlyRefused(apiErr):
			text += " (the key is read-only: use a key with global scope)"
		case wrapper.KeyRefused(apiErr):
			text += " (check the key in FASTLY_API_TOKEN or --token-file)"
		}
	}
	for _, prefix := range []string{"fastly: ", "lifecycle: "} {
		text = strings.ReplaceAll(text, prefix, "")
	}
	return text
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use: "fastly-tokens",
		Example: `  export FASTLY_API_TOKEN=...            # or --token-file PATH
  fastly-tokens whoami
  fastly-tokens audit --fail-on expired,expiring
  fastly-tokens rotate ID --login me@example.com --output ci.secret`,
		Short: "Inspect, create, rotate, revoke and audit Fastly API tokens",
		Long: `fastly-tokens runs the jobs people run on Fastly API tokens.

The key comes from FASTLY_API_TOKEN or --token-file (- for stdin), never from
an argument. Exit status: 0 done; 1 the operation failed or audit found
something; 2 bad flags or arguments, no key, a revoke refused without --yes or
declined at the prompt, or a new secret bound for a stdout on /dev/null; 130
interrupted (Ctrl-C, SIGTERM).`,
		Version:           version(),
		SilenceErrors:     true,
		SilenceUsage:      true,
		DisableAutoGenTag: true,
	}
	root.SetVersionTemplate("fastly-tokens {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	flags := root.PersistentFlags()
	flags.StringVar(&a.tokenFile, "token-file", "", "read the API key from `PATH` (- for stdin) instead of FASTLY_API_TOKEN")
	flags.StringVar(&a.apiURL, "api-url", "", "API base `URL` (default $FASTLY_API_URL, else https://api.fastly.com)")
	flags.BoolVar(&a.json, "json", false, "machine output on stdout: JSON with RFC 3339 times")
	flags.Var(&a.timeout, "timeout", "give up on the whole command after `DURATION` (e.g. 30s, 5m); 0, the default, sets no limit (each request still gives up after 60s)")
	flags.BoolVar(&a.debug, "debug", false, "log each request, redacted, on stderr")
	root.AddCommand(a.whoamiCommand(), a.listCommand(), a.getCommand(), a.createCommand(), a.rotateCommand(),
		a.revokeCommand(), a.revokeLeakedCommand(), a.auditCommand())
	return root
}

// version is the module version the binary was built from, the VCS
// revision when the binary carries one, and the Go version.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = ", modified"
			}
		}
	}
	if revision != "" {
		v += " (revision " + revision + modified + ")"
	}
	return v + " " + info.GoVersion
}

// command wraps a command's body: it marks the start of the command's own
// code, names the command in its messages and applies --timeout.
func (a *app) command(body func(ctx context.Context, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a.started, a.name = true, cmd.Name()
		ctx := cmd.Context()
		if a.timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, time.Duration(a.timeout))
			defer cancel()
		}
		return body(ctx, cmd, args)
	}
}

// key reads the API key: --token-file, else FASTLY_API_TOKEN. "" when
// neither gives one.
func (a *app) key(ctx context.Context) (string, error) {
	if a.tokenFile == "" {
		return strings.TrimSpace(a.sys.getenv("FASTLY_API_TOKEN")), nil
	}
	if a.tokenFile == "-" {
		line, err := a.sys.readLine(ctx, "--token-file -")
		if err != nil && !errors.Is(err, errInterrupted) && !isUsage(err) {
			return "", usagef("--token-file -: no key on stdin")
		}
		return strings.TrimSpace(line), err
	}
	lines, err := a.readFile(ctx, "--token-file", a.tokenFile)
	if err != nil {
		return "", err
	}
	if len(lines) == 0 {
		return "", usagef("--token-file %s is empty", a.tokenFile)
	}
	if len(lines[0].text) > maxLineBytes {
		return "", usagef("--token-file %s: a line longer than %d bytes", a.tokenFile, maxLineBytes)
	}
	return lines[0].text, nil
}

func isUsage(err error) bool {
	var usage usageError
	return errors.As(err, &usage)
}

// client builds a Client with the key, which must be there.
func (a *app) client(ctx context.Context) (*wrapper.Client, error) {
	key, err := a.key(ctx)
	if err != nil {
		return nil, err
	}
	if key == "" {
		return nil, usagef("no API key: set FASTLY_API_TOKEN or pass --token-file")
	}
	return a.clientWith(key)
}

// clientFor checks the token id a command was given (a bad one is usage,
// and nothing is sent), then builds the Client.
func (a *app) clientFor(ctx context.Context, id string) (*wrapper.Client, error) {
	if err := checkTokenArg(id); err != nil {
		return nil, err
	}
	return a.client(ctx)
}

// checkTokenArg refuses a token id argument before anything is sent;
// "self" points at the commands that act on the key's own token.
func checkTokenArg(id string) error {
	if id == "self" {
		return usagef(`"self" is not a token id: use "fastly-tokens whoami" to see the key's own token, "revoke --current" to revoke it`)
	}
	if err := wrapper.CheckTokenID(id); err != nil {
		return usageError{err}
	}
	return nil
}

// clientWith builds a Client with key, which may be "" (credentials only).
func (a *app) clientWith(key string) (*wrapper.Client, error) {
	opts := []wrapper.Option{wrapper.WithUserAgent("fastly-tokens/" + strings.Fields(version())[0])}
	if a.callTimeout > 0 {
		opts = append(opts, wrapper.WithCallTimeout(a.callTimeout))
	}
	if key != "" {
		opts = append(opts, wrapper.WithToken(key))
	}
	if base := a.baseURL(); base != "" {
		opts = append(opts, wrapper.WithBaseURL(base))
	}
	if a.debug {
		opts = append(opts, wrapper.WithLogger(slog.New(slog.NewTextHandler(a.sys.err, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	c, err := wrapper.New(opts...)
	if err != nil {
		return nil, usageError{err}
	}
	return c, nil
}

// baseURL is --api-url, else FASTLY_API_URL; "" for Fastly's.
func (a *app) baseURL() string {
	if a.apiURL != "" {
		return a.apiURL
	}
	return a.sys.getenv("FASTLY_API_URL")
}

// stdinTaken refuses a second reader of stdin.
func (a *app) stdinTaken(what string) error {
	if a.tokenFile == "-" {
		return usagef("stdin cannot carry both the key (--token-file -) and %s", what)
	}
	return nil
}
