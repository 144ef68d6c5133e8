//go:build unix

package readfile

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFIFO: a FIFO where a file is expected is refused at once; opening it
// for reading would otherwise wait for a writer that never comes.
func TestFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "Makefile")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	if _, err := Regular(p, 10); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("Regular(FIFO) = %v, want ErrNotRegular", err)
	}
}
