package fastlysecrets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"github.com/tokenward/fastlytokens/vault/fastlyrules"
)

// secretType is the lease type of issued tokens.
const secretType = "fastly_token"

func (b *backend) tokenSecret() *framework.Secret {
	return &framework.Secret{
		Type: secretType,
		Fields: map[string]*framework.FieldSchema{
			"token_id":     {Type: framework.TypeString, Description: "The Fastly token's id."},
			"access_token": {Type: framework.TypeString, Description: "The Fastly API key."},
		},
		Renew:  b.tokenRenew,
		Revoke: b.tokenRevoke,
	}
}

// leaseFacts reads what a lease keeps: the token id, its role, its
// expires_at.
func leaseFacts(s *logical.Secret) (id, role string, expiresAt time.Time, err error) {
	if s == nil {
		return "", "", time.Time{}, errors.New("no secret in the request")
	}
	id, _ = s.InternalData["token_id"].(string)
	role, _ = s.InternalData["role"].(string)
	at, _ := s.InternalData["expires_at"].(string)
	expiresAt, err = time.Parse(time.RFC3339, at)
	if id == "" || err != nil {
		return "", "", time.Time{}, errors.New("the lease's data is incomplete")
	}
	return id, role, expiresAt, nil
}

// tokenRenew extends the lease up to the token's expires_at, never past it.
func (b *backend) tokenRenew(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	_, roleName, expiresAt, err := leaseFacts(req.Secret)
	if err != nil {
		return nil, err
	}
	role, err := b.role(ctx, req.Storage, roleName)
	if err != nil {
		return nil, err
	}
	if role == nil {
		return nil, fmt.Errorf("role %q was deleted: its leases cannot be renewed", roleName)
	}
	plan, err := fastlyrules.PlanRenew(b.now(), req.Secret.IssueTime, expiresAt, req.Secret.Increment, role.TTL, b.System().DefaultLeaseTTL())
	if err != nil {
		return nil, err
	}
	resp := &logical.Response{Secret: req.Secret}
	resp.Secret.TTL, resp.Secret.MaxTTL = plan.TTL, plan.MaxTTL
	if plan.Capped {
		resp.AddWarning(fmt.Sprintf("TTL capped at %s: the Fastly token expires at %s", plan.TTL, expiresAt.Format(time.RFC3339)))
	}
	return resp, nil
}

// tokenRevoke revokes the token at Fastly. Gone already (404) is success
// only from the API it was issued at, to its owner's key (revokeIssued);
// a 429, a 5xx or a lost connection is an error, so Vault retries, and the
// token's expires_at kills it if every retry fails.
func (b *backend) tokenRevoke(ctx context.Context, req *logical.Request, _ *framework.FieldData) (*logical.Response, error) {
	id, _, _, err := leaseFacts(req.Secret)
	if err != nil {
		return nil, err
	}
	c, client, err := b.configuredClient(ctx, req.Storage)
	if err != nil {
		return nil, err
	}
	owner := leaseOwner{}
	owner.APIURL, _ = req.Secret.InternalData["api_url"].(string)
	owner.UserID, _ = req.Secret.InternalData["user_id"].(string)
	if err := b.revokeIssued(ctx, c, client, id, owner); err != nil {
		err = fmt.Errorf("revoking token %s: %w", id, err)
		b.Logger().Warn("a lease's revoke failed; Vault retries it", "token_id", id, "error", err.Error())
		return nil, err
	}
	return nil, nil
}
