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

// Kinds lists every FindingKind in report order.
var Kinds = []FindingKind{Expired, Expiring, NeverUsed, Unused, NoExpiry, TooLong, GlobalAllServices}

// Finding is one thing Audit found about one token.
type Finding struct {
	Token  wrapper.Token
	Kind   FindingKind
	Detail string // one human line, e.g. "expires in 3 days", "last used 120 days ago"
}

const day = 24 * time.Hour

// Audit checks tokens against p at time now and returns one finding per
// kind that applies to each token, ordered by kind (in the order of Kinds),
// then soonest or oldest first (expiry for expired and expiring, last use
// for unused, creation otherwise), then id. It is a pure function: no
// request, no clock.
func Audit(tokens []wrapper.Token, p Policy, now time.Time) []Finding {
	if p.ExpiringWithin == 0 {
		p.ExpiringWithin = 14 * day
	}
	if p.UnusedFor == 0 {
		p.UnusedFor = 90 * day
	}
	// Findings are collected as small hits and sorted as such; each Finding
	// (which holds a whole Token) is written once, in its final place.
	// Hits hold no pointer, so the sort moves them without write barriers.
	type hit struct {
		rank   int32
		token  int32
		detail int32 // index into details
		at     int64 // what the kind sorts by, in Unix seconds
	}
	hits := make([]hit, 0, 2*len(tokens))
	details := make([]string, 0, 2*len(tokens))
	for i := range tokens {
		t := &tokens[i]
		add := func(kind int32, at time.Time, detail string) {
			hits = append(hits, hit{rank: kind, token: int32(i), detail: int32(len(details)), at: at.Unix()})
			details = append(details, detail)
		}
		expires := !t.ExpiresAt.IsZero()
		switch {
		case expires && !t.ExpiresAt.After(now):
			add(rankExpired, t.ExpiresAt, "expired "+ago(now.Sub(t.ExpiresAt)))
		case expires && t.ExpiresAt.Sub(now) <= p.ExpiringWithin:
			add(rankExpiring, t.ExpiresAt, "expires "+in(t.ExpiresAt.Sub(now)))
		}
		switch {
		case t.LastUsedAt.IsZero():
			add(rankNeverUsed, t.CreatedAt, "never used (created "+ago(now.Sub(t.CreatedAt))+")")
		case now.Sub(t.LastUsedAt) >= p.UnusedFor:
			add(rankUnused, t.LastUsedAt, "last used "+ago(now.Sub(t.LastUsedAt)))
		}
		if !expires {
			add(rankNoExpiry, t.CreatedAt, "never expires")
		}
		if p.MaxLifetime > 0 {
			switch {
			case !expires:
				add(rankTooLong, t.CreatedAt, "lifetime unlimited, policy allows "+days(p.MaxLifetime))
			case t.ExpiresAt.Sub(t.CreatedAt) > p.MaxLifetime:
				add(rankTooLong, t.CreatedAt, "lifetime "+days(t.ExpiresAt.Sub(t.CreatedAt))+", policy allows "+days(p.MaxLifetime))
			}
		}
		if t.HasScope(wrapper.ScopeGlobal) && len(t.Services) == 0 {
			add(rankGlobalAllServices, t.CreatedAt, "global scope on every service")
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		if c := strings.Compare(tokens[a.token].ID, tokens[b.token].ID); c != 0 {
			return c
		}
		return cmp.Compare(a.token, b.token)
	})
	findings := make([]Finding, len(hits))
	for i, h := range hits {
		findings[i] = Finding{Token: tokens[h.token], Kind: Kinds[h.rank], Detail: details[h.detail]}
	}
	return findings
}

// Each kind's place in Kinds; the sort key of its findings is noted.
const (
	rankExpired           int32 = iota // by expiry, soonest first
	rankExpiring                       // by expiry
	rankNeverUsed                      // by creation, oldest first
	rankUnused                         // by last use, oldest first
	rankNoExpiry                       // by creation
	rankTooLong                        // by creation
	rankGlobalAllServices              // by creation
)

// days writes d in whole days: "1 day", "3 days" (rounded down).
func days(d time.Duration) string {
	n := int(d / day)
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}

// ago and in write a duration in the past or the future in whole days.
func ago(d time.Duration) string {
	if d < day {
		return "today"
	}
	return days(d) + " ago"
}

func in(d time.Duration) string {
	if d < day {
		return "within a day"
	}
	return "in " + days(d)
}
