package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

// signIn creates a token with form credentials: the door attackers knock on.
func signIn(t *testing.T, srv *api.TestServer, login, password string) answer {
	t.Helper()
	return call(t, srv, "POST", "/tokens", form("name", "x", "username", login, "password", password), ctHeader, formType)
}

// fillWithLocks locks n junk logins, as an attacker filling the table would.
func fillWithLocks(t *testing.T, srv *api.TestServer, n int) {
	t.Helper()
	for i := range n {
		for range api.LockoutThreshold {
			a := signIn(t, srv, fmt.Sprintf("junk%d@attacker.example", i), "guess")
			require.Contains(t, []int{400, 429}, a.status)
		}
	}
}

// TestLockoutCannotBeEvicted: an attacker fills the table of unknown logins
// with locks. The locked victim stays locked through 40 more guesses and the
// right password; a real account that was never in the table is still
// locked by its own wrong passwords while the table is full; a real user who
// is not locked still signs in. Every refusal meanwhile is the same 429,
// known login or not.
func TestLockoutCannotBeEvicted(t *testing.T) {
	t.Parallel()
	const table = 50
	srv, clk := start(t, api.WithUnknownLoginTable(table))
	victim, other, bystander := srv.Account(api.RoleUser), srv.Account(api.RoleSuperuser), srv.Account(api.RoleOtherCustomer)
	for range api.LockoutThreshold {
		expect(t, signIn(t, srv, victim.Login, "guess"), 400, `{"code":"invalid_grant"}`)
	}
	expect(t, signIn(t, srv, victim.Login, victim.Password), 400, `{"code":"account_locked"}`)

	fillWithLocks(t, srv, table)
	for i := range 40 {
		a := signIn(t, srv, victim.Login, fmt.Sprint("guess", i))
		require.Equal(t, 429, a.status, a.body)
	}
	a := signIn(t, srv, victim.Login, victim.Password)
	require.Equal(t, 429, a.status, "the victim is still locked: %s", a.body)
	expectMsg(t, a, 429, "Too many failed sign-ins: try again later")
	assert.Equal(t, fmt.Sprint(int(api.LockoutDuration/time.Second)), a.header.Get("Retry-After"))

	// Not in the table, and the table is full: its own failures still count.
	clk.Advance(time.Minute)
	for range api.LockoutThreshold {
		require.Equal(t, 429, signIn(t, srv, other.Login, "guess").status)
	}
	require.Equal(t, 429, signIn(t, srv, other.Login, other.Password).status, "locked by its own wrong passwords")
	require.Equal(t, 200, signIn(t, srv, bystander.Login, bystander.Password).status, "a right password of an unlocked user still works")

	// The same answer whatever the login, unknown ones included.
	known, unknown := signIn(t, srv, other.Login, "guess"), signIn(t, srv, "nobody@example.com", "guess")
	known.header.Del("Date")
	unknown.header.Del("Date")
	assert.Equal(t, known, unknown)

	// When the attacker's locks end, the real locks still hold (they began
	// later) and answer as usual.
	clk.Advance(api.LockoutDuration - time.Minute)
	expect(t, signIn(t, srv, other.Login, other.Password), 400, `{"code":"account_locked"}`)
	expect(t, signIn(t, srv, "nobody@example.com", "guess"), 400, `{"code":"invalid_grant"}`)
}

// TestLockoutOfUnknownLoginSurvivesCounters: a locked unknown login is not
// evicted by a flood of single failures that fills the table with counters.
func TestLockoutOfUnknownLoginSurvivesCounters(t *testing.T) {
	t.Parallel()
	const table = 50
	srv, _ := start(t, api.WithUnknownLoginTable(table))
	for range api.LockoutThreshold {
		signIn(t, srv, "target@example.com", "guess")
	}
	for i := range 4 * table {
		expect(t, signIn(t, srv, fmt.Sprintf("junk%d@attacker.example", i), "guess"), 400, `{"code":"invalid_grant"}`)
	}
	expect(t, signIn(t, srv, "target@example.com", "guess"), 400, `{"code":"account_locked"}`)
}

// TestFullTableNoUnlimitedGuesses: with the table full of locks, a real
// account gets no free guesses: its wrong passwords answer 429 and are
// counted, so the right one after LockoutThreshold of them is refused too.
func TestFullTableNoUnlimitedGuesses(t *testing.T) {
	t.Parallel()
	const table = 20
	srv, _ := start(t, api.WithUnknownLoginTable(table))
	fillWithLocks(t, srv, table)
	user := srv.Account(api.RoleUser)
	for range api.LockoutThreshold - 1 {
		require.Equal(t, 429, signIn(t, srv, user.Login, "guess").status)
	}
	require.Equal(t, 200, signIn(t, srv, user.Login, user.Password).status, "four failures do not lock")
	for range api.LockoutThreshold {
		require.Equal(t, 429, signIn(t, srv, user.Login, "guess").status)
	}
	require.Equal(t, 429, signIn(t, srv, user.Login, user.Password).status, "five do")
	sudo := call(t, srv, "POST", "/sudo", form("username", user.Login, "password", user.Password), keyHeader, user.Token, ctHeader, formType)
	require.Equal(t, 429, sudo.status, "/sudo is the same door")
}
