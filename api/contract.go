package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/tokenward/fastlytokens/openapi"
)

// contract checks requests (and, in tests, responses) against openapi/.
type contract struct {
	doc     *openapi3.T
	options *openapi3filter.Options
}

// loadContract parses and validates the contract once per process; every
// Server shares it (validation only reads it).
var loadContract = sync.OnceValues(parseContract)

func parseContract() (*contract, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapi.Spec)
	if err != nil {
		return nil, fmt.Errorf("api: loading the contract: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("api: the contract is invalid: %w", err)
	}
	// Authentication is the handlers' job: they answer 401/403 the way
	// Fastly does, not a validation error.
	return &contract{doc: doc, options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}}, nil
}

// route is the contract's operation operationID with its method and path
// template; it panics at start-up if the server serves something the
// contract does not declare.
func (c *contract) route(operationID string) *routers.Route {
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == operationID {
				return &routers.Route{Spec: c.doc, Path: path, PathItem: item, Method: method, Operation: op}
			}
		}
	}
	panic("api: the contract has no operation " + operationID)
}

// operationIDs lists every operation the contract declares.
func (c *contract) operationIDs() []string {
	var ids []string
	for _, item := range c.doc.Paths.Map() {
		for _, op := range item.Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	return ids
}

func (c *contract) input(r *http.Request, route *routers.Route) *openapi3filter.RequestValidationInput {
	params := map[string]string{}
	for _, p := range route.PathItem.Parameters {
		params[p.Value.Name] = r.PathValue(p.Value.Name)
	}
	return &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: c.options}
}

// validateRequest checks r; the body stays readable afterwards.
func (c *contract) validateRequest(r *http.Request, route *routers.Route) error {
	return openapi3filter.ValidateRequest(r.Context(), c.input(r, route))
}

// validateResponse checks a captured response to r.
func (c *contract) validateResponse(r *http.Request, route *routers.Route, rec *reply) error {
	err := openapi3filter.ValidateResponse(r.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: c.input(r, route),
		Status:                 rec.status,
		Header:                 rec.header,
		Body:                   io.NopCloser(bytes.NewReader(rec.body)),
		Options:                c.options,
	})
	if err != nil {
		return fmt.Errorf("api: %s %s answered %d outside the contract: %w", r.Method, r.URL.Path, rec.status, err)
	}
	return nil
}

// describe turns a validation error into one line that says what is wrong.
func describe(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 300 {
		msg = msg[:300]
	}
	return strings.TrimSpace(msg)
}
