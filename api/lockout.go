package api

import (
	"container/list"
	"time"
)

// attempts counts one login's recent failed sign-ins.
type attempts struct {
	count       int
	last        time.Time
	lockedUntil time.Time
}

func (a *attempts) locked(now time.Time) bool { return a.lockedUntil.After(now) }

// fail counts a failure at now and reports whether it locked the login. A
// failure older than LockoutDuration is forgotten.
func (a *attempts) fail(now time.Time) bool {
	if now.Sub(a.last) > LockoutDuration {
		a.count = 0
	}
	a.count++
	a.last = now
	if a.count < LockoutThreshold {
		return false
	}
	a.lockedUntil, a.count = now.Add(LockoutDuration), 0
	return true
}

// loginTable counts failed sign-ins of logins that are no account, so that
// they are answered exactly like real ones (which count on the user and
// are never evicted). It holds at most max entries, and every operation
// costs O(1) amortised: counters sit in a list in order of their last
// failure, locks in a queue in order of their end.
//
// A lock is never dropped before it ends. A counter below the threshold
// may be: the oldest goes first when a new login needs room. When every
// entry is a live lock the table is full, and sign-ins it cannot count are
// refused alike (see Server.refuse).
type loginTable struct {
	max      int
	entries  map[[32]byte]*loginEntry
	counting list.List     // unlocked entries (*loginEntry), oldest failure first
	locks    []*loginEntry // locked entries from locks[head], soonest end first
	head     int
	visited  int // entries examined, for tests that hold the work to O(1)
}

type loginEntry struct {
	key [32]byte
	attempts
	elem *list.Element // in counting; nil while locked
}

func newLoginTable(max int) *loginTable {
	return &loginTable{max: max, entries: map[[32]byte]*loginEntry{}}
}

// locked reports whether the login hashed to key is locked at now.
func (t *loginTable) locked(key [32]byte, now time.Time) bool {
	e := t.entries[key]
	return e != nil && e.locked(now)
}

// fail counts a failure of the login hashed to key. It reports false when
// the table is full of live locks and the failure could not be counted.
func (t *loginTable) fail(key [32]byte, now time.Time) bool {
	t.tidy(now)
	e := t.entries[key]
	if e == nil {
		if len(t.entries) >= t.max {
			oldest := t.counting.Front()
			if oldest == nil {
				return false
			}
			t.visited++
			delete(t.entries, t.counting.Remove(oldest).(*loginEntry).key)
		}
		e = &loginEntry{key: key}
		e.elem = t.counting.PushBack(e)
		t.entries[key] = e
	}
	if e.fail(now) {
		t.counting.Remove(e.elem)
		e.elem = nil
		t.locks = append(t.locks, e)
	} else {
		t.counting.MoveToBack(e.elem)
	}
	return true
}

// full reports whether every entry is a live lock: no failure of a new
// login can be counted until the first lock ends.
func (t *loginTable) full(now time.Time) bool {
	t.tidy(now)
	return len(t.entries) >= t.max && t.counting.Len() == 0
}

// firstUnlock is when the soonest lock ends (zero when none is held).
func (t *loginTable) firstUnlock() time.Time {
	if t.head == len(t.locks) {
		return time.Time{}
	}
	return t.locks[t.head].lockedUntil
}

// tidy drops ended locks and forgotten counters from the front of their
// queues: each entry is dropped once, so the cost is O(1) amortised.
func (t *loginTable) tidy(now time.Time) {
	for t.head < len(t.locks) && !t.locks[t.head].locked(now) {
		t.visited++
		delete(t.entries, t.locks[t.head].key)
		t.locks[t.head] = nil
		t.head++
	}
	if t.head > 0 && t.head*2 >= len(t.locks) { // reuse the queue's space
		t.locks = t.locks[:copy(t.locks, t.locks[t.head:])]
		t.head = 0
	}
	for front := t.counting.Front(); front != nil && now.Sub(front.Value.(*loginEntry).last) > LockoutDuration; front = t.counting.Front() {
		t.visited++
		delete(t.entries, t.counting.Remove(front).(*loginEntry).key)
	}
}
