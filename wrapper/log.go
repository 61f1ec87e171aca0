package wrapper

import (
	"context"
	"log/slog"
	"time"
)

// log writes one debug line per attempt: method, path, attempt, duration,
// status or (redacted) error, and the rate limit. Never a header or a body.
func (c *Client) log(ctx context.Context, op *operation, attempt, status int, start time.Time, err error) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", op.method()),
		slog.String("path", op.path()),
		slog.String("operation", op.route.operationID),
		slog.Int("attempt", attempt+1),
		slog.Duration("duration", time.Since(start)),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error())) // transportError redacted it
	}
	if limit := c.RateLimit(); limit.Known {
		attrs = append(attrs, slog.Int("ratelimit_remaining", limit.Remaining))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "fastly request", attrs...)
}
