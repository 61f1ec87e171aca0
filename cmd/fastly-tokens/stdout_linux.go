package main

import (
	"context"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// pipePoll is how often awaitPipeRead looks at the pipe.
const pipePoll = 5 * time.Millisecond

// awaitPipeRead waits until the pipe f writes to holds no unread byte (its
// reader took everything written), and fails when the reader closed its end
// with bytes unread or ctx ends first. Where the kernel cannot say, the
// write counts as delivered.
func awaitPipeRead(ctx context.Context, f *os.File) error {
	raw, err := f.SyscallConn()
	if err != nil {
		return nil //nolint:nilerr // nothing to ask: the write succeeded
	}
	ticker := time.NewTicker(pipePoll)
	defer ticker.Stop()
	for {
		var pending int
		var askErr error
		var gone bool
		ctlErr := raw.Control(func(fd uintptr) {
			pending, askErr = unix.IoctlGetInt(int(fd), unix.TIOCINQ)   // FIONREAD: bytes unread in the pipe
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}} //nolint:gosec // a file descriptor fits
			if _, err := unix.Poll(fds, 0); err == nil {
				gone = fds[0].Revents&unix.POLLERR != 0
			}
		})
		if ctlErr != nil || askErr != nil {
			return nil //nolint:nilerr // the kernel cannot say: the write succeeded
		}
		if pending == 0 {
			return nil
		}
		if gone {
			return errReaderGone
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-ticker.C:
		}
	}
}
