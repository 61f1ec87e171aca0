package fastlysecrets

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/vault/sdk/logical"
)

const (
	walKind           = "fastly_token"
	walKindKey        = "fastly_key" // a key of the engine's that nobody holds
	walRollbackMinAge = 5 * time.Minute
)

// walEntry is written before a token is created; the create deletes it
// once the lease is made. A left entry means the create's outcome is
// unknown, or the engine stopped between create and lease.
type walEntry struct {
	Name      string     `json:"name"`
	ExpiresAt string     `json:"expires_at"`
	Owner     leaseOwner `json:"owner"` // where and for whom it is created
}

// keyEntry is a key rotate-root could neither store nor discard, or an
// old key whose revoke failed: revoked by id on rollback.
type keyEntry struct {
	TokenID string     `json:"token_id"`
	Owner   leaseOwner `json:"owner"`
}

// walRollback finds the token by its unique name and revokes it, so no
// token is left without a lease.
func (b *backend) walRollback(ctx context.Context, req *logical.Request, kind string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	switch kind {
	case walKind:
	case walKindKey:
		return b.rollbackKey(ctx, req, raw)
	default:
		return fmt.Errorf("unknown write-ahead log kind %q", kind)
	}
	var e walEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return err
	}
	if at, err := time.Parse(time.RFC3339, e.ExpiresAt); err == nil && !at.After(b.now()) {
		return nil // Fastly has expired it already
	}
	c, client, err := b.configuredClient(ctx, req.Storage)
	if err != nil {
		return err // kept, to be rolled back once configured, or dropped once expired
	}
	// The list is the key's user's: finding nothing proves nothing when the
	// config now points elsewhere, or at another user's key.
	if e.Owner.APIURL != "" && e.Owner.APIURL != c.APIURL {
		return fmt.Errorf("rolling back %s: it was created at %s, the engine is configured for %s: kept until api_url is restored or it expires", e.Name, e.Owner.APIURL, c.APIURL)
	}
	if e.Owner.UserID != "" {
		current, err := b.keyOwner(ctx, c, client)
		if err != nil {
			return fmt.Errorf("rolling back %s: %w", e.Name, err)
		}
		if current != e.Owner.UserID {
			return fmt.Errorf("rolling back %s: it was created for user %s, the engine's key is user %s's: kept until the key is restored or it expires", e.Name, e.Owner.UserID, current)
		}
	}
	tokens, err := client.List(ctx)
	if err != nil {
		return fmt.Errorf("rolling back %s: listing tokens: %w", e.Name, err)
	}
	for _, t := range tokens {
		if t.Name == e.Name {
			if err := b.revokeIssued(ctx, c, client, t.ID, e.Owner); err != nil {
				return fmt.Errorf("rolling back %s: %w", e.Name, err)
			}
		}
	}
	return nil
}

// rollbackKey revokes a key of the engine's that nobody holds.
func (b *backend) rollbackKey(ctx context.Context, req *logical.Request, raw []byte) error {
	var e keyEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return err
	}
	c, client, err := b.configuredClient(ctx, req.Storage)
	if err != nil {
		return err
	}
	me, err := client.Current(ctx)
	if err != nil {
		return fmt.Errorf("rolling back key %s: reading the engine's key: %w", e.TokenID, err)
	}
	if me.ID == e.TokenID {
		return nil // the key in use is never revoked by a rollback
	}
	if err := b.revokeIssued(ctx, c, client, e.TokenID, e.Owner); err != nil {
		return fmt.Errorf("rolling back key %s: %w", e.TokenID, err)
	}
	return nil
}
