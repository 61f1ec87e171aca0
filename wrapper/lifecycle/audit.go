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
	// Findings are collected as two integers each, sorted on integers alone
	// (ids are ranked once up front), and each Finding, which holds a whole
	// Token, is written once in its final place. A Detail depends only on
	// the kind and one whole number of days, so equal details share one
	// string.
	idRank, byID := rankIDs(tokens)
	hits := make([]hit, 0, 2*len(tokens))
	for i := range tokens {
		t := &tokens[i]
		add := func(kind int32, at time.Time) {
			hits = append(hits, newHit(kind, at, idRank[i]))
		}
		expires := !t.ExpiresAt.IsZero()
		// Ifs, not switches: mutation testing cannot reach switch cases.
		if expires && !t.ExpiresAt.After(now) {
			add(rankExpired, t.ExpiresAt)
		} else if expires && t.ExpiresAt.Sub(now) <= p.ExpiringWithin {
			add(rankExpiring, t.ExpiresAt)
		}
		if t.LastUsedAt.IsZero() {
			if now.Sub(t.CreatedAt) >= p.UnusedFor { // a new token has had no chance to be used
				add(rankNeverUsed, t.CreatedAt)
			}
		} else if now.Sub(t.LastUsedAt) >= p.UnusedFor {
			add(rankUnused, t.LastUsedAt)
		}
		if !expires {
			add(rankNoExpiry, t.CreatedAt)
		}
		if p.MaxLifetime > 0 && (!expires || t.ExpiresAt.Sub(t.CreatedAt) > p.MaxLifetime) {
			add(rankTooLong, t.CreatedAt)
		}
		if t.HasScope(wrapper.ScopeGlobal) && len(t.Services) == 0 {
			add(rankGlobalAllServices, t.CreatedAt)
		}
	}
	sortHits(hits)
	type detailKey struct {
		rank   int32
		amount int64
	}
	details := make(map[detailKey]string)
	findings := make([]Finding, len(hits))
	for i, h := range hits {
		t := &tokens[byID[h.id]]
		rank := int32(h.key >> rankShift)
		key := detailKey{rank, amountOf(rank, t, now)}
		detail, ok := details[key]
		if !ok {
			detail = describe(rank, key.amount, p)
			details[key] = detail
		}
		findings[i] = Finding{Token: *t, Kind: Kinds[rank], Detail: detail}
	}
	return findings
}

// hit is one finding while Audit sorts: the kind's rank in the top bits of
// key and the time the kind sorts by below it; id is the token's place in
// id order.
type hit struct {
	key uint64
	id  int32
}

const (
	rankShift = 39
	// epoch shifts Unix seconds so that the zero time.Time (year 1) is 0;
	// times before it or after about year 17,000 sort as their bounds.
	epoch   = 62135596800
	secMask = 1<<rankShift - 1
	idBits  = 22
)

// packLimit is the most tokens whose hits sortHits packs into one integer;
// a variable so tests can reach the other path.
var packLimit = 1 << idBits

// packable says whether ids up to maxID fit the packed key.
func packable(maxID int32) bool { return int(maxID) < packLimit }

func newHit(rank int32, at time.Time, id int32) hit {
	sec := min(max(at.Unix()+epoch, 0), secMask)
	return hit{key: uint64(rank)<<rankShift | uint64(sec), id: id}
}

