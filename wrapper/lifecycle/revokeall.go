package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/tokenward/fastlytokens/wrapper"
)

// DefaultBatchSize is how many ids one bulk revoke carries when
// RevokeAllOptions.BatchSize is 0. Fastly documents no maximum: 100 keeps a
// request small and a refused batch cheap to sort out.
const DefaultBatchSize = 100

// maxFailedBatchesInARow is how many batches in a row may fail on transport
// errors or 5xx before RevokeAll stops sending: an API that does not answer
// would otherwise cost a timeout per batch.
const maxFailedBatchesInARow = 3

// maxRefusedBatchesInARow is how many batches in a row may be refused for
// the client's own key (401, or 403 for a read-only, unknown or revoked
// key) before RevokeAll stops sending: every later batch would be refused
// the same way.
const maxRefusedBatchesInARow = 2

// sortOutConcurrency bounds the reads that sort out a refused batch.
const sortOutConcurrency = 4

// maxCauses bounds how many distinct causes RevokeAll's error joins.
const maxCauses = 16

// RevokeAllOptions tunes RevokeAll.
type RevokeAllOptions struct {
	BatchSize int // 0: DefaultBatchSize
	// Progress, when set, is called after each batch with how many distinct
	// ids are settled (revoked, not found or failed) and how many there are.
	Progress func(done, total int)
}

// RevokeReport puts every id RevokeAll was given in exactly one place.
type RevokeReport struct {
	// Revoked holds only ids whose revoke this call saw answered 2xx.
	Revoked []string
	// NotFound holds ids answered 404: revoked earlier, or not visible to
	// this key (Fastly does not say which; a token of another user may be
	// live).
	NotFound []string
	// Failed holds everything else, with why: refused, not sent (after a
	// rate limit, after repeated failures, after the context ended), or in
	// flight when the context ended (the error matches
	// wrapper.ErrOutcomeUnknown: those may be revoked).
	Failed map[string]error
}

// RevokeAll revokes ids in bulk batches and puts every id in exactly one of
// the report's three places.
//
// It checks every id first (an invalid one is wrapper.ErrInvalidInput and
// nothing is sent) and drops repeats. It reads the Client's own key with
// c.Current (when that fails, nothing is revoked and every id is Failed);
// when that key's id is in the list it is revoked last, alone, so the key
// stays usable for every other batch. Then it sends bulk revokes of
// opts.BatchSize ids:
//   - a batch answered 2xx is Revoked;
//   - a batch refused with 403 or 404 (one foreign or stale id refuses the
//     whole batch) is sorted out with reads, not writes: GET /tokens/{id} for
//     each id (at most four at once); ids answered 404 are NotFound; one bulk
//     revoke of the ids still visible follows. A batch of 100 with one stale
//     id costs at most two writes;
//   - after a 429 that the Client's own retries could not wait out, no
//     further write is sent: every id not yet settled is Failed with an error
//     matching wrapper.ErrRateLimited;
//   - after three batches in a row fail on transport errors or 5xx, it stops
//     the same way;
//   - a batch in flight when the context ends is Failed with an error
//     matching wrapper.ErrOutcomeUnknown; batches answered before stay
//     Revoked, and later ones are not sent.
//
// A failed batch is never fanned out into single revokes. The error is nil
// exactly when Failed is empty; otherwise it is an errors.Join of a summary
// and the distinct causes, so errors.Is finds wrapper.ErrRateLimited,
// context.Canceled and the like.
func RevokeAll(ctx context.Context, c *wrapper.Client, ids []string, opts RevokeAllOptions) (RevokeReport, error) {
	report := RevokeReport{Failed: map[string]error{}}
	if opts.BatchSize < 0 {
		return report, fmt.Errorf("%w: batch size must not be negative", wrapper.ErrInvalidInput)
	}
	size := opts.BatchSize
	if size == 0 {
		size = DefaultBatchSize
	}
	unique, err := wrapper.UniqueTokenIDs(ids)
	if err != nil {
		return report, err
	}
	if len(unique) == 0 {
		return report, nil
	}
	r := &revoker{c: c, report: &report, total: len(unique)}
	me, err := c.Current(ctx)
	if err != nil {
		r.fail(unique, fmt.Errorf("lifecycle: nothing was revoked: reading the client's own key: %w", err))
		return report, r.err(ctx)
	}
	batches := slices.Collect(slices.Chunk(slices.DeleteFunc(slices.Clone(unique), func(id string) bool { return id == me.ID }), size))
	if slices.Contains(unique, me.ID) {
		batches = append(batches, []string{me.ID}) // last and alone: every other batch needs the key
	}
	for i, batch := range batches {
		if opts.Progress != nil && i > 0 {
			opts.Progress(r.settled(), r.total)
		}
		r.batch(ctx, batch)
	}
	if opts.Progress != nil {
		opts.Progress(r.settled(), r.total)
	}
	return report, r.err(ctx)
}

// revoker is one RevokeAll run: its report and whether it may still write.
type revoker struct {
	c       *wrapper.Client
	report  *RevokeReport
	total   int
	failing int   // batches in a row that failed on transport errors or 5xx
	refused int   // batches in a row refused 401 or 403 for the client's own key
	stopped error // set once no further write may be sent
}

func (r *revoker) settled() int {
	return len(r.report.Revoked) + len(r.report.NotFound) + len(r.report.Failed)
}

func (r *revoker) fail(ids []string, err error) {
	for _, id := range ids {
		r.report.Failed[id] = err
	}
}

