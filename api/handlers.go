package api

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tokenward/fastlytokens/gen"
)

func (x *exchange) tokenList(keep func(*token) bool) []gen.Token {
	list := []gen.Token{}
	for _, t := range x.s.tokens {
		if !t.revoked && keep(t) {
			list = append(list, t.read(x.now))
		}
	}
	slices.SortFunc(list, func(a, b gen.Token) int { return strings.Compare(a.Id, b.Id) })
	return list
}

func (s *Server) listTokens(x *exchange) {
	caller, ok := x.caller()
	if !ok {
		return
	}
	x.json(http.StatusOK, x.tokenList(func(t *token) bool { return t.userID == caller.userID }))
}

func (s *Server) listCustomerTokens(x *exchange) {
	caller, ok := x.caller()
	if !ok {
		return
	}
	u := x.userOf(caller)
	customerID := x.r.PathValue("customer_id")
	if !u.superuser || u.customerID != customerID {
		x.fail(http.StatusForbidden, msgForbidden)
		return
	}
	x.json(http.StatusOK, x.tokenList(func(t *token) bool { return t.customerID == customerID }))
}

func (s *Server) getCurrent(x *exchange) {
	caller, ok := x.caller()
	if !ok {
		return
	}
	x.json(http.StatusOK, caller.read(x.now))
}

func (s *Server) getToken(x *exchange) {
	caller, ok := x.caller()
	if !ok {
		return
	}
	t := x.live(x.r.PathValue("token_id"))
	if t == nil || !mayManage(x.userOf(caller), t) {
		x.fail(http.StatusNotFound, msgTokenLookupFailed)
		return
	}
	x.json(http.StatusOK, t.read(x.now))
}

func (s *Server) revokeCurrent(x *exchange) {
	caller, ok := x.writer()
	if !ok {
		return
	}
	x.revoke(caller)
	x.noContent()
}

func (s *Server) revokeToken(x *exchange) {
	caller, ok := x.writer()
	if !ok {
		return
	}
	t := x.live(x.r.PathValue("token_id"))
	u := x.userOf(caller)
	switch {
	case t == nil || t.customerID != u.customerID:
		x.fail(http.StatusNotFound, msgTokenLookupFailed)
	case !mayManage(u, t):
		x.fail(http.StatusForbidden, msgForbidden)
	default:
		x.revoke(t)
		x.noContent()
	}
}

// bulkRevoke revokes all the named tokens or none: every id must be live and
// the caller's to revoke.
func (s *Server) bulkRevoke(x *exchange) {
	caller, ok := x.writer()
	if !ok {
		return
	}
	var doc gen.BulkRevokeRequest
	body, _ := io.ReadAll(x.r.Body)
	if err := json.Unmarshal(body, &doc); err != nil {
		x.json(http.StatusBadRequest, errorBody("Bad request", "body is not a JSON:API bulk document"))
		return
	}
	u := x.userOf(caller)
	targets := make([]*token, 0, len(doc.Data))
	for _, item := range doc.Data {
		t := x.live(item.Id)
		if t == nil || t.customerID != u.customerID {
			x.json(http.StatusNotFound, errorBody(msgTokenLookupFailed, "token "+item.Id))
			return
		}
		if !mayManage(u, t) {
			x.json(http.StatusForbidden, errorBody(msgForbidden, "token "+item.Id))
			return
		}
		targets = append(targets, t)
	}
	for _, t := range targets {
		x.revoke(t)
	}
	x.noContent()
}

// createToken authenticates with form credentials, HTTP Basic, or a key in
// sudo mode, in that order, then mints the token.
func (s *Server) createToken(x *exchange) {
	if err := x.r.ParseForm(); err != nil {
		x.failCode(gen.InvalidRequest)
		return
	}
	form := x.r.PostForm
	var u *user
	if login, password := form.Get("username"), form.Get("password"); login != "" || password != "" {
		if u = x.credentials(login, password); u == nil {
			return
		}
	} else if login, password, ok := x.r.BasicAuth(); ok {
		if u = x.credentials(login, password); u == nil {
			return
		}
	} else {
		caller, ok := x.writer()
		if !ok {
			return
		}
		if !caller.sudoUntil.After(x.now) {
			x.fail(http.StatusForbidden, msgSudoRequired)
			return
		}
		u = x.userOf(caller)
	}

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
			x.json(http.StatusUnprocessableEntity, errorBody("Unprocessable Entity", "expires_at must be RFC 3339"))
			return
		}
		expires = t
	}
	t, secret := x.s.mintLocked(u, form.Get("name"), scopes, services, expires)
	x.json(http.StatusOK, t.created(secret))
}

// credentials counts the request against the user's budget (when the login
// is known) and verifies password and OTP.
func (x *exchange) credentials(login, password string) *user {
	if known := x.s.logins[login]; known != nil && !x.countWrite(known.id) {
		return nil
	}
	u, ok := x.verify(login, password)
	if !ok {
		return nil
	}
	return u
}

// sudo puts the calling key in sudo mode for SudoDuration after checking the
// user's password (and OTP for two-factor users).
func (s *Server) sudo(x *exchange) {
	caller, ok := x.writer()
	if !ok {
		return
	}
	var in gen.SudoRequest
	if strings.HasPrefix(x.r.Header.Get("Content-Type"), "application/json") {
		body, _ := io.ReadAll(x.r.Body)
		_ = json.Unmarshal(body, &in)
	} else {
		_ = x.r.ParseForm()
		in.Username, in.Password = x.r.PostForm.Get("username"), x.r.PostForm.Get("password")
	}
	u := x.userOf(caller)
	if in.Username != "" && in.Username != u.login {
		x.failCode(gen.InvalidGrant)
		return
	}
	if _, ok := x.verify(u.login, in.Password); !ok {
		return
	}
	caller.sudoUntil = x.now.UTC().Truncate(time.Second).Add(SudoDuration)
	x.json(http.StatusOK, gen.SudoResponse{ExpiryTime: gen.Time{Time: caller.sudoUntil}})
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
