package wrapper_test

// Benchmarks of wrapper against a hand-written floor: plain net/http and
// encoding/json, decoding the same fields into equivalent structs, sharing
// one http.Client, against the same loopback server. `make bench` prints
// the ratios wrapper/floor.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenward/fastlytokens/wrapper"
)

// benchServer answers every endpoint with canned bytes shaped like Fastly's.
func benchServer(b *testing.B, listSize int) *httptest.Server {
	b.Helper()
	list := tokenListJSON(listSize)
	one := []byte(readTokenJSON)
	created := []byte(createdJSON)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		if r.Method != http.MethodGet {
			h["Fastly-Ratelimit-Remaining"] = []string{"4999"}
			h["Fastly-Ratelimit-Reset"] = []string{"1795888800"}
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/tokens":
			_, _ = w.Write(list)
		case r.Method == http.MethodGet:
			_, _ = w.Write(one)
		case r.Method == http.MethodPost:
			_, _ = w.Write(created)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	b.Cleanup(srv.Close)
	return srv
}

func tokenListJSON(n int) []byte {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"id":"tok%019d","user_id":"4y5K5trZocEAQYkesWlk7M","customer_id":"51MumwLiSJyFTWhtbByYgR","name":"token %d","last_used_at":"2021-01-14T11:36:43Z","created_at":"2021-01-14T11:25:39Z","expires_at":null,"ip":"92.238.40.48","user_agent":"FastlyGo/2.1.0 (+github.com/fastly/go-fastly; go1.15.4)","sudo_expires_at":null,"scopes":["global"],"scope":"global","services":["7frORaFZvHgC6eRAJdA7kf"],"service_id":"7frORaFZvHgC6eRAJdA7kf"}`, i, i)
	}
	buf.WriteByte(']')
	return buf.Bytes()
}

// floorToken holds the same fields as wrapper.Token.
type floorToken struct {
	ID            string      `json:"id"`
	UserID        string      `json:"user_id"`
	CustomerID    string      `json:"customer_id"`
	Name          string      `json:"name"`
	Scope         string      `json:"scope"`
	Scopes        []string    `json:"scopes"`
	Services      []string    `json:"services"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
	LastUsedAt    time.Time   `json:"last_used_at"`
	ExpiresAt     time.Time   `json:"expires_at"`
	SudoExpiresAt time.Time   `json:"sudo_expires_at"`
	IP            string      `json:"ip"`
	UserAgent     string      `json:"user_agent"`
	AccessToken   string      `json:"access_token"`
	_             [0]struct{} // keep composite literals keyed
}

// floor is the hand-written client: what a careful developer writes with
// the standard library alone.
type floor struct {
	hc   *http.Client
	base string
	key  string
}

func (f *floor) do(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, f.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Fastly-Key", f.key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := f.hc.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode >= 300 {
		return errors.New(resp.Status)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return err
		}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

func (f *floor) list(ctx context.Context) ([]floorToken, error) {
	var out []floorToken
	return out, f.do(ctx, "GET", "/tokens", "", nil, &out)
}

func (f *floor) get(ctx context.Context, id string) (floorToken, error) {
	var out floorToken
	return out, f.do(ctx, "GET", "/tokens/"+url.PathEscape(id), "", nil, &out)
}

func (f *floor) create(ctx context.Context, name string, scopes, services []string) (floorToken, error) {
	form := url.Values{"name": {name}, "scope": {strings.Join(scopes, " ")}, "services[]": services}
	var out floorToken
	return out, f.do(ctx, "POST", "/tokens", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), &out)
}

func (f *floor) revoke(ctx context.Context, id string) error {
	return f.do(ctx, "DELETE", "/tokens/"+url.PathEscape(id), "", nil, nil)
}

func (f *floor) revokeMany(ctx context.Context, ids []string) error {
	type item struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	doc := struct {
		Data []item `json:"data"`
	}{Data: make([]item, len(ids))}
	for i, id := range ids {
		doc.Data[i] = item{Type: "token", ID: id}
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return f.do(ctx, "DELETE", "/tokens", "application/vnd.api+json; ext=bulk", bytes.NewReader(body), nil)
}

// pair runs the floor and wrapper sides of one operation as sub-benchmarks.
func pair(b *testing.B, listSize int, floorOp func(context.Context, *floor) error, wrapperOp func(context.Context, *wrapper.Client) error) {
	srv := benchServer(b, listSize)
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	fl := &floor{hc: hc, base: srv.URL, key: testKey}
	wc, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(testKey), wrapper.WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	b.Run("floor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := floorOp(ctx, fl); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("wrapper", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := wrapperOp(ctx, wc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCurrent(b *testing.B) {
	pair(b, 1,
		func(ctx context.Context, f *floor) error { _, err := f.get(ctx, "self"); return err },
		func(ctx context.Context, c *wrapper.Client) error { _, err := c.Current(ctx); return err })
}

func BenchmarkGet(b *testing.B) {
	pair(b, 1,
		func(ctx context.Context, f *floor) error { _, err := f.get(ctx, "5Yo3XXnrQpjc20u0ybrf2g"); return err },
		func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.Get(ctx, "5Yo3XXnrQpjc20u0ybrf2g")
			return err
		})
}

func BenchmarkList(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			pair(b, n,
				func(ctx context.Context, f *floor) error {
					list, err := f.list(ctx)
					if err == nil && len(list) != n {
						err = fmt.Errorf("floor listed %d", len(list))
					}
					return err
				},
				func(ctx context.Context, c *wrapper.Client) error {
					list, err := c.List(ctx)
					if err == nil && len(list) != n {
						err = fmt.Errorf("wrapper listed %d", len(list))
					}
					return err
				})
		})
	}
}

func BenchmarkCreate(b *testing.B) {
	services := []string{"0Us63sb8R1BpWQBIhluncu", "7frORaFZvHgC6eRAJdA7kf"}
	in := wrapper.CreateInput{Name: "bench", Scopes: []wrapper.Scope{wrapper.ScopeGlobal}, Services: services}
	pair(b, 1,
		func(ctx context.Context, f *floor) error {
			_, err := f.create(ctx, "bench", []string{"global"}, services)
			return err
		},
		func(ctx context.Context, c *wrapper.Client) error { _, err := c.Create(ctx, in); return err })
}

func BenchmarkRevoke(b *testing.B) {
	pair(b, 1,
		func(ctx context.Context, f *floor) error { return f.revoke(ctx, "5Yo3XXnrQpjc20u0ybrf2g") },
		func(ctx context.Context, c *wrapper.Client) error { return c.Revoke(ctx, "5Yo3XXnrQpjc20u0ybrf2g") })
}

func BenchmarkRevokeMany(b *testing.B) {
	for _, n := range []int{100, 10000} {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("tok%019d", i)
		}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			pair(b, 1,
				func(ctx context.Context, f *floor) error { return f.revokeMany(ctx, ids) },
				func(ctx context.Context, c *wrapper.Client) error { return c.RevokeMany(ctx, ids...) })
		})
	}
}
