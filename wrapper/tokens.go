package wrapper

import (
	"context"
	"errors"
	"time"

	"github.com/tokenward/fastlytokens/gen"
)

// List returns every token of the authenticated user, in Fastly's order
// (which is not stable between calls). One token with an unexpected field
// never fails the list: that field is left zero.
//
// Fastly API: GET /tokens (list-tokens-user)
func (c *Client) List(ctx context.Context) ([]Token, error) {
	var wire []gen.Token
	err := c.do(ctx, &operation{route: &c.routes[opList]}, &wire)
	if err != nil {
		return nil, err
	}
	return tokensOf(wire), nil
}

// ListForCustomer returns every token of every user of the customer. Only
// that customer's superusers may call it.
//
// Fastly API: GET /customer/{customer_id}/tokens (list-tokens-customer)
func (c *Client) ListForCustomer(ctx context.Context, customerID string) ([]Token, error) {
	if err := checkID("customer id", customerID); err != nil {
		return nil, err
	}
	var wire []gen.Token
	err := c.do(ctx, &operation{route: &c.routes[opListForCustomer], ids: []string{customerID}}, &wire)
	if err != nil {
		return nil, err
	}
	return tokensOf(wire), nil
}

// Get returns one token by id. The id must be alphanumeric; "self" is
// refused (use Current).
//
// Fastly API: GET /tokens/{token_id} (get-token)
func (c *Client) Get(ctx context.Context, tokenID string) (Token, error) {
	if err := checkID("token id", tokenID); err != nil {
		return Token{}, err
	}
	var wire gen.Token
	err := c.do(ctx, &operation{route: &c.routes[opGet], ids: []string{tokenID}}, &wire)
	if err != nil {
		return Token{}, err
	}
	return tokenOf(&wire), nil
}

// Current returns the token the Client authenticates with.
//
// Fastly API: GET /tokens/self (get-token-current)
func (c *Client) Current(ctx context.Context) (Token, error) {
	var wire gen.Token
	err := c.do(ctx, &operation{route: &c.routes[opCurrent]}, &wire)
	if err != nil {
		return Token{}, err
	}
	return tokenOf(&wire), nil
}

// Create creates a token and returns it with its secret, shown only once.
//
// It authenticates with one of: in.Username and in.Password (form fields of
// this request only: one request); WithBasicAuth credentials (one request);
// or the Client's key after Sudo (two requests, the password going only to
// /sudo). in.OTP goes as Fastly-OTP on this request only. The form is sent
// exactly as Fastly reads it: one space-delimited scope, repeated services[],
// RFC 3339 expires_at.
//
// Create is never retried once the request may have reached Fastly: a repeat
// could mint a second token. Such a failure matches ErrOutcomeUnknown.
//
// Fastly API: POST /tokens (create-token)
func (c *Client) Create(ctx context.Context, in CreateInput) (CreatedToken, error) {
	if err := checkCreateInput(&in); err != nil {
		return CreatedToken{}, err
	}
	var wire gen.CreatedToken
	err := c.do(ctx, &operation{
		route: &c.routes[opCreate], body: []byte(encodeCreateForm(&in)), otp: in.OTP,
		secrets: [2]string{in.Password, in.OTP},
		// A 2xx without the token or its secret: a token may exist that the
		// caller cannot use. Never report it as a success.
		check: func() error {
			if wire.Id == "" || wire.AccessToken == "" {
				return errors.New("the answer lacks the token's id or access_token")
			}
			return nil
		},
	}, &wire)
	if err != nil {
		return CreatedToken{}, err
	}
	return CreatedToken{Token: tokenOf(&wire.Token), AccessToken: wire.AccessToken}, nil
}

// Sudo puts the Client's key in sudo mode (about five minutes), so that
// Create with the key alone succeeds: the sudo flow, two requests in all,
// the password going to /sudo only. It returns when sudo mode ends.
//
// Fastly API: POST /sudo (request-sudo)
func (c *Client) Sudo(ctx context.Context, in SudoInput) (time.Time, error) {
	if err := checkSudoInput(&in); err != nil {
		return time.Time{}, err
	}
	var wire gen.SudoResponse
	err := c.do(ctx, &operation{
		route: &c.routes[opSudo], body: []byte(encodeSudoForm(&in)), otp: in.OTP,
		secrets: [2]string{in.Password, in.OTP},
	}, &wire)
	if err != nil {
		return time.Time{}, err
	}
	return wire.ExpiryTime.Time, nil
}

// Revoke revokes one token (automation tokens too) by id. The id must be
// alphanumeric: "self" is refused, so Revoke can never revoke the Client's
// own key by accident (RevokeCurrent does that). A 404 means revoked before
// or not visible to this key (Fastly does not say which): ErrNotFound. A
// revoke retried after an uncertain failure (a 5xx, a reset, a timeout)
// that then answers 404 matches both ErrNotFound and ErrOutcomeUnknown: the
// first attempt may have revoked it, or it was never this key's to revoke.
//
// Fastly API: DELETE /tokens/{token_id} (revoke-token)
func (c *Client) Revoke(ctx context.Context, tokenID string) error {
	if err := checkID("token id", tokenID); err != nil {
		return err
	}
	return c.do(ctx, &operation{route: &c.routes[opRevoke], ids: []string{tokenID}}, nil)
}

// RevokeCurrent revokes the key the Client authenticates with; later calls
// with this Client then fail with ErrUnauthorized.
//
// Fastly API: DELETE /tokens/self (revoke-token-current)
func (c *Client) RevokeCurrent(ctx context.Context) error {
	return c.do(ctx, &operation{route: &c.routes[opRevokeCurrent]}, nil)
}

// RevokeMany revokes several tokens in one request. Every id is checked
// first; repeated ids are sent once; an empty list is ErrInvalidInput. The
// body is the JSON:API bulk document
// {"data":[{"type":"token","id":"…"},…]} as application/vnd.api+json; ext=bulk.
//
// Fastly API: DELETE /tokens (bulk-revoke-tokens)
func (c *Client) RevokeMany(ctx context.Context, tokenIDs ...string) error {
	body, err := encodeBulkRevoke(tokenIDs)
	if err != nil {
		return err
	}
	return c.do(ctx, &operation{route: &c.routes[opBulkRevoke], body: body}, nil)
}
