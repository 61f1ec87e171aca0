package wrapper

import (
	"fmt"
	"slices"
)

// maxIDLength is generous: Fastly's ids are usually 22 characters (one real
// one has 21), and the length is never enforced beyond this sanity bound.
const maxIDLength = 64

// checkID refuses anything but 1 to 64 ASCII letters and digits. On the wire
// an id is a path segment: "", ".", "..", "/" or "%2F" would change which
// endpoint is called, and "self" names the caller's own token. The value is
// described, never echoed, in case a secret was passed by mistake.
func checkID(what, id string) error {
	if problem := idProblem(id); problem != "" {
		return fmt.Errorf("%w: %s %s", ErrInvalidInput, what, problem)
	}
	return nil
}

// CheckTokenID returns an ErrInvalidInput error unless id is a token id
// this package will send: 1 to 64 ASCII letters and digits, not "self". Use
// it to check a whole list before acting on any of it.
func CheckTokenID(id string) error { return checkID("token id", id) }

// idProblem says what is wrong with id, or "" when it is a valid id.
func idProblem(id string) string {
	if id == "" {
		return "is empty"
	}
	if len(id) > maxIDLength {
		return fmt.Sprintf("is %d characters long, more than %d", len(id), maxIDLength)
	}
	for i := 0; i < len(id); i++ {
		if !isAlnum(id[i]) {
			return fmt.Sprintf("must be alphanumeric (character %d is not)", i+1)
		}
	}
	if id == "self" {
		return `is "self", which names the caller's own token: use Current or RevokeCurrent`
	}
	return ""
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// UniqueTokenIDs checks every id as CheckTokenID does and returns them
// without repeats, in the order each first appears. A bad id fails the
// whole list, before anything is sent: the error names its place ("token
// id 3 of 10 must be alphanumeric ...") and matches ErrInvalidInput.
// RevokeMany, lifecycle.RevokeAll and the command line all check lists
// with it.
func UniqueTokenIDs(ids []string) ([]string, error) {
	for i, id := range ids {
		if problem := idProblem(id); problem != "" {
			return nil, fmt.Errorf("%w: token id %d of %d %s", ErrInvalidInput, i+1, len(ids), problem)
		}
	}
	if !hasRepeats(ids) { // the usual case, found with two allocations whatever the length
		return slices.Clone(ids), nil
	}
	unique := make([]string, 0, len(ids))
	seen := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		if _, dup := seen[id]; !dup {
			seen[id] = struct{}{}
			unique = append(unique, id)
		}
	}
	return unique, nil
}

// hasRepeats reports whether an id appears twice, by sorting a copy.
func hasRepeats(ids []string) bool {
	if len(ids) < 2 {
		return false
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			return true
		}
	}
	return false
}
