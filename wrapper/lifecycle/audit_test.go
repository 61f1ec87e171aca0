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
	t.Parallel()
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
		{tok("hours", daysAgo(10), daysAgo(1), auditNow.Add(time.Hour)), map[lifecycle.FindingKind]string{lifecycle.Expiring: "expires in 1 hour"}},
		{tok("never", daysAgo(95), time.Time{}, daysAgo(-100)), map[lifecycle.FindingKind]string{lifecycle.NeverUsed: "never used (created 95 days ago)"}},
		{tok("unused edge", daysAgo(90), time.Time{}, daysAgo(-100)), map[lifecycle.FindingKind]string{lifecycle.NeverUsed: "never used (created 90 days ago)"}},
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
	assert.Equal(t, "lifetime 2 hours, policy allows 1 hour", short[len(short)-1].Detail)
	// A policy of hours reads in hours, not "0 days"; minutes of a long span are dropped.
	for policy, want := range map[time.Duration]string{
		12 * time.Hour:                "lifetime 1 day, policy allows 12 hours",
		36*time.Hour + 30*time.Minute: "lifetime 2 days, policy allows 1 day 12 hours",
		30 * time.Minute:              "lifetime 1 day, policy allows 30 minutes",
		24 * time.Hour:                "lifetime 2 days, policy allows 1 day",
	} {
		lifetime := 24 * time.Hour
		if policy >= lifetime {
			lifetime = 48 * time.Hour
		}
		found := lifecycle.Audit([]wrapper.Token{tok("p", auditNow, auditNow, auditNow.Add(lifetime))}, lifecycle.Policy{MaxLifetime: policy, ExpiringWithin: time.Minute}, auditNow)
		require.Len(t, found, 1, policy)
		assert.Equal(t, want, found[0].Detail, policy)
	}

	// The defaults: 14 days, 90 days, no lifetime check.
	assert.Empty(t, lifecycle.Audit([]wrapper.Token{tok("long", daysAgo(5), daysAgo(1), daysAgo(-400))}, lifecycle.Policy{}, auditNow))
	got := lifecycle.Audit([]wrapper.Token{tok("custom", daysAgo(5), daysAgo(31), daysAgo(-20))},
		lifecycle.Policy{ExpiringWithin: 30 * 24 * time.Hour, UnusedFor: 30 * 24 * time.Hour}, auditNow)
	assert.Len(t, got, 2)
}

// TestAuditOrder: by kind, then soonest expiry or oldest use or creation,
// then id; deterministic whatever the input order.
func TestAuditOrder(t *testing.T) {
	t.Parallel()
	tokens := []wrapper.Token{
		{ID: "b", CreatedAt: daysAgo(3), ExpiresAt: daysAgo(-5), LastUsedAt: daysAgo(100)},
		{ID: "a", CreatedAt: daysAgo(3), ExpiresAt: daysAgo(-5), LastUsedAt: daysAgo(100)},
		{ID: "c", CreatedAt: daysAgo(9), ExpiresAt: daysAgo(-2), LastUsedAt: daysAgo(200)},
		{ID: "d", CreatedAt: daysAgo(91), ExpiresAt: daysAgo(1)},
	}
	var order []string
	for _, f := range lifecycle.Audit(tokens, lifecycle.Policy{}, auditNow) {
		order = append(order, fmt.Sprintf("%s:%s", f.Kind, f.Token.ID))
	}
	assert.Equal(t, []string{"expired:d", "expiring:c", "expiring:a", "expiring:b", "never_used:d", "unused:c", "unused:a", "unused:b"}, order)
}

// TestAuditNewTokenIsNotNeverUsed: a token created a minute ago has had no
// chance to be used; never_used counts from creation as unused counts from
// the last use, so a CI gate does not fail right after every create.
func TestAuditNewTokenIsNotNeverUsed(t *testing.T) {
	t.Parallel()
	fresh := wrapper.Token{ID: "new", Scopes: []wrapper.Scope{wrapper.ScopePurgeAll}, Services: []string{"s"},
		CreatedAt: auditNow.Add(-time.Minute), ExpiresAt: daysAgo(-30)}
	assert.Empty(t, lifecycle.Audit([]wrapper.Token{fresh}, lifecycle.Policy{}, auditNow))
	nearly := fresh
	nearly.CreatedAt = auditNow.Add(-7*24*time.Hour + time.Second)
	assert.Empty(t, lifecycle.Audit([]wrapper.Token{nearly}, lifecycle.Policy{UnusedFor: 7 * 24 * time.Hour}, auditNow))
	nearly.CreatedAt = auditNow.Add(-7 * 24 * time.Hour)
	findings := lifecycle.Audit([]wrapper.Token{nearly}, lifecycle.Policy{UnusedFor: 7 * 24 * time.Hour}, auditNow)
	require.Len(t, findings, 1)
	assert.Equal(t, lifecycle.NeverUsed, findings[0].Kind)
	assert.Equal(t, "never used (created 7 days ago)", findings[0].Detail)
}

