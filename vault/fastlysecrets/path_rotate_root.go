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
	code, err := b.oneTimeCode(c)
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	rot, err := lifecycle.Rotate(ctx, client, me.ID, lifecycle.RotateInput{Username: c.Login, Password: c.Password, OTP: code,
		Store: func(ctx context.Context, created wrapper.CreatedToken) error {
			updated := *c
			updated.Key = created.AccessToken
			return b.saveConfig(ctx, req.Storage, &updated)
		}})
	b.forgetSignIn() // the new key is not in sudo mode
	if err != nil {
		return nil, fmt.Errorf("rotating the engine's key: %w", err)
	}
	return &logical.Response{Data: map[string]any{"token_id": rot.New.ID, "old_token_id": rot.Old.ID, "old_revoked": rot.OldRevoked}}, nil
}
