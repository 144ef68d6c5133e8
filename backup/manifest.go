package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/internal/jsonlite"
)

// manifestVersion is written into every manifest; readers refuse newer ones.
const manifestVersion = 1

// Manifest describes one backup: the call, and every item kept.
type Manifest struct {
	Version int       `json:"v"`
	ID      string    `json:"id"`
	Time    time.Time `json:"time"`
	Call
	// Items are in items.jsonl beside the manifest, one JSON object a
	// line, written as they are kept (a tree of 10,000 files would cost
	// the hook a big encode at the end); Manifest reads them back here.
	Items      []Item     `json:"items,omitempty"`
	Git        []GitState `json:"git,omitempty"`
	Skipped    []Skip     `json:"skipped,omitempty"`
	Incomplete string     `json:"incomplete,omitempty"`
	Bytes      int64      `json:"bytes"`
	Copied     int64      `json:"copied,omitempty"`
	// Restore is set on the backup that `bulwark restore` makes of what it
	// overwrites: the id it restored.
	Restore string `json:"restore,omitempty"`
}

// Summary is the short form of a manifest that listing reads (a manifest
// of a big tree is megabytes).
type Summary struct {
	ID   string    `json:"id"`
	Time time.Time `json:"time"`
	Call
	Items      int      `json:"items"`
	Bytes      int64    `json:"bytes"`
	Paths      []string `json:"paths"` // the top-level paths kept (a tree counts once), at most maxSummaryPaths
	MorePaths  int      `json:"more_paths,omitempty"`
	Git        int      `json:"git,omitempty"` // repositories with git state kept
	Incomplete string   `json:"incomplete,omitempty"`
	Lost       int      `json:"lost,omitempty"` // paths not kept, other than planned skips
	Restore    string   `json:"restore,omitempty"`
}

const maxSummaryPaths = 8

func (m *Manifest) summary() Summary {
	sum := Summary{ID: m.ID, Time: m.Time, Call: m.Call, Items: len(m.Items), Bytes: m.Bytes, Git: len(m.Git), Incomplete: m.Incomplete, Restore: m.Restore}
	last := ""
	for _, it := range m.Items { // sorted by path: a tree's root comes first
		if last != "" && within(it.Path, last) {
			continue
		}
		last = it.Path
		if len(sum.Paths) < maxSummaryPaths {
			sum.Paths = append(sum.Paths, it.Path)
		} else {
			sum.MorePaths++
		}
	}
	for _, g := range m.Git {
		if len(m.Items) == 0 && len(sum.Paths) < maxSummaryPaths {
			sum.Paths = append(sum.Paths, g.Repo)
		}
	}
	for _, sk := range m.Skipped {
		if !sk.Planned {
			sum.Lost++
		}
	}
	return sum
}

// Summary reads an entry's summary (falling back to its manifest).
func (s *Store) Summary(e Entry) (Summary, error) {
	data, err := os.ReadFile(s.entryPath(e, "summary.json"))
	if err == nil {
		var sum Summary
		if json.Unmarshal(data, &sum) == nil {
			return sum, nil
		}
	}
	m, err := s.Manifest(e)
	if err != nil {
		return Summary{}, err
	}
	return m.summary(), nil
}

// Item types.
const (
	TypeFile    = "file"
	TypeDir     = "dir"
	TypeSymlink = "symlink"
)

// How an item's content was kept.
const (
	HowLink    = "link"    // a hard link to the file's own inode
	HowReflink = "reflink" // a clone sharing the file's blocks
	HowCopy    = "copy"    // a copy, in cas/ by SHA-256
	HowGit     = "git"     // a blob in the store's git objects
	HowEmpty   = "empty"   // an empty file: nothing to keep but its metadata
)

// Item is one path kept.
type Item struct {
	Path  string `json:"path"` // absolute, where it was
	Type  string `json:"type"`
	Mode  uint32 `json:"mode"`  // permission bits, with setuid/setgid/sticky as os.FileMode has them
	MTime int64  `json:"mtime"` // Unix nanoseconds
	Size  int64  `json:"size,omitempty"`
	Op    string `json:"op"`            // the effect: delete, overwrite, replace, move, git-discard, git-clean
	How   string `json:"how,omitempty"` // files: link, reflink, copy, git, empty
	Obj   string `json:"obj,omitempty"` // the object's path inside the entry ("f/17")
	Sum   string `json:"sha256,omitempty"`
	Link  string `json:"link,omitempty"` // a symlink's target
	Blob  string `json:"blob,omitempty"` // git blob id
}

// GitState is the git side of a backup: the repository, and either the
// dangling commit holding the discarded work or the stash entries dropped.
type GitState struct {
	Repo    string  `json:"repo"`              // the work tree's top
	Objects string  `json:"objects,omitempty"` // the repository's object directory (for restoring from it)
	Head    string  `json:"head,omitempty"`
	Commit  string  `json:"commit,omitempty"` // git stash create's commit of the uncommitted work
	Stashes []Stash `json:"stashes,omitempty"`
}

