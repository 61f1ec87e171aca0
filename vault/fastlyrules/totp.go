package fastlyrules

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // RFC 6238 TOTP is defined over HMAC-SHA1
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TOTPStep is the RFC 6238 time step Fastly's two-factor codes use.
const TOTPStep = 30 * time.Second

// TOTP computes the 6-digit RFC 6238 code of a base32 secret at t, and the
// step it belongs to (a code is used at most once per step).
func TOTP(secret string, t time.Time) (code string, step int64, err error) {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(strings.ReplaceAll(secret, " ", ""), "=")))
	if err != nil || len(key) == 0 {
		return "", 0, errors.New("totp_secret is not base32")
	}
	step = t.Unix() / int64(TOTPStep/time.Second)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step)) //nolint:gosec // steps are positive
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	value := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", value%1_000_000), step, nil
}
