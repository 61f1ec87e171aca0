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
	// mode or carries WithBasicAuth. They must be the old token's owner's:
	// a replacement owned by anyone else is refused (ErrOwnerChange).
	Username, Password, OTP string
	KeepOld                 bool // leave the old token alive
	// Store, when set, delivers the new secret (writes it to a file, a
	// secret store) after the new key is proven and before the old token is
	// revoked. When it returns an error, Rotate revokes the new token (nobody
	// holds its secret) and leaves the old one alone.
	Store func(ctx context.Context, created wrapper.CreatedToken) error
}

// Rotation is what Rotate did. New holds the new secret: store it whenever
// New.ID is set, even when Rotate also returns an error.
type Rotation struct {
	Old        wrapper.Token
	New        wrapper.CreatedToken
	OldRevoked bool // this call's revoke of the old token was answered 2xx
}

// ErrNotProven means the new key did not answer GET /tokens/self with its
// own id; Rotate then revoked the new token and left the old one alone.
var ErrNotProven = errors.New("lifecycle: the new key did not prove out")

// ErrOwnerChange means the rotation would have left a replacement owned by
// another user than the old token's: an automation token (which has no
// user), or credentials of someone else (a superuser rotating a user's
// token). The old token is left alone.
var ErrOwnerChange = errors.New("lifecycle: the replacement would belong to another user")

// Rotate replaces token id: it reads the old token, creates a replacement
// with the same scopes and services, checks that the replacement has the
// old token's owner, proves the new key works (GET /tokens/self with the new
// key answers the new token's id), delivers it through in.Store, and only
// then revokes the old token (unless in.KeepOld).
//
// The old token is revoked only when every step before succeeded; when one
// fails the new token is revoked (the caller never holds a secret nobody
// asked for) and the old one is left alone:
//   - an automation token (no user) is refused before anything is created,
//     and a replacement owned by another user is revoked: both match
//     ErrOwnerChange;
//   - a new key that does not prove out matches ErrNotProven;
//   - a failed in.Store is wrapped in the error.
//
// If revoking the new token fails too, the error names its id and
// Rotation.New is filled. If the old token cannot be revoked, Rotate returns
// the Rotation with New filled and OldRevoked false together with the
// error. A create whose outcome is unknown (wrapper.ErrOutcomeUnknown) is
// returned as it is, the old token untouched. To rotate the Client's own
// key, pass the id from c.Current.
func Rotate(ctx context.Context, c *wrapper.Client, id string, in RotateInput) (Rotation, error) {
	old, err := c.Get(ctx, id)
	if err != nil {
		return Rotation{}, fmt.Errorf("lifecycle: reading token %s: %w", id, err)
	}
	rot := Rotation{Old: old}
	if old.UserID == "" {
		return rot, fmt.Errorf("%w: token %s is an automation token (it has no user); rotate it in the Fastly console", ErrOwnerChange, old.ID)
	}
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
	// Each check below that fails undoes the create.
	if created.UserID != old.UserID {
		err = fmt.Errorf("%w: the replacement %s belongs to user %q, token %s to user %q: sign in as the token's owner",
			ErrOwnerChange, created.ID, created.UserID, old.ID, old.UserID)
	} else if proveErr := prove(ctx, c, created); proveErr != nil {
		err = fmt.Errorf("%w: %w", ErrNotProven, proveErr)
	} else if in.Store != nil {
		if storeErr := in.Store(ctx, created); storeErr != nil {
			err = fmt.Errorf("lifecycle: storing the new secret: %w", storeErr)
		}
	}
	if err != nil {
		if discardErr := discard(ctx, c, created); discardErr != nil {
			rot.New = created // the new token survives: the caller must know of it
			return rot, fmt.Errorf("%w; revoking the new token %s failed too (it is live, its secret is in Rotation.New): %w", err, created.ID, discardErr)
		}
		return rot, err
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

// discard revokes a token this call created and must not leave behind. A
// 404 alone does not prove it gone (the token may not be visible to c's
// key): then the new key itself must be refused by GET /tokens/self.
func discard(ctx context.Context, c *wrapper.Client, created wrapper.CreatedToken) error {
	err := c.Revoke(ctx, created.ID)
	if err == nil || !errors.Is(err, wrapper.ErrNotFound) {
		return err
	}
	if dead, checkErr := keyRefused(ctx, c, created.AccessToken); checkErr != nil || !dead {
		return err
	}
	return nil
}

// keyRefused asks c's API whether it refuses key (401 or 403 on GET
// /tokens/self): then the key is unknown, revoked or expired there. err is
// set when the answer says neither.
func keyRefused(ctx context.Context, c *wrapper.Client, key string) (bool, error) {
	withKey, err := c.Clone(wrapper.WithToken(key))
	if err != nil {
		return false, err
	}
	_, err = withKey.Current(ctx)
	if errors.Is(err, wrapper.ErrUnauthorized) || errors.Is(err, wrapper.ErrForbidden) {
		return true, nil
	}
	return false, err
}
