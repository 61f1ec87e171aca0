package lifecycle_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/wrapper"
	"github.com/tokenward/fastlytokens/wrapper/lifecycle"
)

var auditNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func daysAgo(n int) time.Time { return auditNow.Add(-time.Duration(n) * 24 * time.Hour) }

func TestAuditKinds(t *testing.T) {
	purge := []wrapper.Scope{wrapper.ScopePurgeAll}
	tok := func(id string, created, used, expires time.Time) wrapper.Token {
		return wrapper.Token{ID: id, Scopes: purge, Services: []string{"s"}, CreatedAt: created, LastUsedAt: used, ExpiresAt: expires}
	}
	cases := []struct {
		token wrapper.Token
		want  map[lifecycle.FindingKind]string
	}{
		{tok("ok", daysAgo(10), daysAgo(1), daysAgo(-100)), map[lifecycle.FindingKind]string{}},
		{tok("exp", daysAgo(10), daysAgo(1), daysAgo(3)), map[lifecycle.FindingKind]string{lifecycle.Expired: "expired 3 days ago"}},
		{tok("now", daysAgo(10), daysAgo(1), auditNow), map[lifecycle.FindingKind]string{lifecycle.Expired: "expired today"}},
		{tok("soon", daysAgo(10), daysAgo(1), daysAgo(-1)), map[lifecycle.FindingKind]string{lifecycle.Expiring: "expires in 1 day"}},
		{tok("edge", daysAgo(10), daysAgo(1), daysAgo(-14)), map[lifecycle.FindingKind]string{lifecycle.Expiring: "expires in 14 days"}},
		{tok("hours", daysAgo(10), daysAgo(1), auditNow.Add(time.Hour)), map[lifecycle.FindingKind]string{lifecycle.Expiring: "expires within a day"}},
		{tok("never", daysAgo(5), time.Time{}, daysAgo(-100)), map[lifecycle.FindingKind]string{lifecycle.NeverUsed: "never used (created 5 days ago)"}},
		{tok("idle", daysAgo(100), daysAgo(90), daysAgo(-100)), map[lifecycle.FindingKind]string{lifecycle.Unused: "last used 90 days ago"}},
		{tok("busy", daysAgo(100), daysAgo(89), daysAgo(-100)), map[lifecycle.FindingKind]string{}},
		{tok("forever", daysAgo(5), daysAgo(1), time.Time{}), map[lifecycle.FindingKind]string{lifecycle.NoExpiry: "never expires",
			lifecycle.TooLong: "lifetime unlimited, policy allows 365 days"}},
		{tok("long", daysAgo(5), daysAgo(1), daysAgo(-400)), map[lifecycle.FindingKind]string{lifecycle.TooLong: "lifetime 405 days, policy allows 365 days"}},
		{tok("exactly", daysAgo(5), daysAgo(1), daysAgo(-360)), map[lifecycle.FindingKind]string{}}, // a lifetime of exactly the maximum is allowed
		{tok("yesterday", daysAgo(10), daysAgo(1), daysAgo(1)), map[lifecycle.FindingKind]string{lifecycle.Expired: "expired 1 day ago"}},
		{wrapper.Token{ID: "global", Scopes: []wrapper.Scope{wrapper.ScopeGlobal}, CreatedAt: daysAgo(1), LastUsedAt: daysAgo(1), ExpiresAt: daysAgo(-100)},
			map[lifecycle.FindingKind]string{lifecycle.GlobalAllServices: "global scope on every service"}},
		{wrapper.Token{ID: "scoped", Scopes: []wrapper.Scope{wrapper.ScopeGlobal}, Services: []string{"s"}, CreatedAt: daysAgo(1), LastUsedAt: daysAgo(1), ExpiresAt: daysAgo(-100)},
			map[lifecycle.FindingKind]string{}},
	}
	for _, tc := range cases {
		got := map[lifecycle.FindingKind]string{}
		for _, f := range lifecycle.Audit([]wrapper.Token{tc.token}, lifecycle.Policy{MaxLifetime: 365 * 24 * time.Hour}, auditNow) {
			assert.Equal(t, tc.token.ID, f.Token.ID)
			got[f.Kind] = f.Detail
		}
		assert.Equal(t, tc.want, got, tc.token.ID)
	}
	// A lifetime under a day, over a policy under a day.
	short := lifecycle.Audit([]wrapper.Token{tok("short", auditNow, auditNow, auditNow.Add(2*time.Hour))}, lifecycle.Policy{MaxLifetime: time.Hour}, auditNow)
	require.NotEmpty(t, short)
	assert.Equal(t, "lifetime 0 days, policy allows 0 days", short[len(short)-1].Detail)

	// The defaults: 14 days, 90 days, no lifetime check.
	assert.Empty(t, lifecycle.Audit([]wrapper.Token{tok("long", daysAgo(5), daysAgo(1), daysAgo(-400))}, lifecycle.Policy{}, auditNow))
	got := lifecycle.Audit([]wrapper.Token{tok("custom", daysAgo(5), daysAgo(31), daysAgo(-20))},
		lifecycle.Policy{ExpiringWithin: 30 * 24 * time.Hour, UnusedFor: 30 * 24 * time.Hour}, auditNow)
	assert.Len(t, got, 2)
}

// TestAuditOrder: by kind, then soonest expiry or oldest use or creation,
// then id; deterministic whatever the input order.
func TestAuditOrder(t *testing.T) {
	tokens := []wrapper.Token{
		{ID: "b", CreatedAt: daysAgo(3), ExpiresAt: daysAgo(-5), LastUsedAt: daysAgo(100)},
		{ID: "a", CreatedAt: daysAgo(3), ExpiresAt: daysAgo(-5), LastUsedAt: daysAgo(100)},
		{ID: "c", CreatedAt: daysAgo(9), ExpiresAt: daysAgo(-2), LastUsedAt: daysAgo(200)},
		{ID: "d", CreatedAt: daysAgo(1), ExpiresAt: daysAgo(1)},
	}
	var order []string
	for _, f := range lifecycle.Audit(tokens, lifecycle.Policy{}, auditNow) {
		order = append(order, fmt.Sprintf("%s:%s", f.Kind, f.Token.ID))
	}
	assert.Equal(t, []string{"expired:d", "expiring:c", "expiring:a", "expiring:b", "never_used:d", "unused:c", "unused:a", "unused:b"}, order)
}

func BenchmarkAudit10000(b *testing.B) {
	tokens := make([]wrapper.Token, 10_000)
	for i := range tokens {
		tokens[i] = wrapper.Token{ID: fmt.Sprintf("id%05d", i), Scopes: []wrapper.Scope{wrapper.ScopeGlobal},
			CreatedAt: daysAgo(i % 700), LastUsedAt: daysAgo(i % 200), ExpiresAt: daysAgo(i%60 - 30)}
	}
	for b.Loop() {
		_ = lifecycle.Audit(tokens, lifecycle.Policy{MaxLifetime: 365 * 24 * time.Hour}, auditNow)
	}
}
