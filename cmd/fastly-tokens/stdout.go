package main

import (
	"context"
	"errors"
	"os"
)

// errReaderGone means stdout is a pipe whose reader went away before it
// read the new secret: nobody holds it.
var errReaderGone = errors.New("the reader of stdout closed it before reading the secret")

// stdoutDiscarded reports a stdout where nothing written can be read back:
// /dev/null, or a closed fd 1 (which the Go runtime reopens on /dev/null).
func (s *sysIO) stdoutDiscarded() bool {
	if s.stdout == nil {
		return false
	}
	out, err := s.stdout.Stat()
	if err != nil {
		return true // no stdout to write to
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(out, null)
}

// delivered returns once what was written to stdout can be read back: a
// regular file is synced to disk; a pipe or FIFO has been read by its
// reader (a reader that closes it unread, or ctx ending first, is an
// error); a terminal or anything else took it with the write.
func (s *sysIO) delivered(ctx context.Context) error {
	if s.stdout == nil {
		return nil
	}
	info, err := s.stdout.Stat()
	if err != nil {
		return err
	}
	switch mode := info.Mode(); {
	case mode.IsRegular():
		return s.stdout.Sync()
	case mode&os.ModeNamedPipe != 0:
		return awaitPipeRead(ctx, s.stdout)
	}
	return nil
}
