//go:build unix

package runfile

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/bulwark-guard/bulwark/shell"
)

// TestMakefileFIFO: a FIFO named Makefile (which an agent can create) is
// not a makefile: reading it returns nothing at once instead of waiting,
// inside the hook, for a writer that never comes.
func TestMakefileFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "Makefile"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	a := shell.Analyze("make", shell.Env{Home: testHome, Cwd: dir})
	budget := MaxFiles
	if got := (&Source{Home: testHome}).Scripts(&a.Commands[0], dir, nil, &budget); got != nil {
		t.Errorf("FIFO judged as a makefile: %v", got)
	}
}
