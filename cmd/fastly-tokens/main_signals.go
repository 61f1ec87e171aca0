package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// mainWith runs the command line with sys and returns the exit status.
// SIGINT and SIGTERM end the command's context (every read and request
// returns at once; a token created but not delivered is still revoked, on a
// context of its own). SIGPIPE is caught, so that a write to a closed pipe
// fails with EPIPE instead of killing the process with a live token whose
// secret nobody read: the command then revokes it and says so.
func mainWith(sys *sysIO, args []string) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	pipes := make(chan os.Signal, 1)
	signal.Notify(pipes, syscall.SIGPIPE)
	go func() {
		for range pipes { // the failed write reports it
		}
	}()
	go func() {
		if _, ok := <-signals; ok {
			cancel(errInterrupted)
		}
	}()
	code := run(ctx, sys, args)
	signal.Stop(signals)
	return code
}
