package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

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
	// readPassword reads one line from the terminal without echo.
	readPassword func() (string, error)

	lines *bufio.Reader // stdin, read by lines; made on first use
}

func systemIO() *sysIO {
	stdin := int(os.Stdin.Fd()) //nolint:gosec // a file descriptor fits an int
	return &sysIO{
		in: os.Stdin, out: os.Stdout, err: os.Stderr,
		getenv:         os.Getenv,
		now:            time.Now,
		stdinTerminal:  func() bool { return term.IsTerminal(stdin) },
		stderrTerminal: func() bool { return term.IsTerminal(int(os.Stderr.Fd())) }, //nolint:gosec // as above
		readPassword: func() (string, error) {
			b, err := term.ReadPassword(stdin)
			return string(b), err
		},
	}
}

// readLine reads one line of stdin without its line ending; io.EOF when
// there is none.
func (s *sysIO) readLine() (string, error) {
	if s.lines == nil {
		s.lines = bufio.NewReader(s.in)
	}
	line, err := s.lines.ReadString('\n')
	if errors.Is(err, io.EOF) && line != "" {
		err = nil
	}
	return strings.TrimRight(line, "\r\n"), err
}

// readLines reads the rest of stdin, one entry a line, skipping blank lines
// and # comments.
func (s *sysIO) readLines() ([]string, error) {
	var out []string
	for {
		line, err := s.readLine()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if e, ok := entry(line); ok {
			out = append(out, e)
		}
	}
}

// entry is a line of an input list without surrounding space; blank lines
// and # comments are no entry.
func entry(line string) (string, bool) {
	line = strings.TrimSpace(line)
	return line, line != "" && !strings.HasPrefix(line, "#")
}

// prompt asks a question on stderr and reads the answer from stdin.
func (s *sysIO) prompt(question string) (string, error) {
	_, _ = fmt.Fprint(s.err, question)
	answer, err := s.readLine()
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return strings.TrimSpace(answer), err
}
