// Package audit is bulwark's append-only decision log: one JSON line per hook
// decision in audit.jsonl in the state directory, rotated by size.
//
// Many hook processes append at once (clients run hooks in parallel, several
// sessions share a machine). Each Append writes its whole line with one
// write(2) on an O_APPEND descriptor while holding an exclusive flock(2) on
// the file, so lines are never torn or interleaved, and rotation happens under
// the same lock. A line a killed writer left without its newline is closed
// before the next one, so that record stays whole. Nothing is lost to a busy
// lock: Append waits for it up to Options.LockWait (the hook's deadline is
// CPU time, which waiting does not spend), and when it still cannot have it,
// the record goes to a file of its own in the spool directory, which the next
// Append to hold the lock merges into the log. Failures that lose a record
// (full disk, unwritable directory) are errors for the hook to print; they
// never change a verdict.
//
// Every text field that can hold a secret (preview, reason, evidence) is
// masked with redact.Mask inside Append, whatever the caller did before.
package audit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bulwark-guard/bulwark/internal/jsonlite"
	"github.com/bulwark-guard/bulwark/redact"
)

// FileName is the current log's name in the state directory; rotated files
// are FileName.1 (newest) ... FileName.N (oldest).
const FileName = "audit.jsonl"

// Defaults for zero Options fields and bounds on the record's text fields.
const (
	DefaultMaxBytes = 10 << 20        // rotate when audit.jsonl would grow past 10 MiB
	DefaultKeep     = 5               // rotated files kept
	DefaultLockWait = 2 * time.Second // longest wait for the file lock before spooling
	SpoolDir        = "audit.spool"   // records that could not wait for the lock, one file each
	MaxPreview      = 200             // runes of Record.Preview
	MaxReason       = 500             // runes of Record.Reason
	MaxEvidence     = 200             // runes of GuardHit.Evidence
)

// Actions a record can hold.
const (
	ActionAllow = "allow"
	ActionWarn  = "warn"
	ActionAsk   = "ask"
	ActionDeny  = "deny"
	ActionFlag  = "flag" // PostToolUse: output hidden from the agent
	// ActionApprove: a person approved one blocked call with `bulwark
	// approve` (not a hook decision; Approval names the approval).
	ActionApprove = "approve"
)

// GuardHit is one guard that fired.
type GuardHit struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Action   string `json:"action"`
	Evidence string `json:"evidence,omitempty"`
	// AllowedBy is the id of the allow rule or approval that let this hit
	// through ("rule:3f9a2c", "approval:8c1d2e4f"); Action is then allow.
	AllowedBy string `json:"allowed_by,omitempty"`
}

// Record is one line of the log.
type Record struct {
	Time      time.Time  `json:"time"` // RFC 3339 UTC with sub-second precision
	Client    string     `json:"client"`
	Server    string     `json:"server,omitempty"` // the MCP server of a decision of bulwark's MCP proxy or server (client "mcp")
	SessionID string     `json:"session_id"`
	ToolUseID string     `json:"tool_use_id"`
	Cwd       string     `json:"cwd"`
	Event     string     `json:"event"`
	Tool      string     `json:"tool"`
	Action    string     `json:"action"` // allow | warn | ask | deny | flag
	Profile   string     `json:"profile"`
	Guards    []GuardHit `json:"guards,omitempty"`
	Preview   string     `json:"preview"` // one line, secrets masked, at most MaxPreview runes
	Reason    string     `json:"reason,omitempty"`
	// Approval is the allow-once approval this record is about: the one
	// issued for this call (its reason carries the code), approved by a
	// person, or used by it. Only its id: the code itself is never logged.
	Approval   string `json:"approval,omitempty"`
	EvalMicros int64  `json:"eval_us"`
	// Backup is what bulwark kept of what the call destroys (hook records),
	// or what a restore did (Event "restore"); absent otherwise, so older
	// readers and records are unaffected.
	Backup *BackupRecord `json:"backup,omitempty"`
}

