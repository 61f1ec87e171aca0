package lifecycle

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenward/fastlytokens/wrapper"
)

// Policy is what Audit checks. Zero fields take the defaults below.
type Policy struct {
	ExpiringWithin time.Duration // 0: 14 days
	UnusedFor      time.Duration // 0: 90 days
	MaxLifetime    time.Duration // 0: not checked
}

// FindingKind names one kind of finding.
type FindingKind string

// The kinds of finding, in the order Audit reports them.
const (
	Expired           FindingKind = "expired"
	Expiring          FindingKind = "expiring"
	NeverUsed         FindingKind = "never_used"
	Unused            FindingKind = "unused"
	NoExpiry          FindingKind = "no_expiry"
	TooLong           FindingKind = "too_long"
	GlobalAllServices FindingKind = "global_all_services"
)

// Kinds returns every FindingKind in report order: a new slice each call.
func Kinds() []FindingKind {
	kinds := make([]FindingKind, len(rules))
	for i := range rules {
		kinds[i] = rules[i].kind
	}
	return kinds
}

// Finding is one thing Audit found about one token.
type Finding struct {
	Token  wrapper.Token
	Kind   FindingKind
	Detail string // one human line, e.g. "expires in 3 days", "last used 120 days ago"
}

const day = 24 * time.Hour

// rule is one kind of finding: whether it applies to a token (and the time
// its findings sort by), and its one-line detail.
type rule struct {
	kind   FindingKind
	check  func(t *wrapper.Token, p *Policy, now time.Time) (sortBy time.Time, applies bool)
	detail func(t *wrapper.Token, p *Policy, now time.Time) string
}

// rules are the kinds in report order; adding a kind is one entry here.
var rules = [...]rule{
	{Expired, // by expiry, soonest first
		func(t *wrapper.Token, _ *Policy, now time.Time) (time.Time, bool) {
			return t.ExpiresAt, !t.ExpiresAt.IsZero() && !t.ExpiresAt.After(now)
		},
		func(t *wrapper.Token, _ *Policy, now time.Time) string { return "expired " + ago(now.Sub(t.ExpiresAt)) }},
	{Expiring, // by expiry
		func(t *wrapper.Token, p *Policy, now time.Time) (time.Time, bool) {
			return t.ExpiresAt, t.ExpiresAt.After(now) && t.ExpiresAt.Sub(now) <= p.ExpiringWithin
		},
		func(t *wrapper.Token, _ *Policy, now time.Time) string {
			return "expires in " + timeLeft(t.ExpiresAt.Sub(now))
		}},
	{NeverUsed, // by creation, oldest first; a new token has had no chance to be used
		func(t *wrapper.Token, p *Policy, now time.Time) (time.Time, bool) {
			return t.CreatedAt, t.LastUsedAt.IsZero() && now.Sub(t.CreatedAt) >= p.UnusedFor
		},
		func(t *wrapper.Token, _ *Policy, now time.Time) string {
			return "never used (created " + ago(now.Sub(t.CreatedAt)) + ")"
		}},
	{Unused, // by last use, oldest first
		func(t *wrapper.Token, p *Policy, now time.Time) (time.Time, bool) {
			return t.LastUsedAt, !t.LastUsedAt.IsZero() && now.Sub(t.LastUsedAt) >= p.UnusedFor
		},
		func(t *wrapper.Token, _ *Policy, now time.Time) string {
			return "last used " + ago(now.Sub(t.LastUsedAt))
		}},
	{NoExpiry, // by creation
		func(t *wrapper.Token, _ *Policy, _ time.Time) (time.Time, bool) {
			return t.CreatedAt, t.ExpiresAt.IsZero()
		},
		func(*wrapper.Token, *Policy, time.Time) string { return "never expires" }},
	{TooLong, // by creation
		func(t *wrapper.Token, p *Policy, _ time.Time) (time.Time, bool) {
			return t.CreatedAt, p.MaxLifetime > 0 && (t.ExpiresAt.IsZero() || t.ExpiresAt.Sub(t.CreatedAt) > p.MaxLifetime)
		},
		func(t *wrapper.Token, p *Policy, _ time.Time) string {
			allows := ", policy allows " + span(p.MaxLifetime)
			if t.ExpiresAt.IsZero() {
				return "lifetime unlimited" + allows
			}
			return "lifetime " + span(t.ExpiresAt.Sub(t.CreatedAt)) + allows
		}},
	{GlobalAllServices, // by creation
		func(t *wrapper.Token, _ *Policy, _ time.Time) (time.Time, bool) {
			return t.CreatedAt, t.HasScope(wrapper.ScopeGlobal) && len(t.Services) == 0
		},
		func(*wrapper.Token, *Policy, time.Time) string { return "global scope on every service" }},
}

