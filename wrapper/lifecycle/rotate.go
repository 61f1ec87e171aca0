package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// ErrReplacementDiffers means the replacement would not have done what the
// old token did: its scopes, services or owner differ from the old token's
// as Fastly answered them, or the old token read with no scopes at all (a
// create without scopes gets Fastly's default, global, and would widen it).
// The replacement, if one was made, was revoked; the old token is left
// alone.
var ErrReplacementDiffers = errors.New("lifecycle: the replacement differs from the old token")

// cleanupTimeout bounds the clean-up after a failed rotation: it runs on a
// fresh context, since the caller's may be the reason it failed.
const cleanupTimeout = 30 * time.Second

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
//   - an old token that reads with no scopes is refused before anything
//     is created, and a replacement whose scopes or services (as Fastly
//     answered the create) differ from the old token's is revoked: both
//     match ErrReplacementDiffers (a replacement of another owner matches
//     it too);
//   - a new key that does not prove out matches ErrNotProven;
//   - a failed in.Store is wrapped in the error.
//
// The clean-up runs on a fresh context bounded to 30 seconds, whatever ended
// the caller's: an interrupt or a deadline during the proof or in.Store
// still revokes the new token. If revoking the new token fails too, the
// error names its id and Rotation.New is filled. If the old token cannot be revoked, Rotate returns
// the Rotation with New filled and OldRevoked false together with the
// error. A create whose outcome is unknown (wrapper.ErrOutcomeUnknown) is
// returned with the old token's id and the name and earliest creation time
// a replacement would carry (the old token has the same name), the old
// token untouched. To rotate the Client's own
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
	if len(old.Scopes) == 0 {
		return rot, fmt.Errorf("%w: token %s reads with no scopes: a replacement would get Fastly's default (global); nothing was created", ErrReplacementDiffers, old.ID)
	}
	create := wrapper.CreateInput{
		Name: in.Name, Scopes: old.Scopes, Services: old.Services, ExpiresAt: in.ExpiresAt,
		Username: in.Username, Password: in.Password, OTP: in.OTP,
	}
	if create.Name == "" {
		create.Name = old.Name
	}
	if create.ExpiresAt.IsZero() && !old.ExpiresAt.IsZero() && old.ExpiresAt.After(old.CreatedAt) {
		create.ExpiresAt = wrapper.ExpiresIn(time.Now(), old.ExpiresAt.Sub(old.CreatedAt))
	}
	sent := time.Now().UTC().Truncate(time.Second)
	created, err := c.Create(ctx, create)
	if errors.Is(err, wrapper.ErrOutcomeUnknown) {
		return rot, fmt.Errorf("lifecycle: creating the replacement of token %s: %w; the old token is untouched; a replacement, if one was made, is named %q and was created at or after %s: find it with List and revoke it",
			old.ID, err, create.Name, sent.Format(time.RFC3339))
	}
	if err != nil {
		return rot, fmt.Errorf("lifecycle: creating the replacement: %w", err)
	}
	// Each check below that fails undoes the create.
	if created.UserID != old.UserID {
		err = fmt.Errorf("%w (%w): the replacement %s belongs to user %q, token %s to user %q: sign in as the token's owner",
			ErrOwnerChange, ErrReplacementDiffers, created.ID, created.UserID, old.ID, old.UserID)
	} else if diff := differs(old, created.Token); diff != "" {
		err = fmt.Errorf("%w: the replacement %s %s", ErrReplacementDiffers, created.ID, diff)
	} else if proveErr := prove(ctx, c, created); proveErr != nil {
		err = fmt.Errorf("%w: %w", ErrNotProven, proveErr)
	} else if in.Store != nil {
		if storeErr := in.Store(ctx, created); storeErr != nil {
			err = fmt.Errorf("lifecycle: storing the new secret: %w", storeErr)
		}
	}
	if err != nil {
		// The caller's context may be why it failed (an interrupt, a
		// deadline): the clean-up gets its own.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if discardErr := discard(cleanup, c, created); discardErr != nil {
			rot.New = created // the new token survives: the caller must know of it
			return rot, fmt.Errorf("%w; revoking the new token %s failed too (it is live): %w", err, created.ID, discardErr)
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

// differs says how the replacement's scopes or services, as Fastly answered
// them, differ from the old token's; "" when they are the same sets.
func differs(old, replacement wrapper.Token) string {
	if !sameSet(old.Scopes, replacement.Scopes) {
		return fmt.Sprintf("has scopes %q, the old token %q", replacement.Scopes, old.Scopes)
	}
	if !sameSet(old.Services, replacement.Services) {
		return fmt.Sprintf("is limited to services %q, the old token to %q (none: all services)", replacement.Services, old.Services)
	}
	return ""
}

// sameSet reports whether a and b hold the same values, whatever their
// order and repeats.
func sameSet[T comparable](a, b []T) bool {
	in := func(xs []T, v T) bool { return slices.Contains(xs, v) }
	for _, v := range a {
		if !in(b, v) {
			return false
		}
	}
	for _, v := range b {
		if !in(a, v) {
			return false
		}
	}
	return true
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

// keyRefused asks c's API whether it refuses key on GET /tokens/self
// (wrapper.KeyRefused: 401, or 403 "Token lookup failed"): then the key is
// unknown, revoked or expired there. err is set when the answer says
// neither.
func keyRefused(ctx context.Context, c *wrapper.Client, key string) (bool, error) {
	withKey, err := c.Clone(wrapper.WithToken(key))
	if err != nil {
		return false, err
	}
	_, err = withKey.Current(ctx)
	if wrapper.KeyRefused(err) {
		return true, nil
	}
	return false, err
}
