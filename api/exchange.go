package api

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/tokenward/fastlytokens/gen"
)

// exchange is one request being served, under the server's lock.
type exchange struct {
	s   *Server
	w   http.ResponseWriter
	r   *http.Request
	now time.Time
}

// handle registers h for the contract's operation operationID, at the
// method and path template the contract gives it: each route is written once,
// in the contract.
func (s *Server) handle(operationID string, h func(*exchange)) {
	route := s.contract.route(operationID)
	s.mux.HandleFunc(route.Method+" "+route.Path, func(w http.ResponseWriter, r *http.Request) {
		out := w
		var rec *capture
		if s.check != nil {
			rec = newCapture()
			out = rec
		}
		s.serve(out, r, route, h)
		if rec != nil {
			if err := s.contract.validateResponse(r, route, rec); err != nil {
				s.check(err)
			}
			rec.flushTo(w)
		}
	})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, route *routers.Route, h func(*exchange)) {
	if err := s.contract.validateRequest(r, route); err != nil {
		detail := describe(err)
		status := http.StatusBadRequest
		if route.Operation.OperationID == "create-token" && strings.Contains(detail, "expires_at") {
			status = http.StatusUnprocessableEntity // Fastly's answer to a malformed expires_at
		}
		writeJSON(w, status, errorBody("Bad request", detail))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h(&exchange{s: s, w: w, r: r, now: s.now()})
}

func (x *exchange) json(status int, v any) { writeJSON(x.w, status, v) }
func (x *exchange) fail(status int, msg string) {
	x.json(status, errorBody(msg, ""))
}
func (x *exchange) failCode(code gen.CreateTokenErrorCode) {
	x.json(http.StatusBadRequest, gen.CreateTokenError{Code: code})
}
func (x *exchange) noContent() { x.w.WriteHeader(http.StatusNoContent) }

// caller authenticates the Fastly-Key: 401 when missing or expired, 403 when
// unknown or revoked. It records the use (time, IP, User-Agent) as Fastly does.
func (x *exchange) caller() (*token, bool) {
	key := x.r.Header.Get("Fastly-Key")
	if key == "" {
		x.fail(http.StatusUnauthorized, msgMissingCredentials)
		return nil, false
	}
	t := x.s.byHash[hash(key)]
	if t == nil || t.revoked {
		x.fail(http.StatusForbidden, msgTokenLookupFailed)
		return nil, false
	}
	if t.expired(x.now) {
		x.fail(http.StatusUnauthorized, msgMissingCredentials)
		return nil, false
	}
	t.lastUsedAt = x.now.UTC().Truncate(time.Second)
	if host, _, err := net.SplitHostPort(x.r.RemoteAddr); err == nil {
		t.ip = host
	}
	t.userAgent = x.r.UserAgent()
	return t, true
}

// writer authenticates a non-GET request's key, counts it against the
// user's hourly budget and refuses read-only keys.
func (x *exchange) writer() (*token, bool) {
	t, ok := x.caller()
	if !ok || !x.countWrite(t.userID) {
		return nil, false
	}
	if t.readOnly() {
		x.fail(http.StatusForbidden, msgReadOnly)
		return nil, false
	}
	return t, true
}

// window is one user's hourly count of non-GET requests.
type window struct {
	start time.Time
	count int
}

// countWrite counts a non-GET request, sets the rate-limit headers and
// answers 429 once the budget is spent.
func (x *exchange) countWrite(userID string) bool {
	hour := x.now.UTC().Truncate(time.Hour)
	w := x.s.windows[userID]
	if w == nil || !w.start.Equal(hour) {
		w = &window{start: hour}
		x.s.windows[userID] = w
	}
	w.count++
	h := x.w.Header()
	h.Set("Fastly-RateLimit-Remaining", strconv.Itoa(max(x.s.writeLimit-w.count, 0)))
	h.Set("Fastly-RateLimit-Reset", strconv.FormatInt(hour.Add(time.Hour).Unix(), 10))
	if w.count > x.s.writeLimit {
		x.fail(http.StatusTooManyRequests, msgRateLimited)
		return false
	}
	return true
}

// userOf is the owner of t.
func (x *exchange) userOf(t *token) *user { return x.s.users[t.userID] }

// mayManage says whether u may see or revoke t: their own, or any of their
// customer's tokens for a superuser.
func mayManage(u *user, t *token) bool {
	return t.userID == u.id || (u.superuser && t.customerID == u.customerID)
}

// live returns the token by id unless it is unknown or revoked.
func (x *exchange) live(id string) *token {
	t := x.s.tokens[id]
	if t == nil || t.revoked {
		return nil
	}
	return t
}

// revoke ends t at once: its key is forgotten.
func (x *exchange) revoke(t *token) {
	t.revoked = true
	delete(x.s.byHash, t.hash)
}

// verify checks a login and password, and for two-factor users the OTP.
// It answers 400 invalid_grant or 2fa.verify itself.
func (x *exchange) verify(login, password string) (*user, bool) {
	u := x.s.logins[login]
	if u == nil || u.passwordHash != hash(password) {
		x.failCode(gen.InvalidGrant)
		return nil, false
	}
	if u.totpSecret != "" && !validTOTP(u.totpSecret, x.r.Header.Get("Fastly-OTP"), x.now) {
		x.failCode(gen.N2faVerify)
		return nil, false
	}
	return u, true
}
