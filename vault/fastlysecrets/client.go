package fastlysecrets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
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
	client, err := b.clientFor(c)
	if err != nil {
		return nil, nil, err
	}
	return c, client, nil
}

// clientFor is the one Client of the config generation c belongs to (its
// connection pool reused by every request), built when the config was
// written, rotated or invalidated since.
func (b *backend) clientFor(c *config) (*wrapper.Client, error) {
	gen := generation(c)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.clientOf == gen && b.cached != nil {
		return b.cached, nil
	}
	client, err := b.client(c)
	if err != nil {
		return nil, err
	}
	b.clientOf, b.cached = gen, client
	return client, nil
}

// generation names a config generation: what a Client is built from.
func generation(c *config) string { return hashOf(c.APIURL, c.Key, c.Login, c.Password) }

// hashOf is the SHA-256 of parts, to tell configs apart without holding
// their secrets.
func hashOf(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// client builds a Client with the engine's key for c.
func (b *backend) client(c *config) (*wrapper.Client, error) {
	opts := append([]wrapper.Option{wrapper.WithBaseURL(c.APIURL), wrapper.WithToken(c.Key),
		wrapper.WithUserAgent("vault-plugin-secrets-fastly/" + wrapper.Version)}, b.clientOptions...)
	return wrapper.New(opts...) // every error it makes redacts the key, as it does the calls' password and OTP
}

// oneTimeCode is the current two-factor code, or "" for an account
// without two-factor authentication. A code is sent at most once per
// 30-second step (Fastly would refuse the replay, and count it towards a
// lockout): a second sign-in within the step waits for the next one,
// bounded by ctx. b.mu is held, so sign-ins queue behind each other.
func (b *backend) oneTimeCode(ctx context.Context, c *config) (string, error) {
	if c.TOTPSecret == "" {
		return "", nil
	}
	for {
		now := b.now()
		code, step, err := fastlyrules.TOTP(c.TOTPSecret, now)
		if err != nil {
			return "", err
		}
		if step > b.lastStep {
			b.lastStep = step
			return code, nil
		}
		next := time.Unix((b.lastStep+1)*totpStep, 0)
		if err := b.wait(ctx, next.Sub(now)); err != nil {
			return "", fmt.Errorf("waiting for the next one-time password (each is sent once): %w", err)
		}
	}
}

// totpStep is the life of one one-time password, in seconds.
const totpStep = 30

// waitReal waits d or until ctx ends.
func waitReal(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(max(d, time.Millisecond))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
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
	if b.refused != nil {
		return b.refused
	}
	code, err := b.oneTimeCode(ctx, c)
	if err != nil {
		return err
	}
	until, err := client.Sudo(ctx, wrapper.SudoInput{Username: c.Login, Password: c.Password, OTP: code})
	if refusedCredentials(err) {
		b.refused = &signInRefusedError{at: b.now(), err: err}
		return b.refused
	}
	if err != nil {
		return fmt.Errorf("signing in (POST /sudo): %w", err)
	}
	b.sudoUntil = until
	return nil
}

// refusedCredentials reports an answer to POST /sudo that refuses the
// credentials themselves (a wrong password or code, a locked account): a
// 4xx other than 429. Trying them again only counts towards a lockout.
func refusedCredentials(err error) bool {
	var apiErr *wrapper.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 &&
		apiErr.StatusCode != http.StatusTooManyRequests && !errors.Is(err, wrapper.ErrOutcomeUnknown)
}

// signInRefusedError is a sign-in Fastly refused for its credentials; it is
// answered to every creds read until config is written again.
type signInRefusedError struct {
	at  time.Time
	err error
}

func (e *signInRefusedError) Error() string {
	return fmt.Sprintf("Fastly refused the engine's sign-in (POST /sudo) at %s: %v; the engine signs in no more until config is written again (check login, password and totp_secret)",
		e.at.UTC().Format(time.RFC3339), e.err)
}

func (e *signInRefusedError) Unwrap() error { return e.err }

// fingerprint identifies a config's API and key without holding the key.
func fingerprint(c *config) string { return hashOf(c.APIURL, c.Key) }

// keyOwner is the Fastly user id of the config's key, asked once per config
// (GET /tokens/self) and cached until the config changes.
func (b *backend) keyOwner(ctx context.Context, c *config, client *wrapper.Client) (string, error) {
	fp := fingerprint(c)
	b.mu.Lock()
	if b.ownerOf == fp {
		owner := b.owner
		b.mu.Unlock()
		return owner, nil
	}
	b.mu.Unlock()
	self, err := client.Current(ctx)
	if err != nil {
		return "", fmt.Errorf("reading the engine's key (GET /tokens/self): %w", err)
	}
	b.mu.Lock()
	b.ownerOf, b.owner = fp, self.UserID
	b.mu.Unlock()
	return self.UserID, nil
}

// leaseOwner is where a token was issued and whose it is: a 404 for it
// means "gone" only from that API, to that user's key.
type leaseOwner struct {
	APIURL string `json:"api_url"`
	UserID string `json:"user_id"`
}

// revokeIssued revokes a token the engine issued for owner. Revoked, or
// 404 when the engine's key is still owner's at owner's API, is nil. A 404
// anywhere else proves nothing (the token may be live and another user's,
// or at another API): an error, so Vault retries and the lease is kept
// until the config is restored or the token dies at its expires_at. A
// lease from before owners were recorded (empty owner) keeps the old rule.
func (b *backend) revokeIssued(ctx context.Context, c *config, client *wrapper.Client, id string, owner leaseOwner) error {
	err := client.Revoke(ctx, id)
	if err == nil || !errors.Is(err, wrapper.ErrNotFound) {
		return err
	}
	if owner.APIURL != "" && owner.APIURL != c.APIURL {
		return fmt.Errorf("%w; token %s was issued at %s, and the engine is now configured for %s, where a 404 proves nothing: restore api_url, or the token dies at its expires_at",
			err, id, owner.APIURL, c.APIURL)
	}
	if owner.UserID == "" {
		return fastlyrules.RevokeSucceeded(err) // a lease from before owners were recorded: the old rule
	}
	current, ownerErr := b.keyOwner(ctx, c, client)
	if ownerErr != nil {
		return fmt.Errorf("%w; and whose key the engine holds is unknown: %w", err, ownerErr)
	}
	if current != owner.UserID {
		return fmt.Errorf("%w; token %s belongs to user %s, and the engine's key now to user %s, who may not see it: restore the key, or the token dies at its expires_at",
			err, id, owner.UserID, current)
	}
	return fastlyrules.RevokeSucceeded(err) // the owner's key, at the owner's API: gone
}
