package wrapper

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                     0,
		"0":                    0,
		"-5":                   0,
		"3":                    3 * time.Second,
		"3600":                 time.Hour,
		"99999999999":          maxRetryAfter,
		"99999999999999999999": maxRetryAfter,
		"soon":                 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
		now.Add(1000 * time.Hour).Format(http.TimeFormat): maxRetryAfter,
	}
	for in, want := range cases {
		assert.Equal(t, want, parseRetryAfter(in, now), in)
	}
}
