package wrapper

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/gen"
)

// TestListToleratesOddTokens: one token with unexpected values (a number for
// a name, an object for services, a timestamp that is no time) leaves those
// fields zero and fails nothing; unknown fields are ignored.
func TestListToleratesOddTokens(t *testing.T) {
	body := `[
	 {"id":"good1","name":"ok","scopes":["global"],"scope":"global","created_at":"2021-01-14T11:47:46Z","brand_new_field":{"x":[1,2]}},
	 {"id":"odd","name":42,"services":{"a":"b"},"expires_at":"soon","scopes":"global global:read","ip":false,"user_agent":["x"]},
	 {"id":"good2","scope":"global purge_select","customer_id":"C1"}
	]`
	var wire []gen.Token
	require.NoError(t, decodeLenient([]byte(body), '[', &wire))
	tokens := tokensOf(wire)
	require.Len(t, tokens, 3)
	assert.Equal(t, "ok", tokens[0].Name)
	assert.Equal(t, []Scope{ScopeGlobal}, tokens[0].Scopes)
	assert.Equal(t, "odd", tokens[1].ID)
	assert.Empty(t, tokens[1].Name)
	assert.Empty(t, tokens[1].Services)
	assert.True(t, tokens[1].ExpiresAt.IsZero())
	assert.Equal(t, []Scope{ScopeGlobal, ScopeGlobalRead}, tokens[1].Scopes)
	assert.Equal(t, []Scope{ScopeGlobal, ScopePurgeSelect}, tokens[2].Scopes)
	assert.Equal(t, "C1", tokens[2].CustomerID)
}

func TestDecodeRefusesWrongShapes(t *testing.T) {
	var list []gen.Token
	require.Error(t, decodeLenient([]byte(`{"id":"x"}`), '[', &list))
	require.Error(t, decodeLenient([]byte(`[{"id":"x"`), '[', &list))
	require.Error(t, decodeLenient([]byte(``), '[', &list))
	require.Error(t, decodeLenient([]byte(`<html>`), '{', &gen.Token{}))
}

// TestRecordedBodiesDecode decodes every real response body recorded from
// api.fastly.com for the token endpoints and compares it field by field with
// a plain generic decode.
func TestRecordedBodiesDecode(t *testing.T) {
	files, _ := filepath.Glob("../../shared/recordings/*.json")
	if len(files) == 0 {
		t.Skip("no recordings: ../shared/recordings is not beside this checkout")
	}
	decoded := 0
	for _, file := range files {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		var rec struct {
			Request  struct{ Method, URL string }
			Response struct {
				Code int
				Body string
			}
		}
		require.NoError(t, json.Unmarshal(raw, &rec))
		body := []byte(rec.Response.Body)
		if rec.Response.Code != http.StatusOK || len(body) == 0 {
			continue
		}
		var generic any
		require.NoError(t, json.Unmarshal(body, &generic))
		switch {
		case strings.HasSuffix(rec.Request.URL, "/sudo"):
			var s gen.SudoResponse
			require.NoError(t, decodeLenient(body, '{', &s), file)
			assert.False(t, s.ExpiryTime.IsZero(), file)
		case strings.Contains(rec.Request.URL, "automation-tokens"):
			var page struct{ Data []gen.Token }
			require.NoError(t, decodeLenient(body, '{', &page), file)
			for i, item := range generic.(map[string]any)["data"].([]any) {
				compareToken(t, file, item.(map[string]any), tokenOf(&page.Data[i]))
			}
		case rec.Request.Method == "POST":
			var c gen.CreatedToken
			require.NoError(t, decodeLenient(body, '{', &c), file)
			compareToken(t, file, generic.(map[string]any), tokenOf(&c.Token))
			assert.Equal(t, generic.(map[string]any)["access_token"], c.AccessToken, file)
		case body[0] == '[':
			var list []gen.Token
			require.NoError(t, decodeLenient(body, '[', &list), file)
			for i, item := range generic.([]any) {
				compareToken(t, file, item.(map[string]any), tokenOf(&list[i]))
			}
		default:
			var one gen.Token
			require.NoError(t, decodeLenient(body, '{', &one), file)
			compareToken(t, file, generic.(map[string]any), tokenOf(&one))
		}
		decoded++
	}
	assert.GreaterOrEqual(t, decoded, 15)
}

func compareToken(t *testing.T, file string, want map[string]any, got Token) {
	t.Helper()
	str := func(k string) string { s, _ := want[k].(string); return s }
	assert.Equal(t, str("id"), got.ID, file)
	assert.Equal(t, str("name"), got.Name, file)
	assert.Equal(t, str("user_id"), got.UserID, file)
	assert.Equal(t, str("customer_id"), got.CustomerID, file)
	assert.Equal(t, str("ip"), got.IP, file)
	assert.Equal(t, str("user_agent"), got.UserAgent, file)
	for key, field := range map[string]time.Time{"created_at": got.CreatedAt, "updated_at": got.UpdatedAt,
		"last_used_at": got.LastUsedAt, "expires_at": got.ExpiresAt, "sudo_expires_at": got.SudoExpiresAt} {
		if s := str(key); s != "" {
			at, err := time.Parse(time.RFC3339, s)
			require.NoError(t, err)
			assert.True(t, at.Equal(field), "%s %s", file, key)
		} else {
			assert.True(t, field.IsZero(), "%s %s", file, key)
		}
	}
	services, _ := want["services"].([]any)
	assert.Len(t, got.Services, len(services), file)
	assert.NotEmpty(t, got.Scopes, file)
}

// TestUnexpectedShapeSaysWhich: the error names the shape expected.
func TestUnexpectedShapeSaysWhich(t *testing.T) {
	assert.Equal(t, "expected a JSON array", errUnexpectedShape('[').Error())
	assert.Equal(t, "expected a JSON object", errUnexpectedShape('{').Error())
}
