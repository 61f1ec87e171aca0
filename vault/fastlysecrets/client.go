package fastlysecrets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/vault/sdk/logical"

	"github.com/tokenward/fastlytokens/vault/fastlyrules"
	"github.com/tokenward/fastlytokens/wrapper"
)

// sudoMargin is how long before its end a sudo window is not relied on.
const sudoMargin = 30 * time.Second

// configuredClient reads the config and builds a Client with its key;
// errNotConfigured before config is written.
func (b *backend) configuredClient(ctx context.Context, s logical.Storage) (*config, *wrapper.Client, error) {
	c, err := b.config(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	if c == nil {
		return nil, nil, errNotConfigured
	}
	client, err := b.client(c)
	if err != nil {
		return nil, nil, err
	}
	return c, client, nil
}

// client builds a Client with the engine's key for c.
func (b *backend) client(c *config) (*wrapper.Client, error) {
	opts := append([]wrapper.Option{wrapper.WithBaseURL(c.APIURL), wrapper.WithToken(c.Key),
		wrapper.WithUserAgent("vault-plugin-secrets-fastly/" + wrapper.Version)}, b.clientOptions...)
	return wrapper.New(opts...) // every error it makes redacts the key, as it does the calls' password and OTP
}

// oneTimeCode is the current two-factor code, or "" for an account
// without two-factor authentication. A code is sent at most once per
// 30-second step: a second sign-in within the step is refused (Fastly
// would refuse the replay, and count it towards a lockout). b.mu is held.
func (b *backend) oneTimeCode(c *config) (string, error) {
	if c.TOTPSecret == "" {
		return "", nil
	}
	code, step, err := fastlyrules.TOTP(c.TOTPSecret, b.now())
	if err != nil {
		return "", err
	}
	if step <= b.lastStep {
		return "", errors.New("a one-time password was already used in this 30-second step: try again in a moment")
	}
	b.lastStep = step
	return code, nil
}

// ensureSudo puts the engine's key in sudo mode, at most once per sudo
// window. A sign-in is never retried: a wrong password or code is
// answered once, never repeated towards a lockout.
func (b *backend) ensureSudo(ctx context.Context, c *config, client *wrapper.Client) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sudoUntil.After(b.now().Add(sudoMargin)) {
		return nil
	}
	code, err := b.oneTimeCode(c)
	if err != nil {
		return err
	}
	until, err := client.Sudo(ctx, wrapper.SudoInput{Username: c.Login, Password: c.Password, OTP: code})
	if err != nil {
		return fmt.Errorf("signing in (POST /sudo): %w", err)
	}
	b.sudoUntil = until
	return nil
}
