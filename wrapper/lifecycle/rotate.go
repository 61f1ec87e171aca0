package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokenward/fastlytokens/wrapper"
)

// RotateInput says how to rotate a token. Every field is optional.
type RotateInput struct {
	Name      string    // default: the old token's name
	ExpiresAt time.Time // default: if the old token expires, now plus its original lifetime; otherwise none
	// Username, Password and OTP are the create's credentials, as in
	// wrapper.CreateInput; leave them empty when the Client's key is in sudo
	// mode or carries WithBasicAuth.
	Username, Password, OTP string
	KeepOld                 bool // leave the old token alive
}

// Rotation is what Rotate did. New holds the new secret: store it whenever
// New.ID is set, even when Rotate also returns an error.
type Rotation struct {
	Old        wrapper.Token
	New        wrapper.CreatedToken
	OldRevoked bool
}

// ErrNotProven means the new key did not answer GET /tokens/self with its
// own id; Rotate then revoked the new token and left the old one alone.
var ErrNotProven = errors.New("lifecycle: the new key did not prove out")

// Rotate replaces token id: it reads the old token, creates a replacement
// with the same scopes and services, proves the new key works (GET
// /tokens/self with the new key answers the new token's id) and only then
// revokes the old token (unless in.KeepOld).
//
// If the new key does not prove out, the new token is revoked, the old one
// is left alone, and the error matches ErrNotProven. If the old token cannot
// be revoked, Rotate returns the Rotation with New filled and OldRevoked
// false together with the error: the caller must still store the new secret.
// A create whose outcome is unknown (wrapper.ErrOutcomeUnknown) is returned
// as it is, the old token untouched. To rotate the Client's own key, pass
// the id from c.Current.
func Rotate(ctx context.Context, c *wrapper.Client, id string, in RotateInput) (Rotation, error) {
	old, err := c.Get(ctx, id)
	if err != nil {
		return Rotation{}, fmt.Errorf("lifecycle: reading the token to rotate: %w", err)
	}
	rot := Rotation{Old: old}
	create := wrapper.CreateInput{
		Name: in.Name, Scopes: old.Scopes, Services: old.Services, ExpiresAt: in.ExpiresAt,
		Username: in.Username, Password: in.Password, OTP: in.OTP,
	}
	if create.Name == "" {
		create.Name = old.Name
	}
	if create.ExpiresAt.IsZero() && !old.ExpiresAt.IsZero() && old.ExpiresAt.After(old.CreatedAt) {
		create.ExpiresAt = time.Now().Add(old.ExpiresAt.Sub(old.CreatedAt)).Truncate(time.Second)
	}
	created, err := c.Create(ctx, create)
	if err != nil {
		return rot, fmt.Errorf("lifecycle: creating the replacement: %w", err)
	}
	if err := prove(ctx, c, created); err != nil {
		if revokeErr := c.Revoke(ctx, created.ID); revokeErr != nil {
			// The unproven token survives: the caller must know of it.
			rot.New = created
			return rot, fmt.Errorf("%w (%w); revoking the new token %s failed too: %w", ErrNotProven, err, created.ID, revokeErr)
		}
		return rot, fmt.Errorf("%w: %w", ErrNotProven, err)
	}
	rot.New = created
	if in.KeepOld {
		return rot, nil
	}
	if err := c.Revoke(ctx, old.ID); err != nil {
		return rot, fmt.Errorf("lifecycle: the new token %s works, but revoking the old token %s failed (store the new secret): %w", created.ID, old.ID, err)
	}
	rot.OldRevoked = true
	return rot, nil
}

// prove checks that the new key authenticates as the new token.
func prove(ctx context.Context, c *wrapper.Client, created wrapper.CreatedToken) error {
	withNew, err := c.Clone(wrapper.WithToken(created.AccessToken))
	if err != nil {
		return err
	}
	current, err := withNew.Current(ctx)
	if err != nil {
		return err
	}
	if current.ID != created.ID {
		return fmt.Errorf("GET /tokens/self answered token %s, not %s", current.ID, created.ID)
	}
	return nil
}
