package wrapper

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/gen"
	"github.com/tokenward/fastlytokens/openapi"
)

// validateAgainstContract checks a request the wrapper would send (method,
// path, Content-Type, body) against the contract's request schema.
func validateAgainstContract(t *testing.T, method, path, contentType string, body []byte) {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openapi.Spec)
	require.NoError(t, err)
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	req, err := http.NewRequest(method, "https://api.fastly.com"+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	route, params, err := router.FindRoute(req)
	require.NoError(t, err)
	err = openapi3filter.ValidateRequest(t.Context(), &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	})
	require.NoError(t, err, "%s %s %s", method, path, body)
}

// TestBulkBodyIsContractShaped: the hand-written bulk encoder's bytes decode
// into gen's bulk request type and validate against the contract.
func TestBulkBodyIsContractShaped(t *testing.T) {
	body, err := encodeBulkRevoke([]string{"2j1hEyxXOEqYaSipeZHaW4", "5NSGsvF9ybBxXAdEQhcYPz", "2j1hEyxXOEqYaSipeZHaW4"})
	require.NoError(t, err)
	assert.Equal(t, `{"data":[{"type":"token","id":"2j1hEyxXOEqYaSipeZHaW4"},{"type":"token","id":"5NSGsvF9ybBxXAdEQhcYPz"}]}`, string(body))
	var typed gen.BulkRevokeRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&typed))
	require.Len(t, typed.Data, 2)
	assert.Equal(t, gen.TokenReferenceTypeToken, typed.Data[1].Type)
	assert.Equal(t, "5NSGsvF9ybBxXAdEQhcYPz", typed.Data[1].Id)
	validateAgainstContract(t, "DELETE", "/tokens", bulkMediaType, body)
}

// TestCreateFormIsContractShaped: the create form, every field set, is what
// the contract's form schema takes.
func TestCreateFormIsContractShaped(t *testing.T) {
	in := CreateInput{Name: "ci deploy", Scopes: []Scope{ScopePurgeSelect, ScopePurgeAll}, Services: []string{"svcA", "svcB"},
		ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Username: "me@example.com", Password: "p&ss=w rd"}
	form := encodeCreateForm(&in)
	assert.Equal(t, "expires_at=2030-01-02T03%3A04%3A05Z&name=ci+deploy&password=p%26ss%3Dw+rd&scope=purge_select+purge_all"+
		"&services%5B%5D=svcA&services%5B%5D=svcB&username=me%40example.com", form)
	values, err := url.ParseQuery(form)
	require.NoError(t, err)
	assert.Equal(t, []string{"svcA", "svcB"}, values["services[]"])
	validateAgainstContract(t, "POST", "/tokens", formMediaType, []byte(form))
}

// TestSudoGoldenForm: the sudo form's exact bytes, and the contract takes it.
func TestSudoGoldenForm(t *testing.T) {
	form := encodeSudoForm(&SudoInput{Username: "me@example.com", Password: "p&ss=w rd"})
	assert.Equal(t, "password=p%26ss%3Dw+rd&username=me%40example.com", form)
	validateAgainstContract(t, "POST", "/sudo", formMediaType, []byte(form))
	expiry := time.Date(2026, 11, 30, 12, 5, 0, 0, time.FixedZone("CET", 3600))
	withExpiry := encodeSudoForm(&SudoInput{Username: "u", Password: "p", ExpiryTime: expiry})
	assert.Equal(t, "expiry_time=2026-11-30T11%3A05%3A00Z&password=p&username=u", withExpiry, "expiry_time in UTC, sorted first")
	validateAgainstContract(t, "POST", "/sudo", formMediaType, []byte(withExpiry))
}

// TestSudoNeedsUsernameAndPassword: Fastly requires both; either missing is
// refused before any request.
func TestSudoNeedsUsernameAndPassword(t *testing.T) {
	for _, in := range []SudoInput{{Password: "p"}, {Username: "u"}, {}} {
		err := checkSudoInput(&in)
		require.ErrorIs(t, err, ErrInvalidInput)
		assert.Contains(t, err.Error(), "username and the password")
	}
	require.NoError(t, checkSudoInput(&SudoInput{Username: "u", Password: "p"}))
}

