package openapi_test

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/tokenward/fastlytokens/openapi"
)

// loadContract parses and validates the embedded contract.
func loadContract(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapi.Spec)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(t.Context()))
	return doc
}

func TestContractDeclaresEveryOperation(t *testing.T) {
	doc := loadContract(t)
	want := map[string]string{
		"list-tokens-user":     "GET /tokens",
		"list-tokens-customer": "GET /customer/{customer_id}/tokens",
		"get-token-current":    "GET /tokens/self",
		"get-token":            "GET /tokens/{token_id}",
		"create-token":         "POST /tokens",
		"revoke-token":         "DELETE /tokens/{token_id}",
		"revoke-token-current": "DELETE /tokens/self",
		"bulk-revoke-tokens":   "DELETE /tokens",
		"request-sudo":         "POST /sudo",
	}
	got := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			got[op.OperationID] = method + " " + path
		}
	}
	require.Equal(t, want, got)
}

// TestContractWireDetails guards what oasdiff does not see: the exact bulk
// media type, the create form's services[] key and the security schemes.
func TestContractWireDetails(t *testing.T) {
	doc := loadContract(t)
	tokens := doc.Paths.Value("/tokens")

	bulk := tokens.Delete.RequestBody.Value.Content
	require.Len(t, bulk, 1)
	require.NotNil(t, bulk["application/vnd.api+json; ext=bulk"], "bulk revoke media type must be exact")
	require.Equal(t, uint64(1), bulk["application/vnd.api+json; ext=bulk"].Schema.Value.Properties["data"].Value.MinItems)

	create := tokens.Post
	form := create.RequestBody.Value.Content["application/x-www-form-urlencoded"]
	require.NotNil(t, form)
	props := form.Schema.Value.Properties
	for _, name := range []string{"name", "scope", "services[]", "expires_at", "username", "password"} {
		require.Contains(t, props, name)
	}
	require.NotContains(t, props, "services", "Fastly ignores a plain services key")
	require.True(t, props["scope"].Value.Type.Is("string"))
	require.Empty(t, props["scope"].Value.Enum, "scope is one space-delimited field, not an enum")
	require.Contains(t, create.Responses.Map(), "200")
	require.NotContains(t, create.Responses.Map(), "201")
	require.NotNil(t, create.Parameters.GetByInAndName("header", "Fastly-OTP"))
	require.Equal(t, openapi3.SecurityRequirements{
		{"token": {}}, {"username_and_password": {}}, {},
	}, *create.Security)

	schemes := doc.Components.SecuritySchemes
	require.Equal(t, "apiKey", schemes["token"].Value.Type)
	require.Equal(t, "Fastly-Key", schemes["token"].Value.Name)
	require.Equal(t, "http", schemes["username_and_password"].Value.Type)
	require.Equal(t, "basic", schemes["username_and_password"].Value.Scheme)

	token := doc.Components.Schemas["token"].Value
	for _, name := range []string{"expires_at", "last_used_at", "ip", "user_agent", "sudo_expires_at", "service_id", "services", "created_at", "updated_at", "deleted_at"} {
		field := token.Properties[name].Value
		require.True(t, field.Nullable, "%s is null on the wire", name)
	}
	require.Empty(t, token.Properties["scope"].Value.Enum)
}

// TestContractHasNoDuplicateKeys: a repeated key (two "400" responses, say)
// silently drops one of them in some loaders; a strict YAML parser refuses it.
func TestContractHasNoDuplicateKeys(t *testing.T) {
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(openapi.Spec, &doc))
}
