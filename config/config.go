package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/profiles"
)

// Config is the user's config.toml. Entries that fail their own checks are
// left out (each with a Problem); what needs the guards (does the id exist, is
// it critical) is checked when the policy is built.
type Config struct {
	// Profile is the default profile (a --profile flag and $BULWARK_PROFILE
	// come first).
	Profile string `toml:"profile"`
	// PackDirs are more directories of user packs, besides packs.d.
	PackDirs []string `toml:"pack_dirs"`
	// Overrides set a guard's action: any guard can be raised; only
	// non-critical guards can be lowered.
	Overrides map[string]string `toml:"overrides"`
	// Allow rules, for false positives.
	Allow []AllowSpec `toml:"allow"`
	// Log settings, for the audit log.
	Log LogConfig `toml:"log"`
	// Approvals: allow-once codes where no human can be asked.
	Approvals ApprovalConfig `toml:"approvals"`
	// Backup settings: what destructive calls keep before they run.
	Backup BackupConfig `toml:"backup"`
}

// ApprovalConfig is the [approvals] table.
type ApprovalConfig struct {
	// Window is how long a code can be approved after it was issued, and
	// an approval used after it was given: a Go duration ("5m", "90s").
	// "" means the default (5 minutes); "0" issues no codes.
	Window string `toml:"window"`
}

// MaxApprovalWindow is the longest [approvals] window allowed.
const MaxApprovalWindow = time.Hour

// WindowDuration is Window as a duration: 0 for the default, -1 for "no
// codes". ParseConfig has checked it.
func (a ApprovalConfig) WindowDuration() time.Duration {
	if a.Window == "" {
		return 0
	}
	d, err := time.ParseDuration(a.Window)
	if err != nil || d < 0 {
		return 0
	}
	if d == 0 {
		return -1
	}
	return min(d, MaxApprovalWindow)
}

// AllowSpec is one [[allow]] table.
type AllowSpec struct {
	Guard   string    `toml:"guard"`   // guard id (required)
	Command string    `toml:"command"` // exact command text
	Pattern string    `toml:"pattern"` // or a regex (Go regexp) over the command text
	Cwd     string    `toml:"cwd"`     // only when the call's cwd is inside this directory
	Reason  string    `toml:"reason"`  // required
	Expires time.Time `toml:"expires"` // optional RFC 3339 time; zero = never
	// Index is the rule's position among the file's [[allow]] tables (1-based).
	Index int `toml:"-"`
}

// ID is the rule's short id (six hex digits): a hash of what it allows
// (guard, command, pattern, directory, expiry), so it stays the same when
// other rules come and go or only its reason changes. `bulwark allow list`
// shows it, `bulwark allow remove` takes it, and the audit log records it
// with every hit the rule allowed.
func (a AllowSpec) ID() string {
	exp := ""
	if !a.Expires.IsZero() {
		exp = a.Expires.UTC().Format(time.RFC3339)
	}
	h := sha256.Sum256([]byte(a.Guard + "\x00" + a.Command + "\x00" + a.Pattern + "\x00" + a.Cwd + "\x00" + exp))
	return hex.EncodeToString(h[:3])
}

// LogConfig is the [log] table. Zero values mean "the audit log's default".
type LogConfig struct {
	OnlyNonAllow bool  `toml:"only_non_allow"` // record only calls that were not plainly allowed
	MaxBytes     int64 `toml:"max_bytes"`      // rotate the log past this size
	Keep         int   `toml:"keep"`           // rotated logs to keep
}

// BackupConfig is the [backup] table. Zero values mean the backup's
// defaults (see package backup); Skip and SkipIfIgnored replace the default
// lists when they are set, even to an empty list.
type BackupConfig struct {
	Enabled       *bool    `toml:"enabled"`         // false: keep nothing (default true)
	MaxCallMS     int      `toml:"max_call_ms"`     // time one call may spend keeping files
	MaxCopyMB     int64    `toml:"max_copy_mb"`     // data one call may copy (hard links copy nothing)
	MaxTotalMB    int64    `toml:"max_total_mb"`    // the store's size; the oldest backups go first
	MaxAgeDays    int      `toml:"max_age_days"`    // backups older than this are pruned
	Skip          []string `toml:"skip"`            // directory names never kept (dependency and build caches)
	SkipIfIgnored []string `toml:"skip_if_ignored"` // directory names not kept when git ignores them
}

// Level says what a Problem did.
type Level int

const (
	// Error: something was ignored (a broken pack, a bad rule, the whole
	// config file) and bulwark fell back to stricter behaviour.
	Error Level = iota
	// Warning: something looks wrong but had no effect on protection.
	Warning
	// Note: informational (an expired allow rule). Not shown by the hook.
	Note
)