// TestTokenJSONRoundTrip: a Token marshals with Fastly's snake_case names,
// omits zero times and empty values, and decodes back into an equal Token.
func TestTokenJSONRoundTrip(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	full := Token{ID: "abc", Name: "n", UserID: "u", CustomerID: "c", Scopes: []Scope{ScopeGlobal}, Services: []string{"s"},
		CreatedAt: at, UpdatedAt: at.Add(1), LastUsedAt: at.Add(2), ExpiresAt: at.Add(3), SudoExpiresAt: at.Add(4),
		DeletedAt: at.Add(5), IP: "127.0.0.1", UserAgent: "ua"}
	for _, tok := range []Token{full, {ID: "only"}} {
		b, err := json.Marshal(tok)
		require.NoError(t, err)
		var back Token
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, tok, back, string(b))
	}
	b, err := json.Marshal(Token{ID: "only", Scopes: []Scope{}})
	require.NoError(t, err)
	assert.Equal(t, `{"id":"only"}`, string(b), "zero times and empty values are left out")
	b, err = json.Marshal(full)
	require.NoError(t, err)
	assert.Equal(t, `{"id":"abc","name":"n","user_id":"u","customer_id":"c","scopes":["global"],"services":["s"],`+
		`"created_at":"2030-01-02T03:04:05Z","updated_at":"2030-01-02T03:04:05.000000001Z","last_used_at":"2030-01-02T03:04:05.000000002Z",`+
		`"expires_at":"2030-01-02T03:04:05.000000003Z","sudo_expires_at":"2030-01-02T03:04:05.000000004Z",`+
		`"deleted_at":"2030-01-02T03:04:05.000000005Z","ip":"127.0.0.1","user_agent":"ua"}`, string(b))
}

// TestCreatedTokenJSONRedactsTheSecret: the created token's JSON is the
// token's JSON plus a redacted access_token, and decodes back to the token.
func TestCreatedTokenJSONRedactsTheSecret(t *testing.T) {
	created := CreatedToken{Token: Token{ID: "abc", Name: "n"}, AccessToken: "s3cret-access-token-value-xyz012"}
	b, err := json.Marshal(created)
	require.NoError(t, err)
	assert.Equal(t, `{"id":"abc","name":"n","access_token":"[REDACTED]"}`, string(b))
	var back CreatedToken
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, created.Token, back.Token)
	assert.NotContains(t, string(b), created.AccessToken)
}

// TestBaseURLIsKeptExactly: requests go to the base URL exactly as given,
// percent-encoded segments included; a URL that would be rewritten is
// refused by New.
func TestBaseURLIsKeptExactly(t *testing.T) {
	var got []string
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.RequestURI)
		w.WriteHeader(http.StatusNoContent)
	})
	for _, base := range []string{"/api%2Fv1/x%41y", "/a~b/c!d$e", "/p%25q/", "/%E2%82%AC/", "/%7e"} {
		got = nil
		c, err := New(WithBaseURL(srv+base), WithToken("k3y-for-the-test"))
		require.NoError(t, err, base)
		require.NoError(t, c.Revoke(t.Context(), "abc"))
		require.NoError(t, c.RevokeMany(t.Context(), "abc"))
		prefix := strings.TrimSuffix(base, "/")
		assert.Equal(t, []string{"DELETE " + prefix + "/tokens/abc", "DELETE " + prefix + "/tokens"}, got, base)
	}
	for _, base := range []string{"/a b/", "/a/../b", "/./x", "/é/", "HTTP://127.0.0.1:1/"} {
		target := srv + base
		if strings.HasPrefix(base, "HTTP") {
			target = base
		}
		_, err := New(WithBaseURL(target))
		require.ErrorIs(t, err, ErrInvalidInput, base)
	}
}

// TestBulkBodyDropsRepeats: repeats are sent once, in first-seen order.
func TestBulkBodyDropsRepeats(t *testing.T) {
	body, err := encodeBulkRevoke([]string{"a", "b", "c", "a", "b", "d"})
	assert.NoError(t, err)
	assert.Equal(t, `{"data":[{"type":"token","id":"a"},{"type":"token","id":"b"},{"type":"token","id":"c"},{"type":"token","id":"d"}]}`, string(body))
}
