package main

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// duration is a flag value in Go's syntax (90m, 36h) or whole days (30d).
type duration time.Duration

// maxDays is the most whole days a time.Duration holds.
const maxDays = math.MaxInt64 / int64(24*time.Hour)

// parseDuration reads Go's duration syntax or whole days ("30d"). Negative
// durations and ones too large for a time.Duration are refused, saying so.
func parseDuration(s string) (time.Duration, error) {
	if strings.HasPrefix(strings.TrimSpace(s), "-") {
		return 0, errors.New("a duration must be positive")
	}
	if days, ok := strings.CutSuffix(s, "d"); ok && days != "" && !strings.ContainsAny(days, "hmsuµn.") {
		n, err := strconv.ParseInt(days, 10, 64)
		if errors.Is(err, strconv.ErrRange) || (err == nil && n > maxDays) {
			return 0, errors.New("too large: at most " + strconv.FormatInt(maxDays, 10) + "d")
		}
		if err != nil {
			return 0, errors.New("days must be a whole number, e.g. 30d")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("not a duration (or too large): use Go's syntax (90m, 36h) or whole days (30d)")
	}
	return d, nil
}

// String is the value as it was given, in days when it is whole days; ""
// for zero, so that help shows only the default each flag's usage names.
func (d *duration) String() string {
	v := time.Duration(*d)
	if v == 0 {
		return ""
	}
	if v%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"
	}
	return v.String()
}

func (d *duration) Type() string { return "duration" }
func (d *duration) Set(s string) error {
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	*d = duration(v)
	return nil
}
