package wrapper

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// formMediaType is the Content-Type of the create and sudo forms.
const formMediaType = "application/x-www-form-urlencoded"

// encodeCreateForm writes the create form exactly as Fastly reads it: one
// space-delimited scope field, repeated services[] keys with literal brackets,
// RFC 3339 expires_at, and keys in sorted order (the bytes url.Values.Encode
// would write). Absent fields are not sent. The generated encoder cannot be
// used: it writes services[0]=… (ignored by Fastly) and drops expires_at.
func encodeCreateForm(in *CreateInput) string {
	var b strings.Builder
	field := formField(&b)
	// Keys in byte order: expires_at, name, password, scope, services[], username.
	if !in.ExpiresAt.IsZero() {
		field("expires_at", in.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if in.Name != "" {
		field("name", in.Name)
	}
	if in.Password != "" {
		field("password", in.Password)
	}
	if len(in.Scopes) > 0 {
		scopes := make([]string, len(in.Scopes))
		for i, s := range in.Scopes {
			scopes[i] = string(s)
		}
		field("scope", strings.Join(scopes, " "))
	}
	for _, s := range in.Services {
		field("services%5B%5D", s)
	}
	if in.Username != "" {
		field("username", in.Username)
	}
	return b.String()
}

// encodeSudoForm writes POST /sudo's form, keys in sorted order as
// url.Values.Encode would: expiry_time when set, password, username.
func encodeSudoForm(in *SudoInput) string {
	var b strings.Builder
	field := formField(&b)
	if !in.ExpiryTime.IsZero() {
		field("expiry_time", in.ExpiryTime.UTC().Format(time.RFC3339))
	}
	field("password", in.Password)
	field("username", in.Username)
	return b.String()
}

// formField returns a func that appends key=value (value query-escaped) to b.
func formField(b *strings.Builder) func(key, value string) {
	return func(key, value string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(key)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(value))
	}
}

// checkSudoInput refuses what cannot be sent, before any request.
func checkSudoInput(in *SudoInput) error {
	if in.Username == "" || in.Password == "" {
		return fmt.Errorf("%w: sudo needs the username and the password", ErrInvalidInput)
	}
	if hasControl(in.Username) || hasControl(in.Password) || hasControl(in.OTP) {
		return fmt.Errorf("%w: credentials contain a control character", ErrInvalidInput)
	}
	return nil
}

// checkCreateInput refuses what Fastly would misread, before any request.
func checkCreateInput(in *CreateInput) error {
	for i, s := range in.Scopes {
		if s == "" || strings.ContainsAny(string(s), " \t\r\n") {
			return fmt.Errorf("%w: scope %d must be one non-empty word", ErrInvalidInput, i+1)
		}
	}
	for _, id := range in.Services {
		if err := checkID("service id", id); err != nil {
			return err
		}
	}
	if (in.Username == "") != (in.Password == "") {
		return fmt.Errorf("%w: username and password go together", ErrInvalidInput)
	}
	if hasControl(in.OTP) {
		return fmt.Errorf("%w: OTP contains a control character", ErrInvalidInput)
	}
	if hasControl(in.Name) {
		return fmt.Errorf("%w: name contains a control character", ErrInvalidInput)
	}
	return nil
}

// bulkPrefix and friends frame the JSON:API bulk document; ids are checked
// alphanumeric first, so they need no escaping.
const (
	bulkPrefix    = `{"data":[`
	bulkItemStart = `{"type":"token","id":"`
	bulkItemEnd   = `"}`
	bulkSuffix    = `]}`
)

// bulkMediaType is the exact Content-Type Fastly requires for bulk revoke.
const bulkMediaType = "application/vnd.api+json; ext=bulk"

// encodeBulkRevoke checks every id, drops repeats (first occurrence kept,
// by UniqueTokenIDs) and writes {"data":[{"type":"token","id":"…"},…]}.
func encodeBulkRevoke(ids []string) ([]byte, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: no token ids to revoke", ErrInvalidInput)
	}
	unique, err := UniqueTokenIDs(ids)
	if err != nil {
		return nil, err
	}
	size := len(bulkPrefix) + len(bulkSuffix)
	for _, id := range unique {
		size += len(bulkItemStart) + len(id) + len(bulkItemEnd) + 1
	}
	body := make([]byte, 0, size)
	body = append(body, bulkPrefix...)
	for i, id := range unique {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, bulkItemStart...)
		body = append(body, id...)
		body = append(body, bulkItemEnd...)
	}
	body = append(body, bulkSuffix...)
	return body, nil
}
