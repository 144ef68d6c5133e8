package session

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/filelock"
)

// DirName is the records' directory inside the state directory.
const DirName = "sessions"

// Defaults for the store.
const (
	MaxAge          = 72 * time.Hour         // a record not updated for this long is ignored and pruned
	MaxRecords      = 256                    // records kept; the least recently updated go first
	DefaultLockWait = 200 * time.Millisecond // longest wait for the lock
	recordExt       = ".rec"
	lockName        = "lock"
)

// Store is the directory of session records.
type Store struct {
	Dir      string           // usually STATE/sessions
	Now      func() time.Time // the clock for ages; nil means time.Now
	LockWait time.Duration    // 0 means DefaultLockWait
}

// Open returns the store in a state directory.
func Open(stateDir string, now func() time.Time) *Store {
	return &Store{Dir: filepath.Join(stateDir, DirName), Now: now}
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// path is the record file of a session: a hash of the client and the
// session id, so an id never names a path and two clients never share one.
func (s *Store) path(client, id string) string {
	h := sha256.Sum256([]byte("bulwark-session\x00" + client + "\x00" + id))
	return filepath.Join(s.Dir, hex.EncodeToString(h[:16])+recordExt)
}

// Load reads a session's record: one open and one read. A session with no
// record, or whose record is older than MaxAge, has an empty one. A record
// that cannot be read is reported and treated as empty (the next update
// replaces it); the call is still judged, on what the call itself shows.
func (s *Store) Load(client, id string) (*Record, error) {
	r, _, err := s.load(s.path(client, id))
	return r, err
}

func (s *Store) load(p string) (*Record, bool, error) {
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &Record{}, false, nil
		}
		return &Record{}, false, fmt.Errorf("session record: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return &Record{}, true, fmt.Errorf("session record: %w", err)
	}
	if s.now().Sub(fi.ModTime()) > MaxAge {
		return &Record{}, true, nil
	}
	if fi.Size() > MaxRecordBytes {
		return &Record{}, true, fmt.Errorf("session record %s: larger than %d bytes; ignored", p, MaxRecordBytes)
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return &Record{}, true, fmt.Errorf("session record: %w", err)
	}
	r, err := Parse(data)
	if err != nil {
		return &Record{}, true, fmt.Errorf("session record %s: %w; starting afresh", p, err)
	}
	return r, true, nil
}

// Update adds a call's effects to its session's record. It takes the
// store's lock (waiting at most LockWait), reads the record afresh, and
// writes it back (a whole-file rename) only when something is new. The first
// record written in a while also prunes records past MaxAge and beyond
// MaxRecords. Failures are returned for the caller to report; they never
// change a verdict.
func (s *Store) Update(client, id string, e *guards.Effects) error {
	if e == nil || id == "" {
		return nil
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("session record: %w", err)
	}
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	p := s.path(client, id)
	r, existed, _ := s.load(p) // a broken record is replaced
	if r.key == nil {
		r.key = make([]byte, 16)
		if _, err := rand.Read(r.key); err != nil {
			return fmt.Errorf("session record: key: %w", err)
		}
	}
	if !r.Remember(e) {
		return nil
	}
	if err := writeFile(p, r.Encode()); err != nil {
		return fmt.Errorf("session record: %w", err)
	}
	if !existed {
		s.prune(p)
	}
	return nil
}

func (s *Store) lock() (func(), error) {
	wait := s.LockWait
	if wait <= 0 {
		wait = DefaultLockWait
	}
	f, err := os.OpenFile(filepath.Join(s.Dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("session record: %w", err)
	}
	if err := filelock.Lock(f, time.Now().Add(wait)); err != nil {
		f.Close()
		return nil, fmt.Errorf("session record: %w", err)
	}
	return func() { f.Close() }, nil
}

// writeFile replaces p with data through a temporary file and a rename, so
// a reader sees the old record or the new one, whole. (No fsync: a record
// lost in a crash only makes later calls judged as a fresh session's.)
func writeFile(p string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// prune removes records past MaxAge, then the least recently updated beyond
// MaxRecords (keep is the record just written). The caller holds the lock.
func (s *Store) prune(keep string) {
	ents, err := os.ReadDir(s.Dir)
	if err != nil {
		return
	}
	type rec struct {
		path string
		mod  time.Time
	}
	var live []rec
	now := s.now()
	for _, e := range ents {
		name := e.Name()
		p := filepath.Join(s.Dir, name)
		fi, err := e.Info()
		if err != nil {
			continue
		}
		switch {
		case strings.HasPrefix(name, ".tmp-"):
			if now.Sub(fi.ModTime()) > time.Minute {
				os.Remove(p) // left by a process that died mid-write
			}
		case strings.HasSuffix(name, recordExt):
			if now.Sub(fi.ModTime()) > MaxAge {
				os.Remove(p)
			} else if p != keep {
				live = append(live, rec{p, fi.ModTime()})
			}
		}
	}
	if len(live)+1 <= MaxRecords {
		return
	}
	sort.Slice(live, func(i, j int) bool { return live[i].mod.Before(live[j].mod) })
	for _, r := range live[:len(live)+1-MaxRecords] {
		os.Remove(r.path)
	}
}
