package wrapper

import "hash/maphash"

// idSet remembers ids in one allocation: open addressing over indexes into
// the caller's slice, cheaper than a map for the 10,000-id bulk revokes of
// an incident.
type idSet struct {
	ids   []string
	slots []int32 // index+1 into ids; 0 is empty
	seed  maphash.Seed
	mask  uint64
}

func newIDSet(ids []string) *idSet {
	size := 16
	for size < 2*len(ids) {
		size <<= 1
	}
	return &idSet{ids: ids, slots: make([]int32, size), seed: maphash.MakeSeed(), mask: uint64(size - 1)}
}

// add records ids[i] and reports whether it was new.
func (s *idSet) add(i int) bool {
	id := s.ids[i]
	for slot := maphash.String(s.seed, id) & s.mask; ; slot = (slot + 1) & s.mask {
		stored := s.slots[slot]
		if stored == 0 {
			s.slots[slot] = int32(i + 1)
			return true
		}
		if s.ids[stored-1] == id {
			return false
		}
	}
}
