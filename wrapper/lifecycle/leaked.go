package lifecycle

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/tokenward/fastlytokens/wrapper"
)

// LeakOutcome is what RevokeLeaked did with one secret.
type LeakOutcome int

// The outcomes of RevokeLeaked.
const (
	// Revoked: the key was live and is revoked now.
	Revoked LeakOutcome = iota
	// AlreadyInvalid: the key was already unknown, revoked or expired.
	AlreadyInvalid
	// Failed: the key could not be revoked; LeakResult.Err says why.
	Failed
)

// String is the outcome in lower case: revoked, already_invalid, failed.
func (o LeakOutcome) String() string {
	switch o {
	case Revoked:
		return "revoked"
	case AlreadyInvalid:
		return "already_invalid"
	case Failed:
		return "failed"
	}
	return "unknown"
}

// LeakResult is the outcome for one leaked secret. It never holds the
// secret, not in Err either.
type LeakResult struct {
	TokenID, Name, UserID string // empty when the key could not be identified
	Outcome               LeakOutcome
	Err                   error // set when Outcome is Failed
}

// leakConcurrency bounds how many leaked keys are handled at once.
const leakConcurrency = 4

// RevokeLeaked revokes keys known only by their secret. For each secret it
// asks GET /tokens/self with that secret as the key (only ever to c's base
// URL), then revokes it with DELETE /tokens/self using that key; when the
// leaked key may not revoke itself (403, a read-only key) it revokes it by id
// with c's own key. A key already unknown, revoked or expired is
// AlreadyInvalid. Results come in the order of secrets; at most four secrets
// are handled at once.
func RevokeLeaked(ctx context.Context, c *wrapper.Client, secrets []string) []LeakResult {
	results := make([]LeakResult, len(secrets))
	slots := make(chan struct{}, leakConcurrency)
	var wg sync.WaitGroup
	for i, secret := range secrets {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			results[i] = revokeLeaked(ctx, c, secret)
		}()
	}
	wg.Wait()
	return results
}

func revokeLeaked(ctx context.Context, c *wrapper.Client, secret string) LeakResult {
	fail := func(r LeakResult, err error) LeakResult {
		r.Outcome, r.Err = Failed, scrub(err, secret)
		return r
	}
	secret = strings.TrimSpace(secret)
	leaked, err := c.Clone(wrapper.WithToken(secret)) // same base URL: the secret goes nowhere else
	if err != nil {
		return fail(LeakResult{}, err)
	}
	tok, err := leaked.Current(ctx)
	if errors.Is(err, wrapper.ErrUnauthorized) || errors.Is(err, wrapper.ErrForbidden) {
		return LeakResult{Outcome: AlreadyInvalid} // 401 expired, 403 unknown or revoked
	}
	if err != nil {
		return fail(LeakResult{}, err)
	}
	r := LeakResult{TokenID: tok.ID, Name: tok.Name, UserID: tok.UserID}
	err = leaked.RevokeCurrent(ctx)
	if errors.Is(err, wrapper.ErrUnauthorized) {
		r.Outcome = AlreadyInvalid // it expired or was revoked meanwhile
		return r
	}
	if errors.Is(err, wrapper.ErrForbidden) { // it may not revoke itself: by id, with the Client's key
		err = c.Revoke(ctx, tok.ID)
	}
	if err != nil {
		return fail(r, err)
	}
	r.Outcome = Revoked
	return r
}

// scrub returns err with any occurrence of secret in its text replaced; the
// cause stays reachable with errors.Is and errors.As.
func scrub(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return &scrubbedError{text: strings.ReplaceAll(err.Error(), secret, "[REDACTED]"), cause: err}
}

type scrubbedError struct {
	text  string
	cause error
}

func (e *scrubbedError) Error() string { return e.text }
func (e *scrubbedError) Unwrap() error { return e.cause }
