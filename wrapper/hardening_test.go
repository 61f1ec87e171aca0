package wrapper_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tokenward/fastlytokens/wrapper"
)

// TestListBoundedByElements: a 30 MiB list of empty objects is refused
// before decoding, costing under 4x its bytes; a list within the bound
// decodes.
func TestListBoundedByElements(t *testing.T) {
	ctx := t.Context()
	body := []byte("[" + strings.Repeat("{},", 30<<20/3) + "{}]") // 30 MiB, under the 32 MiB body bound
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) })
	c := f.client(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.List(ctx)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, wrapper.ErrResponseTooLarge)
	assert.Contains(t, err.Error(), "more than the bound of 100000")
	if !raceEnabled { // make test runs -race; go test without it measures
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(4*len(body)), "allocated while refusing")
	}

	small := newFake(t, reply(200, `[{"id":"a"},{"id":"b"},{"id":"c"}]`))
	_, err = small.client(t, wrapper.WithMaxListLength(2)).List(ctx)
	require.ErrorIs(t, err, wrapper.ErrResponseTooLarge)
	list, err := small.client(t, wrapper.WithMaxListLength(3)).List(ctx)
	require.NoError(t, err)
	assert.Len(t, list, 3)
	_, err = wrapper.New(wrapper.WithMaxListLength(0))
	require.ErrorIs(t, err, wrapper.ErrInvalidInput)
}

// TestContentLengthIsNotPreallocated: 20 calls to a server that announces
// 32 MiB and sends one byte do not raise the heap by more than a few MiB.
func TestContentLengthIsNotPreallocated(t *testing.T) {
	ctx := t.Context()
	var arrived sync.WaitGroup
	arrived.Add(20)
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(32<<20))
		w.WriteHeader(200)
		_, _ = w.Write([]byte("["))
		w.(http.Flusher).Flush()
		arrived.Done()
		<-release
	})
	c := f.client(t)
	runtime.GC()
	var before, during runtime.MemStats
	runtime.ReadMemStats(&before)
	var done sync.WaitGroup
	for range 20 {
		done.Add(1)
		go func() {
			defer done.Done()
			_, _ = c.List(ctx)
		}()
	}
	arrived.Wait()
	time.Sleep(50 * time.Millisecond) // let the clients reach their reads
	runtime.ReadMemStats(&during)
	close(release)
	done.Wait()
	assert.Less(t, int64(during.HeapAlloc)-int64(before.HeapAlloc), int64(8<<20))
}

// TestInformationalAnswersObeyTheDeadline: a 101 Switching Protocols on a
// connection the server then holds open is an error at once, never a read
// that outlives the context.
func TestInformationalAnswersObeyTheDeadline(t *testing.T) {
	ctx := t.Context()
	hold := make(chan struct{})
	defer close(hold)
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, _ := w.(http.Hijacker).Hijack()
		defer func() { _ = conn.Close() }()
		_, _ = buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tokens\r\n\r\n")
		_ = buf.Flush()
		<-hold
	})
	for _, call := range []func(context.Context, *wrapper.Client) error{
		func(ctx context.Context, c *wrapper.Client) error { _, err := c.List(ctx); return err },
		func(ctx context.Context, c *wrapper.Client) error { return c.Revoke(ctx, "abc") },
		func(ctx context.Context, c *wrapper.Client) error {
			_, err := c.Create(ctx, wrapper.CreateInput{Name: "x"})
			require.ErrorIs(t, err, wrapper.ErrOutcomeUnknown)
			return err
		},
	} {
		callCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		start := time.Now()
		err := call(callCtx, f.client(t))
		cancel()
		var apiErr *wrapper.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 101, apiErr.StatusCode)
		assert.Equal(t, -1, apiErr.RateLimitRemaining, "no rate limit known from a 1xx")
		assert.Less(t, time.Since(start), time.Second)
	}
}

