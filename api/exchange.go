package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/tokenward/fastlytokens/gen"
)

// exchange is one request being served. Its handler runs under the server's
// lock and leaves its answer in reply, which is written after the lock is
// released.
type exchange struct {
	s      *Server
	r      *http.Request
	now    time.Time
	body   []byte // the request body, read through MaxBodyBytes
	caller *token // the authenticating key; nil when credentials signed in
	user   *user  // who acts; nil for an automation key
	signed bool   // credentials (HTTP Basic or form fields) signed in
	reply  *reply
	// keyRefusal is the answer to a refused key on create, given only when
	// the body carries no credentials (which win over the key).
	keyRefusal *reply
}

// reply is an answer not yet written.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func newReply() *reply { return &reply{status: http.StatusOK, header: http.Header{}} }

func (rep *reply) json(status int, v any) *reply {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"msg":"internal error"}`)
	}
	rep.status, rep.body = status, body
	rep.header.Set("Content-Type", "application/json")
	return rep
}

func (rep *reply) writeTo(w http.ResponseWriter) {
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// handle registers op for the contract's operation operationID, at the
// method and path template the contract gives it: each route is written once,
// in the contract.
func (s *Server) handle(operationID string, op operation) {
	route := s.contract.route(operationID)
	s.mux.HandleFunc(route.Method+" "+route.Path, func(w http.ResponseWriter, r *http.Request) {
		rep := s.serve(w, r, route, op)
		if s.check != nil {
			if err := s.contract.validateResponse(r, route, rep); err != nil {
				s.check(err)
			}
		}
		rep.writeTo(w)
	})
}

// serve answers r in the order that keeps refusals cheap: authenticate the
// key, check its scope and budget (under the lock); read the body through
// the cap (without it); then, under the lock again, sign in with body
// credentials, validate the request against the contract and run the
// handler.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, route *routers.Route, op operation) *reply {
	x := &exchange{s: s, r: r, reply: newReply()}
	s.mu.Lock()
	x.now = s.now()
	ok := x.authenticate(op)
	s.mu.Unlock()
	if !ok || (op.body && !x.readBody(w)) {
		return x.reply
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	x.now = s.now()
	if x.caller != nil && x.caller.revoked { // revoked while the body was read
		x.fail(http.StatusForbidden, msgTokenLookupFailed, "")
		return x.reply
	}
	if op.create && !x.bodyCredentials() {
		return x.reply
	}
	if err := s.contract.validateRequest(r, route); err != nil {
		detail := describe(err)
		if op.create && strings.Contains(detail, "expires_at") {
			x.fail(http.StatusUnprocessableEntity, msgUnprocessable, detail) // Fastly's answer to a malformed expires_at
		} else {
			x.fail(http.StatusBadRequest, msgBadRequest, detail)
		}
		return x.reply
	}
	op.handle(x)
	return x.reply
}

// readBody reads the body through MaxBodyBytes: 413 past it, at once when
// Content-Length already says so.
func (x *exchange) readBody(w http.ResponseWriter) bool {
	if x.r.ContentLength > MaxBodyBytes {
		x.reply.header.Set("Connection", "close")
		x.fail(http.StatusRequestEntityTooLarge, msgTooLarge, "")
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, x.r.Body, MaxBodyBytes))
	if err != nil {
		if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
			x.fail(http.StatusRequestEntityTooLarge, msgTooLarge, "")
		} else {
			x.fail(http.StatusBadRequest, msgBadRequest, "the body could not be read")
		}
		return false
	}
	x.body = body
	x.r.Body = io.NopCloser(bytes.NewReader(body)) // for the contract check
	return true
}

func (x *exchange) json(status int, v any) { x.reply.json(status, v) }
func (x *exchange) fail(status int, msg, detail string) {
	x.json(status, errorBody(msg, detail))
}
func (x *exchange) failCode(code gen.CreateTokenErrorCode) {
	x.json(http.StatusBadRequest, gen.CreateTokenError{Code: code})
}
func (x *exchange) noContent() { x.reply.status = http.StatusNoContent }

// authenticate decides who calls before any body is read: HTTP Basic
// credentials on create, else the Fastly-Key, whose scope and hourly budget
// are checked here. On create, credentials may still come in the body: a
// refused key is answered only if they do not.
func (x *exchange) authenticate(op operation) bool {
	if op.create {
		if login, password, ok := x.r.BasicAuth(); ok {
			return x.signIn(login, password)
		}
		if x.r.Header.Get("Fastly-Key") == "" {
			return true
		}
	}
	t, ok := x.key()
	if ok {
		x.caller, x.user = t, x.s.users[t.userID]
		ok = x.permit(op.access) && (!op.write || x.countWrite(t.budget()))
	}
	if !ok && op.create {
		// Credentials in the body win over the key: keep the key's refusal
		// for when the body carries none.
		x.keyRefusal, x.reply = x.reply, newReply()
		x.caller, x.user = nil, nil
		return true
	}
	return ok
}

// key authenticates the Fastly-Key: 401 when missing or expired, 403 when
// unknown or revoked. It records the use (time, IP, User-Agent) as Fastly does.
func (x *exchange) key() (*token, bool) {
	key := x.r.Header.Get("Fastly-Key")
	if key == "" {
		x.fail(http.StatusUnauthorized, msgMissingCredentials, "")
		return nil, false
	}
	t := x.s.byHash[hash(key)]
	if t == nil || t.revoked {
		x.fail(http.StatusForbidden, msgTokenLookupFailed, "")
		return nil, false
	}
	if t.expired(x.now) {
		x.fail(http.StatusUnauthorized, msgMissingCredentials, "")
		return nil, false
	}
	t.lastUsedAt = x.now.UTC().Truncate(time.Second)
	if host, _, err := net.SplitHostPort(x.r.RemoteAddr); err == nil {
		t.ip = host
	}
	t.userAgent = x.r.UserAgent()
	return t, true
}

// permit checks the key's scope against what the operation needs. (Written
// with ifs, not a switch, so mutation testing can reach every condition.)
func (x *exchange) permit(need access) bool {
	t := x.caller
	if need == anyKey {
		return true
	}
	if x.user == nil {
		x.fail(http.StatusForbidden, msgForbidden, "an automation token may only read and revoke itself")
		return false
	}
	if t.has(scopeGlobal) {
		return true
	}
	if t.has(scopeGlobalRead) {
		if need == readTokens {
			return true
		}
		x.fail(http.StatusForbidden, msgReadOnly, "")
		return false
	}
	x.fail(http.StatusForbidden, msgForbidden, "the key's scope does not allow this endpoint")
	return false
}

// bodyCredentials signs in with form credentials on create, which take
// precedence over a key, even a refused one; a key alone must be accepted
// and in sudo mode.
func (x *exchange) bodyCredentials() bool {
	if x.signed {
		return true // HTTP Basic already signed in
	}
	form := parseForm(x.body)
	if login, password := form.Get("username"), form.Get("password"); login != "" || password != "" {
		return x.signIn(login, password)
	}
	if x.keyRefusal != nil {
		x.reply = x.keyRefusal
		return false
	}
	if x.caller == nil {
		x.fail(http.StatusUnauthorized, msgMissingCredentials, "")
		return false
	}
	if !x.caller.sudoUntil.After(x.now) {
		x.fail(http.StatusForbidden, msgSudoRequired, "")
		return false
	}
	return true
}

// signIn verifies a login's credentials and, once the user is known, counts
// the request against their budget (unless their key was counted already).
// A refusal answers 400 invalid_grant, account_locked or 2fa.verify.
func (x *exchange) signIn(login, password string) bool {
	u, v := x.verify(login, password, false)
	if v != passed {
		x.refuse(v, func() { x.failCode(gen.InvalidGrant) })
		return false
	}
	counted := x.caller != nil && x.caller.userID == u.id
	x.caller, x.user, x.signed = nil, u, true
	return counted || x.countWrite(u.id)
}

// refuse answers a failed verification; wrongPassword answers through
// wrong, which differs between create and /sudo. While the table of
// unknown logins is full of live locks, every refusal, whatever the login,
// is the same 429 with Retry-After: a failure that could not be counted
// must not answer differently from one that was.
func (x *exchange) refuse(v verdict, wrong func()) {
	if table := x.s.unknownLogins; table.full(x.now) {
		wait := table.firstUnlock().Sub(x.now)
		x.reply.header.Set("Retry-After", strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10))
		x.fail(http.StatusTooManyRequests, msgSignInsLocked, "")
		return
	}
	switch v {
	case lockedOut:
		x.failCode(gen.AccountLocked)
	case needsOTP, wrongOTP:
		x.failCode(gen.N2faVerify)
	default:
		wrong()
	}
}

// window is one user's hourly count of non-GET requests.
type window struct {
	start time.Time
	count int
}

// countWrite counts a non-GET request against budget's hourly window, sets
// the rate-limit headers and answers 429 once the budget is spent.
func (x *exchange) countWrite(budget string) bool {
	hour := x.now.UTC().Truncate(time.Hour)
	w := x.s.windows[budget]
	if w == nil || !w.start.Equal(hour) {
		w = &window{start: hour}
		x.s.windows[budget] = w
	}
	w.count++
	h := x.reply.header
	h.Set("Fastly-RateLimit-Remaining", strconv.Itoa(max(x.s.writeLimit-w.count, 0)))
	h.Set("Fastly-RateLimit-Reset", strconv.FormatInt(hour.Add(time.Hour).Unix(), 10))
	if w.count > x.s.writeLimit {
		x.fail(http.StatusTooManyRequests, msgRateLimited, "")
		return false
	}
	return true
}

// visible returns the live token id if the caller may see and revoke it:
// their own, or any of their customer's for a superuser. Anything else is
// nil, whether it exists or not.
func (x *exchange) visible(id string) *token {
	t := x.s.tokens[id]
	if t == nil || t.revoked || !mayManage(x.user, t) {
		return nil
	}
	return t
}

func mayManage(u *user, t *token) bool {
	return (t.userID == u.id && !t.automation) || (u.superuser && t.customerID == u.customerID)
}

// revoke ends t at once: the token and its key are forgotten, so revoked
// tokens take no memory.
func (x *exchange) revoke(t *token) {
	t.revoked = true
	delete(x.s.byHash, t.hash)
	delete(x.s.tokens, t.id)
	if u := x.s.users[t.userID]; u != nil {
		u.tokens--
	}
}
