package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenward/fastlytokens/wrapper"
)

// secretOutput is where a new secret goes: a new file (--output, replaced
// only with --force), or stdout.
type secretOutput struct {
	path  string
	force bool
}

func (o *secretOutput) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.path, "output", "", "write the new secret (with --json, the whole JSON) to a new file `PATH`, mode 0600, atomically; stdout gets the rest")
	f.BoolVar(&o.force, "force", false, "let --output replace an existing file")
}

// check refuses, before anything is sent, an --output that would replace a
// file without --force, or whose folder does not exist.
func (o *secretOutput) check() error {
	if o.path == "" {
		if o.force {
			return usagef("--force goes with --output")
		}
		return nil
	}
	if info, err := os.Stat(filepath.Dir(o.path)); err != nil || !info.IsDir() {
		return usagef("--output %s: its folder does not exist", o.path)
	}
	info, err := os.Lstat(o.path)
	if err == nil && info.IsDir() {
		return usagef("--output %s is a folder: name a file in it", o.path)
	}
	if err == nil && !o.force {
		return usagef("--output %s exists: pass --force to replace it", o.path)
	}
	return nil
}

// checkDestination refuses, before any request, a new secret that would go
// where nobody can read it: stdout on /dev/null or closed, without --output.
func (a *app) checkDestination(o *secretOutput) error {
	if err := o.check(); err != nil {
		return err
	}
	if o.path == "" && a.sys.stdoutDiscarded() {
		return usagef("stdout is /dev/null or closed, so the new secret would be lost: write it to a file with --output FILE")
	}
	return nil
}

// newToken is a created token as --json prints it: the token's JSON and the
// secret, shown once.
type newToken struct {
	wrapper.Token
	AccessToken string `json:"access_token"`
}

// deliver hands the new secret over, every write checked: with --output, to
// the file (the secret alone, or with --json the whole JSON v), the token's
// row without the secret on stdout; else everything on stdout, which must
// then be read back: synced when a file, read by its reader when a pipe.
func (a *app) deliver(ctx context.Context, o *secretOutput, created wrapper.CreatedToken, v any) error {
	if !printableKey(created.AccessToken) {
		return errors.New("the server's access_token holds characters a key never has: not printed")
	}
	if o.path != "" {
		err := writeFileAtomic(o.path, o.force, func(w io.Writer) error {
			if a.json {
				return writeJSONTo(w, v)
			}
			_, err := io.WriteString(w, created.AccessToken+"\n")
			return err
		})
		if err != nil {
			return err
		}
		if a.json {
			return nil
		}
		t := newTable(a.sys.out, tokenHeader...)
		t.token(created.Token, a.sys.now())
		if err := t.flush(); err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.sys.out, "\naccess token written to %s (mode 0600)\n", o.path)
		return err
	}
	if a.json {
		if err := a.writeJSON(v); err != nil {
			return err
		}
		return a.sys.delivered(ctx)
	}
	t := newTable(a.sys.out, tokenHeader...)
	t.token(created.Token, a.sys.now())
	if err := t.flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(a.sys.out, "\naccess token (shown once, store it now): %s\n", created.AccessToken); err != nil {
		return err
	}
	return a.sys.delivered(ctx)
}

// printableKey reports a secret of printable ASCII only, as Fastly's keys
// are: anything else from a server could drive the terminal.
func printableKey(s string) bool {
	for i := range len(s) {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return s != ""
}

// writeFileAtomic writes a new file at path through a temporary file in the
// same folder (mode 0600, synced), then links it in place: the file appears
// whole or not at all, and an existing one is replaced only when replace.
func writeFileAtomic(path string, replace bool, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("--output %s: %w", path, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // once linked or renamed, this name is gone or a second link
	fail := func(err error) error {
		_ = tmp.Close()
		return fmt.Errorf("--output %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if err := write(tmp); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--output %s: %w", path, err)
	}
	if replace {
		err = os.Rename(tmp.Name(), path)
	} else {
		err = os.Link(tmp.Name(), path) // fails if path exists: never over a file
	}
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("--output %s exists: pass --force to replace it", path)
	}
	if err != nil {
		return fmt.Errorf("--output %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil { // make the new name durable
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// cleanupTimeout bounds the revoke of a token whose secret could not be
// delivered: it runs on a fresh context, since the command's may be what
// ended (an interrupt, --timeout).
const cleanupTimeout = 30 * time.Second

// survivorError is a token this command created whose secret was not
// delivered and which could not be revoked either: the message names it and
// the command that revokes it, never its secret. It always exits 1.
type survivorError struct {
	id  string
	err error
}

func (e *survivorError) Error() string {
	return fmt.Sprintf("%v: token %s is live and its secret was not delivered: revoke it with \"fastly-tokens revoke %s\"", e.err, e.id, e.id)
}

func (e *survivorError) Unwrap() error { return e.err }

// undo revokes a token whose secret could not be delivered: nobody holds
// it. It runs even when ctx has ended (an interrupt mid-write), bounded on
// its own.
func undo(ctx context.Context, c *wrapper.Client, created wrapper.CreatedToken, writeErr error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := c.Revoke(ctx, created.ID); err != nil {
		return &survivorError{id: created.ID, err: fmt.Errorf("created %s, could not write its secret (%w), and revoking it failed: %w", created.ID, writeErr, err)}
	}
	return &undoneError{fmt.Errorf("created %s, could not write its secret (%w): revoked %s", created.ID, writeErr, created.ID)}
}

// undoneError is a token this command created and revoked again because
// its secret could not be delivered.
type undoneError struct{ error }

func (e *undoneError) Unwrap() error { return e.error }
