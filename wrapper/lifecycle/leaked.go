package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"unicode"

	"github.com/tokenward/fastlytokens/wrapper"
)

// LeakOutcome is what RevokeLeaked did with one secret.
type LeakOutcome int

// The outcomes of RevokeLeaked.
const (
	// Revoked: the key was live and this call's revoke was answered 2xx.
	Revoked LeakOutcome = iota
	// AlreadyInvalid: the API at LeakResult.APIHost, which accepted the
	// Client's own key, refused the key (401 or 403 on GET /tokens/self):
	// it is unknown there, revoked or expired. A key that passed that check
	// but was refused by the time it was revoked is AlreadyInvalid too.
	AlreadyInvalid
	// Failed: the key could not be judged or revoked; LeakResult.Err says
	// why. It may still be live.
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
	// APIHost is the host of the API that judged the key (the Client's base
	// URL), so a report can say where "already invalid" was decided: a key
	// unknown to one API may be live on another.
	APIHost string
}

// leakConcurrency bounds how many leaked keys are handled at once.
const leakConcurrency = 4

// RevokeLeaked revokes keys known only by their secret.
//
// Secrets are normalised first: Unicode white space and invisible format
// characters (a byte-order mark U+FEFF, zero-width spaces and joiners) are
// trimmed from both ends, as editors and terminals add them. A secret
// repeated (after normalising) is handled once; the repeat gets a copy of
// the first one's result.
//
// Before judging any key, RevokeLeaked proves the Client's own key with
// c.Current: a refusal of a leaked key only means something from an API
// that accepts the Client's key. If that fails (the wrong base URL, a dead
// key, no network), every result is Failed with that error and nothing is
// judged or revoked.
//
// For each secret it asks GET /tokens/self with that secret as the key
// (only ever to c's base URL); 401 or 403 is AlreadyInvalid. Otherwise it
// revokes the key with DELETE /tokens/self using the key itself; when that
// is refused (a read-only key may not revoke itself, or the key died
// meanwhile) it revokes it by id with c's own key. A 404 there is
// AlreadyInvalid only when the key itself is now refused; a key still live
// but not visible to c's key is Failed. Results come in the order of
// secrets; at most four secrets are handled at once.
func RevokeLeaked(ctx context.Context, c *wrapper.Client, secrets []string) []LeakResult {
	results := make([]LeakResult, len(secrets))
	host := hostOf(c.BaseURL())
	if _, err := c.Current(ctx); err != nil {
		err = fmt.Errorf("lifecycle: no key was judged: the client's own key did not prove out against %s: %w", host, err)
		for i := range results {
			results[i] = LeakResult{Outcome: Failed, Err: err, APIHost: host}
		}
		return results
	}
	firstOf := make(map[string]int, len(secrets)) // normalised secret -> index of its first occurrence
	normalised := make([]string, len(secrets))
	slots := make(chan struct{}, leakConcurrency)
	var wg sync.WaitGroup
	for i, secret := range secrets {
		normalised[i] = normaliseSecret(secret)
		if _, seen := firstOf[normalised[i]]; seen {
			continue
		}
		firstOf[normalised[i]] = i
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			results[i] = revokeLeaked(ctx, c, normalised[i])
			results[i].APIHost = host
		}()
	}
	wg.Wait()
	for i := range results {
		if first := firstOf[normalised[i]]; first != i {
			results[i] = results[first]
		}
	}
	return results
}

// normaliseSecret trims what surrounds a key when it is copied from a file
// or a terminal: white space, a byte-order mark and other invisible format
// characters (Unicode category Cf: U+200B to U+200F, U+2060, U+FEFF).
func normaliseSecret(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) })
}

// hostOf is the host (and port) of a base URL.
func hostOf(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return baseURL
	}
	return u.Host
}

func revokeLeaked(ctx context.Context, c *wrapper.Client, secret string) LeakResult {
	fail := func(r LeakResult, err error) LeakResult {
		r.Outcome, r.Err = Failed, err
		return r
	}
	// Same base URL: the secret goes nowhere else. The clone redacts its own
	// key from every error, as any Client does, so no result holds it.
	leaked, err := c.Clone(wrapper.WithToken(secret))
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
	if errors.Is(err, wrapper.ErrUnauthorized) || errors.Is(err, wrapper.ErrForbidden) {
		// It may not revoke itself (a read-only key), or it died meanwhile:
		// by id, with the Client's key.
		err = c.Revoke(ctx, tok.ID)
		if errors.Is(err, wrapper.ErrNotFound) {
			dead, checkErr := keyRefused(ctx, c, secret)
			if checkErr == nil && dead {
				r.Outcome = AlreadyInvalid // revoked or expired between lookup and revoke
				return r
			}
			if checkErr == nil {
				err = fmt.Errorf("lifecycle: the key is live but token %s is not visible to the client's key (revoke it as its owner or a superuser): %w", tok.ID, err)
			}
		}
	}
	if err != nil {
		return fail(r, err)
	}
	r.Outcome = Revoked
	return r
}
