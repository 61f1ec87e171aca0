package api

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenward/fastlytokens/gen"
)

// access is what an operation needs of the key's scope.
type access int

const (
	anyKey      access = iota // the key reads or revokes itself
	readTokens                // global or global:read
	writeTokens               // global
)

// operation is how one of the contract's operations is served.
type operation struct {
	access access
	write  bool // counted against the hourly budget of non-GET requests
	body   bool // has a body, read through MaxBodyBytes
	create bool // credentials may stand in for the key
	handle func(*exchange)
}

// operations are served by the contract's operationId; TestEveryOperation
// HasOneHandler holds them to the contract.
var operations = map[string]operation{
	"list-tokens-user":     {access: readTokens, handle: listTokens},
	"list-tokens-customer": {access: readTokens, handle: listCustomerTokens},
	"get-token-current":    {access: anyKey, handle: getCurrent},
	"get-token":            {access: readTokens, handle: getToken},
	"revoke-token-current": {access: anyKey, write: true, handle: revokeCurrent},
	"revoke-token":         {access: writeTokens, write: true, handle: revokeToken},
	"bulk-revoke-tokens":   {access: writeTokens, write: true, body: true, handle: bulkRevoke},
	"create-token":         {access: writeTokens, write: true, body: true, create: true, handle: createToken},
	"request-sudo":         {access: writeTokens, write: true, body: true, handle: sudo},
}

// tokenList renders the live tokens keep selects, in creation order.
func (x *exchange) tokenList(keep func(*token) bool) []any {
	var picked []*token
	for _, t := range x.s.tokens {
		if !t.revoked && keep(t) {
			picked = append(picked, t)
		}
	}
	slices.SortFunc(picked, func(a, b *token) int { return cmp.Compare(a.seq, b.seq) })
	list := make([]any, len(picked))
	for i, t := range picked {
		list[i] = t.read(x.now)
	}
	return list
}

func listTokens(x *exchange) {
	x.json(http.StatusOK, x.tokenList(func(t *token) bool { return t.userID == x.user.id && !t.automation }))
}

func listCustomerTokens(x *exchange) {
	customerID := x.r.PathValue("customer_id")
	if !x.user.superuser || x.user.customerID != customerID {
		x.fail(http.StatusForbidden, msgForbidden, "only the customer's superusers list its tokens")
		return
	}
	x.json(http.StatusOK, x.tokenList(func(t *token) bool { return t.customerID == customerID }))
}

func getCurrent(x *exchange) { x.json(http.StatusOK, x.caller.read(x.now)) }

func getToken(x *exchange) {
	t := x.visible(x.r.PathValue("token_id"))
	if t == nil {
		x.fail(http.StatusNotFound, msgTokenLookupFailed, "")
		return
	}
	x.json(http.StatusOK, t.read(x.now))
}

func revokeCurrent(x *exchange) {
	x.revoke(x.caller)
	x.noContent()
}

func revokeToken(x *exchange) {
	t := x.visible(x.r.PathValue("token_id"))
	if t == nil {
		x.fail(http.StatusNotFound, msgTokenLookupFailed, "")
		return
	}
	x.revoke(t)
	x.noContent()
}

// bulkRevoke revokes all the named tokens or none: every id must be live and
// the caller's to revoke.
func bulkRevoke(x *exchange) {
	var doc gen.BulkRevokeRequest
	if err := json.Unmarshal(x.body, &doc); err != nil {
		x.fail(http.StatusBadRequest, msgBadRequest, "body is not a JSON:API bulk document")
		return
	}
	if len(doc.Data) == 0 || len(doc.Data) > MaxBulkIDs {
		x.fail(http.StatusBadRequest, msgBadRequest, "a bulk revoke names 1 to "+strconv.Itoa(MaxBulkIDs)+" tokens")
		return
	}
	targets := make([]*token, 0, len(doc.Data))
	for _, item := range doc.Data {
		t := x.visible(item.Id)
		if t == nil {
			x.fail(http.StatusNotFound, msgTokenLookupFailed, "token "+item.Id)
			return
		}
		targets = append(targets, t)
	}
	for _, t := range targets {
		x.revoke(t)
	}
	x.noContent()
}

// createToken mints a token for the signed-in user. Every field is
// optional: an empty body takes Fastly's defaults (scope global, all
// services, no expiry).
func createToken(x *exchange) {
	form := parseForm(x.body)
	scopes, ok := parseScopes(form.Get("scope"))
	if !ok {
		x.failCode(gen.InvalidScope)
		return
	}
	services := form["services[]"] // Fastly ignores services= and services[0]=
	for _, id := range services {
		if !isID(id) {
			x.failCode(gen.InvalidRequest)
			return
		}
	}
	var expires time.Time
	if v := form.Get("expires_at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			x.fail(http.StatusUnprocessableEntity, msgUnprocessable, "expires_at must be RFC 3339")
			return
		}
		if !t.After(x.now) {
			x.fail(http.StatusUnprocessableEntity, msgUnprocessable, "expires_at must be in the future")
			return
		}
		expires = t
	}
	if full := x.s.tokenLimit(x.user); full != "" {
		x.fail(http.StatusUnprocessableEntity, msgUnprocessable, full)
		return
	}
	t, secret := x.s.mintLocked(x.user.id, x.user.customerID, form.Get("name"), scopes, services, expires)
	x.json(http.StatusOK, t.created(secret))
}

// sudo puts the calling key in sudo mode after checking the user's login
// and password (and OTP for two-factor users): SudoDuration, or until
// expiry_time, at most MaxSudoDuration from now.
func sudo(x *exchange) {
	var in gen.SudoRequest
	if strings.HasPrefix(x.r.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(x.body, &in); err != nil {
			x.failCode(gen.InvalidRequest)
			return
		}
	} else {
		form := parseForm(x.body)
		in.Username, in.Password = form.Get("username"), form.Get("password")
		if v := form.Get("expiry_time"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				x.failCode(gen.InvalidRequest)
				return
			}
			in.ExpiryTime = t
		}
	}
	now := x.now.UTC().Truncate(time.Second)
	until := now.Add(SudoDuration)
	if !in.ExpiryTime.IsZero() {
		if !in.ExpiryTime.After(x.now) {
			x.failCode(gen.InvalidRequest)
			return
		}
		until = in.ExpiryTime.UTC().Truncate(time.Second)
		if limit := now.Add(MaxSudoDuration); until.After(limit) {
			until = limit
		}
	}
	if _, v := x.verify(x.user.login, in.Password, in.Username != x.user.login); v != passed {
		x.refuse(v, func() { x.fail(http.StatusForbidden, msgBadPassword, "") })
		return
	}
	x.caller.sudoUntil = until
	x.json(http.StatusOK, gen.SudoResponse{ExpiryTime: gen.Time{Time: until}})
}

// parseForm reads a form body; a malformed one reads as far as it parses.
func parseForm(body []byte) url.Values {
	form, _ := url.ParseQuery(string(body))
	return form
}

func isID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
