package api

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // RFC 6238 TOTP is defined over HMAC-SHA1
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

const totpStep = 30 * time.Second

func decodeTOTPSecret(secret string) ([]byte, error) {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("api: two-factor secret is not base32")
	}
	return key, nil
}

// TOTP returns the 6-digit RFC 6238 one-time password of a base32 secret at
// time at (30-second steps), as an authenticator app shows it.
func TOTP(secret string, at time.Time) (string, error) {
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return "", err
	}
	return totpAt(key, at.Unix()/int64(totpStep/time.Second)), nil
}

func totpAt(key []byte, counter int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}

// matchTOTP finds the step whose code is code: the current step or one
// either side, for clock drift.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	key, err := decodeTOTPSecret(secret)
	if err != nil || len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / int64(totpStep/time.Second)
	for _, counter := range []int64{step - 1, step, step + 1} {
		if subtle.ConstantTimeCompare([]byte(totpAt(key, counter)), []byte(code)) == 1 {
			return counter, true
		}
	}
	return 0, false
}
