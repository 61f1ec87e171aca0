// Command fastly-api-sim serves the in-memory Fastly token API on a local
// port, for tests written in any language.
//
//	go run ./api/cmd/fastly-api-sim -listen 127.0.0.1:0 [-write-limit N]
//
// Its first line on stdout is one JSON object:
//
//	{"base_url": "http://127.0.0.1:PORT", "accounts": [{"login": …, "password": …,
//	  "user_id": …, "customer_id": …, "superuser": true, "two_factor_secret": "",
//	  "token": …, "read_only_token": …}, …]}
//
// with a superuser, an ordinary user of the same customer and a two-factor
// user. It serves until SIGINT or SIGTERM, then exits 0.
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
	"syscall"
	"time"

	"github.com/tokenward/fastlytokens/api"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fastly-api-sim:", err)
		os.Exit(1)
	}
}

type banner struct {
	BaseURL  string        `json:"base_url"`
	Accounts []api.Account `json:"accounts"`
}

func run(args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("fastly-api-sim", flag.ContinueOnError)
	listen := flags.String("listen", "127.0.0.1:0", "address to listen on")
	writeLimit := flags.Int("write-limit", api.DefaultWriteLimit, "hourly budget of non-GET requests per user")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *writeLimit < 0 {
		return errors.New("-write-limit must not be negative")
	}
	sim, err := api.New(api.WithWriteLimit(*writeLimit))
	if err != nil {
		return err
	}
	accounts, err := sim.SeedDemo()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	line, err := json.Marshal(banner{BaseURL: "http://" + ln.Addr().String(), Accounts: accounts})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
		return err
	}

	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
