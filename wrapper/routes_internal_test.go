package wrapper

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRoutesTakeAnyNumberOfParameters: a path with two parameters is
// captured whole and filled in order; a call with the wrong number of ids
// is refused before any request.
func TestRoutesTakeAnyNumberOfParameters(t *testing.T) {
	req, err := http.NewRequest("GET", "https://h.example/customer/"+sentinel+"/tokens/"+sentinel+"/x", nil)
	require.NoError(t, err)
	rt := captureRoute(req)
	rt.pathParts = []string{"/customer/", "/tokens/", "/x"}
	assert.Equal(t, 2, rt.params())
	assert.Equal(t, "/customer/c1/tokens/t2/x", rt.path([]string{"c1", "t2"}))
	built, err := rt.request(t.Context(), []string{"c1", "t2"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "https://h.example/customer/c1/tokens/t2/x", built.URL.String())
	_, err = rt.request(t.Context(), []string{"c1"}, nil)
	require.ErrorContains(t, err, "takes 2 ids, not 1")
	assert.Equal(t, "https://h.example/plain", fill([]string{"https://h.example/plain"}, nil))
	assert.Equal(t, "/customer/c1/tokens//x", rt.path([]string{"c1"}), "a missing id leaves its gap empty, for error text")
	assert.Equal(t, "/customer/c1/tokens/t2/x", rt.path([]string{"c1", "t2", "extra"}), "an extra id goes nowhere")
}
