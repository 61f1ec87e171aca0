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

// TestUnexpectedShapeSaysWhich: the error names the shape expected.
func TestUnexpectedShapeSaysWhich(t *testing.T) {
	assert.Equal(t, "expected a JSON array", errUnexpectedShape('[').Error())
	assert.Equal(t, "expected a JSON object", errUnexpectedShape('{').Error())
}

// TestBulkBodyDropsRepeats: repeats are sent once, in first-seen order.
func TestBulkBodyDropsRepeats(t *testing.T) {
	body, err := encodeBulkRevoke([]string{"a", "b", "c", "a", "b", "d"})
	assert.NoError(t, err)
	assert.Equal(t, `{"data":[{"type":"token","id":"a"},{"type":"token","id":"b"},{"type":"token","id":"c"},{"type":"token","id":"d"}]}`, string(body))
}
