package audit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/fsnotify/fsnotify"
)

// Tail hands backlog the last n records passing f that are already in the
// log in dir (n == 0: all of them), oldest first, with the number of corrupt
// lines it skipped in them; then it calls fn with each record that passes f
// as other processes append it, until ctx is done (then it returns nil).
// Nothing falls between the backlog and the first followed record, and
// nothing is in both. backlog is called once, before fn is first called,
// even when the log is empty or missing. It watches the directory with
// fsnotify (no polling), follows the log across rotation (the file renamed
// away and a new one created) and waits for a line's newline before decoding
// it. Lines that do not parse are skipped.
func Tail(ctx context.Context, dir string, f Filter, n int, backlog func(recs []Record, skipped int), fn func(Record)) error {
	return follow(ctx, dir, f, max(n, 0), backlog, fn, nil)
}

// follow is Tail (n >= 0), or with n < 0 only the records appended from now
// on (tests), with a hook called once the watch is in place (tests).
func follow(ctx context.Context, dir string, f Filter, n int, backlog func([]Record, int), fn func(Record), ready func()) error {
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
	if n >= 0 {
		recs, skipped := t.backlog(f, n)
		if backlog != nil {
			backlog(recs, skipped)
		}
	}
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
	// Start after the last complete line: a line being written right now
	// is then read whole once its newline is there.
	off := fi.Size()
	if off > 0 {
		buf := make([]byte, min(off, 64<<10))
		if k, _ := f.ReadAt(buf, off-int64(len(buf))); k == len(buf) {
			if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
				off = off - int64(len(buf)) + int64(i) + 1
			} else if int64(len(buf)) == off {
				off = 0 // one partial line is all there is
			}
		}
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		f.Close()
		return
	}
	t.f, t.fi, t.off = f, fi, off
}

// backlog reads the records before the position openAtEnd took: that file
// up to our offset, then the rotated files older than it, newest first,
// until n records match (n == 0: all). Files rotated in the meantime that are
// newer than ours are left to poll, which reaches them as successors of ours.
func (t *tail) backlog(f Filter, n int) ([]Record, int) {
	var recs []Record
	skipped := 0
	collect := func(into *[]Record) func(*Record) {
		return func(r *Record) {
			if f.Match(r) {
				*into = append(*into, *r)
			}
		}
	}
	if t.f != nil {
		k, _ := scan(io.NewSectionReader(t.f, 0, t.off), collect(&recs))
		skipped += k
	}
	var older []Record
	olderSkipped := 0
	// Other processes may rotate while we read; whenever that shifts the
	// names under us, start the older files over.
	for range 100 {
		older, olderSkipped = older[:0], 0
		k := t.position()
		if k < 0 {
			break // our file is gone from the set: nothing older to read
		}
		shifted := false
		for j := k + 1; n == 0 || len(recs)+len(older) < n; j++ {
			fh, err := os.Open(t.rotated(j))
			if err != nil {
				break // no more files
			}
			if t.position() != k { // a rotation came in between
				fh.Close()
				shifted = true
				break
			}
			var part []Record
			m, _ := scan(fh, collect(&part))
			fh.Close()
			olderSkipped += m
			older = append(part, older...)
		}
		if !shifted {
			break
		}
	}
	recs = append(older, recs...)
	skipped += olderSkipped
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time.Before(recs[j].Time) })
	if n > 0 && len(recs) > n {
		recs = recs[len(recs)-n:]
	}
	return recs, skipped
}

// rotated names the k-th rotated file (0: the current one).
func (t *tail) rotated(k int) string {
	if k == 0 {
		return t.path
	}
	return t.path + "." + strconv.Itoa(k)
}

// position returns k when the file we hold is now rotated(k): 0 while it is
// current, -1 when it is gone. With no file held, it is 0: every rotated
// file is older than the current one to come.
func (t *tail) position() int {
	if t.f == nil {
		return 0
	}
	for k := 0; ; k++ {
		fi, err := os.Stat(t.rotated(k))
		if err != nil {
			if k == 0 {
				continue // the current one renamed away, not yet recreated
			}
			return -1
		}
		if os.SameFile(fi, t.fi) {
			return k
		}
	}
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
	for range 100 {
		k := t.position()
		if k <= 0 {
			return nil // gone (or, oddly, current again)
		}
		f, err := os.Open(t.rotated(k - 1))
		if err != nil {
			return nil
		}
		// Still at rotated(k) after the open: no rotation came in
		// between, so f really is the next file.
		if t.position() == k {
			return f
		}
		f.Close()
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
