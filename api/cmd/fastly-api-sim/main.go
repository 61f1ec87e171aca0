// Command fastly-api-sim serves the in-memory Fastly token API on a local
// port, for tests written in any language.
//
//	go build -o fastly-api-sim ./api/cmd/fastly-api-sim
//	./fastly-api-sim [-listen 127.0.0.1:0] [-write-limit N] [-max-tokens N]
//	    [-header-timeout 10s] [-read-timeout 30s] [-grace 5s]
//
// (Build, then run: a background "go run" that is killed leaves the
// simulator it started running.)
//
// Its first line on stdout is one JSON object:
//
//	{"base_url": "http://127.0.0.1:PORT", "accounts": [{"role": "superuser",
//	  "login": …, "password": …, "user_id": …, "customer_id": …,
//	  "superuser": true, "two_factor_secret": "", "token": …,
//	  "read_only_token": …}, …]}
//
// with one account per role: superuser, user, two_factor_user,
// other_customer_superuser (a superuser of another customer) and automation
// (an automation token: no login or user). Listening on 0.0.0.0 or [::]
// prints a loopback base_url. A request whose headers or body trickle in
// slower than the timeouts is cut off. It serves until SIGINT or SIGTERM,
// then lets requests in flight finish for the grace period, and exits 0.
// Exit status 2 means bad flags or arguments; -h prints this usage and
// exits 0.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tokenward/fastlytokens/api"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type banner struct {
	BaseURL  string       `json:"base_url"`
	Accounts api.Accounts `json:"accounts"`
}

// settings are the command's flags.
type settings struct {
	listen                     string
	writeLimit, maxTokens      int
	headerTimeout, readTimeout time.Duration
	grace                      time.Duration
}

// usageText is what -h prints before the flags.
const usageText = `Usage: fastly-api-sim [flags]

Serves the in-memory Fastly token API (package api) on a local port, for
tests written in any language. Its first line on stdout is one JSON object:

  base_url   the API's address: give it to your client as its base URL
  accounts   one seeded account per role, each with
    role               superuser, user, two_factor_user,
                       other_customer_superuser or automation
    login, password    credentials for POST /tokens and POST /sudo
                       (empty for the automation token)
    user_id, customer_id, superuser
    two_factor_secret  base32 TOTP secret (two_factor_user only): send
                       the current code as Fastly-OTP
    token              a global API key (Fastly-Key)
    read_only_token    a global:read API key

It serves until SIGINT or SIGTERM, lets requests in flight finish for
-grace, and exits 0. Build it and run the binary (go build, then run it):
stopping "go run" in the background does not stop the simulator it started.

Flags:
`

// parse reads the flags. A usage error is returned, never printed: run
// prints it once.
func parse(args []string, stderr io.Writer) (settings, error) {
	var s settings
	flags := flag.NewFlagSet("fastly-api-sim", flag.ContinueOnError)
	flags.SetOutput(io.Discard) // errors are run's to print, once
	flags.Usage = func() {}
	flags.StringVar(&s.listen, "listen", "127.0.0.1:0", "address to listen on")
	flags.IntVar(&s.writeLimit, "write-limit", api.DefaultWriteLimit, "hourly budget of non-GET requests per user")
	flags.IntVar(&s.maxTokens, "max-tokens", api.DefaultMaxTokens, "most live tokens the server holds")
	flags.DurationVar(&s.headerTimeout, "header-timeout", 10*time.Second, "longest time to read a request's headers")
	flags.DurationVar(&s.readTimeout, "read-timeout", 30*time.Second, "longest time to read a whole request, body included")
	flags.DurationVar(&s.grace, "grace", 5*time.Second, "how long requests in flight may finish after SIGINT or SIGTERM")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = io.WriteString(stderr, usageText)
			flags.SetOutput(stderr)
			flags.PrintDefaults()
			return s, err
		}
		return s, fmt.Errorf("%w (-h lists the flags)", err)
	}
	switch {
	case flags.NArg() > 0:
		return s, fmt.Errorf("unexpected argument %q", flags.Arg(0))
	case s.writeLimit < 0:
		return s, errors.New("-write-limit must not be negative")
	case s.maxTokens <= 0:
		return s, errors.New("-max-tokens must be positive")
	case s.headerTimeout <= 0 || s.readTimeout <= 0 || s.grace < 0:
		return s, errors.New("timeouts must be positive")
	}
	return s, nil
}

// run serves until ctx ends and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s, err := parse(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "fastly-api-sim:", err)
		return 2
	}
	if err := serve(ctx, s, stdout); err != nil {
		_, _ = fmt.Fprintln(stderr, "fastly-api-sim:", err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, s settings, stdout io.Writer) error {
	sim, accounts, err := api.NewSeeded(api.WithWriteLimit(s.writeLimit), api.WithMaxTokens(s.maxTokens))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return err
	}
	line, err := json.Marshal(banner{BaseURL: "http://" + reachable(s.listen, ln.Addr().(*net.TCPAddr)), Accounts: accounts})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
		_ = ln.Close()
		return err
	}

	srv := &http.Server{Handler: sim, ReadHeaderTimeout: s.headerTimeout, ReadTimeout: s.readTimeout,
		WriteTimeout: s.readTimeout, IdleTimeout: 2 * s.readTimeout}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), s.grace)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		_ = srv.Close() // the grace period is over: cut off what is left
	}
	return nil
}

// reachable is addr as a client on this machine reaches it: an unspecified
// address becomes loopback, IPv6 only when the listen address asked for an
// IPv6 one ([::]); 0.0.0.0 and an empty host give 127.0.0.1 (Go reports
// them as [::] on a dual-stack socket).
func reachable(listen string, addr *net.TCPAddr) string {
	ip := addr.IP
	if ip.IsUnspecified() {
		host, _, _ := net.SplitHostPort(listen)
		if strings.Contains(host, ":") {
			ip = net.IPv6loopback
		} else {
			ip = net.IPv4(127, 0, 0, 1)
		}
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(addr.Port))
}
