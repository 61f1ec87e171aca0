package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"time"
)

type user struct {
	id, login, customerID string
	passwordHash          [32]byte
	superuser             bool
	totpSecret            string // base32; "" without two-factor
}

type token struct {
	id, userID, customerID, name string
	scopes                       []string
	services                     []string
	hash                         [32]byte
	createdAt, updatedAt         time.Time
	expiresAt, lastUsedAt        time.Time // zero: never
	sudoUntil                    time.Time
	ip, userAgent                string
	revoked                      bool
}

func (t *token) has(scope string) bool {
	for _, s := range t.scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// readOnly is a global:read key without global.
func (t *token) readOnly() bool { return t.has("global:read") && !t.has("global") }

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