// TestAuditNeverUnderstatesTimeLeft: 71 hours left reads "2 days 23
// hours", not "2 days"; a time between units rounds up.
func TestAuditNeverUnderstatesTimeLeft(t *testing.T) {
	t.Parallel()
	cases := map[time.Duration]string{
		71 * time.Hour:                   "expires in 2 days 23 hours",
		70*time.Hour + time.Minute:       "expires in 2 days 23 hours",
		72 * time.Hour:                   "expires in 3 days",
		71*time.Hour + time.Second:       "expires in 3 days",
		24 * time.Hour:                   "expires in 1 day",
		25 * time.Hour:                   "expires in 1 day 1 hour",
		47 * time.Hour:                   "expires in 1 day 23 hours",
		23*time.Hour + 30*time.Minute:    "expires in 1 day",
		5 * time.Hour:                    "expires in 5 hours",
		time.Hour + time.Second:          "expires in 2 hours",
		59 * time.Minute:                 "expires in 59 minutes",
		time.Minute:                      "expires in 1 minute",
		time.Second:                      "expires in 1 minute",
		14*24*time.Hour - 90*time.Minute: "expires in 13 days 23 hours",
	}
	for left, want := range cases {
		tok := wrapper.Token{ID: "x", Scopes: []wrapper.Scope{wrapper.ScopePurgeAll}, Services: []string{"s"},
			CreatedAt: daysAgo(1), LastUsedAt: daysAgo(1), ExpiresAt: auditNow.Add(left)}
		findings := lifecycle.Audit([]wrapper.Token{tok}, lifecycle.Policy{}, auditNow)
		require.Len(t, findings, 1, left)
		assert.Equal(t, want, findings[0].Detail, left)
	}
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

// TestKindsIsACopy: editing what Kinds returns changes nothing in Audit.
func TestKindsIsACopy(t *testing.T) {
	t.Parallel()
	kinds := lifecycle.Kinds()
	require.Equal(t, []lifecycle.FindingKind{lifecycle.Expired, lifecycle.Expiring, lifecycle.NeverUsed, lifecycle.Unused,
		lifecycle.NoExpiry, lifecycle.TooLong, lifecycle.GlobalAllServices}, kinds)
	kinds[0] = "tampered"
	findings := lifecycle.Audit([]wrapper.Token{{ID: "x", ExpiresAt: daysAgo(1), CreatedAt: daysAgo(2), LastUsedAt: daysAgo(1),
		Scopes: []wrapper.Scope{wrapper.ScopePurgeAll}, Services: []string{"s"}}}, lifecycle.Policy{}, auditNow)
	require.Len(t, findings, 1)
	assert.Equal(t, lifecycle.Expired, findings[0].Kind)
	assert.Equal(t, lifecycle.Expired, lifecycle.Kinds()[0])
}

// TestAuditExtremeTimes: times far outside the usual range sort in order.
func TestAuditExtremeTimes(t *testing.T) {
	t.Parallel()
	far := time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC)
	before := time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)
	tokens := []wrapper.Token{
		{ID: "far", CreatedAt: far, LastUsedAt: auditNow},
		{ID: "early", CreatedAt: before, LastUsedAt: auditNow},
		{ID: "mid", CreatedAt: auditNow, LastUsedAt: auditNow},
	}
	var order []string
	for _, f := range lifecycle.Audit(tokens, lifecycle.Policy{}, auditNow) {
		order = append(order, string(f.Kind)+":"+f.Token.ID)
	}
	assert.Equal(t, []string{"no_expiry:early", "no_expiry:mid", "no_expiry:far"}, order)
}
