package fastlyrules_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/vault/fastlyrules"
	"github.com/tokenward/fastlytokens/wrapper"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func TestPlanIssue(t *testing.T) {
	t.Parallel()
	plan := fastlyrules.PlanIssue(now, fastlyrules.Role{TTL: 10 * time.Minute, MaxTTL: time.Hour}, time.Hour, 24*time.Hour)
	assert.Equal(t, fastlyrules.Issue{TTL: 10 * time.Minute, MaxTTL: time.Hour, ExpiresAt: now.Add(time.Hour)}, plan)
	// A zero TTL takes the mount's default, a zero MaxTTL one hour, never
	// the mount's maximum; the mount's maximum caps both.
	plan = fastlyrules.PlanIssue(now, fastlyrules.Role{TTL: 30 * time.Minute}, 2*time.Hour, 24*time.Hour)
	assert.Equal(t, fastlyrules.Issue{TTL: 30 * time.Minute, MaxTTL: time.Hour, ExpiresAt: now.Add(time.Hour)}, plan)
	plan = fastlyrules.PlanIssue(now, fastlyrules.Role{}, 10*time.Minute, 24*time.Hour)
	assert.Equal(t, fastlyrules.Issue{TTL: 10 * time.Minute, MaxTTL: fastlyrules.DefaultMaxTTL, ExpiresAt: now.Add(time.Hour)}, plan)
	plan = fastlyrules.PlanIssue(now, fastlyrules.Role{}, 10*time.Minute, 20*time.Minute)
	assert.Equal(t, 20*time.Minute, plan.MaxTTL, "the mount's maximum caps the default too")
	plan = fastlyrules.PlanIssue(now, fastlyrules.Role{TTL: 3 * time.Hour, MaxTTL: 48 * time.Hour}, time.Hour, 2*time.Hour)
	assert.Equal(t, fastlyrules.Issue{TTL: 2 * time.Hour, MaxTTL: 2 * time.Hour, ExpiresAt: now.Add(2 * time.Hour)}, plan)
	// expires_at rounds up to the second, never down.
	plan = fastlyrules.PlanIssue(now.Add(300*time.Millisecond), fastlyrules.Role{MaxTTL: time.Hour}, time.Hour, 0)
	assert.Equal(t, now.Add(time.Hour+time.Second), plan.ExpiresAt)
	plan = fastlyrules.PlanIssue(now, fastlyrules.Role{MaxTTL: time.Hour}, 2*time.Hour, 0)
	assert.Equal(t, time.Hour, plan.TTL, "a TTL never above the maximum")
	assert.Equal(t, now.Add(time.Hour), plan.ExpiresAt, "a whole second stays as it is")
}

func TestPlanRenew(t *testing.T) {
	t.Parallel()
	issued, expires := now, now.Add(time.Hour)
	r, err := fastlyrules.PlanRenew(now.Add(10*time.Minute), issued, expires, 20*time.Minute, 5*time.Minute, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, fastlyrules.Renewal{TTL: 20 * time.Minute, MaxTTL: time.Hour}, r)
	r, err = fastlyrules.PlanRenew(now.Add(10*time.Minute), issued, expires, 0, 5*time.Minute, time.Hour)
	require.NoError(t, err)
	assert.Equal(t, 5*time.Minute, r.TTL, "no increment: the role's TTL")
	r, err = fastlyrules.PlanRenew(now.Add(10*time.Minute), issued, expires, 0, 0, 15*time.Minute)
	require.NoError(t, err)
	assert.Equal(t, fastlyrules.Renewal{TTL: 15 * time.Minute, MaxTTL: time.Hour}, r, "nor a role TTL: the mount's default, not capped")
	r, err = fastlyrules.PlanRenew(now.Add(50*time.Minute), issued, expires, time.Hour, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, fastlyrules.Renewal{TTL: 10 * time.Minute, MaxTTL: time.Hour, Capped: true}, r)
	r, err = fastlyrules.PlanRenew(now.Add(50*time.Minute), issued, expires, 10*time.Minute, 0, 0)
	require.NoError(t, err)
	assert.False(t, r.Capped, "exactly what is left is not capped")
	r, err = fastlyrules.PlanRenew(now.Add(50*time.Minute), issued, expires, 0, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, fastlyrules.Renewal{TTL: 10 * time.Minute, MaxTTL: time.Hour}, r, "no TTL at all: what is left, and nothing said of a cap")
	_, err = fastlyrules.PlanRenew(expires, issued, expires, time.Minute, 0, 0)
	require.ErrorIs(t, err, fastlyrules.ErrExpired)
	r, err = fastlyrules.PlanRenew(now, now.Add(500*time.Millisecond), expires, time.Minute, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, 59*time.Minute+59*time.Second, r.MaxTTL, "rounded down: never past expires_at")
}