func (l Level) String() string {
	switch l {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

// Problem is one thing wrong in the user's or the project's configuration.
type Problem struct {
	Level Level
	File  string // the file it is in
	Guard string // the guard id it concerns, if any
	Msg   string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File + ": ")
	}
	if p.Guard != "" {
		b.WriteString("guard " + p.Guard + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ParseConfig decodes config.toml strictly. A syntax error or an unknown key
// makes the whole file unusable (err != nil: run on the built-in defaults,
// because a misspelt key might have narrowed an allow rule). Entries with bad
// values are dropped, each with a Problem. home expands a leading "~/" in
// directories.
func ParseConfig(file string, data []byte, home string) (Config, []Problem, error) {
	// [guards] is accepted as another name for [overrides] (it is what
	// profiles call their per-guard overrides).
	var f struct {
		Config
		Guards map[string]string `toml:"guards"`
	}
	md, err := toml.Decode(string(data), &f)
	c := f.Config
	if err != nil {
		return Config{}, nil, fmt.Errorf("%s: %w (using the built-in defaults)", file, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return Config{}, nil, fmt.Errorf("%s: unknown keys: %s (using the built-in defaults)", file, strings.Join(keys, ", "))
	}
	var probs []Problem
	bad := func(guard, format string, args ...any) {
		probs = append(probs, Problem{Level: Error, File: file, Guard: guard, Msg: fmt.Sprintf(format, args...)})
	}
	if c.Profile != "" {
		if _, err := profiles.Spec(c.Profile); err != nil {
			bad("", "profile: %v; using %s", err, profiles.Default)
			c.Profile = ""
		}
	}
	dirs := c.PackDirs[:0:0]
	for _, d := range c.PackDirs {
		x := expandHome(d, home)
		if !filepath.IsAbs(x) {
			bad("", "pack_dirs: %q must be an absolute path (or start with ~/); ignored", d)
			continue
		}
		dirs = append(dirs, filepath.Clean(x))
	}
	c.PackDirs = dirs
	for id, a := range f.Guards {
		if old, ok := c.Overrides[id]; ok && old != a {
			bad(id, "set in both [guards] (%q) and [overrides] (%q); using [overrides]", a, old)
			continue
		}
		if c.Overrides == nil {
			c.Overrides = map[string]string{}
		}
		c.Overrides[id] = a
	}
	for id, a := range c.Overrides {
		if _, err := guards.ParseDecision(a); err != nil {
			bad(id, "overrides: %v; ignored", err)
			delete(c.Overrides, id)
		}
	}
	if w := c.Approvals.Window; w != "" {
		d, err := time.ParseDuration(w)
		switch {
		case err != nil || d < 0:
			bad("", "approvals: window %q is not a duration like 5m; using the default (5m)", w)
			c.Approvals.Window = ""
		case d > MaxApprovalWindow:
			bad("", "approvals: window %q is longer than %s; using %s", w, MaxApprovalWindow, MaxApprovalWindow)
			c.Approvals.Window = MaxApprovalWindow.String()
		}
	}
	allow := c.Allow[:0:0]
	for i, a := range c.Allow {
		a.Index = i + 1
		where := fmt.Sprintf("[[allow]] #%d:", a.Index)
		switch {
		case a.Guard == "":
			bad("", "%s guard is empty: an allow rule names the guard it lets through; ignored", where)
			continue
		case strings.TrimSpace(a.Reason) == "":
			bad(a.Guard, "%s reason is empty: say why this is safe; ignored", where)
			continue
		case a.Command != "" && a.Pattern != "":
			bad(a.Guard, "%s give command or pattern, not both; ignored", where)
			continue
		}
		a.Command = strings.TrimSpace(a.Command)
		if a.Pattern != "" {
			if _, err := regexp.Compile(a.Pattern); err != nil {
				bad(a.Guard, "%s pattern: %v; ignored", where, err)
				continue
			}
		}
		if a.Cwd != "" {
			x := expandHome(a.Cwd, home)
			if !filepath.IsAbs(x) {
				bad(a.Guard, "%s cwd %q must be an absolute path (or start with ~/); ignored", where, a.Cwd)
				continue
			}
			a.Cwd = filepath.Clean(x)
		}
		allow = append(allow, a)
	}
	c.Allow = allow
	if c.Log.MaxBytes < 0 {
		bad("", "log.max_bytes must not be negative; using the default")
		c.Log.MaxBytes = 0
	}
	if c.Log.Keep < 0 {
		bad("", "log.keep must not be negative; using the default")
		c.Log.Keep = 0
	}
	b := &c.Backup
	for _, n := range []struct {
		key string
		v   *int64
	}{{"max_copy_mb", &b.MaxCopyMB}, {"max_total_mb", &b.MaxTotalMB}} {
		if *n.v < 0 {
			bad("", "backup.%s must not be negative; using the default", n.key)
			*n.v = 0
		}
	}
	if b.MaxCallMS < 0 || b.MaxAgeDays < 0 {
		bad("", "backup.max_call_ms and backup.max_age_days must not be negative; using the defaults")
		b.MaxCallMS, b.MaxAgeDays = max(b.MaxCallMS, 0), max(b.MaxAgeDays, 0)
	}
	for _, list := range [][]string{b.Skip, b.SkipIfIgnored} {
		for _, pat := range list {
			if _, err := filepath.Match(pat, ""); err != nil || pat == "" || strings.Contains(pat, "/") {
				bad("", "backup: skip entry %q is not a directory name or glob; ignored", pat)
			}
		}
	}
	b.Skip, b.SkipIfIgnored = validNames(b.Skip), validNames(b.SkipIfIgnored)
	return c, probs, nil
}

// validNames keeps the usable skip entries; a list that was set stays set
// (non-nil) even when nothing in it is usable.
func validNames(list []string) []string {
	if list == nil {
		return nil
	}
	out := []string{}
	for _, pat := range list {
		if _, err := filepath.Match(pat, ""); err == nil && pat != "" && !strings.Contains(pat, "/") {
			out = append(out, pat)
		}
	}
	return out
}

func expandHome(p, home string) string {
	if home == "" {
		return p
	}
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home, p[2:])
	}
	return p
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
