package fastlyrules

import (
	"crypto/rand"
	"strings"
)

const suffixAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// TokenName is the name of a token issued for role: "vault-ROLE-SUFFIX".
// The suffix makes it unique, so a rollback finds the one token it is for.
func TokenName(role, suffix string) string { return "vault-" + role + "-" + suffix }

// NewSuffix is 12 random lower-case letters and digits.
func NewSuffix() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported systems
	var s strings.Builder
	for _, c := range b {
		s.WriteByte(suffixAlphabet[int(c)%len(suffixAlphabet)])
	}
	return s.String()
}

// ValidRoleName says whether name may name a role: 1 to 64 letters,
// digits, '-' and '_' (it becomes part of a token's name).
func ValidRoleName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, c := range name {
		if !nameRune(c) {
			return false
		}
	}
	return true
}

// nameRune says whether c may stand in a role name.
func nameRune(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}
