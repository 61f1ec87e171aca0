package wrapper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tokenward/fastlytokens/wrapper"
)

func TestExpiresInRoundsUp(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	assert.Equal(t, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), wrapper.ExpiresIn(now, time.Hour), "whole seconds stay, in UTC")
	assert.Equal(t, time.Date(2026, 12, 1, 11, 0, 1, 0, time.UTC), wrapper.ExpiresIn(now, time.Nanosecond), "a part of a second rounds up")
	assert.Equal(t, time.Date(2026, 12, 1, 11, 0, 1, 0, time.UTC), wrapper.ExpiresIn(now.Add(300*time.Millisecond), 700*time.Millisecond))
	assert.Equal(t, time.UTC, wrapper.ExpiresIn(now, 0).Location())
}