// Audit checks tokens against p at time now and returns one finding per
// kind that applies to each token, ordered by kind (in the order of
// Kinds), then soonest or oldest first (expiry for expired and expiring,
// last use for unused, creation otherwise), then id. It is a pure
// function: no request, no clock.
func Audit(tokens []wrapper.Token, p Policy, now time.Time) []Finding {
	if p.ExpiringWithin == 0 {
		p.ExpiringWithin = 14 * day
	}
	if p.UnusedFor == 0 {
		p.UnusedFor = 90 * day
	}
	// A hit holds no pointer (the time as seconds and nanoseconds), so
	// sorting tens of thousands of them stays cheap.
	type hit struct {
		sec         int64
		nsec, token int32
		rule        int8
	}
	hits := make([]hit, 0, 2*len(tokens))
	for i := range tokens {
		for r := range rules {
			if at, ok := rules[r].check(&tokens[i], &p, now); ok {
				hits = append(hits, hit{sec: at.Unix(), nsec: int32(at.Nanosecond()), token: int32(i), rule: int8(r)})
			}
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.rule != b.rule {
			return cmp.Compare(a.rule, b.rule)
		}
		if a.sec != b.sec {
			return cmp.Compare(a.sec, b.sec)
		}
		if a.nsec != b.nsec {
			return cmp.Compare(a.nsec, b.nsec)
		}
		if c := strings.Compare(tokens[a.token].ID, tokens[b.token].ID); c != 0 {
			return c
		}
		return cmp.Compare(a.token, b.token)
	})
	findings := make([]Finding, len(hits))
	for i, h := range hits {
		t := &tokens[h.token]
		findings[i] = Finding{Token: *t, Kind: rules[h.rule].kind, Detail: rules[h.rule].detail(t, &p, now)}
	}
	return findings
}

// count writes n of unit: "1 hour", "3 hours".
func count(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.FormatInt(n, 10) + " " + unit + "s"
}

// ago writes a time past in whole days: "today", "3 days ago".
func ago(d time.Duration) string {
	if d < day {
		return "today"
	}
	return count(int64(d/day), "day") + " ago"
}

// span writes d in the largest units that say it exactly enough: "400
// days", "1 day 12 hours", "12 hours", "45 minutes" (a part of an hour is
// dropped from a span of a day or more, of a minute from any).
func span(d time.Duration) string {
	if d < time.Hour {
		return count(int64(d/time.Minute), "minute")
	}
	return daysHours(int64(d / time.Hour))
}

// timeLeft writes a time to come rounded up to the unit shown, so it never
// reads less than the time really left: "40 minutes", "5 hours", "3 days",
// "2 days 23 hours".
func timeLeft(d time.Duration) string {
	minutes := int64((d + time.Minute - 1) / time.Minute)
	if minutes < 60 {
		return count(minutes, "minute")
	}
	return daysHours((minutes + 59) / 60)
}

// daysHours writes whole hours as days and hours: "5 hours", "3 days",
// "2 days 23 hours".
func daysHours(hours int64) string {
	if hours < 24 {
		return count(hours, "hour")
	}
	if hours%24 == 0 {
		return count(hours/24, "day")
	}
	return count(hours/24, "day") + " " + count(hours%24, "hour")
}
