package wrapper

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/tokenward/fastlytokens/openapi"
)

// The drift test: every property of every response schema of the contract
// reaches users through a public type, or is listed below, with a reason, as
// deliberately not exposed; every operation has exactly one route and one
// Client method. Changing the contract without changing the wrapper fails
// here, by name.

// notExposed lists the contract properties the public types leave out on
// purpose, as "schema.property": why.
var notExposed = map[string]string{
	"token.service_id": "deprecated single-service field: the last of services, which Token.Services holds whole",
	"token.scope":      "the space-delimited form of scopes: Token.Scopes holds it when scopes is absent",
	// created_token is token plus access_token (allOf): the same reasons.
	"created_token.service_id": "as token.service_id",
	"created_token.scope":      "as token.scope",
}

// exposedElsewhere maps the properties of response schemas that no JSON
// tagged public type carries to the Go field (type.Field) that holds them.
var exposedElsewhere = map[string]string{
	"sudo_response.expiry_time":  "the time.Time Client.Sudo returns",
	"generic_token_error.msg":    "APIError.Message",
	"generic_token_error.detail": "APIError.Detail",
	"create_token_error.msg":     "APIError.Message",
	"create_token_error.detail":  "APIError.Detail",
	"create_token_error.code":    "APIError.Code",
}

// publicTypes are the JSON-tagged public types of the token schemas.
var publicTypes = map[string]reflect.Type{
	"token":         reflect.TypeFor[Token](),
	"created_token": reflect.TypeFor[CreatedToken](),
}

// jsonNames lists the JSON names of t's fields, embedded structs included.
func jsonNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		field := t.Field(i)
		if field.Anonymous {
			names = append(names, jsonNames(field.Type)...)
			continue
		}
		name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

// schemaProperties flattens a schema's properties, through allOf.
func schemaProperties(s *openapi3.Schema) []string {
	var props []string
	for name := range s.Properties {
		props = append(props, name)
	}
	for _, part := range s.AllOf {
		props = append(props, schemaProperties(part.Value)...)
	}
	sort.Strings(props)
	return slices.Compact(props)
}

// responseSchemas names every schema a response body of the contract uses
// (array items resolved to their element schema).
func responseSchemas(doc *openapi3.T) map[string]*openapi3.Schema {
	byValue := map[*openapi3.Schema]string{}
	for name, ref := range doc.Components.Schemas {
		byValue[ref.Value] = name
	}
	out := map[string]*openapi3.Schema{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, resp := range op.Responses.Map() {
				for _, media := range resp.Value.Content {
					s := media.Schema.Value
					if s.Type.Is("array") && s.Items != nil {
						s = s.Items.Value
					}
					if name, ok := byValue[s]; ok {
						out[name] = s
					} else {
						out["(inline in "+op.OperationID+")"] = s
					}
				}
			}
		}
	}
	return out
}

// checkConformance returns every mismatch between the contract spec and the
// wrapper, each naming the property or operation.
func checkConformance(spec []byte) []string {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return []string{"contract does not load: " + err.Error()}
	}
	var problems []string
	seen := map[string]bool{}
	for name, schema := range responseSchemas(doc) {
		props := schemaProperties(schema)
		public, hasType := publicTypes[name]
		var names []string
		if hasType {
			names = jsonNames(public)
		}
		for _, prop := range props {
			key := name + "." + prop
			seen[key] = true
			_, skipped := notExposed[key]
			_, elsewhere := exposedElsewhere[key]
			if !slices.Contains(names, prop) && !skipped && !elsewhere {
				problems = append(problems, fmt.Sprintf("contract property %s is not exposed by the wrapper (add it to the public type, or to notExposed with a reason)", key))
			}
		}
		for _, jsonName := range names {
			if !slices.Contains(props, jsonName) {
				problems = append(problems, fmt.Sprintf("public field %s of %s is not a property of the contract's %s schema", jsonName, public, name))
			}
		}
	}
	for _, table := range []map[string]string{notExposed, exposedElsewhere} {
		for key := range table {
			if !seen[key] {
				problems = append(problems, "listed property "+key+" is not in the contract")
			}
		}
	}
	return append(problems, checkOperations(doc)...)
}

// checkOperations: every operation of the contract has exactly one route
// (with the contract's method and path) and the route table nothing else.
func checkOperations(doc *openapi3.T) []string {
	contract := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			contract[op.OperationID] = method + " " + templateOf(path)
		}
	}
	var problems []string
	routed := map[string]int{}
	for _, spec := range operations {
		routed[spec.operationID]++
		req, err := spec.build("https://h.example/")
		if err != nil {
			problems = append(problems, spec.operationID+": "+err.Error())
			continue
		}
		got := req.Method + " " + templateOf(req.URL.EscapedPath())
		if want, ok := contract[spec.operationID]; !ok {
			problems = append(problems, "route "+spec.operationID+" is not an operation of the contract")
		} else if got != want {
			problems = append(problems, fmt.Sprintf("route %s is %s, the contract says %s", spec.operationID, got, want))
		}
	}
	for id := range contract {
		if routed[id] != 1 {
			problems = append(problems, fmt.Sprintf("operation %s has %d routes, want 1", id, routed[id]))
		}
	}
	return problems
}

var placeholder = regexp.MustCompile(`\{[^}]+\}|` + sentinel)

// templateOf writes every path parameter as {}.
func templateOf(path string) string { return placeholder.ReplaceAllString(path, "{}") }

func TestContractConformance(t *testing.T) {
	assert.Empty(t, checkConformance(openapi.Spec))
}

