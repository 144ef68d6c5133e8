// Package readfile reads files a caller does not trust to be what their
// name says: at most a given number of bytes, and only regular files (a
// FIFO, a device or a directory named like a script or a settings file
// would block or never end). The hook (package runfile, reading the
// scripts a command runs) and `bulwark audit` (package scan) share it.
package readfile

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// ErrNotRegular is returned for a path that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// Regular returns at most limit bytes of the regular file p. It is opened
// without blocking, so a FIFO put where a file is expected is refused with
// ErrNotRegular instead of waiting for a writer.
func Regular(p string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	size := max(min(fi.Size(), limit), 0)
	if size == 0 {
		// Empty, or a file whose size is not known before reading it
		// (/proc): read what there is, within the limit.
		return io.ReadAll(io.LimitReader(f, max(limit, 0)))
	}
	buf := make([]byte, size)
	n, err := io.ReadFull(f, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil // shorter than when it was looked at
	}
	if err != nil && n == 0 {
		return nil, err
	}
	return buf[:n], nil
}
