package wrapper

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// maxPreallocate bounds how much of an announced Content-Length is
// allocated before the bytes arrive.
const maxPreallocate = 64 << 10

// readSuccess reads a 2xx body through the size bound and decodes it.
func (c *Client) readSuccess(ctx context.Context, op *operation, resp *http.Response, out any) error {
	defer closeBody(resp.Body)
	expect := op.route.expect
	if out == nil || expect == 0 {
		return nil
	}
	method, path := op.method(), op.path()
	if resp.ContentLength > c.maxBody {
		return &ResponseError{Method: method, Path: path, StatusCode: resp.StatusCode, Err: ErrResponseTooLarge}
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if resp.ContentLength > 0 {
		// Content-Length is the server's word, not bytes in hand: grow for
		// at most maxPreallocate of it, then as bytes arrive.
		buf.Grow(int(min(resp.ContentLength, maxPreallocate)) + bytes.MinRead)
	}
	n, err := readBounded(buf, resp.Body, c.maxBody+1)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return op.errorf("reading body: %w", ctxErr)
		}
		return &attemptError{transport: op.errorf("reading %d response body: %w", resp.StatusCode, err), readBody: true, doubt: true}
	}
	if n > c.maxBody {
		return &ResponseError{Method: method, Path: path, StatusCode: resp.StatusCode, Err: ErrResponseTooLarge}
	}
	// Each element takes at least two bytes with its comma: a shorter body
	// cannot exceed the bound, so most lists skip the scan.
	if expect == '[' && (n+1)/2 > int64(c.maxListLength) {
		if n := countElements(buf.Bytes()); n > c.maxListLength {
			return &ResponseError{Method: method, Path: path, StatusCode: resp.StatusCode,
				Err: fmt.Errorf("%w: %d list elements, more than the bound of %d", ErrResponseTooLarge, n, c.maxListLength)}
		}
	}
	if err := decodeLenient(buf.Bytes(), expect, out); err != nil {
		return &ResponseError{Method: method, Path: path, StatusCode: resp.StatusCode, Err: err}
	}
	if op.check != nil {
		if err := op.check(); err != nil {
			return &ResponseError{Method: method, Path: path, StatusCode: resp.StatusCode, Err: err}
		}
	}
	return nil
}

// readErrorBody reads at most maxErrorBody bytes of an error body, then
// drains a little more and closes, so the connection can be reused.
func readErrorBody(body io.ReadCloser) []byte {
	defer closeBody(body)
	b, _ := io.ReadAll(io.LimitReader(body, maxErrorBody))
	return b
}

// closeBody drains a bounded amount (so the connection is reused) and closes.
func closeBody(body io.ReadCloser) {
	if body != http.NoBody {
		var scratch [512]byte
		for drained := 0; drained < maxErrorBody; {
			n, err := body.Read(scratch[:])
			drained += n
			if err != nil {
				break
			}
		}
	}
	_ = body.Close()
}

// readBounded appends at most limit bytes of r to buf, reading straight into
// buf's spare capacity (no intermediate reader or copy).
func readBounded(buf *bytes.Buffer, r io.Reader, limit int64) (int64, error) {
	var total int64
	for total < limit {
		buf.Grow(bytes.MinRead)
		spare := buf.AvailableBuffer()
		spare = spare[:min(int64(cap(spare)), limit-total)]
		n, err := r.Read(spare)
		buf.Write(spare[:n])
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return bufferPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 4<<20 {
		return // let a rare huge buffer go rather than pin it
	}
	b.Reset()
	bufferPool.Put(b)
}