// BackupRecord is the backup side of a record: the backup's id, what it
// kept and what it could not keep; for a restore, what it put back.
type BackupRecord struct {
	ID         string `json:"id,omitempty"`
	Items      int64  `json:"items,omitempty"`
	Bytes      int64  `json:"bytes,omitempty"`
	Skipped    int64  `json:"skipped,omitempty"`    // paths left out (caches included)
	Incomplete string `json:"incomplete,omitempty"` // why the backup stopped early
	Error      string `json:"error,omitempty"`
	Restored   int64  `json:"restored,omitempty"`
	Conflicts  int64  `json:"conflicts,omitempty"`
	Before     string `json:"before,omitempty"` // restore: the backup of what it overwrote
}

// Options tune Append; the zero value gives the defaults.
type Options struct {
	MaxBytes     int64         // rotate before the file would pass this size (0: DefaultMaxBytes; <0: never)
	Keep         int           // rotated files kept (0: DefaultKeep)
	OnlyNonAllow bool          // skip "allow" records in which no guard fired
	LockWait     time.Duration // longest wait for the lock (0: DefaultLockWait)
}

func (o Options) withDefaults() Options {
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Keep <= 0 {
		o.Keep = DefaultKeep
	}
	if o.LockWait <= 0 {
		o.LockWait = DefaultLockWait
	}
	return o
}

// ErrLocked is returned (wrapped) when the lock was not free within
// Options.LockWait.
var ErrLocked = errors.New("audit log is locked by another process")

// Append adds r to the log in dir (created 0700; the file 0600). A zero
// r.Time is set to now; times are stored in UTC. Preview, Reason and Evidence
// are masked, made one line and bounded here. Append returns quickly with an
// error when the log cannot be written; callers print it and carry on.
func Append(dir string, r Record, o Options) error {
	if dir == "" {
		return errors.New("audit: no state directory (set BULWARK_HOME or HOME)")
	}
	o = o.withDefaults()
	// A hit an allow rule or approval let through is not "plainly allowed":
	// it is kept, so the log shows which rules are used.
	if o.OnlyNonAllow && r.Action == ActionAllow && len(r.Guards) == 0 {
		return nil
	}
	line, err := Encode(r)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, FileName)
	deadline := time.Now().Add(o.LockWait)
	// Each turn opens the current file and locks it. Another process may
	// have rotated it between our open and our lock; then the path names a
	// new file and we start again (rarely more than once; bounded by the
	// same deadline as the lock).
	for attempt := 0; ; attempt++ {
		// Past the deadline, still allow a few turns: one after our
		// own rotation, one for a rotation by another process.
		if attempt >= 3 && time.Now().After(deadline) {
			return appendOrSpool(dir, line, errors.New("the log kept being rotated by other processes"))
		}
		// One open, no stat first: the directory is made only when the
		// open finds it missing (the first record of a new state dir).
		f, err := openAppend(path)
		if errors.Is(err, fs.ErrNotExist) {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return fmt.Errorf("audit: %w", err)
			}
			f, err = openAppend(path)
		}
		if err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		if err := lockWait(f, deadline); err != nil {
			f.Close()
			if errors.Is(err, ErrLocked) {
				return appendOrSpool(dir, line, fmt.Errorf("%s: %w", path, err))
			}
			return fmt.Errorf("audit: %s: %w", path, err)
		}
		held, err := f.Stat()
		if err != nil {
			f.Close()
			return fmt.Errorf("audit: %w", err)
		}
		if cur, err := os.Stat(path); err != nil || !os.SameFile(held, cur) {
			f.Close() // rotated (or removed) while we waited: reopen
			continue
		}
		if o.MaxBytes > 0 && held.Size() > 0 && held.Size()+int64(len(line)) > o.MaxBytes {
			err := rotate(path, o.Keep)
			f.Close()
			if err != nil {
				return fmt.Errorf("audit: rotate: %w", err)
			}
			continue
		}
		if held.Size() > 0 && !endsLine(f, held.Size()) {
			// A writer was killed mid-line: close its line first, so this
			// record does not join it.
			line = append([]byte{'\n'}, line...)
		}
		n, err := f.Write(line)
		if err != nil {
			if n > 0 {
				// Still under the lock: cut the torn line off.
				f.Truncate(held.Size())
			}
			f.Close()
			return fmt.Errorf("audit: %w", err)
		}
		mergeSpool(dir, f)
		if err := f.Close(); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		return nil
	}
}

