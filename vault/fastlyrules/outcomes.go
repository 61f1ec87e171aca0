package fastlyrules

import (
	"errors"

	"github.com/tokenward/fastlytokens/wrapper"
)

// RevokeSucceeded maps the answer to revoking a leased token to what Vault
// must hear, for a key that is the token's owner's at the API it was issued
// at (the caller proves that first: a 404 to anyone else's key proves
// nothing): nil when the token is gone (revoked now, or 404: revoked or
// expired before), else an error Vault retries. A 429, a 5xx, a transport failure
// and an unknown outcome are never success: the lease stays until Fastly
// says the token is gone, or its expires_at kills it.
func RevokeSucceeded(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, wrapper.ErrNotFound) { // after an uncertain attempt too: gone either way, for a token of ours
		return nil
	}
	return err
}
