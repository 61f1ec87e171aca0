package fastlysecrets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"github.com/tokenward/fastlytokens/vault/fastlyrules"
	"github.com/tokenward/fastlytokens/wrapper"
)

func (b *backend) pathCreds() *framework.Path {
	return &framework.Path{
		Pattern:      "creds/" + framework.GenericNameRegex("name"),
		DisplayAttrs: &framework.DisplayAttributes{OperationPrefix: operationPrefix, OperationSuffix: "credentials"},
		Fields: map[string]*framework.FieldSchema{
			"name": {Type: framework.TypeString, Description: "The role to issue a token for."},
		},
		Operations: map[logical.Operation]framework.OperationHandler{
			logical.ReadOperation: &framework.PathOperation{Callback: b.credsRead},
		},
		HelpSynopsis: "Issue a Fastly token on lease: it expires at Fastly at the lease's latest end.",
		HelpDescription: `Creates a Fastly token named vault-ROLE-SUFFIX with the role's scopes and
services, expiring at the lease's latest end, and returns token_id,
access_token, name, expires_at, scopes and services. Revoking the lease
revokes the token; renewing extends the lease up to expires_at, never past.`,
	}
}

// credsRead creates a Fastly token for the role: a write-ahead log entry
// first (so a crash or a lost answer is rolled back by the token's unique
// name), then sudo mode (at most one sign-in per window), then the create.
func (b *backend) credsRead(ctx context.Context, req *logical.Request, d *framework.FieldData) (*logical.Response, error) {
	roleName := d.Get("name").(string)
	role, err := b.role(ctx, req.Storage, roleName)
	if err != nil {
		return nil, err
	}
	if role == nil {
		return logical.ErrorResponse(fmt.Sprintf("no role %q", roleName)), nil
	}
	c, client, err := b.configuredClient(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	plan := fastlyrules.PlanIssue(b.now(), *role, b.System().DefaultLeaseTTL(), b.System().MaxLeaseTTL())
	if plan.MaxTTL <= 0 {
		return logical.ErrorResponse("the role and the mount give no lifetime: set max_ttl"), nil
	}
	b.mu.Lock()
	refused := b.refused
	b.mu.Unlock()
	if refused != nil {
		return logical.ErrorResponse(refused.Error()), nil
	}
	userID, err := b.keyOwner(ctx, c, client)
	if err != nil {
		return nil, err
	}
	owner := leaseOwner{APIURL: c.APIURL, UserID: userID}
	name := fastlyrules.TokenName(roleName, fastlyrules.NewSuffix())
	walID, err := framework.PutWAL(ctx, req.Storage, walKind, &walEntry{Name: name, ExpiresAt: plan.ExpiresAt.Format(time.RFC3339), Owner: owner})
	if err != nil {
		return nil, fmt.Errorf("writing the write-ahead log: %w", err)
	}
	if err := b.ensureSudo(ctx, c, client); err != nil {
		b.dropWAL(ctx, req.Storage, walID) // nothing was created
		var refused *signInRefusedError
		if errors.As(err, &refused) {
			return logical.ErrorResponse(err.Error()), nil
		}
		return nil, err
	}
	scopes := make([]wrapper.Scope, len(role.Scopes))
	for i, s := range role.Scopes {
		scopes[i] = wrapper.Scope(s)
	}
	created, err := client.Create(ctx, wrapper.CreateInput{Name: name, Scopes: scopes, Services: role.Services, ExpiresAt: plan.ExpiresAt})
	if err != nil {
		if errors.Is(err, wrapper.ErrSudoRequired) {
			b.forgetSignIn()
		}
		if !errors.Is(err, wrapper.ErrOutcomeUnknown) {
			b.dropWAL(ctx, req.Storage, walID) // refused: nothing was created
		} // else the entry stays: the rollback finds the token by its name, if it exists
		if refusedCredentials(err) { // Fastly's answer about this request (a token limit, a bad scope): the caller's to read
			return logical.ErrorResponse("creating the token: " + err.Error()), nil
		}
		return nil, fmt.Errorf("creating the token: %w", err)
	}
	if created.UserID != "" && created.UserID != userID {
		return nil, b.refuseIssued(ctx, req.Storage, walID, c, client, created.ID, owner,
			fmt.Sprintf("the token Fastly created belongs to user %s, not to the engine's key's user %s", created.UserID, userID))
	}
	if created.ExpiresAt.IsZero() || created.ExpiresAt.After(plan.ExpiresAt) {
		// The lease would claim an end the token does not have.
		got := "none"
		if !created.ExpiresAt.IsZero() {
			got = created.ExpiresAt.Format(time.RFC3339)
		}
		return nil, b.refuseIssued(ctx, req.Storage, walID, c, client, created.ID, owner,
			fmt.Sprintf("token %s came back with expires_at %s, not %s as asked", created.ID, got, plan.ExpiresAt.Format(time.RFC3339)))
	}
	if err := framework.DeleteWAL(ctx, req.Storage, walID); err != nil {
		// The rollback would revoke a leased token later: revoke it now instead.
		_ = b.discardIssued(ctx, c, client, created.ID, owner) // logged; its expires_at ends it
		return nil, fmt.Errorf("clearing the write-ahead log: %w", err)
	}
	services := created.Services
	if services == nil {
		services = []string{}
	}
	tokenScopes := make([]string, len(created.Scopes))
	for i, s := range created.Scopes {
		tokenScopes[i] = string(s)
	}
	resp := b.Secret(secretType).Response(map[string]any{
		"token_id":     created.ID,
		"access_token": created.AccessToken,
		"name":         created.Name,
		"expires_at":   plan.ExpiresAt.Format(time.RFC3339),
		"scopes":       tokenScopes,
		"services":     services,
	}, map[string]any{
		"token_id":   created.ID,
		"role":       roleName,
		"expires_at": plan.ExpiresAt.Format(time.RFC3339), // a string: lease data crosses gRPC as JSON
		"api_url":    owner.APIURL,
		"user_id":    owner.UserID,
	})
	resp.Secret.TTL, resp.Secret.MaxTTL = plan.TTL, plan.MaxTTL
	resp.Secret.Renewable = true
	return resp, nil
}

// discardIssued revokes a token the engine issued and will not lease; a
// failure is logged (the token's expires_at still ends it) and returned.
func (b *backend) discardIssued(ctx context.Context, c *config, client *wrapper.Client, id string, owner leaseOwner) error {
	err := b.revokeIssued(ctx, c, client, id, owner)
	if err != nil {
		b.Logger().Warn("revoking a token the engine will not lease failed; it dies at its expires_at", "token_id", id, "error", err.Error())
	}
	return err
}

// refuseIssued revokes a token that will not be leased and says so; when
// the revoke fails, the WAL entry stays so that the rollback revokes it.
func (b *backend) refuseIssued(ctx context.Context, s logical.Storage, walID string, c *config, client *wrapper.Client, id string, owner leaseOwner, why string) error {
	if err := b.discardIssued(ctx, c, client, id, owner); err != nil {
		return fmt.Errorf("%s: no lease issued; revoking it failed (%w): the rollback revokes it later, else it dies at its expires_at", why, err)
	}
	b.dropWAL(ctx, s, walID) // revoked: nothing left to roll back
	return fmt.Errorf("%s: revoked, no lease issued", why)
}

// dropWAL deletes a WAL entry whose token does not exist or is revoked. A
// failure is logged: the rollback then finds nothing by the name, or
// revokes a dead token, and drops it.
func (b *backend) dropWAL(ctx context.Context, s logical.Storage, walID string) {
	if err := framework.DeleteWAL(ctx, s, walID); err != nil {
		b.Logger().Warn("deleting a write-ahead log entry failed; the rollback drops it later", "wal_id", walID, "error", err.Error())
	}
}
