// Package backup keeps what a tool call is about to destroy, before it runs,
// and puts it back on request (`bulwark restore`).
//
// The hook calls Keep at PreToolUse with the effects the engine derived from
// the call (guards.Loss: files deleted, overwritten, replaced or moved
// away, git work discarded) when bulwark lets the call run. Keep never
// parses a command: it only looks at the paths the effects name, so a call
// that destroys nothing costs nothing here (no stat, no readdir).
//
// How a file is kept depends on what will happen to it:
//   - unlinked or renamed over (rm, mv onto it, sed -i): a hard link to the
//     same inode, which copies no data, so `rm -rf build/` of a gigabyte
//     costs one link per file;
//   - changed in place (> redirect, cp onto it, truncate, a Write tool): a
//     reflink where the filesystem has them (FICLONE), else a copy, stored
//     once by its SHA-256 however many backups hold it;
//   - git work (reset --hard, checkout -- P, restore, clean, stash drop):
//     the uncommitted state as git objects (a dangling commit as `git stash
//     create` makes, written into the store's own object directory), and
//     the untracked files git clean would remove.
//
// Each backup is one entry directory in the store (under bulwark's state
// directory, which self-defence protects) holding a manifest (paths, modes,
// mtimes, sizes, the call that caused it) and its objects. Every call is
// bounded by a time budget and a byte budget, the store by age and size;
// dependency and build caches are skipped. What is skipped or cut short is
// in the Result, so that the verdict can say there is no undo for it.
package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/protect"
)

// DirName is the store's directory inside bulwark's state directory (the
// protected set knows it: reading it is refused too).
const DirName = protect.BackupDir

// Defaults for the zero Options fields (config.toml [backup] sets them).
const (
	DefaultCallTime = 400 * time.Millisecond // inside the hook's 750 ms deadline, with room to answer and log
	MaxCallTime     = 600 * time.Millisecond // a config cannot give more (the hook's own deadline still cuts it short)
	DefaultMaxCopy  = 64 << 20               // bytes one call may copy
	DefaultMaxTotal = 2 << 30                // bytes the store may hold
	DefaultMaxAge   = 7 * 24 * time.Hour
	// maxItems bounds one backup's manifest whatever the budgets allow.
	maxItems = 200_000
)

// DefaultSkip are directory names never kept: dependency and build caches
// that a command rebuilds, and which are often huge.
var DefaultSkip = []string{
	"node_modules", "target", ".venv", "__pycache__", ".gradle", ".tox", ".nox",
	".mypy_cache", ".pytest_cache", ".ruff_cache", ".next", ".nuxt", ".parcel-cache",
	".turbo", ".terraform", ".cargo-cache", ".npm", ".yarn-cache", ".pnpm-store",
}

// DefaultSkipIfIgnored are directory names not kept when git ignores them
// (then they are build output; when tracked they may be the only copy).
var DefaultSkipIfIgnored = []string{"dist", "build", "out", "coverage", "venv", ".cache", "bin", "obj"}

// Options bound and place a backup. The zero value of each field means its
// default.
type Options struct {
	Dir           string        // the store; "" = <state dir>/backup
	CallTime      time.Duration // time one call may spend (capped at MaxCallTime)
	MaxCopy       int64         // bytes one call may copy
	MaxTotal      int64         // bytes the store may hold; also the most one call may keep
	MaxAge        time.Duration // backups older than this are pruned
	Skip          []string      // directory names (globs) never kept; nil = DefaultSkip
	SkipIfIgnored []string      // names not kept when git ignores them; nil = DefaultSkipIfIgnored
	Disabled      bool
	Now           func() time.Time // the clock for stamps and budgets
	Git           string           // the git program; "" = "git" on PATH
}

// FromConfig reads config.toml's [backup] table.
func FromConfig(c config.BackupConfig, stateDir string) Options {
	o := Options{
		CallTime:      time.Duration(c.MaxCallMS) * time.Millisecond,
		MaxCopy:       c.MaxCopyMB << 20,
		MaxTotal:      c.MaxTotalMB << 20,
		MaxAge:        time.Duration(c.MaxAgeDays) * 24 * time.Hour,
		Skip:          c.Skip,
		SkipIfIgnored: c.SkipIfIgnored,
		Disabled:      c.Enabled != nil && !*c.Enabled,
	}
	if stateDir != "" {
		o.Dir = filepath.Join(stateDir, DirName)
	}
	return o
}

