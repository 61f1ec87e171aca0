package gen

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeShapes(t *testing.T) {
	want := time.Date(2021, 1, 14, 11, 47, 46, 0, time.UTC)
	cases := map[string]time.Time{
		`"2021-01-14T11:47:46Z"`:           want,
		`"2021-01-14T11:47:46.000Z"`:       want,
		`"2021-01-14T11:47:46+00:00"`:      want,
		`"2021-01-14T12:47:46+01:00"`:      want,
		`"2021-01-14T11:47:46.5Z"`:         want.Add(500 * time.Millisecond),
		`"2021-01-14T11:47:46+0000"`:       want,
		`"2021-01-14 11:47:46"`:            want,
		`null`:                             {},
		`""`:                               {},
		`"never"`:                          {},
		`12345`:                            {},
		`"2021-13-45T99:99:99Z"`:           {},
		`"2021-01-14T11:47:46.123456789Z"`: want.Add(123456789),
	}
	for in, expected := range cases {
		var w Time
		require.NoError(t, w.UnmarshalJSON([]byte(in)), in)
		assert.True(t, expected.Equal(w.Time), "%s: got %v", in, w.Time)
		if !expected.IsZero() {
			assert.Equal(t, time.UTC, w.Time.Location(), in)
		}
	}
}

func TestScopesShapes(t *testing.T) {
	cases := map[string][]string{
		`["global"]`:                 {"global"},
		`[ "global" , "purge_all" ]`: {"global", "purge_all"},
		`[]`:                         {},
		`"global:read"`:              {"global:read"},
		`"global global:read"`:       {"global", "global:read"},
		`["glo\"bal"]`:               {`glo"bal`},
		`["future_scope"]`:           {"future_scope"},
		`null`:                       nil,
		`42`:                         nil,
		`{"a":1}`:                    nil,
	}
	for in, expected := range cases {
		var s Scopes
		require.NoError(t, s.UnmarshalJSON([]byte(in)), in)
		assert.Equal(t, expected, []string(s), in)
	}
}

func TestTimeEncodesNullForZero(t *testing.T) {
	b, err := json.Marshal(Time{})
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
	b, err = json.Marshal(Time{time.Date(2021, 1, 14, 12, 47, 46, 0, time.FixedZone("x", 3600))})
	require.NoError(t, err)
	assert.Equal(t, `"2021-01-14T11:47:46Z"`, string(b))
}

func TestNullableString(t *testing.T) {
	for in, want := range map[string]NullableString{`"a\"b"`: `a"b`, `null`: "", `false`: "", `["x"]`: "", `12`: "", `""`: ""} {
		var s NullableString
		require.NoError(t, json.Unmarshal([]byte(in), &s), in)
		assert.Equal(t, want, s, in)
	}
	b, err := json.Marshal(struct {
		A NullableString `json:"a"`
		B NullableString `json:"b"`
	}{A: "", B: "x"})
	require.NoError(t, err)
	assert.Equal(t, `{"a":null,"b":"x"}`, string(b))
}

// TestTokenRendersLikeFastly: a token with no optional values renders the
// nulls Fastly sends, and keeps its scopes and services when set.
func TestTokenRendersLikeFastly(t *testing.T) {
	b, err := json.Marshal(Token{Id: "abc", Services: []string{}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"abc","created_at":null,"deleted_at":null,"expires_at":null,"ip":null,
		"last_used_at":null,"service_id":null,"services":[],"sudo_expires_at":null,"updated_at":null,"user_agent":null}`, string(b))
}
