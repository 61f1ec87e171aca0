package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // the operation failed, or audit found something
	exitUsage  = 2 // bad flags or arguments, no key, refusing without --yes
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

	started bool // a command's own code ran: later errors are not usage
}

// run runs the command line args and returns the exit status.
func run(ctx context.Context, sys *sysIO, args []string) int {
	a := &app{sys: sys}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(sys.in)
	root.SetOut(sys.out)
	root.SetErr(sys.err)
	err := root.ExecuteContext(ctx)
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
	msg := strings.Join(strings.Fields(err.Error()), " ") // one line, whatever the error holds
	msg = strings.TrimPrefix(msg, "fastly: ")             // wrapper's prefix: ours says it
	_, _ = fmt.Fprintln(a.sys.err, "fastly-tokens: "+msg)
	return code
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "fastly-tokens",
		Short: "Inspect, create, rotate, revoke and audit Fastly API tokens",
		Long: `fastly-tokens runs the jobs people run on Fastly API tokens.

The key comes from FASTLY_API_TOKEN or --token-file (- for stdin), never from
an argument. Exit status: 0 done; 1 the operation failed or audit found
something; 2 bad flags or arguments, no key, or a revoke refused without --yes.`,
		Version:           version(),
		SilenceErrors:     true,
		SilenceUsage:      true,
		DisableAutoGenTag: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	flags := root.PersistentFlags()
	flags.StringVar(&a.tokenFile, "token-file", "", "read the API key from `PATH` (- for stdin) instead of FASTLY_API_TOKEN")
	flags.StringVar(&a.apiURL, "api-url", "", "API base `URL` (default $FASTLY_API_URL, else https://api.fastly.com)")
	flags.BoolVar(&a.json, "json", false, "machine output on stdout: JSON with RFC 3339 times")
	flags.Var(&a.timeout, "timeout", "give up after `DURATION` (e.g. 30s, 5m); 0 for none")
	flags.BoolVar(&a.debug, "debug", false, "log each request, redacted, on stderr")
	root.AddCommand(a.whoamiCommand(), a.listCommand(), a.getCommand(), a.createCommand(), a.rotateCommand(),
		a.revokeCommand(), a.revokeLeakedCommand(), a.auditCommand())
	return root
}

// version is the module version the binary was built from.
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

// command wraps a command's body: it marks the start of the command's own
// code and applies --timeout.
func (a *app) command(body func(ctx context.Context, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		a.started = true
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
func (a *app) key() (string, error) {
	if a.tokenFile == "" {
		return strings.TrimSpace(a.sys.getenv("FASTLY_API_TOKEN")), nil
	}
	if a.tokenFile == "-" {
		line, err := a.sys.readLine()
		if err != nil {
			return "", usagef("--token-file -: no key on stdin")
		}
		return strings.TrimSpace(line), nil
	}
	b, err := os.ReadFile(a.tokenFile)
	if err != nil {
		return "", usagef("--token-file: %v", err)
	}
	key := strings.TrimSpace(string(b))
	if key == "" {
		return "", usagef("--token-file %s is empty", a.tokenFile)
	}
	return key, nil
}

// client builds a Client with the key, which must be there.
func (a *app) client() (*wrapper.Client, error) {
	key, err := a.key()
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
func (a *app) clientFor(id string) (*wrapper.Client, error) {
	if err := wrapper.CheckTokenID(id); err != nil {
		return nil, usageError{err}
	}
	return a.client()
}

// clientWith builds a Client with key, which may be "" (credentials only).
func (a *app) clientWith(key string) (*wrapper.Client, error) {
	opts := []wrapper.Option{wrapper.WithUserAgent("fastly-tokens/" + version())}
	if key != "" {
		opts = append(opts, wrapper.WithToken(key))
	}
	base := a.apiURL
	if base == "" {
		base = a.sys.getenv("FASTLY_API_URL")
	}
	if base != "" {
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

// stdinTaken refuses a second reader of stdin.
func (a *app) stdinTaken(what string) error {
	if a.tokenFile == "-" {
		return usagef("stdin cannot carry both the key (--token-file -) and %s", what)
	}
	return nil
}
