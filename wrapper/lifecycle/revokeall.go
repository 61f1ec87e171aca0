package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tokenward/fastlytokens/wrapper"
)

// DefaultBatchSize is how many ids one bulk revoke carries when
// RevokeAllOptions.BatchSize is 0. Fastly documents no maximum: 100 keeps a
// request small and a refused batch cheap to sort out.
const DefaultBatchSize = 100

// RevokeAllOptions tunes RevokeAll.
type RevokeAllOptions struct {
	BatchSize int // 0: DefaultBatchSize
	// Progress, when set, is called after each batch with how many distinct
	// ids are settled (revoked, gone or failed) and how many there are.
	Progress func(done, total int)
}

// RevokeReport puts every id RevokeAll was given in exactly one place.
type RevokeReport struct {
	Revoked     []string         // revoked by this call
	AlreadyGone []string         // answered 404: unknown or revoked before
	Failed      map[string]error // everything else
}

// RevokeAll revokes ids: it checks every id first (an invalid one is
// wrapper.ErrInvalidInput and nothing is sent), drops repeats, and sends
// bulk revokes of opts.BatchSize ids. A batch refused as a whole (404 for
// one unknown id, 403 for one foreign id, an uncertain outcome) is sorted
// out with single revokes, so every id ends in exactly one of the report's
// three sets. The error is nil exactly when Failed is empty and the context
// did not end.
func RevokeAll(ctx context.Context, c *wrapper.Client, ids []string, opts RevokeAllOptions) (RevokeReport, error) {
	report := RevokeReport{Failed: map[string]error{}}
	if opts.BatchSize < 0 {
		return report, fmt.Errorf("%w: batch size must not be negative", wrapper.ErrInvalidInput)
	}
	size := opts.BatchSize
	if size == 0 {
		size = DefaultBatchSize
	}
	unique := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if err := wrapper.CheckTokenID(id); err != nil {
			return report, fmt.Errorf("id %d of %d: %w", i+1, len(ids), err)
		}
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	done := 0
	for batch := range slices.Chunk(unique, size) {
		if opts.Progress != nil && done > 0 {
			opts.Progress(done, len(unique))
		}
		done += len(batch)
		if ctx.Err() != nil {
			for _, id := range batch {
				report.Failed[id] = ctx.Err()
			}
			continue
		}
		if err := c.RevokeMany(ctx, batch...); err == nil {
			report.Revoked = append(report.Revoked, batch...)
			continue
		}
		for _, id := range batch { // the batch was refused whole: one by one
			err := c.Revoke(ctx, id)
			if err == nil {
				report.Revoked = append(report.Revoked, id)
			} else if errors.Is(err, wrapper.ErrNotFound) {
				report.AlreadyGone = append(report.AlreadyGone, id)
			} else {
				report.Failed[id] = err
			}
		}
	}
	if opts.Progress != nil && done > 0 {
		opts.Progress(done, len(unique))
	}
	if err := ctx.Err(); err != nil {
		return report, fmt.Errorf("lifecycle: stopped with %d of %d tokens not revoked: %w", len(report.Failed), len(unique), err)
	}
	if len(report.Failed) > 0 {
		return report, fmt.Errorf("lifecycle: %d of %d tokens could not be revoked", len(report.Failed), len(unique))
	}
	return report, nil
}
