package audit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/fsnotify/fsnotify"
)

// Follow calls fn with each record that passes f as other processes append it
// to the log in dir, until ctx is done (then it returns nil). It starts at the
// current end of the log, watches the directory with fsnotify (no polling),
// follows the log across rotation (the file renamed away and a new one
// created) and waits for a line's newline before decoding it. Lines that do
// not parse are skipped.
func Follow(ctx context.Context, dir string, f Filter, fn func(Record)) error {
	return follow(ctx, dir, f, fn, nil)
}

// follow is Follow with a hook called once the watch is in place (tests).
func follow(ctx context.Context, dir string, f Filter, fn func(Record), ready func()) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		return err
	}
	t := &tail{path: filepath.Join(dir, FileName), deliver: func(r *Record) {
		if f.Match(r) {
			fn(*r)
		}
	}}
	defer t.close()
	t.openAtEnd()
	if ready != nil {
		ready()
	}
	t.poll() // anything written between openAtEnd and the watch
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if name := filepath.Base(ev.Name); name == FileName || name == FileName+".1" {
				t.poll()
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				t.poll() // events were lost; the file itself tells us what is new
				continue
			}
			return err
		}
	}
}

// tail reads the log file by file.
type tail struct {
	path    string
	f       *os.File
	fi      os.FileInfo
	off     int64
	partial []byte // a line still waiting for its newline
	buf     []byte
	deliver func(*Record)
}

func (t *tail) close() {
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
}

// openAtEnd opens the current file, if any, positioned at its end.
func (t *tail) openAtEnd() {
	f, err := os.Open(t.path)
	if err != nil {
		return
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return
	}
	off, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return
	}
	t.f, t.fi, t.off = f, fi, off
}

// poll reads what is new in the file we hold and, when the path now names
// another file (rotation), finishes the old one and moves on to the file
// that came after it: the next newer rotated file, or the current one. A
// follower that fell behind by several rotations thus reads every file in
// turn; one that fell behind by more than Options.Keep rotations skips to
// the current file.
func (t *tail) poll() {
	for range 10000 {
		if t.f != nil {
			t.drain()
		}
		cur, err := os.Stat(t.path)
		if err != nil {
			return // renamed away and not yet recreated: wait for Create
		}
		if t.f != nil && os.SameFile(t.fi, cur) {
			if cur.Size() < t.off { // truncated in place: start over
				t.f.Seek(0, io.SeekStart)
				t.off, t.partial = 0, t.partial[:0]
				continue
			}
			return
		}
		var next *os.File
		if t.f != nil {
			// Rotated: every write to the old file happened before the
			// rename, so one last read gets all of it.
			t.drain()
			next = t.successor()
			t.close()
			t.partial = t.partial[:0] // a torn last line of a finished file is garbage
		}
		if next == nil {
			if next, err = os.Open(t.path); err != nil {
				return
			}
		}
		fi, err := next.Stat()
		if err != nil {
			next.Close()
			return
		}
		t.f, t.fi, t.off = next, fi, 0
	}
}

// successor opens the file written after the one we hold, which has been
// rotated to path.k: path.(k-1), or the current file when k is 1. It returns
// nil when our file is gone from the rotated set.
func (t *tail) successor() *os.File {
	name := func(k int) string {
		if k == 0 {
			return t.path
		}
		return t.path + "." + strconv.Itoa(k)
	}
retry:
	for range 100 {
		for k := 1; ; k++ {
			fi, err := os.Stat(name(k))
			if err != nil {
				return nil
			}
			if !os.SameFile(fi, t.fi) {
				continue
			}
			f, err := os.Open(name(k - 1))
			if err != nil {
				return nil
			}
			// Still at path.k after the open: no rotation came in
			// between, so f really is the next file.
			if fi, err := os.Stat(name(k)); err != nil || !os.SameFile(fi, t.fi) {
				f.Close()
				continue retry
			}
			return f
		}
	}
	return nil
}

// drain reads t.f to its end and delivers each complete line.
func (t *tail) drain() {
	if t.buf == nil {
		t.buf = make([]byte, 64<<10)
	}
	for {
		n, err := t.f.Read(t.buf)
		if n > 0 {
			t.off += int64(n)
			t.lines(t.buf[:n])
		}
		if err != nil || n == 0 {
			return
		}
	}
}

func (t *tail) lines(data []byte) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			t.partial = append(t.partial, data...)
			return
		}
		line := data[:i+1]
		if len(t.partial) > 0 {
			line = append(t.partial, line...)
		}
		var r Record
		if parseLine(line, &r) {
			t.deliver(&r)
		}
		t.partial = t.partial[:0]
		data = data[i+1:]
	}
}
