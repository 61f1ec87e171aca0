package wrapper

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCountElements: the scan counts top-level elements only: not those of
// nested arrays or objects, not commas or brackets inside strings, and none
// in an empty list.
func TestCountElements(t *testing.T) {
	for body, want := range map[string]int{
		`[]`:                             0,
		` [ ] `:                          0,
		`[{}]`:                           1,
		`[1]`:                            1,
		`[1,2,3]`:                        3,
		`[ {"a":1} , {"b":[1,2,3]} ]`:    2,
		`[[1,2],[3,4],[5]]`:              3,
		`[{"s":"x,]}[{"},{"s":"\",\""}]`: 2,
		`[{"s":"\\"},{}]`:                2,
		`["a","b\\\"c,d"]`:               2,
	} {
		assert.Equal(t, want, countElements([]byte(body)), body)
	}
}
