package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Filter selects records; zero fields select everything.
type Filter struct {
	Actions []string  // any of these actions
	Tool    string    // tool name, case-insensitively
	Guard   string    // a guard id that fired; "git." or "git.*" selects a whole pack
	Session string    // session id
	Since   time.Time // at or after
	Cwd     string    // working directory, or any directory below it

	// Last, when positive, makes Read return only the last Last matching
	// records; it then reads the newest files first and stops at the file
	// that completes the count, so `logs -n 20` does not decode the whole
	// rotated history (its skipped count covers only the files it read).
	Last int
}

// Match reports whether r passes f.
func (f Filter) Match(r *Record) bool {
	if len(f.Actions) > 0 {
		ok := false
		for _, a := range f.Actions {
			if strings.EqualFold(a, r.Action) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if f.Tool != "" && !strings.EqualFold(f.Tool, r.Tool) {
		return false
	}
	if f.Session != "" && f.Session != r.SessionID {
		return false
	}
	if !f.Since.IsZero() && r.Time.Before(f.Since) {
		return false
	}
	if f.Cwd != "" {
		dir := filepath.Clean(f.Cwd)
		if r.Cwd != dir && !strings.HasPrefix(r.Cwd, strings.TrimSuffix(dir, "/")+"/") {
			return false
		}
	}
	if f.Guard != "" {
		ok := false
		for _, g := range r.Guards {
			if guardMatch(f.Guard, g.ID) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func guardMatch(pattern, id string) bool {
	if p, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(id, p)
	}
	if strings.HasSuffix(pattern, ".") {
		return strings.HasPrefix(id, pattern)
	}
	return pattern == id
}

// Files returns the log's files that exist, oldest first: the rotated ones
// (highest number first) and then the current one.
func Files(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	type rotated struct {
		n    int
		name string
	}
	var old []rotated
	current := false
	for _, e := range ents {
		name := e.Name()
		if name == FileName {
			current = true
			continue
		}
		if rest, ok := strings.CutPrefix(name, FileName+"."); ok {
			if n, err := strconv.Atoi(rest); err == nil && n > 0 && !e.IsDir() {
				old = append(old, rotated{n, name})
			}
		}
	}
	sort.Slice(old, func(i, j int) bool { return old[i].n > old[j].n })
	var files []string
	for _, o := range old {
		files = append(files, filepath.Join(dir, o.name))
	}
	if current {
		files = append(files, filepath.Join(dir, FileName))
	}
	return files, nil
}

// ErrNoLog is returned by Read when dir holds no log at all.
var ErrNoLog = errors.New("no audit log")

// Read returns the records in dir's current and rotated files that pass f,
// in time order. Lines that do not parse (a line cut short by a crash,
// garbage) are skipped and counted. With no log files it returns ErrNoLog.
func Read(dir string, f Filter) (records []Record, skipped int, err error) {
	files, err := Files(dir)
	if err != nil {
		return nil, 0, err
	}
	if len(files) == 0 {
		return nil, 0, ErrNoLog
	}
	if f.Last > 0 {
		// Newest file first; each file's records go before the newer ones.
		for i := len(files) - 1; i >= 0 && len(records) < f.Last; i-- {
			var recs []Record
			n, err := readFile(files[i], &f, &recs)
			skipped += n
			if err != nil {
				return records, skipped, err
			}
			records = append(recs, records...)
		}
	} else {
		for _, name := range files {
			n, err := readFile(name, &f, &records)
			skipped += n
			if err != nil {
				return records, skipped, err
			}
		}
	}
	// Writers stamp the time before they take the lock, so neighbours can
	// be a little out of order.
	sort.SliceStable(records, func(i, j int) bool { return records[i].Time.Before(records[j].Time) })
	if f.Last > 0 && len(records) > f.Last {
		records = records[len(records)-f.Last:]
	}
	return records, skipped, nil
}

// readFile appends the records of one file that pass f to out.
func readFile(name string, f *Filter, out *[]Record) (skipped int, err error) {
	fh, err := os.Open(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, nil // rotated away while we listed
		}
		return 0, err
	}
	defer fh.Close()
	return scan(fh, func(r *Record) {
		if f.Match(r) {
			*out = append(*out, *r)
		}
	})
}

// scan calls fn for each good line of r and returns how many lines it
// skipped.
func scan(r io.Reader, fn func(*Record)) (skipped int, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			var rec Record
			if parseLine(line, &rec) {
				fn(&rec)
			} else if len(bytes.TrimSpace(line)) > 0 {
				skipped++
			}
		}
		if err == io.EOF {
			return skipped, nil
		}
		if err != nil {
			return skipped, err
		}
	}
}

// parseLine decodes one log line; a line without its newline (cut short)
// or without a time is not a record.
func parseLine(line []byte, r *Record) bool {
	if len(line) == 0 || line[len(line)-1] != '\n' {
		return false
	}
	if err := json.Unmarshal(line, r); err != nil {
		return false
	}
	return !r.Time.IsZero()
}

// Count is one key and how often it occurred.
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// Summary condenses records.
type Summary struct {
	Total        int            `json:"total"`
	From         time.Time      `json:"from"` // first record's time
	To           time.Time      `json:"to"`   // last record's time
	ByAction     map[string]int `json:"by_action"`
	Guards       []Count        `json:"guards"`        // guards by times fired, most first
	DenySessions []Count        `json:"deny_sessions"` // sessions by denials, most first
	DenyDirs     []Count        `json:"deny_dirs"`     // working directories by denials, most first
}

// Summarize counts records by action, guard, and denials per session and
// directory.
func Summarize(records []Record) Summary {
	s := Summary{Total: len(records), ByAction: map[string]int{}}
	guards := map[string]int{}
	sessions := map[string]int{}
	dirs := map[string]int{}
	for i := range records {
		r := &records[i]
		if s.From.IsZero() || r.Time.Before(s.From) {
			s.From = r.Time
		}
		if r.Time.After(s.To) {
			s.To = r.Time
		}
		s.ByAction[r.Action]++
		for _, g := range r.Guards {
			guards[g.ID]++
		}
		if r.Action == ActionDeny {
			if r.SessionID != "" {
				sessions[r.SessionID]++
			}
			if r.Cwd != "" {
				dirs[r.Cwd]++
			}
		}
	}
	s.Guards = ranked(guards)
	s.DenySessions = ranked(sessions)
	s.DenyDirs = ranked(dirs)
	return s
}

func ranked(m map[string]int) []Count {
	cs := make([]Count, 0, len(m))
	for k, n := range m {
		cs = append(cs, Count{k, n})
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].N != cs[j].N {
			return cs[i].N > cs[j].N
		}
		return cs[i].Key < cs[j].Key
	})
	return cs
}