// batch revokes one batch, sorting it out with reads when it is refused.
func (r *revoker) batch(ctx context.Context, ids []string) {
	if r.stopped != nil {
		r.fail(ids, r.stopped)
		return
	}
	if err := ctx.Err(); err != nil {
		r.fail(ids, fmt.Errorf("lifecycle: not sent: %w", err))
		return
	}
	err := r.c.RevokeMany(ctx, ids...)
	refusedForIDs := (errors.Is(err, wrapper.ErrForbidden) || errors.Is(err, wrapper.ErrNotFound)) && !wrapper.KeyRefused(err)
	if refusedForIDs && ctx.Err() == nil {
		ids = r.sortOut(ctx, ids)
		if len(ids) == 0 || r.stopped != nil {
			return
		}
		err = r.c.RevokeMany(ctx, ids...)
	}
	r.settle(ctx, ids, err)
}

// settle files the ids of one bulk revoke by its answer, and decides
// whether further writes may be sent.
func (r *revoker) settle(ctx context.Context, ids []string, err error) {
	if err == nil {
		r.failing = 0
		r.report.Revoked = append(r.report.Revoked, ids...)
		return
	}
	if ctx.Err() != nil && !errors.Is(err, wrapper.ErrOutcomeUnknown) {
		r.fail(ids, fmt.Errorf("%w; the batch was in flight when the context ended, so its tokens may be revoked (%w)", err, wrapper.ErrOutcomeUnknown))
		return
	}
	r.fail(ids, err)
	if ctx.Err() != nil {
		return
	}
	if errors.Is(err, wrapper.ErrRateLimited) {
		r.stopped = fmt.Errorf("lifecycle: not sent: an earlier batch was rate limited: %w", certain(err))
		return
	}
	if wrapper.KeyRefused(err) {
		r.failing = 0
		r.refused++
		if r.refused >= maxRefusedBatchesInARow {
			r.stopped = fmt.Errorf("lifecycle: not sent: %d batches in a row were refused for the client's own key: %w", r.refused, certain(err))
		}
		return
	}
	r.refused = 0
	if !transient(err) {
		r.failing = 0
		return
	}
	r.failing++
	if r.failing >= maxFailedBatchesInARow {
		r.stopped = fmt.Errorf("lifecycle: not sent: %d batches in a row failed, the last with: %w", r.failing, certain(err))
	}
}

// certain is err as the cause of ids that were never sent: the API error it
// holds (so errors.Is still finds wrapper.ErrRateLimited and the like), or
// its text, never wrapper.ErrOutcomeUnknown: a request not sent did nothing.
func certain(err error) error {
	var apiErr *wrapper.APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	if !errors.Is(err, wrapper.ErrOutcomeUnknown) {
		return err
	}
	return errors.New(err.Error())
}

// transient reports a failure of the API or the network (a 5xx, a 1xx, a
// transport error) rather than an answer about the tokens.
func transient(err error) bool {
	var apiErr *wrapper.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= 500 || apiErr.StatusCode < 200
	}
	return !errors.Is(err, wrapper.ErrInvalidInput)
}

// sortOut reads each id of a refused batch (GET /tokens/{id}, a few at
// once): 404 is NotFound, any other failure fails the rest of the batch. It
// returns the ids still visible, in order.
func (r *revoker) sortOut(ctx context.Context, ids []string) []string {
	errs := make([]error, len(ids))
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		aborted error // the first failure other than 404: no further read starts
	)
	slots := make(chan struct{}, sortOutConcurrency)
	for i, id := range ids {
		slots <- struct{}{}
		mu.Lock()
		stop := aborted
		mu.Unlock()
		if stop != nil {
			<-slots
			errs[i] = stop
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			_, err := r.c.Get(ctx, id)
			errs[i] = err
			if err != nil && !errors.Is(err, wrapper.ErrNotFound) {
				mu.Lock()
				if aborted == nil {
					aborted = fmt.Errorf("lifecycle: sorting out a refused batch: %w", err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if aborted != nil {
		var unsettled []string
		for i, id := range ids {
			if errors.Is(errs[i], wrapper.ErrNotFound) {
				r.report.NotFound = append(r.report.NotFound, id)
			} else {
				unsettled = append(unsettled, id)
			}
		}
		if ctx.Err() != nil { // no write was in flight: the refused batch revoked nothing
			r.fail(unsettled, fmt.Errorf("lifecycle: not sent: %w", aborted))
		} else {
			r.settle(ctx, unsettled, aborted)
		}
		return nil
	}
	visible := ids[:0:0]
	for i, id := range ids {
		if errs[i] == nil {
			visible = append(visible, id)
		} else {
			r.report.NotFound = append(r.report.NotFound, id)
		}
	}
	return visible
}

// err is RevokeAll's error: nil when nothing failed, else a summary joined
// with the distinct causes.
func (r *revoker) err(ctx context.Context) error {
	if len(r.report.Failed) == 0 {
		return nil
	}
	unknown := 0
	causes := []error{nil} // the summary goes first
	texts := map[string]bool{}
	for _, err := range r.report.Failed {
		if errors.Is(err, wrapper.ErrOutcomeUnknown) {
			unknown++
		}
		if text := err.Error(); !texts[text] && len(causes) <= maxCauses {
			texts[text] = true
			causes = append(causes, err)
		}
	}
	summary := fmt.Sprintf("lifecycle: %d of %d tokens not revoked", len(r.report.Failed), r.total)
	if unknown > 0 {
		summary = fmt.Sprintf("lifecycle: %d of %d tokens not confirmed revoked (%d may be revoked: outcome unknown)",
			len(r.report.Failed), r.total, unknown)
	}
	if ctx.Err() != nil {
		summary += "; stopped early"
	}
	causes[0] = errors.New(summary)
	return errors.Join(causes...)
}
