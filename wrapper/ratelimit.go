package wrapper

import (
	"net/http"
	"strconv"
	"time"
)

// RateLimit is Fastly's hourly budget of non-GET requests, as last reported.
type RateLimit struct {
	// Remaining is Fastly-RateLimit-Remaining: non-GET requests left.
	Remaining int
	// Reset is Fastly-RateLimit-Reset: when the window starts again.
	Reset time.Time
	// Known is false until a response carried the headers (GETs do not).
	Known bool
}

// Header names in canonical form, so lookups need no canonicalisation.
const (
	headerRateRemaining = "Fastly-Ratelimit-Remaining"
	headerRateReset     = "Fastly-Ratelimit-Reset"
)

// RateLimit returns the rate-limit headers of the latest response that
// carried them, successes and errors (429 included) alike.
func (c *Client) RateLimit() RateLimit {
	c.rateMu.Lock()
	defer c.rateMu.Unlock()
	return c.rate
}

func (c *Client) noteRateLimit(h http.Header) {
	if limit := parseRateLimit(h); limit.Known {
		c.rateMu.Lock()
		c.rate = limit
		c.rateMu.Unlock()
	}
}

func parseRateLimit(h http.Header) RateLimit {
	remaining, okRemaining := h[headerRateRemaining]
	reset, okReset := h[headerRateReset]
	if !okRemaining || !okReset || len(remaining) == 0 || len(reset) == 0 {
		return RateLimit{}
	}
	n, err1 := strconv.Atoi(remaining[0])
	epoch, err2 := strconv.ParseInt(reset[0], 10, 64)
	if err1 != nil || err2 != nil || n < 0 || epoch <= 0 || epoch > maxEpoch {
		return RateLimit{}
	}
	return RateLimit{Remaining: n, Reset: time.Unix(epoch, 0).UTC(), Known: true}
}

// maxEpoch keeps a hostile Reset from overflowing time arithmetic (year 9999).
const maxEpoch = 253402300799

// maxRetryAfter saturates Retry-After: a huge value is "a long time", never a
// negative (immediate) wait.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads Retry-After as seconds or as an HTTP date; absent or
// malformed is zero.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || isDigits(v) {
		if err != nil { // all digits but out of range: a very long time
			return maxRetryAfter
		}
		if secs <= 0 {
			return 0
		}
		if secs >= int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil {
		d := at.Sub(now)
		if d <= 0 {
			return 0
		}
		return min(d, maxRetryAfter)
	}
	return 0
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
