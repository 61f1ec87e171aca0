package main

import (
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAwaitPipeRead: a secret written into a pipe is delivered only once
// its reader took every byte; a reader that closes its end with bytes
// unread, or the command's context ending first, is no delivery.
func TestAwaitPipeRead(t *testing.T) {
	t.Parallel()
	t.Run("read", func(t *testing.T) {
		t.Parallel()
		r, w, err := os.Pipe()
		require.NoError(t, err)
		defer func() { _ = r.Close(); _ = w.Close() }()
		_, err = w.WriteString("secret\n")
		require.NoError(t, err)
		done := make(chan error, 1)
		go func() { done <- awaitPipeRead(t.Context(), w) }()
		select {
		case err := <-done:
			t.Fatalf("delivered before the reader read: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		buf := make([]byte, 7)
		_, err = io.ReadFull(r, buf)
		require.NoError(t, err)
		require.NoError(t, <-done)
	})
	t.Run("reader gone", func(t *testing.T) {
		t.Parallel()
		r, w, err := os.Pipe()
		require.NoError(t, err)
		defer func() { _ = w.Close() }()
		_, err = w.WriteString("secret\n")
		require.NoError(t, err)
		require.NoError(t, r.Close())
		require.ErrorIs(t, awaitPipeRead(t.Context(), w), errReaderGone)
	})
	t.Run("interrupted", func(t *testing.T) {
		t.Parallel()
		r, w, err := os.Pipe()
		require.NoError(t, err)
		defer func() { _ = r.Close(); _ = w.Close() }()
		_, err = w.WriteString("secret\n")
		require.NoError(t, err)
		ctx, cancel := context.WithCancelCause(t.Context())
		cancel(errInterrupted)
		require.ErrorIs(t, awaitPipeRead(ctx, w), errInterrupted)
	})
	t.Run("delivered", func(t *testing.T) {
		t.Parallel()
		sys := &sysIO{stdout: nil}
		assert.NoError(t, sys.delivered(t.Context()), "a buffer takes every write")
	})
}