// TestEncodedSecretsAreRedacted: a server echoing credentials URL-encoded,
// in an Authorization header's base64, cut short, or short themselves gets
// none of them into an error or a log line.
func TestEncodedSecretsAreRedacted(t *testing.T) {
	ctx := t.Context()
	const login, password = "ops@example.com", "pa ss@w0rd+long"
	basic := base64.StdEncoding.EncodeToString([]byte(login + ":" + password))
	echoes := []string{
		url.QueryEscape(password), url.PathEscape(password), "Basic " + basic,
		testKey[:12], "..." + testKey[len(testKey)-9:], url.QueryEscape(testKey),
	}
	for _, echo := range echoes {
		f := newFake(t, reply(403, `{"msg":"refused `+echo+` here","detail":"`+echo+`"}`))
		var logs strings.Builder
		c := f.client(t, wrapper.WithBasicAuth(login, password), wrapper.WithLogger(debugLogger(&logs)))
		_, err := c.Create(ctx, wrapper.CreateInput{Name: "x"})
		require.Error(t, err)
		assert.NotContains(t, err.Error(), strings.TrimPrefix(echo, "Basic "), echo)
		assert.Contains(t, err.Error(), "[REDACTED]", echo)
		noSecrets(t, err.Error()+logs.String(), password, url.QueryEscape(password), basic)
	}

	// Short secrets: a 3-character password and a 6-digit OTP.
	f := newFake(t, reply(400, `{"msg":"pw is abc, otp 918273"}`))
	_, err := f.client(t).Create(ctx, wrapper.CreateInput{Name: "x", Username: "me", Password: "abc", OTP: "918273"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "abc")
	assert.NotContains(t, err.Error(), "918273")

	// A secret whose head falls at the excerpt's cut leaves no 8 characters.
	f = newFake(t, reply(500, strings.Repeat("x", 195)+testKey))
	_, err = f.client(t).List(ctx)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testKey[:8])
}

// TestServerTextIsSanitised: control characters and ANSI escapes in server
// text never reach Error() or the logs.
func TestServerTextIsSanitised(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(403, "{\"msg\":\"\\u001b[31mred\\u001b[0m\\u0007bell\\u009b2Jc1\\u0085x\\u007fdel\\u001b]0;title\\u0007end\"}"))
	_, err := f.client(t).List(ctx)
	require.Error(t, err)
	text := err.Error()
	for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u0085", "\x7f", "[31m", "title"} {
		assert.NotContains(t, text, bad)
	}
	assert.Contains(t, text, "redbell")
	assert.Contains(t, text, "end")
}

// TestNilContextIsInvalidInput: a nil context is refused before any
// request, with or without the caller's http.Client.
func TestNilContextIsInvalidInput(t *testing.T) {
	f := newFake(t, reply(200, "[]"))
	for _, c := range []*wrapper.Client{f.client(t), f.client(t, wrapper.WithHTTPClient(&http.Client{}))} {
		_, err := c.List(nilContext())
		require.ErrorIs(t, err, wrapper.ErrInvalidInput)
		_, err = c.Create(nilContext(), wrapper.CreateInput{Name: "x"})
		require.ErrorIs(t, err, wrapper.ErrInvalidInput)
		require.ErrorIs(t, c.RevokeMany(nilContext(), "a"), wrapper.ErrInvalidInput)
	}
	assert.Empty(t, f.requests())
}

// nilContext hides the nil from vet's and the linters' static checks.
func nilContext() context.Context { return nil }

// TestSecretGuaranteeLimits pins exactly what is and is not covered: a
// CreatedToken prints redacted directly, in exported fields, slices and
// maps; held in an unexported struct field, fmt cannot call its Format
// method and prints the secret (documented in the package doc).
func TestSecretGuaranteeLimits(t *testing.T) {
	created := wrapper.CreatedToken{Token: wrapper.Token{ID: "abc"}, AccessToken: "s3cret-access-token-value-xyz012"}
	type exported struct{ Created wrapper.CreatedToken }
	for _, v := range []any{created, &created, exported{created}, []wrapper.CreatedToken{created}, map[string]wrapper.CreatedToken{"k": created}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			assert.NotContains(t, fmt.Sprintf(verb, v), created.AccessToken, verb)
		}
	}
	type unexported struct{ created wrapper.CreatedToken }
	assert.Contains(t, fmt.Sprintf("%+v", unexported{created}), created.AccessToken, "the documented limit")
}

func debugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }
