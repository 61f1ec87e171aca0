package wrapper_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// TestBodyOfExactlyTheBound: a body of exactly WithMaxResponseBytes is read,
// declared or streamed; one byte more is ErrResponseTooLarge.
func TestBodyOfExactlyTheBound(t *testing.T) {
	ctx := t.Context()
	body := "[" + readTokenJSON + "]"
	for _, streamed := range []bool{false, true} {
		for extra, tooLarge := range map[int]bool{0: false, 1: true} {
			padded := body + strings.Repeat(" ", extra)
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if !streamed {
					w.Header().Set("Content-Length", strconv.Itoa(len(padded)))
				}
				_, _ = w.Write([]byte(padded[:10]))
				w.(http.Flusher).Flush() // without Content-Length: chunked
				_, _ = w.Write([]byte(padded[10:]))
			})
			c := f.client(t, wrapper.WithMaxResponseBytes(int64(len(body))))
			tokens, err := c.List(ctx)
			if tooLarge {
				require.ErrorIs(t, err, wrapper.ErrResponseTooLarge, "streamed %t", streamed)
			} else {
				require.NoError(t, err, "streamed %t", streamed)
				assert.Len(t, tokens, 1)
			}
		}
	}
}

// TestErrorAnswersReuseTheConnection: an error body longer than what the
// error keeps is drained, so the connection is reused.
func TestErrorAnswersReuseTheConnection(t *testing.T) {
	ctx := t.Context()
	big := `{"msg":"` + strings.Repeat("x", 96<<10) + `"}` // more than the 64 KiB an error keeps
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(reply(404, big))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) { // set before the server starts
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(testKey), wrapper.WithRetry(wrapper.RetryPolicy{}))
	require.NoError(t, err)
	for range 5 {
		_, err := c.Get(ctx, "abc")
		require.ErrorIs(t, err, wrapper.ErrNotFound)
	}
	assert.Equal(t, int32(1), conns.Load(), "one connection for five error answers")
}

func TestTruncatedJSONIsAnErrorNotARetry(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, reply(200, `[{"id":"abc","name":"x"`))
	_, err := f.client(t, fastRetry).List(ctx)
	var respErr *wrapper.ResponseError
	require.ErrorAs(t, err, &respErr)
	assert.Equal(t, 200, respErr.StatusCode)
	require.Len(t, f.requests(), 1)
}

// TestTricklingBodyBoundedByDeadline: a server sending the body a byte at a
// time is cut off by the deadline (ResponseHeaderTimeout would not).
func TestTricklingBodyBoundedByDeadline(t *testing.T) {
	ctx := t.Context()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		flusher := w.(http.Flusher)
		for i := 0; i < 100 && r.Context().Err() == nil; i++ {
			_, _ = w.Write([]byte(" "))
			flusher.Flush()
			time.Sleep(20 * time.Millisecond)
		}
	})
	deadline, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.client(t, fastRetry).List(deadline)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
}

func TestHugeBodyRefused(t *testing.T) {
	ctx := t.Context()
	huge := "[" + strings.Repeat(readTokenJSON+",", 4000) + readTokenJSON + "]" // ~2.4 MB
	f := newFake(t, reply(200, huge))
	c := f.client(t, fastRetry, wrapper.WithMaxResponseBytes(1<<20))
	_, err := c.List(ctx)
	require.ErrorIs(t, err, wrapper.ErrResponseTooLarge)
	require.Len(t, f.requests(), 1)

	// Without a Content-Length the bound still holds while reading.
	f2 := newFake(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		for i := 0; i < len(huge); i += 64 << 10 {
			_, _ = w.Write([]byte(huge[i:min(i+64<<10, len(huge))]))
			w.(http.Flusher).Flush()
		}
	})
	_, err = f2.client(t, fastRetry, wrapper.WithMaxResponseBytes(1<<20)).List(ctx)
	require.ErrorIs(t, err, wrapper.ErrResponseTooLarge)
}

// TestConnectionReuse: 1,000 sequential calls travel over one TCP
// connection: bodies are drained and closed, errors included.
func TestConnectionReuse(t *testing.T) {
	ctx := t.Context()
	var conns atomic.Int32
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 4 {
		case 0:
			reply(404, `{"msg":"Token lookup failed","detail":"`+strings.Repeat("x", 3000)+`"}`)(w, r)
		case 1:
			reply(204, "")(w, r)
		case 2:
			reply(200, createdJSON)(w, r)
		default:
			reply(200, "["+readTokenJSON+"]")(w, r)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithToken(testKey), wrapper.WithRetry(wrapper.RetryPolicy{}))
	require.NoError(t, err)
	for i := range 1000 {
		switch i % 4 {
		case 0:
			_ = c.Revoke(ctx, "abc")
		case 1:
			_, _ = c.Create(ctx, wrapper.CreateInput{Name: "x"})
		case 2:
			_, _ = c.List(ctx)
		default:
			_, _ = c.Get(ctx, "abc")
		}
	}
	assert.Equal(t, int32(1000), n.Load())
	assert.Equal(t, int32(1), conns.Load(), "every call reused the first connection")
}
