package fastlysecrets

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/vault/sdk/logical"

	"github.com/tokenward/fastlytokens/vault/fastlyrules"
)

const (
	walKind           = "fastly_token"
	walRollbackMinAge = 5 * time.Minute
)

// walEntry is written before a token is created; the create deletes it
// once the lease is made. A left entry means the create's outcome is
// unknown, or the engine stopped between create and lease.
type walEntry struct {
	Name      string `json:"name"`
	ExpiresAt string `json:"expires_at"`
}

// walRollback finds the token by its unique name and revokes it, so no
// token is left without a lease.
func (b *backend) walRollback(ctx context.Context, req *logical.Request, kind string, data any) error {
	if kind != walKind {
		return nil
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	var e walEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return err
	}
	if at, err := time.Parse(time.RFC3339, e.ExpiresAt); err == nil && !at.After(b.now()) {
		return nil // Fastly has expired it already
	}
	_, client, err := b.configuredClient(ctx, req.Storage)
	if err != nil {
		return err // kept, to be rolled back once configured, or dropped once expired
	}
	tokens, err := client.List(ctx)
	if err != nil {
		return fmt.Errorf("rolling back %s: listing tokens: %w", e.Name, err)
	}
	for _, t := range tokens {
		if t.Name == e.Name {
			if err := fastlyrules.RevokeSucceeded(client.Revoke(ctx, t.ID)); err != nil {
				return fmt.Errorf("rolling back %s: %w", e.Name, err)
			}
		}
	}
	return nil
}
