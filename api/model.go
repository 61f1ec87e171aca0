package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"slices"
	"time"
)

type user struct {
	id, login, customerID string
	passwordHash          [32]byte
	superuser             bool
	totpSecret            string // base32; "" without two-factor
	lastOTPStep           int64  // the last time step whose code was accepted
	failed                attempts
	tokens                int // live tokens, for MaxTokensPerUser
}

type token struct {
	seq                          uint64 // creation order
	id, userID, customerID, name string
	scopes                       []string
	services                     []string
	hash                         [32]byte
	createdAt, updatedAt         time.Time
	expiresAt, lastUsedAt        time.Time // zero: never
	sudoUntil                    time.Time
	ip, userAgent                string
	revoked                      bool
	// An automation token has no user; creatorID and role describe it.
	automation      bool
	creatorID, role string
}

// budget names the hourly window t's requests count against: its user's,
// or its own for an automation token.
func (t *token) budget() string {
	if t.automation {
		return "automation:" + t.id
	}
	return t.userID
}

const (
	scopeGlobal     = "global"
	scopeGlobalRead = "global:read"
)

func (t *token) has(scope string) bool { return slices.Contains(t.scopes, scope) }

func (t *token) expired(now time.Time) bool { return !t.expiresAt.IsZero() && !now.Before(t.expiresAt) }

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
const secretAlphabet = idAlphabet + "_-"

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// newID is a 22-character alphanumeric id, as Fastly's usually are.
func newID() string { return randomString(idAlphabet, 22) }

// newAccessToken is 32 characters of [A-Za-z0-9_-], as Fastly's are.
func newAccessToken() string { return randomString(secretAlphabet, 32) }

// NewTOTPSecret returns a random base32 TOTP secret (160 bits).
func NewTOTPSecret() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

func hash(s string) [32]byte { return sha256.Sum256([]byte(s)) }
