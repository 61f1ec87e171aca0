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
	if _, err := os.Lstat(o.path); err == nil && !o.force {
		return usagef("--output %s exists: pass --force to replace it", o.path)
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
// row without the secret on stdout; else everything on stdout.
func (a *app) deliver(o *secretOutput, created wrapper.CreatedToken, v any) error {
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
		return a.sys.sync()
	}
	t := newTable(a.sys.out, tokenHeader...)
	t.token(created.Token, a.sys.now())
	if err := t.flush(); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(a.sys.out, "\naccess token (shown once, store it now): %s\n", created.AccessToken); err != nil {
		return err
	}
	return a.sys.sync()
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

// undo revokes a token whose secret could not be delivered: nobody holds
// it. It runs even when ctx has ended (an interrupt mid-write), bounded on
// its own.
func undo(ctx context.Context, c *wrapper.Client, created wrapper.CreatedToken, writeErr error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := c.Revoke(ctx, created.ID); err != nil {
		return fmt.Errorf("created %s, could not write its secret (%w), and revoking it failed: %w: revoke it with \"fastly-tokens revoke %s\"",
			created.ID, writeErr, err, created.ID)
	}
	return fmt.Errorf("created %s, could not write its secret (%w): revoked %s", created.ID, writeErr, created.ID)
}
