package wrapper_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tokenward/fastlytokens/wrapper"
)

// TestSecretGuaranteeLimits pins exactly what is and is not covered: a
// CreatedToken prints redacted directly, in exported fields, slices and
// maps; held in an unexported struct field, fmt cannot call its Format
// method and prints the secret (documented in the package doc).
func TestSecretGuaranteeLimits(t *testing.T) {
	created := wrapper.CreatedToken{Token: wrapper.Token{ID: "abc"}, AccessToken: "s3cret-access-token-value-xyz012"}
	type exported struct{ Created wrapper.CreatedToken }
	for _, v := range []any{created, &created, exported{created}, []wrapper.CreatedToken{created}, map[string]wrapper.CreatedToken{"k": created}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			assert.NotContains(t, fmt.Sprintf(verb, v), created.AccessToken, verb)
		}
	}
	type unexported struct{ created wrapper.CreatedToken }
	assert.Contains(t, fmt.Sprintf("%+v", unexported{created}), created.AccessToken, "the documented limit")
}

// TestSecretsNeverPrint: %v, %+v, %#v, %s of every type holding a secret,
// and of the Client, show no secret.
func TestSecretsNeverPrint(t *testing.T) {
	c, err := wrapper.New(wrapper.WithToken(testKey), wrapper.WithBasicAuth("me", testPassword))
	require.NoError(t, err)
	in := wrapper.CreateInput{Name: "n", Username: "me", Password: testPassword, OTP: testOTP, ExpiresAt: time.Unix(0, 0)}
	sudo := wrapper.SudoInput{Username: "me", Password: testPassword, OTP: testOTP}
	created := wrapper.CreatedToken{Token: wrapper.Token{ID: "abc", Name: "n"}, AccessToken: "QoU3neoxQQ6IPL8g7eRkkCjyWcwdNI7J"}
	for _, v := range []any{c, in, &in, sudo, &sudo, created, &created} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			text := fmt.Sprintf(verb, v)
			noSecrets(t, text, "QoU3neoxQQ6IPL8g7eRkkCjyWcwdNI7J")
		}
	}
	assert.Contains(t, fmt.Sprintf("%+v", in), "Name:n")
	assert.Contains(t, fmt.Sprintf("%+v", created), "ID:abc")
	assert.Contains(t, fmt.Sprintf("%v", created), "[REDACTED]")
}
