package fastlysecrets

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hashicorp/vault/sdk/logical"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

// lease is what Vault's core keeps of one lease.
type lease struct {
	secret    *logical.Secret
	tokenID   string
	end       time.Time // when the expiration manager revokes it
	expiresAt time.Time // the token's, at Fastly
}

// TestNoTokenOutlivesItsLease runs random sequences of issue, renew,
// revoke, role deletion and clock advances, with the test as Vault's
// expiration manager. After every step, every live engine token at the
// simulator has a live lease that ends no later than the token's
// expires_at; at the end no engine token is live.
func TestNoTokenOutlivesItsLease(t *testing.T) {
	t.Parallel()
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 42))
			h := newHarness(t, api.RoleUser, nil)
			roles := []string{"short", "long"}
			writeRole := func(name string) {
				ttl, maxTTL := "5m", "20m"
				if name == "long" {
					ttl, maxTTL = "15m", "2h"
				}
				h.ok(h.write("roles/"+name, map[string]any{"scopes": "purge_select", "ttl": ttl, "max_ttl": maxTTL}))
			}
			for _, r := range roles {
				writeRole(r)
			}
			var leases []*lease
			expire := func() { // Vault's expiration manager
				kept := leases[:0]
				for _, l := range leases {
					if l.end.After(h.clk.Now()) {
						kept = append(kept, l)
						continue
					}
					h.ok(h.revoke(l.secret))
				}
				leases = kept
			}
			check := func(step int, op string) {
				live := h.liveTokens()
				for id, tok := range live {
					var held *lease
					for _, l := range leases {
						if l.tokenID == id {
							held = l
						}
					}
					require.NotNil(t, held, "step %d (%s): token %s is live without a lease", step, op, id)
					require.True(t, held.end.After(h.clk.Now()), "step %d (%s): its lease has ended", step, op)
					require.False(t, held.end.After(tok.ExpiresAt), "step %d (%s): the lease ends at %s, after the token's %s", step, op, held.end, tok.ExpiresAt)
				}
			}
			for step := range 60 {
				op := []string{"issue", "issue", "renew", "renew", "revoke", "delete role", "advance", "advance"}[rng.IntN(8)]
				switch op {
				case "issue":
					role := roles[rng.IntN(len(roles))]
					resp, err := h.read("creds/" + role)
					require.NoError(t, err)
					if resp.IsError() { // the role was deleted
						writeRole(role)
						continue
					}
					secret := *resp.Secret
					secret.IssueTime = h.clk.Now()
					expiresAt, err := time.Parse(time.RFC3339, resp.Data["expires_at"].(string))
					require.NoError(t, err)
					leases = append(leases, &lease{secret: &secret, tokenID: resp.Data["token_id"].(string),
						end: h.clk.Now().Add(secret.TTL), expiresAt: expiresAt})
				case "renew":
					if len(leases) == 0 {
						continue
					}
					l := leases[rng.IntN(len(leases))]
					increment := time.Duration(rng.IntN(90)) * time.Minute
					resp, err := h.renew(l.secret, increment)
					if err != nil { // a deleted role, or nothing left: the lease runs out as it is
						continue
					}
					end := h.clk.Now().Add(resp.Secret.TTL)
					if limit := l.secret.IssueTime.Add(resp.Secret.MaxTTL); end.After(limit) { // core caps by MaxTTL
						end = limit
					}
					l.end = end
				case "revoke":
					if len(leases) == 0 {
						continue
					}
					i := rng.IntN(len(leases))
					h.ok(h.revoke(leases[i].secret))
					leases = append(leases[:i], leases[i+1:]...)
				case "delete role":
					h.ok(h.request(&logical.Request{Operation: logical.DeleteOperation, Path: "roles/" + roles[rng.IntN(len(roles))]}))
				case "advance":
					h.clk.Advance(time.Duration(rng.IntN(25)) * time.Minute)
					expire()
				}
				check(step, op)
			}
			for _, l := range leases {
				h.ok(h.revoke(l.secret))
			}
			require.Empty(t, h.liveTokens(), "no engine token outlives the leases")
			h.scan()
		})
	}
}
