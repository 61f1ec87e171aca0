package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var tableStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// lockIn locks login in t at now.
func lockIn(t *testing.T, table *loginTable, login string, now time.Time) {
	t.Helper()
	for range LockoutThreshold {
		require.True(t, table.fail(hash(login), now))
	}
	require.True(t, table.locked(hash(login), now))
}

// TestLoginTableKeepsLocks: counters make room for new logins, oldest
// first; a lock is never evicted before it ends, however many logins come.
func TestLoginTableKeepsLocks(t *testing.T) {
	table := newLoginTable(100)
	lockIn(t, table, "victim", tableStart)
	for i := range 1000 {
		require.True(t, table.fail(hash(fmt.Sprint("junk", i)), tableStart.Add(time.Duration(i))))
		require.LessOrEqual(t, len(table.entries), 100)
	}
	assert.True(t, table.locked(hash("victim"), tableStart), "the lock outlives 1,000 newcomers")
	assert.Nil(t, table.entries[hash("junk0")], "the oldest counter went first")
	assert.Nil(t, table.entries[hash("junk900")])
	assert.NotNil(t, table.entries[hash("junk901")])
	assert.False(t, table.full(tableStart))
	assert.True(t, table.locked(hash("victim"), tableStart.Add(LockoutDuration-time.Nanosecond)))
	assert.False(t, table.locked(hash("victim"), tableStart.Add(LockoutDuration)), "the lock ends")
}

// TestLoginTableFullOfLocks: when every entry is a live lock, a new login
// cannot be counted (fail reports false) and the table says it is full
// until the first lock ends; then that lock goes and room is made.
func TestLoginTableFullOfLocks(t *testing.T) {
	table := newLoginTable(10)
	for i := range 10 {
		lockIn(t, table, fmt.Sprint("locked", i), tableStart.Add(time.Duration(i)*time.Second))
	}
	assert.True(t, table.full(tableStart.Add(time.Minute)))
	assert.False(t, table.fail(hash("newcomer"), tableStart.Add(time.Minute)))
	assert.Nil(t, table.entries[hash("newcomer")])
	assert.Equal(t, tableStart.Add(LockoutDuration), table.firstUnlock())
	end := tableStart.Add(LockoutDuration)
	assert.False(t, table.full(end), "the first lock ended")
	require.True(t, table.fail(hash("newcomer"), end))
	assert.Nil(t, table.entries[hash("locked0")])
	assert.True(t, table.locked(hash("locked1"), end))
	assert.Len(t, table.entries, 10)
	assert.Equal(t, tableStart.Add(LockoutDuration+time.Second), table.firstUnlock())
	assert.Equal(t, time.Time{}, newLoginTable(1).firstUnlock())
}

// TestLoginTableWorkIsConstant: a failed sign-in examines O(1) entries
// amortised, whether the table is empty, full of single failures or full
// of locks (the old table scanned all 10,000 entries under the lock).
func TestLoginTableWorkIsConstant(t *testing.T) {
	const requests = 5000
	perRequest := func(table *loginTable, at time.Time) float64 {
		table.visited = 0
		for i := range requests {
			table.fail(hash(fmt.Sprint("attacker", i)), at)
			table.full(at)
		}
		return float64(table.visited) / requests
	}
	empty := newLoginTable(maxUnknownLogins)
	assert.LessOrEqual(t, perRequest(empty, tableStart), 1.0)

	singles := newLoginTable(maxUnknownLogins)
	for i := range maxUnknownLogins {
		singles.fail(hash(fmt.Sprint("single", i)), tableStart)
	}
	assert.Equal(t, 1.0, perRequest(singles, tableStart), "each newcomer evicts exactly one counter")

	locks := newLoginTable(maxUnknownLogins)
	for i := range maxUnknownLogins {
		for range LockoutThreshold {
			locks.fail(hash(fmt.Sprint("locked", i)), tableStart)
		}
	}
	require.True(t, locks.full(tableStart))
	assert.Zero(t, perRequest(locks, tableStart), "nothing to examine while every lock holds")
	// When the locks end, each is dropped once.
	ended := perRequest(locks, tableStart.Add(LockoutDuration))
	assert.LessOrEqual(t, ended, 3.0)
	assert.GreaterOrEqual(t, ended, float64(maxUnknownLogins)/requests, "every ended lock was examined once")
}

// TestFailuresForgottenOnlyAfterLockoutDuration: a failure exactly
// LockoutDuration old still counts; one a moment older is forgotten.
func TestFailuresForgottenOnlyAfterLockoutDuration(t *testing.T) {
	for _, gap := range []time.Duration{LockoutDuration, LockoutDuration + time.Nanosecond} {
		var a attempts
		now := tableStart
		for range LockoutThreshold - 1 {
			require.False(t, a.fail(now))
		}
		now = now.Add(gap)
		assert.Equal(t, gap == LockoutDuration, a.fail(now), "gap %v", gap)
		assert.Equal(t, gap == LockoutDuration, a.locked(now), "gap %v", gap)
	}
}

func BenchmarkFailedSignIn(b *testing.B) {
	fills := map[string]func(*loginTable){
		"empty": func(*loginTable) {},
		"full of single failures": func(t *loginTable) {
			for i := range maxUnknownLogins {
				t.fail(hash(fmt.Sprint("single", i)), tableStart)
			}
		},
		"full of locks": func(t *loginTable) {
			for i := range maxUnknownLogins {
				for range LockoutThreshold {
					t.fail(hash(fmt.Sprint("locked", i)), tableStart)
				}
			}
		},
	}
	for _, name := range []string{"empty", "full of single failures", "full of locks"} {
		b.Run(name, func(b *testing.B) {
			table := newLoginTable(maxUnknownLogins)
			fills[name](table)
			i := 0
			for b.Loop() {
				i++
				table.fail(hash(fmt.Sprint("attacker", i)), tableStart)
				table.full(tableStart)
			}
		})
	}
}

// TestLockQueueStaysBounded: locks that come and go never grow the lock
// queue past the table: ended locks' room is reused.
func TestLockQueueStaysBounded(t *testing.T) {
	table := newLoginTable(20)
	now := tableStart
	for round := range 500 {
		for i := range 10 {
			lockIn(t, table, fmt.Sprint("r", round, "l", i), now)
		}
		now = now.Add(LockoutDuration)
		table.full(now) // tidies
		require.LessOrEqual(t, len(table.locks)-table.head, 20)
		require.LessOrEqual(t, len(table.locks), 40, "round %d", round)
	}
}

// TestCounterExactlyLockoutDurationOldStillCounts: the table keeps a
// counter whose last failure is exactly LockoutDuration old, as attempts
// counts it: the fifth failure then locks.
func TestCounterExactlyLockoutDurationOldStillCounts(t *testing.T) {
	table := newLoginTable(10)
	key := hash("patient")
	for range LockoutThreshold - 1 {
		require.True(t, table.fail(key, tableStart))
	}
	later := tableStart.Add(LockoutDuration)
	require.True(t, table.fail(key, later))
	assert.True(t, table.locked(key, later))
}