// appendOrSpool is Append's answer when the lock could not be had: the
// record is written to a file of its own (no lock needed: the name is this
// process's alone), for the next Append to merge.
func appendOrSpool(dir string, line []byte, lockErr error) error {
	sp := filepath.Join(dir, SpoolDir)
	if err := os.Mkdir(sp, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("audit: %w (and no spool: %v)", lockErr, err)
	}
	name := filepath.Join(sp, strconv.Itoa(os.Getpid())+"-"+strconv.FormatInt(time.Now().UnixNano(), 36)+".jsonl")
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("audit: %w (and no spool: %v)", lockErr, err)
	}
	_, werr := f.Write(line)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(name)
		return fmt.Errorf("audit: %w (and no spool: %v)", lockErr, werr)
	}
	return nil
}

// maxMerge bounds the spooled records one Append merges (the rest wait for
// the next).
const maxMerge = 64

// mergeSpool appends spooled records to the log f, whose lock the caller
// holds, and removes them. One failed open when there are none.
func mergeSpool(dir string, f *os.File) {
	sp := filepath.Join(dir, SpoolDir)
	d, err := os.Open(sp)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(maxMerge)
	d.Close()
	for _, n := range names {
		p := filepath.Join(sp, n)
		data, err := os.ReadFile(p)
		if err != nil || len(data) == 0 {
			os.Remove(p)
			continue
		}
		if data[len(data)-1] != '\n' {
			data = append(data, '\n')
		}
		if _, err := f.Write(data); err != nil {
			return // kept: merged by a later Append
		}
		os.Remove(p)
	}
}

// endsLine reports whether the file's last byte (at size-1) is a newline.
func endsLine(f *os.File, size int64) bool {
	var b [1]byte
	if n, _ := f.ReadAt(b[:], size-1); n == 1 {
		return b[0] == '\n'
	}
	return true // unreadable: leave it as it is
}

// lockWait takes the exclusive lock on f, retrying a non-blocking try until
// deadline.
func lockWait(f *os.File, deadline time.Time) error {
	wait := 500 * time.Microsecond
	for {
		ok, err := tryLock(f)
		if err != nil || ok {
			return err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return ErrLocked
		}
		time.Sleep(min(wait, left))
		wait = min(2*wait, 10*time.Millisecond)
	}
}