func (o Options) withDefaults() Options {
	if o.CallTime <= 0 {
		o.CallTime = DefaultCallTime
	}
	o.CallTime = min(o.CallTime, MaxCallTime)
	if o.MaxCopy <= 0 {
		o.MaxCopy = DefaultMaxCopy
	}
	if o.MaxTotal <= 0 {
		o.MaxTotal = DefaultMaxTotal
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.Skip == nil {
		o.Skip = DefaultSkip
	}
	if o.SkipIfIgnored == nil {
		o.SkipIfIgnored = DefaultSkipIfIgnored
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Git == "" {
		o.Git = "git"
	}
	return o
}

// Call is the tool call a backup is for, as its manifest records it.
type Call struct {
	Client    string `json:"client,omitempty"`
	Session   string `json:"session,omitempty"`
	ToolUseID string `json:"tool_use_id,omitempty"`
	Tool      string `json:"tool,omitempty"`
	Cwd       string `json:"cwd,omitempty"`
	Command   string `json:"command,omitempty"`  // the command or the tool's path, secrets masked
	Decision  string `json:"decision,omitempty"` // what bulwark answered (allow, warn, ask)
}

// Skip is something the backup did not keep, and why.
type Skip struct {
	Path string `json:"path"`
	Why  string `json:"why"`
	// Planned: left out by the skip lists (a cache that rebuilds), not
	// for want of budget or because it could not be read.
	Planned bool `json:"planned,omitempty"`
}

// Result is what one Keep did.
type Result struct {
	ID     string // "" when nothing was kept
	Files  int    // files, links and directories kept
	Bytes  int64  // bytes kept (by link or copy)
	Copied int64  // bytes copied
	// Skipped lists what was left out; Incomplete says why the backup
	// stopped early (a budget ran out), "" when it did not.
	Skipped    []Skip
	Incomplete string
	Err        error // the store could not be written at all
}

// Complete reports whether everything the call destroys was kept.
func (r *Result) Complete() bool {
	if r.Err != nil || r.Incomplete != "" {
		return false
	}
	for _, s := range r.Skipped {
		if !s.Planned {
			return false
		}
	}
	return true
}

// Notes are what the verdict says about the backup: nothing when it is
// complete and the call is plainly allowed (no noise for every rm), else the
// backup's id or what has no undo. Alert marks the lines the user should see
// too: something that is not a planned skip is lost for good if the call
// runs.
func (r *Result) Notes(decision guards.Decision) []guards.Note {
	var notes []guards.Note
	if r.Err != nil {
		return []guards.Note{{Text: "bulwark could not keep a backup of what this call destroys (" + r.Err.Error() + "): there is no undo for it.", Alert: true}}
	}
	if r.ID != "" && (decision > guards.Allow || !r.Complete()) {
		notes = append(notes, guards.Note{Text: fmt.Sprintf("bulwark kept a backup of what this call destroys (%s): `bulwark restore %s` brings it back.", r.summary(), r.ID)})
	}
	var planned, lost []string
	for _, s := range r.Skipped {
		if s.Planned {
			planned = append(planned, s.Path)
		} else {
			lost = append(lost, s.Path+" ("+s.Why+")")
		}
	}
	if r.Incomplete != "" {
		notes = append(notes, guards.Note{Text: "bulwark's backup of this call was cut short (" + r.Incomplete + "): what it did not keep has no undo.", Alert: true})
	}
	if len(lost) > 0 {
		notes = append(notes, guards.Note{Text: "No backup of " + listSome(lost, 3) + ": there is no undo for it.", Alert: true})
	}
	if len(planned) > 0 {
		notes = append(notes, guards.Note{Text: "No backup of " + listSome(planned, 3) + " (a dependency or build cache, skipped by [backup] skip in bulwark's config.toml)."})
	}
	return notes
}

func (r *Result) summary() string {
	s := fmt.Sprintf("%d item", r.Files)
	if r.Files != 1 {
		s += "s"
	}
	return s + ", " + FormatBytes(r.Bytes)
}

func listSome(list []string, n int) string {
	if len(list) <= n {
		return joinAnd(list)
	}
	return joinAnd(append(append([]string{}, list[:n]...), fmt.Sprintf("%d more", len(list)-n)))
}

func joinAnd(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	out := list[0]
	for _, s := range list[1 : len(list)-1] {
		out += ", " + s
	}
	return out + " and " + list[len(list)-1]
}

// FormatBytes is a size for people: 512 B, 3.0 KiB, 1.5 MiB, 2.0 GiB.
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// Store is a backup store on disk.
type Store struct {
	dir string
	o   Options
}

// Open returns the store o names. It touches nothing on disk.
func Open(o Options) (*Store, error) {
	o = o.withDefaults()
	if o.Dir == "" {
		return nil, errors.New("backup: no state directory (set BULWARK_HOME or HOME)")
	}
	return &Store{dir: o.Dir, o: o}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

func (s *Store) entriesDir() string { return filepath.Join(s.dir, "entries") }
func (s *Store) casDir() string     { return filepath.Join(s.dir, "cas") }
func (s *Store) tmpDir() string     { return filepath.Join(s.dir, "tmp") }
func (s *Store) pendingDir() string { return filepath.Join(s.dir, "pending") }
func (s *Store) gitDir() string     { return filepath.Join(s.dir, "git") }

// mkdirs creates the store's directories (0700: the store holds copies of
// whatever the agent deleted, secrets included).
func (s *Store) mkdirs() error {
	for _, d := range []string{s.dir, s.entriesDir(), s.casDir(), s.tmpDir(), s.pendingDir()} {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			if errors.Is(err, os.ErrNotExist) {
				if err := os.MkdirAll(d, 0o700); err == nil {
					continue
				}
			}
			return fmt.Errorf("backup: %w", err)
		}
	}
	return nil
}
