package wrapper_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tokenward/fastlytokens/api"
	"github.com/tokenward/fastlytokens/wrapper"
)

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

// TestIdleConnectionClosedByServer: the server closes idle connections.
// Reads sent straight into the closing connection are retried; a create
// sent after the close was noticed goes out on a new connection. Nothing is
// lost and nothing is done twice.
func TestIdleConnectionClosedByServer(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			reply(200, createdJSON)(w, r)
			return
		}
		reply(200, "[]")(w, r)
	})
	c := f.client(t, fastRetry)
	for range 5 {
		_, err := c.List(ctx)
		require.NoError(t, err)
		f.srv.CloseClientConnections()
		_, err = c.List(ctx) // straight into the closed connection: retried if need be
		require.NoError(t, err)
		f.srv.CloseClientConnections()
		time.Sleep(20 * time.Millisecond) // an idle close, noticed by the pool
		_, err = c.Create(ctx, wrapper.CreateInput{Name: "x"})
		require.NoError(t, err)
	}
	posts := 0
	for _, r := range f.requests() {
		if r.Method == "POST" {
			posts++
		}
	}
	require.Equal(t, 5, posts, "one create per call")
}

func TestSlowServerBoundedByDeadline(t *testing.T) {
	ctx := t.Context()
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		reply(200, "[]")(w, r)
	})
	defer close(release)
	deadline, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.client(t, fastRetry).List(deadline)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
	require.Len(t, f.requests(), 1, "no retry once the deadline has passed")
}

// TestSharedClientUnderLoad: one Client, many goroutines, the api/ server;
// run with -race. Every token created is listed and revoked exactly once,
// and the rate-limit view stays consistent.
func TestSharedClientUnderLoad(t *testing.T) {
	ctx := t.Context()
	srv := api.NewTestServer(t, api.WithWriteLimit(1_000_000))
	user := srv.Account(api.RoleSuperuser)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(user.Token), wrapper.WithBasicAuth(user.Login, user.Password))
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := map[string]bool{}
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 15 {
				tok, err := c.Create(ctx, wrapper.CreateInput{Name: "load"})
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				created[tok.ID] = true
				mu.Unlock()
				_, err = c.Get(ctx, tok.ID)
				assert.NoError(t, err)
				_ = c.RateLimit()
			}
		}()
	}
	wg.Wait()
	require.Len(t, created, 12*15)
	ids := make([]string, 0, len(created))
	for id := range created {
		ids = append(ids, id)
	}
	require.NoError(t, c.RevokeMany(ctx, ids...))
	left, err := c.List(ctx)
	require.NoError(t, err)
	assert.Len(t, left, 2)
	assert.True(t, c.RateLimit().Known)
}
