package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"

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

// LeakResult is the outcome for one key found in the input. It never holds
// the secret, not in Err either.
type LeakResult struct {
	// Line is the input line the key was found in (from 1: the index in
	// RevokeLeaked's lines plus one).
	Line                  int
	TokenID, Name, UserID string // empty when the key could not be identified
	Outcome               LeakOutcome
	// Err is set when Outcome is Failed. It matches
	// wrapper.ErrOutcomeUnknown when a revoke was sent and its answer never
	// came (a reset, a timeout, a 5xx): the key may be revoked.
	Err error
	// APIHost is the host of the API that judged the key (the Client's base
	// URL), so a report can say where "already invalid" was decided: a key
	// unknown to one API may be live on another.
	APIHost string
}

// MaxLeakLineBytes bounds one input line of RevokeLeaked: a longer one is
// not a line of a .env file, a log or a list of keys, and the whole input
// is refused before any request.
const MaxLeakLineBytes = 4 << 10

// keyLength is the length of a Fastly key: 32 characters of [A-Za-z0-9_-].
const keyLength = 32

// leakConcurrency bounds how many leaked keys are handled at once.
const leakConcurrency = 4

// maxLeakFailuresInARow is how many identifications or revokes in a row may
// fail on transport errors or 5xx before RevokeLeaked stops sending: an API
// that does not answer would otherwise cost a timeout per key.
const maxLeakFailuresInARow = 3

// ErrNothingJudged means RevokeLeaked judged no key: the Client's own key
// did not prove out (a dead key, the wrong base URL, no network), so a
// refusal of a leaked key would mean nothing. Every result carries it.
var ErrNothingJudged = errors.New("lifecycle: no key was judged")

// ErrNoKeyFound means an input line of RevokeLeaked holds no run of
// exactly 32 characters of Fastly's key alphabet: nothing was sent for it.
var ErrNoKeyFound = errors.New("lifecycle: no key found")

// RevokeLeaked revokes keys known only by their secret, found in lines of
// text as leaks really look: a line of a .env file (FASTLY_API_TOKEN=…), a
// JSON string with its quotes, a URL, a log line, or the key alone.
//
// The candidate keys of a line are its maximal runs of Fastly's key
// alphabet ([A-Za-z0-9_-]) of exactly 32 characters, wherever they stand:
// white space, byte-order marks, quotes and "=" around a key are no part of
// it. A line with no candidate is Failed (ErrNoKeyFound: "no key found in
// line N") and nothing is sent for it; a line with several yields a result
// for each. Results keep input order: by line, then by place in the line. A
// line longer than MaxLeakLineBytes refuses the whole input before any
// request: every line is Failed with wrapper.ErrInvalidInput. A key
// repeated is handled once; the repeat gets a copy of the first one's
// result, with its own Line.
//
// Before judging any key, RevokeLeaked proves the Client's own key with
// c.Current: a refusal of a leaked key only means something from an API
// that accepts the Client's key. If that fails (the wrong base URL, a dead
// key, no network), every result is Failed with that error and nothing is
// judged or revoked.
//
// For each key it asks GET /tokens/self with that key (only ever to c's
// base URL); a refusal of the key (wrapper.KeyRefused: 401, or 403 "Token
// lookup failed") is AlreadyInvalid. Otherwise it revokes the key with
// DELETE /tokens/self using the key itself; when that is refused (a
// read-only key may not revoke itself, or the key died meanwhile) it
// revokes it by id with c's own key. A 404 there is AlreadyInvalid only when
// the key itself is now refused; a key still live but not visible to c's
// key is Failed. A revoke whose answer never came is Failed with
// wrapper.ErrOutcomeUnknown. At most four keys are handled at once.
//
// It stops sending after a 429, and after three identifications or revokes
// in a row fail on transport errors or 5xx: the keys not yet handled are
// Failed "not sent".
func RevokeLeaked(ctx context.Context, c *wrapper.Client, lines []string) []LeakResult {
	host := hostOf(c.BaseURL())
	for i, line := range lines {
		if len(line) > MaxLeakLineBytes {
			err := fmt.Errorf("%w: line %d is longer than %d bytes: nothing was sent", wrapper.ErrInvalidInput, i+1, MaxLeakLineBytes)
			return failEvery(lines, err, host)
		}
	}
	var results []LeakResult
	var keys []string // keys[i] is the key of results[i]; "" for a line without one
	for i, line := range lines {
		found := candidateKeys(line)
		if len(found) == 0 {
			results = append(results, LeakResult{Line: i + 1, Outcome: Failed, APIHost: host,
				Err: fmt.Errorf("%w in line %d: nothing was sent for it", ErrNoKeyFound, i+1)})
			keys = append(keys, "")
		}
		for _, key := range found {
			results = append(results, LeakResult{Line: i + 1, APIHost: host})
			keys = append(keys, key)
		}
	}
	if _, err := c.Current(ctx); err != nil {
		err = fmt.Errorf("%w: the client's own key did not prove out against %s: %w", ErrNothingJudged, host, err)
		return failEvery(lines, err, host)
	}
	firstOf := make(map[string]int, len(keys)) // key -> index of its first result
	b := &breaker{}
	slots := make(chan struct{}, leakConcurrency)
	var wg sync.WaitGroup
	for i, key := range keys {
		if key == "" {
			continue
		}
		if _, seen := firstOf[key]; seen {
			continue
		}
		firstOf[key] = i
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			r := revokeLeaked(ctx, c, b, key)
			r.Line, r.APIHost = results[i].Line, host
			results[i] = r
		}()
	}
	wg.Wait()
	for i, key := range keys {
		if first, ok := firstOf[key]; ok && first != i {
			line := results[i].Line
			results[i] = results[first]
			results[i].Line = line
		}
	}
	return results
}

// failEvery is one Failed result per input line, each with err.
func failEvery(lines []string, err error, host string) []LeakResult {
	results := make([]LeakResult, len(lines))
	for i := range results {
		results[i] = LeakResult{Line: i + 1, Outcome: Failed, Err: err, APIHost: host}
	}
	return results
}

// candidateKeys is every maximal run of [A-Za-z0-9_-] of exactly 32
// characters in line, in order.
func candidateKeys(line string) []string {
	var keys []string
	start := -1
	for i := 0; i <= len(line); i++ {
		if i < len(line) && isKeyByte(line[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start == keyLength {
			keys = append(keys, line[start:i])
		}
		start = -1
	}
	return keys
}

func isKeyByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-'
}

// breaker stops RevokeLeaked's requests after a 429 or after
// maxLeakFailuresInARow transport errors or 5xx in a row, across the keys
// handled at once.
type breaker struct {
	mu      sync.Mutex
	failing int
	stopped error
}

// open is the error a request not sent carries, nil while requests may go.
func (b *breaker) open() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stopped
}

// note records how a request ended.
func (b *breaker) note(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case errors.Is(err, wrapper.ErrRateLimited):
		if b.stopped == nil {
			b.stopped = fmt.Errorf("lifecycle: not sent: an earlier request was rate limited: %w", certain(err))
		}
	case err != nil && transient(err):
		b.failing++
		if b.failing >= maxLeakFailuresInARow && b.stopped == nil {
			b.stopped = fmt.Errorf("lifecycle: not sent: %d requests in a row failed, the last with: %w", b.failing, certain(err))
		}
	default:
		b.failing = 0
	}
}

// hostOf is the host (and port) of a base URL.
func hostOf(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return baseURL
	}
	return u.Host
}

func revokeLeaked(ctx context.Context, c *wrapper.Client, b *breaker, secret string) LeakResult {
	fail := func(r LeakResult, err error) LeakResult {
		r.Outcome, r.Err = Failed, err
		return r
	}
	// send runs one request unless the breaker is open, and tells it how
	// the request ended.
	send := func(call func() error) error {
		if err := b.open(); err != nil {
			return err
		}
		err := call()
		b.note(err)
		return err
	}
	// Same base URL: the secret goes nowhere else. The clone redacts its own
	// key from every error, as any Client does, so no result holds it.
	leaked, err := c.Clone(wrapper.WithToken(secret))
	if err != nil {
		return fail(LeakResult{}, err)
	}
	var tok wrapper.Token
	err = send(func() (err error) { tok, err = leaked.Current(ctx); return err })
	if wrapper.KeyRefused(err) {
		return LeakResult{Outcome: AlreadyInvalid} // 401 expired, 403 unknown or revoked
	}
	if err != nil {
		return fail(LeakResult{}, err)
	}
	r := LeakResult{TokenID: tok.ID, Name: tok.Name, UserID: tok.UserID}
	err = send(func() error { return leaked.RevokeCurrent(ctx) })
	if errors.Is(err, wrapper.ErrUnauthorized) || errors.Is(err, wrapper.ErrForbidden) {
		// It may not revoke itself (a read-only key), or it died meanwhile:
		// by id, with the Client's key.
		err = send(func() error { return c.Revoke(ctx, tok.ID) })
		if errors.Is(err, wrapper.ErrNotFound) && !errors.Is(err, wrapper.ErrOutcomeUnknown) {
			var dead bool
			checkErr := send(func() (err error) { dead, err = keyRefused(ctx, c, secret); return err })
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
