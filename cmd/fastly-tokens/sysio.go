package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"golang.org/x/term"
)

// Input bounds: a key, password or answer is one short line; an id or
// secret list is a file of lines. Past a bound the command stops reading at
// once with a usage error.
const (
	maxLineBytes = 4 << 10
	maxListBytes = 16 << 20
)

// errInterrupted is why the command's context ends on SIGINT or SIGTERM.
var errInterrupted = errors.New("interrupted")

// sysIO is everything the command touches outside itself, so tests can
// stand in for the terminal and the clock.
type sysIO struct {
	in       io.Reader
	out, err io.Writer
	getenv   func(string) string
	now      func() time.Time
	// stdinTerminal and stderrTerminal say whether prompts and progress
	// lines have a person to talk to.
	stdinTerminal, stderrTerminal func() bool
	// readPassword reads one line from the terminal without echo; it
	// returns when ctx ends, with the terminal restored.
	readPassword func(ctx context.Context) (string, error)

	// stdout is the process's real stdout, asked where a new secret goes
	// (discarded? a pipe read by its reader? a file to sync?); nil in tests
	// that write to a buffer, which takes every write.
	stdout *os.File

	lines *bufio.Reader // stdin, read by lines; made on first use
}

func systemIO() *sysIO {
	stdin := int(os.Stdin.Fd()) //nolint:gosec // a file descriptor fits an int
	return &sysIO{
		in: os.Stdin, out: os.Stdout, err: os.Stderr, stdout: os.Stdout,
		getenv:         os.Getenv,
		now:            time.Now,
		stdinTerminal:  func() bool { return term.IsTerminal(stdin) },
		stderrTerminal: func() bool { return term.IsTerminal(int(os.Stderr.Fd())) }, //nolint:gosec // as above
		readPassword: func(ctx context.Context) (string, error) {
			state, err := term.GetState(stdin)
			if err != nil {
				return "", err
			}
			return interruptible(ctx, func() (string, error) {
				b, err := term.ReadPassword(stdin)
				return string(b), err
			}, func() { _ = term.Restore(stdin, state) })
		},
	}
}

// interruptible runs read, returning early when ctx ends (after cleanup,
// which puts the terminal back when a no-echo read is abandoned).
func interruptible[T any](ctx context.Context, read func() (T, error), cleanup func()) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := read()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		if cleanup != nil {
			cleanup()
		}
		var zero T
		return zero, context.Cause(ctx)
	}
}

// readLine reads one line of stdin, at most maxLineBytes, without its line
// ending; io.EOF when there is none. It returns when ctx ends.
func (s *sysIO) readLine(ctx context.Context, what string) (string, error) {
	return interruptible(ctx, func() (string, error) { return s.boundedLine(what, maxLineBytes) }, nil)
}

// boundedLine reads one line of at most limit bytes.
func (s *sysIO) boundedLine(what string, limit int) (string, error) {
	lines := s.inLines()
	var line []byte
	for {
		chunk, err := lines.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > limit+2 { // the line ending does not count
			return "", usagef("%s: a line longer than %d bytes", what, limit)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = nil
		}
		text := strings.TrimRight(string(line), "\r\n")
		if len(text) > limit {
			return "", usagef("%s: a line longer than %d bytes", what, limit)
		}
		return text, err
	}
}

func (s *sysIO) inLines() *bufio.Reader {
	if s.lines == nil {
		s.lines = bufio.NewReaderSize(s.in, 64<<10)
	}
	return s.lines
}

// numbered is an entry of a list and its line number (from 1).
type numbered struct {
	text string
	line int
}

// readNumbered reads a list of at most maxListBytes: blank lines and #
// comments are skipped.
func readNumbered(r io.Reader, what string) ([]numbered, error) {
	scanner := bufio.NewScanner(io.LimitReader(r, maxListBytes+1))
	scanner.Buffer(make([]byte, 0, 64<<10), maxListBytes+1)
	var out []numbered
	read, n := 0, 0
	for scanner.Scan() {
		n++
		read += len(scanner.Bytes()) + 1
		if read > maxListBytes+1 {
			break
		}
		if e, ok := entry(scanner.Text()); ok {
			out = append(out, numbered{e, n})
		}
	}
	err := scanner.Err()
	if err != nil && !errors.Is(err, bufio.ErrTooLong) {
		return nil, err
	}
	if err != nil || read > maxListBytes {
		return nil, usagef("%s: more than %d MiB", what, maxListBytes>>20)
	}
	return out, nil
}

// entry is a line of an input list without surrounding space, byte-order
// marks and other invisible characters; blank lines and # comments are no
// entry.
func entry(line string) (string, bool) {
	line = strings.TrimFunc(line, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) })
	return line, line != "" && !strings.HasPrefix(line, "#")
}

// prompt asks a question on stderr and reads the answer from stdin.
func (s *sysIO) prompt(ctx context.Context, question string) (string, error) {
	_, _ = fmt.Fprint(s.err, question)
	answer, err := s.readLine(ctx, "answer")
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return strings.TrimSpace(answer), err
}

// readFile reads the list in the file at path for flag. Opening and reading
// run aside, so that SIGINT ends the command within a second whatever the
// file is: a FIFO without a writer blocks in open, a pipe (<(cmd),
// /dev/stdin) until its writer ends. What runs aside is left to the exit.
func (a *app) readFile(ctx context.Context, flag, path string) ([]numbered, error) {
	if a.debug {
		_, _ = fmt.Fprintf(a.sys.err, "fastly-tokens: reading %s %s\n", flag, printable(path))
	}
	return interruptible(ctx, func() ([]numbered, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, usagef("%s: %v", flag, err)
		}
		defer func() { _ = f.Close() }()
		return readNumbered(f, flag+" "+path)
	}, nil)
}
