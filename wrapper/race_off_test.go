//go:build !race

package wrapper_test

// raceEnabled: the race detector inflates allocation figures.
const raceEnabled = false
