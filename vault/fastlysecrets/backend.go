// Package fastlysecrets is a Vault and OpenBao secrets engine that issues
// short-lived Fastly API tokens on lease. Every lease is a real Fastly token
// whose expires_at is the lease's latest end, so Fastly itself kills it
// even when revocation fails; revoking the lease revokes the token.
//
// It is built on package wrapper (every request, with its redaction,
// bounds and retry rules) and package lifecycle (Rotate, for the engine's
// own key). The rules that need no SDK live in package fastlyrules.
//
// # What is not verified against Fastly
//
// That a token past its expires_at answers 401 is Fastly's documented
// behaviour and the simulator's; that the tokens this engine creates are
// visible to its own key (so that 404 on revoke means gone) follows from
// both being the same user's. Both are the engine's premises.
package fastlysecrets

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"github.com/tokenward/fastlytokens/wrapper"
)

// operationPrefix starts the OpenAPI operation ids of every path.
const operationPrefix = "fastly"

const backendHelp = `The Fastly secrets engine issues Fastly API tokens on lease: each lease is
a token named vault-ROLE-SUFFIX whose expires_at is the lease's latest end.
Configure it at config, define roles at roles/NAME, read creds/NAME.`

// Factory builds the engine for one mount.
func Factory(ctx context.Context, conf *logical.BackendConfig) (logical.Backend, error) {
	b := newBackend(time.Now, nil)
	if err := b.Setup(ctx, conf); err != nil {
		return nil, err
	}
	return b, nil
}

// backend is one mount's engine.
type backend struct {
	*framework.Backend

	now func() time.Time
	// wait sleeps until the next one-time password (tests move their clock).
	wait func(ctx context.Context, d time.Duration) error
	// clientOptions are added to every Client the engine builds (tests set
	// retry policies and timeouts here).
	clientOptions []wrapper.Option

	// mu guards the sign-in state below and serialises sign-ins.
	mu        sync.Mutex
	sudoUntil time.Time // the engine's key is in sudo mode until then
	lastStep  int64     // the last TOTP step whose code was sent
	// refused is set when Fastly refused a sign-in for its credentials:
	// the engine signs in no more until config is written again, so lease
	// holders cannot lock the account by reading creds.
	refused error
	// ownerOf and owner cache whose key the config holds: the Fastly user
	// id that GET /tokens/self answered for the config with that
	// fingerprint (api_url and key, hashed).
	ownerOf, owner string
	// cached is the Client of the config generation clientOf names.
	cached   *wrapper.Client
	clientOf string
}

func newBackend(now func() time.Time, opts []wrapper.Option) *backend {
	b := &backend{now: now, wait: waitReal, clientOptions: opts}
	b.Backend = &framework.Backend{
		Help:        strings.TrimSpace(backendHelp),
		BackendType: logical.TypeLogical,
		PathsSpecial: &logical.Paths{
			SealWrapStorage: []string{configPath},
			// The write-ahead log is this cluster's: a replica must not roll
			// back another cluster's creates.
			LocalStorage: []string{framework.WALPrefix},
		},
		Paths: framework.PathAppend(
			[]*framework.Path{b.pathConfig(), b.pathRotateRoot(), b.pathCreds()},
			b.pathRoles(),
		),
		Secrets:           []*framework.Secret{b.tokenSecret()},
		WALRollback:       b.walRollback,
		WALRollbackMinAge: walRollbackMinAge,
		Invalidate: func(_ context.Context, key string) {
			if key == configPath {
				b.forgetSignIn()
			}
		},
	}
	return b
}

// forgetSignIn drops the cached sudo window, a refused sign-in and the
// key's owner (the config changed).
func (b *backend) forgetSignIn() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sudoUntil, b.refused, b.ownerOf, b.owner = time.Time{}, nil, "", ""
	b.cached, b.clientOf = nil, ""
}
