package approval

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/bulwark-guard/bulwark/internal/filelock"
)

// errUnchanged tells update that fn changed nothing (nothing to write).
var errUnchanged = errors.New("unchanged")

// lockWait bounds the wait for the store's lock.
const lockWait = 500 * time.Millisecond

// update runs fn on the store under an exclusive lock and writes the result
// back (expired entries dropped; the file removed when nothing is left).
// A store that does not parse is treated as empty: its codes are lost,
// nothing is let through.
func update(o Options, fn func(*store) error) error {
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return err
	}
	f, err := openLocked(o.path(), os.O_RDWR|os.O_CREATE)
	if err != nil {
		return err
	}
	defer f.Close()
	s := read(f)
	loaded := len(s.Entries)
	s.prune(o.now())
	err = fn(s)
	unchanged := errors.Is(err, errUnchanged)
	if err != nil && !unchanged {
		return err
	}
	if unchanged && len(s.Entries) == loaded && loaded > 0 {
		return nil // nothing expired, nothing changed: no write
	}
	if len(s.Entries) == 0 {
		// Nothing pending: the file goes, so hook calls pay one stat.
		// (Still under the lock; a writer that opened it meanwhile sees it
		// unlinked after taking the lock and opens it anew.)
		return os.Remove(o.path())
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		return err
	}
	return f.Sync()
}

// view runs fn on the store under the lock without writing it.
func view(o Options, fn func(*store)) error {
	f, err := openLocked(o.path(), os.O_RDONLY)
	if errors.Is(err, fs.ErrNotExist) {
		fn(&store{})
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	s := read(f)
	s.prune(o.now())
	fn(s)
	return nil
}

// openLocked opens path and takes its exclusive lock, making sure the file
// locked is still the one at path (another process may have removed it).
func openLocked(path string, flag int) (*os.File, error) {
	deadline := time.Now().Add(lockWait)
	for {
		f, err := os.OpenFile(path, flag, 0o600)
		if err != nil {
			return nil, err
		}
		if err := filelock.Lock(f, deadline); err != nil {
			f.Close()
			return nil, fmt.Errorf("approvals: %s: %w", path, err)
		}
		fi, err1 := f.Stat()
		pi, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(fi, pi) {
			return f, nil
		}
		f.Close()
		if flag&os.O_CREATE == 0 && errors.Is(err2, fs.ErrNotExist) {
			return nil, err2
		}
		// Removed or replaced under us: open it anew.
	}
}

func read(f *os.File) *store {
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	s := &store{Version: 1}
	if err != nil || len(data) == 0 || json.Unmarshal(data, s) != nil {
		return &store{Version: 1}
	}
	return s
}

// prune drops expired entries.
func (s *store) prune(now time.Time) {
	kept := s.Entries[:0]
	for _, e := range s.Entries {
		if now.Before(e.Expires) {
			kept = append(kept, e)
		}
	}
	s.Entries = kept
}