// rotate shifts path.(keep-1) -> path.keep, ..., path -> path.1; the oldest
// file falls off. The caller holds the lock on the current file.
func rotate(path string, keep int) error {
	for i := keep - 1; i >= 1; i-- {
		err := os.Rename(path+"."+strconv.Itoa(i), path+"."+strconv.Itoa(i+1))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return os.Rename(path, path+".1")
}

// Encode returns r as its log line (JSON and a newline) after masking and
// bounding its text fields as Append does.
func Encode(r Record) ([]byte, error) {
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	r.Time = r.Time.UTC()
	r.Preview = Preview(r.Preview, MaxPreview)
	r.Reason = Preview(r.Reason, MaxReason)
	if r.Backup != nil {
		b := *r.Backup
		b.Error, b.Incomplete = Preview(b.Error, MaxReason), Preview(b.Incomplete, MaxReason)
		r.Backup = &b
	}
	if len(r.Guards) > 0 {
		gs := make([]GuardHit, len(r.Guards))
		for i, g := range r.Guards {
			g.Evidence = Preview(g.Evidence, MaxEvidence)
			g.AllowedBy = Preview(g.AllowedBy, 40)
			gs[i] = g
		}
		r.Guards = gs
	}
	if y := r.Time.Year(); y < 0 || y >= 10000 {
		return nil, fmt.Errorf("audit: time %v is outside the years RFC 3339 can write", r.Time)
	}
	return append(appendRecord(make([]byte, 0, 512+len(r.Preview)+len(r.Reason)), &r), '\n'), nil
}

// appendRecord writes r as encoding/json writes it with SetEscapeHTML(false)
// (TestEncodeIsEncodingJSON holds it to that), without reflection: the hook
// writes one record per process, and encoding/json's first use of a type
// costs more than the rest of the hook's logging.
func appendRecord(b []byte, r *Record) []byte {
	w := jsonlite.Writer{B: b}
	w.Begin()
	w.Key("time")
	w.B = append(w.B, '"')
	w.B = r.Time.AppendFormat(w.B, time.RFC3339Nano)
	w.B = append(w.B, '"')
	w.StringMember("client", r.Client)
	w.OmitEmpty("server", r.Server)
	w.StringMember("session_id", r.SessionID)
	w.StringMember("tool_use_id", r.ToolUseID)
	w.StringMember("cwd", r.Cwd)
	w.StringMember("event", r.Event)
	w.StringMember("tool", r.Tool)
	w.StringMember("action", r.Action)
	w.StringMember("profile", r.Profile)
	if len(r.Guards) > 0 {
		w.Key("guards")
		w.BeginArray()
		for i := range r.Guards {
			g := &r.Guards[i]
			w.Elem()
			w.Begin()
			w.StringMember("id", g.ID)
			w.StringMember("severity", g.Severity)
			w.StringMember("action", g.Action)
			w.OmitEmpty("evidence", g.Evidence)
			w.OmitEmpty("allowed_by", g.AllowedBy)
			w.End()
		}
		w.EndArray()
	}
	w.StringMember("preview", r.Preview)
	w.OmitEmpty("reason", r.Reason)
	w.OmitEmpty("approval", r.Approval)
	w.Key("eval_us")
	w.Int(r.EvalMicros)
	if b := r.Backup; b != nil {
		w.Key("backup")
		w.Begin()
		w.OmitEmpty("id", b.ID)
		for _, n := range [...]struct {
			k string
			v int64
		}{{"items", b.Items}, {"bytes", b.Bytes}, {"skipped", b.Skipped}} {
			if n.v != 0 {
				w.Key(n.k)
				w.Int(n.v)
			}
		}
		w.OmitEmpty("incomplete", b.Incomplete)
		w.OmitEmpty("error", b.Error)
		for _, n := range [...]struct {
			k string
			v int64
		}{{"restored", b.Restored}, {"conflicts", b.Conflicts}} {
			if n.v != 0 {
				w.Key(n.k)
				w.Int(n.v)
			}
		}
		w.OmitEmpty("before", b.Before)
		w.End()
	}
	w.End()
	return w.B
}

// Preview returns s masked (redact.Mask), on one line (runs of white space
// and control characters become one space) and cut to at most n runes, the
// last being "…" when it was cut. Masking happens before the text is cut or
// its white space collapsed, over the whole part that can show and well
// past it, so a secret that straddles the cut is never half shown however
// much white space comes before it.
func Preview(s string, n int) string {
	s = redact.MaskRegion(s, 0, visibleEnd(s, n))
	var b strings.Builder
	runes, space := 0, false
	for _, c := range s {
		if isBlank(c) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			if runes++; runes > n {
				break
			}
			b.WriteByte(' ')
		}
		space = false
		if runes++; runes > n {
			break
		}
		b.WriteRune(c)
	}
	out := b.String()
	if runes > n {
		// Cut: make room for the ellipsis.
		r := []rune(out)
		if len(r) >= n {
			r = r[:max(n-1, 0)]
		}
		out = strings.TrimRight(string(r), " ") + "…"
	}
	return out
}

func isBlank(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }

// visibleEnd is the byte offset in s just past the rune that makes the
// one-line form of s longer than n runes (len(s) when it is not): the part
// of s that Preview shows, and one rune more to tell that it was cut.
func visibleEnd(s string, n int) int {
	runes, space := 0, false
	for i, c := range s {
		if isBlank(c) {
			space = true
			continue
		}
		if space && runes > 0 {
			runes++
		}
		space = false
		if runes++; runes > n {
			return i + utf8.RuneLen(c)
		}
	}
	return len(s)
}