// Stash is one stash entry a call drops.
type Stash struct {
	Ref     string `json:"ref"` // as the call named it: stash@{0}
	Commit  string `json:"commit"`
	Message string `json:"message"`
}

// Entry is a backup as the store lists it.
type Entry struct {
	ID    string
	Time  time.Time
	Bytes int64
	name  string // the entry's directory name
}

// entryName is the directory name of an entry: its time (Unix
// milliseconds), id and size, so
// that retention can be decided from one readdir, without reading manifests.
func entryName(t time.Time, id string, bytes int64) string {
	return fmt.Sprintf("%d-%s-%d", t.UnixMilli(), id, bytes)
}

func parseEntryName(name string) (Entry, bool) {
	parts := strings.Split(name, "-")
	if len(parts) != 3 {
		return Entry{}, false
	}
	ms, err1 := strconv.ParseInt(parts[0], 10, 64)
	n, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || !validID(parts[1]) {
		return Entry{}, false
	}
	return Entry{ID: parts[1], Time: time.UnixMilli(ms), Bytes: n, name: name}, true
}

// idAlphabet has no letters that read alike (0/o, 1/l).
const idAlphabet = "23456789abcdefghijkmnpqrstuvwxyz"

func validID(s string) bool {
	if len(s) < 4 || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(idAlphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// Entries lists the store's backups, oldest first. A store that does not
// exist has none.
func (s *Store) Entries() ([]Entry, error) {
	des, err := os.ReadDir(s.entriesDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	var out []Entry
	for _, de := range des {
		if e, ok := parseEntryName(de.Name()); ok && de.IsDir() {
			out = append(out, e)
		}
	}
	sortEntries(out)
	return out, nil
}

// sortEntries orders entries oldest first.
func sortEntries(es []Entry) {
	sort.Slice(es, func(i, j int) bool {
		if !es[i].Time.Equal(es[j].Time) {
			return es[i].Time.Before(es[j].Time)
		}
		return es[i].name < es[j].name
	})
}

// Find returns the entry whose id is id, or starts with it when that is
// unambiguous.
func (s *Store) Find(id string) (Entry, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	es, err := s.Entries()
	if err != nil {
		return Entry{}, err
	}
	var found []Entry
	for _, e := range es {
		if e.ID == id {
			return e, nil
		}
		if id != "" && strings.HasPrefix(e.ID, id) {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return Entry{}, fmt.Errorf("no backup %q (`bulwark restore` lists them)", id)
	case 1:
		return found[0], nil
	}
	return Entry{}, fmt.Errorf("backup id %q is ambiguous (%d backups start with it)", id, len(found))
}

// Last returns the newest entry.
func (s *Store) Last() (Entry, error) {
	es, err := s.Entries()
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, errors.New("no backups yet")
	}
	return es[len(es)-1], nil
}

// Manifest reads an entry's manifest.
func (s *Store) Manifest(e Entry) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(s.entriesDir(), e.name, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", e.ID, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("backup %s: manifest: %w", e.ID, err)
	}
	if m.Version > manifestVersion {
		return nil, fmt.Errorf("backup %s: written by a newer bulwark (manifest version %d)", e.ID, m.Version)
	}
	if lines, err := os.ReadFile(s.entryPath(e, itemsFile)); err == nil {
		for n, line := range strings.Split(strings.TrimSpace(string(lines)), "\n") {
			if line == "" {
				continue
			}
			var it Item
			if err := json.Unmarshal([]byte(line), &it); err != nil {
				return nil, fmt.Errorf("backup %s: %s line %d: %w", e.ID, itemsFile, n+1, err)
			}
			m.Items = append(m.Items, it)
		}
		sort.SliceStable(m.Items, func(i, j int) bool { return m.Items[i].Path < m.Items[j].Path })
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("backup %s: %w", e.ID, err)
	}
	return &m, nil
}

// itemsFile holds an entry's items, one JSON object a line.
const itemsFile = "items.jsonl"

// appendItem writes it as encoding/json would (TestAppendItemIsJSON), for
// items.jsonl: no reflection per item on the hook's path.
func appendItem(b []byte, it *Item) []byte {
	w := jsonlite.Writer{B: b}
	w.Begin()
	w.StringMember("path", it.Path)
	w.StringMember("type", it.Type)
	w.Key("mode")
	w.Int(int64(it.Mode))
	w.Key("mtime")
	w.Int(it.MTime)
	if it.Size != 0 {
		w.Key("size")
		w.Int(it.Size)
	}
	w.StringMember("op", it.Op)
	w.OmitEmpty("how", it.How)
	w.OmitEmpty("obj", it.Obj)
	w.OmitEmpty("sha256", it.Sum)
	w.OmitEmpty("link", it.Link)
	w.OmitEmpty("blob", it.Blob)
	w.End()
	return append(w.B, '\n')
}

func (s *Store) entryPath(e Entry, rel string) string {
	return filepath.Join(s.entriesDir(), e.name, rel)
}