// sortHits orders hits by key, then id. Up to packLimit tokens, key and id
// fit one uint64 and the sort compares plain integers, several times faster
// than through a function.
func sortHits(hits []hit) {
	if len(hits) == 0 {
		return
	}
	maxID := slices.MaxFunc(hits, func(a, b hit) int { return cmp.Compare(a.id, b.id) }).id
	if !packable(maxID) {
		slices.SortFunc(hits, func(a, b hit) int {
			if c := cmp.Compare(a.key, b.key); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		return
	}
	packed := make([]uint64, len(hits))
	for i, h := range hits {
		packed[i] = h.key<<idBits | uint64(h.id)
	}
	slices.Sort(packed)
	for i, p := range packed {
		hits[i] = hit{key: p >> idBits, id: int32(p & (1<<idBits - 1))}
	}
}

// amountOf is the whole number a kind's Detail is written from: minutes
// left, rounded up, for expiring (a time left is never understated); whole
// minutes of lifetime for too_long (-1: unlimited); whole days otherwise.
func amountOf(rank int32, t *wrapper.Token, now time.Time) int64 {
	var d time.Duration
	switch rank {
	case rankExpired:
		d = now.Sub(t.ExpiresAt)
	case rankExpiring:
		left := t.ExpiresAt.Sub(now)
		return int64((left + time.Minute - 1) / time.Minute)
	case rankNeverUsed:
		d = now.Sub(t.CreatedAt)
	case rankUnused:
		d = now.Sub(t.LastUsedAt)
	case rankTooLong:
		if t.ExpiresAt.IsZero() {
			return -1
		}
		return int64(t.ExpiresAt.Sub(t.CreatedAt) / time.Minute)
	}
	return int64(d / day)
}

// rankIDs returns each token's place in the order of ids (ties by input
// position), so the sort compares integers instead of strings, and the
// inverse: the token at each place.
func rankIDs(tokens []wrapper.Token) (rank, byID []int32) {
	order := make([]int32, len(tokens))
	for i := range order {
		order[i] = int32(i)
	}
	sorted := slices.IsSortedFunc(tokens, func(a, b wrapper.Token) int { return strings.Compare(a.ID, b.ID) })
	if !sorted {
		slices.SortStableFunc(order, func(a, b int32) int { return strings.Compare(tokens[a].ID, tokens[b].ID) })
	}
	rank = make([]int32, len(tokens))
	for place, i := range order {
		rank[i] = int32(place)
	}
	return rank, order
}

// describe writes the Detail of a finding of kind rank, from the amount
// amountOf gives.
func describe(rank int32, n int64, p Policy) string {
	switch rank {
	case rankExpired:
		return "expired " + ago(n)
	case rankExpiring:
		return "expires in " + timeLeft(n)
	case rankNeverUsed:
		return "never used (created " + ago(n) + ")"
	case rankUnused:
		return "last used " + ago(n)
	case rankNoExpiry:
		return "never expires"
	case rankTooLong:
		allows := ", policy allows " + span(int64(p.MaxLifetime/time.Minute))
		if n < 0 {
			return "lifetime unlimited" + allows
		}
		return "lifetime " + span(n) + allows
	default:
		return "global scope on every service"
	}
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

// days writes n whole days: "1 day", "3 days".
func days(n int64) string { return count(n, "day") }

// count writes n of unit: "1 hour", "3 hours".
func count(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.FormatInt(n, 10) + " " + unit + "s"
}

// span writes whole minutes in the largest units that say them exactly
// enough: "400 days", "1 day 12 hours", "12 hours", "45 minutes" (a part of
// an hour is dropped from a span of a day or more).
func span(minutes int64) string {
	if minutes < 60 {
		return count(minutes, "minute")
	}
	hours := minutes / 60
	if hours < 24 {
		return count(hours, "hour")
	}
	if hours%24 == 0 {
		return days(hours / 24)
	}
	return days(hours/24) + " " + count(hours%24, "hour")
}

// timeLeft writes minutes rounded up to the unit shown, so it never reads
// less than the time really left: "40 minutes", "5 hours", "3 days",
// "2 days 23 hours".
func timeLeft(minutes int64) string {
	if minutes < 60 {
		return count(minutes, "minute")
	}
	hours := (minutes + 59) / 60
	if hours < 24 {
		return count(hours, "hour")
	}
	if hours%24 == 0 {
		return days(hours / 24)
	}
	return days(hours/24) + " " + count(hours%24, "hour")
}

// ago and in write whole days in the past or the future.
func ago(n int64) string {
	if n < 1 {
		return "today"
	}
	return days(n) + " ago"
}
