package wrapper

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// transportError keeps the cause but drops the URL that *url.Error prints,
// and redacts any credential a transport put into its error text.
func (c *Client) transportError(op *operation, err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	wrapped := fmt.Errorf("fastly: %s %s: %w", op.method(), op.path(), err)
	text := wrapped.Error()
	if redacted := redactAll(text, c.secretsFor(op)); redacted != text {
		return &redactedError{text: redacted, cause: wrapped}
	}
	return wrapped
}

// redactedError is an error whose text had a credential replaced; errors.Is
// and errors.As still reach the cause.
type redactedError struct {
	text  string
	cause error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.cause }

// secretsFor lists every secret op's text could echo: the Client's key and
// password and the call's own password and OTP.
func (c *Client) secretsFor(op *operation) []string {
	key, password := c.credentials()
	return []string{key, password, op.secrets[0], op.secrets[1]}
}

func redactAll(text string, secrets []string) string {
	for _, s := range secrets {
		text = redactValue(text, s)
	}
	return text
}

func redactValue(text, value string) string {
	if value == "" || len(value) < 4 {
		// Too short to search for without mangling ordinary text; such values
		// are refused as credentials anyway.
		return text
	}
	return strings.ReplaceAll(text, value, redactedText)
}
