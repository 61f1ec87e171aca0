package main

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// duration is a flag value in Go's syntax (90m, 36h) or whole days (30d).
type duration time.Duration

// parseDuration reads Go's duration syntax or whole days ("30d"); negative
// durations are refused.
func parseDuration(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok && days != "" && !strings.ContainsAny(days, "hmsuµn.") {
		n, err := strconv.ParseUint(days, 10, 31)
		if err != nil {
			return 0, errors.New("days must be a whole number, e.g. 30d")
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, errors.New("not a duration: use Go's syntax (90m, 36h) or whole days (30d)")
		}
	}
	if d < 0 {
		return 0, errors.New("a duration must not be negative")
	}
	return d, nil
}

func (d *duration) String() string { return time.Duration(*d).String() }
func (d *duration) Type() string   { return "duration" }
func (d *duration) Set(s string) error {
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	*d = duration(v)
	return nil
}