// TestConformanceCatchesDrift edits a copy of the contract as a maintainer
// would and sees the check fail, naming the property.
func TestConformanceCatchesDrift(t *testing.T) {
	edit := func(t *testing.T, change func(props *yaml.Node)) []byte {
		t.Helper()
		var root yaml.Node
		require.NoError(t, yaml.Unmarshal(openapi.Spec, &root))
		change(lookup(t, &root, "components", "schemas", "token", "properties"))
		out, err := yaml.Marshal(&root)
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "tokens.yaml")
		require.NoError(t, os.WriteFile(path, out, 0o600))
		copied, err := os.ReadFile(path)
		require.NoError(t, err)
		return copied
	}
	t.Run("added property", func(t *testing.T) {
		spec := edit(t, func(props *yaml.Node) {
			props.Content = append(props.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Value: "rotated_at"},
				&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
					{Kind: yaml.ScalarNode, Value: "type"}, {Kind: yaml.ScalarNode, Value: "string"}}})
		})
		problems := strings.Join(checkConformance(spec), "\n")
		assert.Contains(t, problems, "contract property token.rotated_at is not exposed")
	})
	t.Run("renamed customer_id", func(t *testing.T) {
		spec := edit(t, func(props *yaml.Node) {
			for i := 0; i < len(props.Content); i += 2 {
				if props.Content[i].Value == "customer_id" {
					props.Content[i].Value = "customer"
				}
			}
		})
		problems := strings.Join(checkConformance(spec), "\n")
		assert.Contains(t, problems, "contract property token.customer is not exposed")
		assert.Contains(t, problems, "public field customer_id of wrapper.Token is not a property")
	})
	t.Run("operation without a route", func(t *testing.T) {
		var root yaml.Node
		require.NoError(t, yaml.Unmarshal(openapi.Spec, &root))
		op := lookup(t, &root, "paths", "/sudo", "post")
		for i := 0; i < len(op.Content); i += 2 {
			if op.Content[i].Value == "operationId" {
				op.Content[i+1].Value = "enter-sudo"
			}
		}
		spec, err := yaml.Marshal(&root)
		require.NoError(t, err)
		problems := strings.Join(checkConformance(spec), "\n")
		assert.Contains(t, problems, "route request-sudo is not an operation of the contract")
		assert.Contains(t, problems, "operation enter-sudo has 0 routes")
	})
}

func lookup(t *testing.T, node *yaml.Node, keys ...string) *yaml.Node {
	t.Helper()
	if node.Kind == yaml.DocumentNode {
		node = node.Content[0]
	}
	for _, key := range keys {
		found := false
		for i := 0; i+1 < len(node.Content); i += 2 {
			if node.Content[i].Value == key {
				node, found = node.Content[i+1], true
				break
			}
		}
		require.True(t, found, "no %s in the contract", key)
	}
	return node
}

// TestEveryOperationHasOneMethod: each exported Client method that calls
// Fastly names its operation in its doc comment ("Fastly API: METHOD PATH
// (operationId)"); every route has exactly one such method, and method and
// path match the route.
func TestEveryOperationHasOneMethod(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	line := regexp.MustCompile(`Fastly API: (\w+) (\S+) \(([\w-]+)\)`)
	methods := map[string][]string{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || fn.Doc == nil {
				continue
			}
			if m := line.FindStringSubmatch(fn.Doc.Text()); m != nil {
				methods[m[3]] = append(methods[m[3]], fn.Name.Name+": "+m[1]+" "+templateOf(m[2]))
			}
		}
	}
	c, err := New(WithBaseURL("https://h.example"))
	require.NoError(t, err)
	for _, r := range c.routes {
		require.Len(t, methods[r.operationID], 1, "Client methods for %s: %v", r.operationID, methods[r.operationID])
		_, doc, _ := strings.Cut(methods[r.operationID][0], ": ")
		ids := make([]string, r.params())
		for i := range ids {
			ids[i] = sentinel
		}
		assert.Equal(t, r.method+" "+templateOf(r.path(ids)), doc, r.operationID)
	}
	assert.Len(t, methods, len(c.routes))
}

// TestEveryTokenPropertyReachesUsers serves a token with a distinct value in
// every property the contract gives it and checks each exposed one arrives
// in the public Token unchanged: a mapping that forgets a field fails here.
func TestEveryTokenPropertyReachesUsers(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openapi.Spec)
	require.NoError(t, err)
	schema := doc.Components.Schemas["token"].Value
	sample := map[string]any{}
	for i, prop := range schemaProperties(schema) {
		s := schema.Properties[prop].Value
		switch {
		case s.Format == "date-time":
			sample[prop] = fmt.Sprintf("2030-01-%02dT10:00:00Z", i+1)
		case s.Type.Is("array"), len(s.OneOf) > 0:
			sample[prop] = []any{"v" + strings.ReplaceAll(prop, "_", "")}
		default:
			sample[prop] = "v" + strings.ReplaceAll(prop, "_", "")
		}
	}
	body := marshalJSON(t, sample)
	srv := newTestServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	c, err := New(WithBaseURL(srv), WithToken("k3y-for-the-test"))
	require.NoError(t, err)
	got, err := c.Get(t.Context(), "abc")
	require.NoError(t, err)
	var public map[string]any
	require.NoError(t, json.Unmarshal(marshalJSON(t, got), &public))
	for prop, want := range sample {
		if _, skipped := notExposed["token."+prop]; skipped {
			continue
		}
		assert.Equal(t, want, public[prop], "token.%s", prop)
	}
}

func newTestServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func marshalJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
