package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/gen"
)

// TestEveryOperationHasOneHandler: the server serves exactly the contract's
// operations, one handler each, by operationId.
func TestEveryOperationHasOneHandler(t *testing.T) {
	s, err := New()
	require.NoError(t, err)
	var served []string
	for id := range operations {
		served = append(served, id)
	}
	assert.ElementsMatch(t, s.contract.operationIDs(), served)
}

// TestContractParsedOnce: every Server shares one parsed contract.
func TestContractParsedOnce(t *testing.T) {
	a, err := New()
	require.NoError(t, err)
	b, err := New()
	require.NoError(t, err)
	assert.Same(t, a.contract, b.contract)
}

// TestResponseCheckReportsDrift: a handler answering outside the contract (a
// token without its id, a status the operation does not declare) is
// reported, so the server cannot drift from the contract unnoticed.
func TestResponseCheckReportsDrift(t *testing.T) {
	var reported []error
	s, err := New(WithResponseCheck(func(err error) { reported = append(reported, err) }))
	require.NoError(t, err)
	_, key, err := s.seedKey()
	require.NoError(t, err)
	s.mux = http.NewServeMux()
	s.handle("get-token-current", operation{handle: func(x *exchange) { x.json(200, map[string]any{"name": 1}) }})
	s.handle("revoke-token-current", operation{handle: func(x *exchange) { x.json(418, errorBody("teapot", "")) }})
	s.handle("list-tokens-user", operation{handle: func(x *exchange) { x.json(200, []gen.Token{}) }})

	for _, method := range []string{"GET", "DELETE"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, "/tokens/self", nil)
		req.Header.Set("Fastly-Key", key)
		s.ServeHTTP(rec, req)
	}
	require.Len(t, reported, 2)
	assert.Contains(t, reported[0].Error(), "GET /tokens/self answered 200 outside the contract")
	assert.Contains(t, reported[1].Error(), "DELETE /tokens/self answered 418 outside the contract")

	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/tokens", nil)
	req.Header.Set("Fastly-Key", key)
	s.ServeHTTP(rec, req)
	assert.Len(t, reported, 2, "a response inside the contract is not reported")
	assert.Equal(t, "[]", rec.Body.String(), "the checked response still reaches the client")
}

// seedKey adds a customer, a user and a global key.
func (s *Server) seedKey() (userID, key string, err error) {
	userID, err = s.AddUser(UserSpec{Login: "u", Password: "p", CustomerID: s.AddCustomer()})
	if err != nil {
		return "", "", err
	}
	_, key, err = s.AddToken(TokenSpec{UserID: userID})
	return userID, key, err
}

// TestSecretsStoredOnlyAsHashes: after a create, no server state holds the
// access token itself.
func TestSecretsStoredOnlyAsHashes(t *testing.T) {
	s, err := New()
	require.NoError(t, err)
	accounts, err := s.SeedDemo()
	require.NoError(t, err)
	state := fmt.Sprintf("%+v %+v %+v", s.tokens, s.users, s.byHash)
	for _, a := range accounts {
		assert.NotContains(t, state, a.Token)
		if a.Role != RoleAutomation {
			assert.NotContains(t, state, a.ReadOnlyToken)
			assert.NotContains(t, state, a.Password)
		}
	}
	for _, tok := range s.tokens {
		assert.Equal(t, tok, s.byHash[tok.hash])
	}
	assert.False(t, strings.Contains(state, "access"))
}

// TestDescribe: a validation error is cut to its first line and 300 bytes.
func TestDescribe(t *testing.T) {
	assert.Equal(t, "first", describe(fmt.Errorf("first\nsecond")))
	assert.Equal(t, "", describe(fmt.Errorf("\nsecond")))
	long := strings.Repeat("x", 301)
	assert.Equal(t, long[:300], describe(fmt.Errorf("%s", long)))
	assert.Equal(t, "padded", describe(fmt.Errorf("  padded  ")))
}
