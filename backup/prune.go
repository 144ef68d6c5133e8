package backup

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Retention. After each backup the store is checked with one readdir (entry
// names carry their time and size): entries older than MaxAge go, then the
// oldest while the store holds more than MaxTotal. Removal is bounded by the
// call's remaining time; an entry is first renamed away (so it is never
// half listed) and whatever is left of it is removed by a later call.

const (
	staleTmp = time.Hour        // an entry still being written after this was abandoned
	casGrace = 10 * time.Minute // a content object younger than this may be in use by a backup being written
)

// pruneIfNeeded applies retention, sparing the entry just made.
func (s *Store) pruneIfNeeded(deadline time.Time, spare string) {
	des, err := os.ReadDir(s.entriesDir())
	if err != nil {
		return
	}
	now := s.o.Now()
	var entries []Entry
	var total int64
	leftovers := false
	for _, de := range des {
		name := de.Name()
		if e, ok := parseEntryName(name); ok {
			entries = append(entries, e)
			total += e.Bytes
			continue
		}
		if strings.HasPrefix(name, ".trash-") {
			leftovers = true
		} else if strings.HasPrefix(name, ".tmp-") {
			if fi, err := de.Info(); err == nil && now.Sub(fi.ModTime()) > staleTmp {
				leftovers = true
			}
		}
	}
	var victims []Entry
	sortEntries(entries)
	for _, e := range entries {
		if e.ID == spare {
			continue
		}
		if now.Sub(e.Time) > s.o.MaxAge || total > s.o.MaxTotal {
			victims = append(victims, e)
			total -= e.Bytes
		}
	}
	if len(victims) == 0 && !leftovers {
		return
	}
	lock, err := os.OpenFile(filepath.Join(s.dir, "prune.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	defer lock.Close()
	if !tryLock(lock) {
		return // another call is pruning
	}
	for _, v := range victims {
		os.Rename(filepath.Join(s.entriesDir(), v.name), filepath.Join(s.entriesDir(), ".trash-"+v.name))
	}
	des, _ = os.ReadDir(s.entriesDir())
	removed := len(victims) > 0
	for _, de := range des {
		name := de.Name()
		stale := strings.HasPrefix(name, ".tmp-")
		if stale {
			fi, err := de.Info()
			stale = err == nil && now.Sub(fi.ModTime()) > staleTmp
		}
		if strings.HasPrefix(name, ".trash-") || stale {
			if !removeWithin(filepath.Join(s.entriesDir(), name), deadline, s.o.Now) {
				return
			}
			removed = true
		}
	}
	if removed {
		s.sweepCAS(deadline)
		s.pruneGit(deadline)
		s.sweepPending(now)
	}
}

// sweepPending removes the markers of calls whose PostToolUse never came
// (an ask declined, a client without it) once their entry is gone or a day
// has passed.
func (s *Store) sweepPending(now time.Time) {
	des, _ := os.ReadDir(s.pendingDir())
	for _, de := range des {
		p := filepath.Join(s.pendingDir(), de.Name())
		target, err := os.Readlink(p)
		e, ok := parseEntryName(target)
		_, serr := os.Lstat(filepath.Join(s.entriesDir(), target))
		if err != nil || !ok || serr != nil || now.Sub(e.Time) > 24*time.Hour {
			os.Remove(p)
		}
	}
}

// removeWithin removes a tree, deepest first, stopping at deadline; it
// reports whether it finished.
func removeWithin(root string, deadline time.Time, now func() time.Time) bool {
	n := 0
	var dirs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		if n++; n%256 == 0 && !now().Before(deadline) {
			return errStop
		}
		os.Remove(p)
		return nil
	})
	if errors.Is(err, errStop) {
		return false
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i])
	}
	return true
}

var errStop = errors.New("stop")

// sweepCAS removes content objects no backup links to any more (a link
// count of one: only cas/ holds them).
func (s *Store) sweepCAS(deadline time.Time) {
	buckets, _ := os.ReadDir(s.casDir())
	now := s.o.Now()
	for _, b := range buckets {
		dir := filepath.Join(s.casDir(), b.Name())
		objs, _ := os.ReadDir(dir)
		for _, o := range objs {
			if !now.Before(deadline) {
				return
			}
			p := filepath.Join(dir, o.Name())
			fi, err := os.Lstat(p)
			if err == nil && nlink(fi) == 1 && now.Sub(changeTime(fi)) > casGrace {
				os.Remove(p)
			}
		}
		os.Remove(dir) // only when empty
	}
}

// pruneGit removes the store's git objects older than MaxAge (and a day):
// every backup packs what it needs when it is made, and git refreshes the
// time of a loose object it would write again, so nothing a live backup
// needs is that old. At most once a day.
func (s *Store) pruneGit(deadline time.Time) {
	objects := filepath.Join(s.gitDir(), "objects")
	stamp := filepath.Join(s.gitDir(), "bulwark-pruned")
	now := s.o.Now()
	if fi, err := os.Stat(stamp); err == nil && now.Sub(fi.ModTime()) < 24*time.Hour {
		return
	}
	if _, err := os.Stat(objects); err != nil {
		return
	}
	cut := now.Add(-s.o.MaxAge - 24*time.Hour)
	filepath.WalkDir(objects, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !now.Before(deadline) {
			return errStop
		}
		if d.IsDir() || filepath.Base(filepath.Dir(p)) == "info" {
			return nil
		}
		if fi, err := d.Info(); err == nil && fi.ModTime().Before(cut) {
			os.Remove(p)
		}
		return nil
	})
	os.WriteFile(stamp, nil, 0o600)
	os.Chtimes(stamp, now, now)
}
