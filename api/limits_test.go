package api_test

import (
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/api"
)

// zeros is an endless body that holds no memory.
type zeros struct{ left int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), z.left)
	clear(p[:n])
	z.left -= n
	return int(n), nil
}

const hugeBody = 512 << 20

// send posts a 512 MiB body, declared (Content-Length) or streamed
// (chunked), and returns the answer's status and msg.
func sendHuge(t *testing.T, srv *api.TestServer, method, path, contentType string, declared bool, headers ...string) answer {
	t.Helper()
	var body io.Reader = &zeros{left: hugeBody}
	if !declared {
		body = io.NopCloser(body) // hides the length: sent chunked
	}
	req, err := http.NewRequest(method, srv.URL+path, body)
	require.NoError(t, err)
	if declared {
		req.ContentLength = hugeBody
	}
	return send(t, req, append([]string{ctHeader, contentType}, headers...)...)
}

// allocated measures the bytes allocated while f runs, client and server
// together.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHugeBodiesAreRefusedCheaply: a 512 MiB body is answered at once, with
// 401 when no key comes with it and 413 when one does, and the whole
// exchange allocates under 10 MiB: the body is never held in memory.
func TestHugeBodiesAreRefusedCheaply(t *testing.T) {
	// Not parallel: it measures the process\'s allocations.
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	cases := []struct {
		name, method, path, contentType string
		key                             bool
		status                          int
		msg                             string
	}{
		{"create, no key", "POST", "/tokens", formType, false, 413, "Request Entity Too Large"}, // credentials may be in the body
		{"bulk, no key", "DELETE", "/tokens", bulkType, false, 401, "Provided credentials are missing or invalid"},
		{"sudo, no key", "POST", "/sudo", formType, false, 401, "Provided credentials are missing or invalid"},
		{"create, key", "POST", "/tokens", formType, true, 413, "Request Entity Too Large"},
		{"bulk, key", "DELETE", "/tokens", bulkType, true, 413, "Request Entity Too Large"},
		{"sudo, key", "POST", "/sudo", formType, true, 413, "Request Entity Too Large"},
	}
	for _, tc := range cases {
		for _, declared := range []bool{true, false} {
			var headers []string
			if tc.key {
				headers = []string{keyHeader, user.Token}
			}
			var a answer
			began := time.Now()
			used := allocated(func() { a = sendHuge(t, srv, tc.method, tc.path, tc.contentType, declared, headers...) })
			expectMsg(t, a, tc.status, tc.msg)
			assert.Less(t, used, uint64(10<<20), "%s (declared %t): allocated %d bytes", tc.name, declared, used)
			assert.Less(t, time.Since(began), 20*time.Second, tc.name)
		}
	}
	// The refused requests did nothing.
	assert.Equal(t, 200, call(t, srv, "GET", "/tokens/self", "", keyHeader, user.Token).status)
}

// TestBodyCapIsExact: a body of exactly MaxBodyBytes is read (and judged on
// its content); one byte more is 413.
func TestBodyCapIsExact(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	name := "name=" + strings.Repeat("a", api.MaxBodyBytes-len("name="))
	sudoOn(t, srv, user, user.Token)
	a := call(t, srv, "POST", "/tokens", name, keyHeader, user.Token, ctHeader, formType)
	assert.Equal(t, 200, a.status, "a body at the cap is read")
	a = call(t, srv, "POST", "/tokens", name+"a", keyHeader, user.Token, ctHeader, formType)
	expectMsg(t, a, 413, "Request Entity Too Large")
}

// TestBulkSizeLimits: a bulk revoke names 1 to MaxBulkIDs tokens.
func TestBulkSizeLimits(t *testing.T) {
	t.Parallel()
	srv, _ := start(t)
	user := srv.Account(api.RoleUser)
	many := make([]string, api.MaxBulkIDs+1)
	for i := range many {
		many[i] = noSuchID
	}
	a := call(t, srv, "DELETE", "/tokens", bulk(many...), keyHeader, user.Token, ctHeader, bulkType)
	expectMsg(t, a, 400, "Bad request")
	assert.Contains(t, decode(t, a)["detail"], "1 to 1000 tokens")
	a = call(t, srv, "DELETE", "/tokens", bulk(many[:api.MaxBulkIDs]...), keyHeader, user.Token, ctHeader, bulkType)
	expectMsg(t, a, 404, "Token lookup failed")
	a = call(t, srv, "DELETE", "/tokens", `{"data":[]}`, keyHeader, user.Token, ctHeader, bulkType)
	expectMsg(t, a, 400, "Bad request")
}

// TestTokenLimits: past WithMaxTokens live tokens, or MaxTokensPerUser for
// one user, create answers 422 with a JSON error and mints nothing; a
// revoke makes room again.
func TestTokenLimits(t *testing.T) {
	t.Parallel()
	srv, _ := start(t, api.WithMaxTokens(12)) // SeedDemo holds 9
	user := srv.Account(api.RoleUser)
	create := func() answer {
		return call(t, srv, "POST", "/tokens", form("name", "x", "username", user.Login, "password", user.Password), ctHeader, formType)
	}
	var made []string
	for range 3 {
		a := create()
		require.Equal(t, 200, a.status, a.body)
		made = append(made, decode(t, a)["id"].(string))
	}
	before := call(t, srv, "GET", "/tokens", "", keyHeader, user.Token).body
	expect(t, create(), 422, `{"msg":"Unprocessable Entity","detail":"the server holds 12 live tokens, the most it allows: revoke some first"}`)
	assert.Equal(t, before, call(t, srv, "GET", "/tokens", "", keyHeader, user.Token).body, "nothing minted")
	_, _, err := srv.AddToken(api.TokenSpec{UserID: user.UserID, Name: "seeded"})
	require.ErrorContains(t, err, "the most it allows")
	require.Equal(t, 204, call(t, srv, "DELETE", "/tokens/"+made[0], "", keyHeader, user.Token).status)
	require.Equal(t, 200, create().status, "a revoke makes room")

	// One user's limit, with room left on the server.
	srv, _ = start(t)
	user = srv.Account(api.RoleUser)
	for range api.MaxTokensPerUser - 2 { // the user's two demo keys count
		_, _, err := srv.AddToken(api.TokenSpec{UserID: user.UserID, Name: "seeded"})
		require.NoError(t, err)
	}
	a := call(t, srv, "POST", "/tokens", form("name", "x", "username", user.Login, "password", user.Password), ctHeader, formType)
	expect(t, a, 422, `{"msg":"Unprocessable Entity","detail":"the user has 1000 live tokens, the most one user may hold: revoke some first"}`)
	other := srv.Account(api.RoleSuperuser)
	assert.Equal(t, 200, call(t, srv, "POST", "/tokens", form("name", "x", "username", other.Login, "password", other.Password), ctHeader, formType).status,
		"other users are not limited by this one")
	require.Equal(t, 204, call(t, srv, "DELETE", "/tokens/self", "", keyHeader, user.ReadOnlyToken).status)
	assert.Equal(t, 200, call(t, srv, "POST", "/tokens", form("name", "x", "username", user.Login, "password", user.Password), ctHeader, formType).status)
}
