package fastlysecrets

import (
	"context"
	"fmt"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

func (b *backend) pathRotateRoot() *framework.Path {
	return &framework.Path{
		Pattern:      configPath + "/rotate-root",
		DisplayAttrs: &framework.DisplayAttributes{OperationPrefix: operationPrefix, OperationVerb: "rotate", OperationSuffix: "root"},
		Operations: map[logical.Operation]framework.OperationHandler{
			logical.UpdateOperation: &framework.PathOperation{Callback: b.rotateRoot},
		},
		HelpSynopsis: "Replace the engine's key with a new one; the new key is stored before the old one is revoked.",
		HelpDescription: `Creates a key like the engine's (same scopes and services), proves it,
stores it in config, and only then revokes the old key. The response names
both tokens and whether the old one was revoked.`,
	}
}

// rotateRoot rotates the engine's own key with lifecycle.Rotate, whose
// Store saves the new key in the config before the old one is revoked.
func (b *backend) rotateRoot(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	c, client, err := b.configuredClient(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	me, err := client.Current(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the engine's key: %w", err)
	}
	b.mu.Lock()
	code, err := b.oneTimeCode(ctx, c)
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	stored := false
	rot, err := lifecycle.Rotate(ctx, client, me.ID, lifecycle.RotateInput{Username: c.Login, Password: c.Password, OTP: code,
		Store: func(ctx context.Context, created wrapper.CreatedToken) error {
			updated := *c
			updated.Key = created.AccessToken
			if err := b.saveConfig(ctx, req.Storage, &updated); err != nil {
				return err
			}
			stored = true
			return nil
		}})
	b.forgetSignIn() // the new key is not in sudo mode
	owner := leaseOwner{APIURL: c.APIURL, UserID: me.UserID}
	switch {
	case err != nil && rot.New.ID != "" && !stored:
		// A live key nobody holds: the rollback revokes it.
		if walErr := b.trackKey(ctx, req.Storage, rot.New.ID, owner); walErr != nil {
			return nil, fmt.Errorf("rotating the engine's key: %w; the new key %s is live and untracked (%w): revoke it in Fastly", err, rot.New.ID, walErr)
		}
		return nil, fmt.Errorf("rotating the engine's key: %w; the new key %s, which could not be stored or revoked, is kept in the write-ahead log: the rollback revokes it", err, rot.New.ID)
	case err != nil && stored:
		// The new key is in use; the old one still lives: the rollback revokes it.
		resp := &logical.Response{Data: map[string]any{"token_id": rot.New.ID, "old_token_id": rot.Old.ID, "old_revoked": false}}
		if walErr := b.trackKey(ctx, req.Storage, rot.Old.ID, owner); walErr != nil {
			resp.AddWarning(fmt.Sprintf("the new key is in use; revoking the old key %s failed (%v) and it could not be tracked (%v): revoke it in Fastly", rot.Old.ID, err, walErr))
		} else {
			resp.AddWarning(fmt.Sprintf("the new key is in use; revoking the old key %s failed (%v): the rollback revokes it; do not rotate again for it", rot.Old.ID, err))
		}
		b.Logger().Warn("rotate-root: the old key's revoke failed; the rollback revokes it", "token_id", rot.Old.ID, "error", err.Error())
		return resp, nil
	case err != nil:
		return nil, fmt.Errorf("rotating the engine's key: %w", err)
	}
	return &logical.Response{Data: map[string]any{"token_id": rot.New.ID, "old_token_id": rot.Old.ID, "old_revoked": rot.OldRevoked}}, nil
}

// trackKey keeps a key of the engine's user that nobody holds in the
// write-ahead log: the rollback revokes it by id.
func (b *backend) trackKey(ctx context.Context, s logical.Storage, id string, owner leaseOwner) error {
	_, err := framework.PutWAL(ctx, s, walKindKey, &keyEntry{TokenID: id, Owner: owner})
	return err
}