func TestCheckLifetimes(t *testing.T) {
	t.Parallel()
	require.NoError(t, fastlyrules.CheckLifetimes(time.Minute, time.Hour, 24*time.Hour))
	require.NoError(t, fastlyrules.CheckLifetimes(time.Hour, time.Hour, time.Hour))
	require.NoError(t, fastlyrules.CheckLifetimes(time.Hour, 0, 0), "no maxima")
	require.ErrorContains(t, fastlyrules.CheckLifetimes(2*time.Hour, time.Hour, 0), "above max_ttl")
	require.ErrorContains(t, fastlyrules.CheckLifetimes(0, 2*time.Hour, time.Hour), "mount's maximum")
	require.ErrorContains(t, fastlyrules.CheckLifetimes(2*time.Hour, 0, time.Hour), "mount's maximum")
	require.ErrorContains(t, fastlyrules.CheckLifetimes(-time.Second, 0, 0), "negative")
	require.ErrorContains(t, fastlyrules.CheckLifetimes(0, -time.Second, 0), "negative")
}

func TestNames(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "vault-ci-abc", fastlyrules.TokenName("ci", "abc"))
	a, b := fastlyrules.NewSuffix(), fastlyrules.NewSuffix()
	assert.Regexp(t, `^[a-z0-9]{12}$`, a)
	assert.NotEqual(t, a, b)
	for name, ok := range map[string]bool{"ci": true, "a-B_9": true, "": false, "a/b": false, "a b": false, "ü": false,
		fmt.Sprintf("%065d", 0): false, fmt.Sprintf("%064d", 0): true, "z": true, "Z": true, "0": true, "9": true, "[": false, "`": false, "@": false, "{": false, ":": false, "/": false} {
		assert.Equal(t, ok, fastlyrules.ValidRoleName(name), name)
	}
}

func TestRevokeSucceeded(t *testing.T) {
	t.Parallel()
	require.NoError(t, fastlyrules.RevokeSucceeded(nil))
	gone := &wrapper.APIError{StatusCode: 404}
	require.NoError(t, fastlyrules.RevokeSucceeded(gone))
	require.NoError(t, fastlyrules.RevokeSucceeded(fmt.Errorf("x: %w (%w)", gone, wrapper.ErrOutcomeUnknown)))
	for _, status := range []int{429, 500, 503, 401, 403} {
		err := &wrapper.APIError{StatusCode: status}
		require.ErrorIs(t, fastlyrules.RevokeSucceeded(err), err, "%d is never success", status)
	}
	lost := errors.New("connection reset")
	require.ErrorIs(t, fastlyrules.RevokeSucceeded(lost), lost)
}

// TestTOTP: RFC 6238's SHA-1 test vectors (8 digits there; the last 6
// here), and the step a code belongs to.
func TestTOTP(t *testing.T) {
	t.Parallel()
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037"} {
		code, step, err := fastlyrules.TOTP(secret, time.Unix(unix, 0))
		require.NoError(t, err)
		assert.Equal(t, want, code, unix)
		assert.Equal(t, unix/30, step)
	}
	code, _, err := fastlyrules.TOTP("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", time.Unix(59, 0))
	require.NoError(t, err)
	assert.Equal(t, "287082", code, "lower case and spaces are read")
	for _, bad := range []string{"", "not base32!", "===="} {
		_, _, err := fastlyrules.TOTP(bad, now)
		require.Error(t, err, bad)
	}
}
