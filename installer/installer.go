// Package installer is the engine that wires bulwark into a coding client's
// settings file and takes it out again. It knows JSON settings files, hook
// arrays and permission rules in general; what one client's file looks like
// (its events, handler fields, extra keys) is a *Spec given by that client's
// description in package clients.
//
// The edits are pure functions from (old settings bytes, options, the
// previous install record) to (new settings bytes, the new record): Install
// and Uninstall. hooks.go is the shared engine for hook arrays; jsondoc.go
// the order-preserving JSON model; files.go the only file I/O (validate,
// lock, backup, atomic write) and manifest.go the install manifest.
//
// What is ours: a hook handler is bulwark's when its command is exactly one
// that bulwark wrote: recorded in the manifest for that file, the one being
// written, or one the caller names (this binary with each profile). Never
// by shape: a user's own `/opt/lint/run hook --client ci` stays. Such
// handlers are updated in place by install and removed by uninstall.
// Permission rules cannot be tagged in JSON, so which rules install added
// (and which of the wanted ones were already there) is recorded in the
// manifest; uninstall removes only rules recorded as added, so a user's own
// rule equal to one of bulwark's survives. Containers (the hooks object, an
// event array, permissions, permissions.deny, Cursor's version ...) that
// install created are recorded too, and removed again by uninstall
// (containers only once empty); a value install changed is set back.
// Without a record, containers holding nothing but bulwark handlers count
// as ours. (IsBulwarkCommand, the shape, is only for doctor's diagnosis.)
//
// Upgrade in place: install replaces the first bulwark handler of each event
// with the new one at the same position (new path, profile, timeout), drops
// any further bulwark handlers, and resets the matcher of a group holding
// only bulwark handlers to match all tools; deny rules an earlier install
// added that are no longer wanted (e.g. --deny-native dropped, binary moved)
// are removed.
//
// Byte-for-byte guarantee: if the original file is in the canonical layout
// (2-space indentation as Claude Code's JSON.stringify(v, null, 2) writes it,
// trailing newline or not, LF or CRLF), install then uninstall gives back the
// original bytes exactly; a file that did not exist is deleted again. For
// any other layout the result is semantically identical to the original:
// same members in the same order, every string and number literal spelled
// exactly as before; only the whitespace between tokens is normalised.
// Install on an already-installed file is a no-op and returns the input
// bytes unchanged, whatever their layout.
package installer

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Scope is which settings file of a client to edit.
type Scope string

const (
	ScopeUser    Scope = "user"
	ScopeProject Scope = "project"
	ScopeLocal   Scope = "local"   // Claude Code only: .claude/settings.local.json
	ScopeManaged Scope = "managed" // Claude Code only: a drop-in under managed-settings.d
)

// Profiles are the profile names the hook accepts.
var Profiles = []string{"minimal", "balanced", "strict"}

// DefaultTimeoutSeconds is the hook timeout written into the settings: well
// above the hook's own bounded work, far below the clients' defaults.
const DefaultTimeoutSeconds = 10

// Options says what to install.
type Options struct {
	Binary  string // absolute path of the bulwark executable
	Profile string // minimal, balanced or strict
	// DenyRules are the permissions.deny rules to ensure (clients whose Spec
	// installs them: Claude Code).
	DenyRules []string
	// TimeoutSeconds overrides DefaultTimeoutSeconds when > 0.
	TimeoutSeconds int
	// Known are hook commands bulwark wrote earlier that install may update
	// in place even without a record (e.g. this binary with another
	// profile); besides them only the record's commands count as bulwark's.
	Known []string
}

// Timeout is the hook timeout to write, in seconds.
func (o Options) Timeout() int {
	if o.TimeoutSeconds > 0 {
		return o.TimeoutSeconds
	}
	return DefaultTimeoutSeconds
}

func (o Options) validate() error {
	if !filepath.IsAbs(o.Binary) {
		return fmt.Errorf("binary path %q is not absolute", o.Binary)
	}
	if !slices.Contains(Profiles, o.Profile) {
		return fmt.Errorf("unknown profile %q (want %s)", o.Profile, strings.Join(Profiles, ", "))
	}
	return nil
}

// Record is what one install did to one settings file; the manifest keeps
// one per file so that uninstall can undo exactly that.
type Record struct {
	Client      string `json:"client"`
	Scope       Scope  `json:"scope"`
	File        string `json:"file"`
	CreatedFile bool   `json:"created_file,omitempty"`
	Binary      string `json:"binary"`
	Profile     string `json:"profile"`
	// Entries are the exact hook handlers install wrote, per event.
	Entries []Entry `json:"entries"`
	// DenyAdded are the permission rules install added; DenyPreexisting the
	// wanted rules that were already there (never removed by uninstall).
	DenyAdded       []string `json:"deny_added,omitempty"`
	DenyPreexisting []string `json:"deny_preexisting,omitempty"`
	// Created are the keys install created, as slash paths ("hooks",
	// "hooks/PreToolUse", "permissions/deny", "tools/enableHooks", ...).
	Created []string `json:"created,omitempty"`
	// Previous holds the JSON literal a key had before install changed it
	// ("tools/enableHooks": false).
	Previous    map[string]string `json:"previous,omitempty"`
	InstalledAt string            `json:"installed_at,omitempty"`
}

// Entry is one hook handler install wrote.
type Entry struct {
	Event   string          `json:"event"`
	Handler json.RawMessage `json:"handler"`
}

// IsCreated reports whether install created the key at path.
func (r *Record) IsCreated(path string) bool {
	return r != nil && slices.Contains(r.Created, path)
}

// Command is the hook command install wrote (its first entry's).
func (r *Record) Command() string {
	if cmds := knownCommands(&Record{Entries: r.Entries}); len(cmds) > 0 {
		return cmds[0]
	}
	return ""
}

// MarkCreated records that install created the key at path.
func (r *Record) MarkCreated(path string) {
	if !slices.Contains(r.Created, path) {
		r.Created = append(r.Created, path)
	}
}

// Install returns old with bulwark's hooks (and, for Claude Code, deny
// rules) added or updated in place, and the record of what it did. prev is
// the record of an earlier install into the same file, or nil. old == nil or
// empty means the file does not exist yet. Errors: *SyntaxError for a file
// that is not valid JSON, a plain error for valid JSON of the wrong shape
// (e.g. "hooks" is an array); in both cases nothing should be written.
func Install(spec *Spec, old []byte, o Options, prev *Record) ([]byte, *Record, error) {
	if err := o.validate(); err != nil {
		return nil, nil, err
	}
	orig, err := ParseDocument(old)
	if err != nil {
		return nil, nil, err
	}
	root := orig.Clone()
	rec := &Record{Client: spec.Client, Binary: o.Binary, Profile: o.Profile, Previous: map[string]string{}}
	if prev != nil {
		rec.Scope, rec.File, rec.CreatedFile = prev.Scope, prev.File, prev.CreatedFile
		rec.Created = slices.Clone(prev.Created)
		for k, v := range prev.Previous {
			rec.Previous[k] = v
		}
	}
	if err := spec.install(root, o, rec, prev); err != nil {
		return nil, nil, err
	}
	if len(rec.Previous) == 0 {
		rec.Previous = nil
	}
	return render(old, orig, root), rec, nil
}

// Uninstall returns old without what install added: the hook handlers
// whose command rec records (or is one of known), the deny rules rec
// records as added, and the containers rec records as created once they
// are empty; values install changed are set back. With rec == nil (no
// manifest) only handlers with a known command go, and containers emptied
// by that. old is returned unchanged when there is nothing to remove.
func Uninstall(spec *Spec, old []byte, rec *Record, known ...string) ([]byte, error) {
	orig, err := ParseDocument(old)
	if err != nil {
		return nil, err
	}
	root := orig.Clone()
	if err := spec.uninstall(root, rec, known); err != nil {
		return nil, err
	}
	return render(old, orig, root), nil
}

// HookCommand builds the command that runs the hook: the binary path in
// double quotes (with ", \, $ and ` escaped) and the hook arguments. It is
// what install writes for Cursor; for the clients that run it through a
// shell it is followed by the fallback (Spec.Command, FailClosedCommand).
func HookCommand(binary, client, profile string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range binary {
		if strings.ContainsRune("\"\\$`", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteString(`" hook --client `)
	b.WriteString(client)
	b.WriteString(" --profile ")
	b.WriteString(profile)
	return b.String()
}

// ParsedCommand is a hook command split into the program and its words.
type ParsedCommand struct {
	Binary  string
	Args    []string
	Client  string // value of --client, if any
	Profile string // value of --profile, if any
	// FailClosed: the command ends in bulwark's shell fallback (not part
	// of Args).
	FailClosed bool
}

// ParseCommand splits a hook command: the first word may be double-quoted
// (sh rules: \ escapes ", \, $, ` and newline), single-quoted or bare; the
// rest is split on blanks (bulwark never writes quotes there), after
// bulwark's shell fallback is taken off the end.
func ParseCommand(cmd string) (ParsedCommand, bool) {
	var pc ParsedCommand
	cmd, pc.FailClosed = splitFallback(cmd)
	cmd = strings.TrimLeft(cmd, " \t")
	var rest string
	switch {
	case strings.HasPrefix(cmd, `"`):
		var b strings.Builder
		i := 1
		for ; i < len(cmd) && cmd[i] != '"'; i++ {
			if cmd[i] == '\\' && i+1 < len(cmd) && strings.IndexByte("\"\\$`\n", cmd[i+1]) >= 0 {
				i++
			}
			b.WriteByte(cmd[i])
		}
		if i >= len(cmd) {
			return pc, false
		}
		pc.Binary, rest = b.String(), cmd[i+1:]
	case strings.HasPrefix(cmd, "'"):
		end := strings.IndexByte(cmd[1:], '\'')
		if end < 0 {
			return pc, false
		}
		pc.Binary, rest = cmd[1:1+end], cmd[2+end:]
	default:
		f := strings.Fields(cmd)
		if len(f) == 0 {
			return pc, false
		}
		pc.Binary, rest = f[0], strings.TrimPrefix(cmd, f[0])
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return pc, false // "a"b: not a word boundary
	}
	pc.Args = strings.Fields(rest)
	for i := 0; i+1 < len(pc.Args); i++ {
		switch pc.Args[i] {
		case "--client":
			pc.Client = pc.Args[i+1]
		case "--profile":
			pc.Profile = pc.Args[i+1]
		}
	}
	return pc, pc.Binary != ""
}

// IsBulwarkCommand is the single recogniser of bulwark's hook commands: the
// first word's base name starts with "bulwark" and the next word is "hook",
// or the command continues with `hook --client` whatever the program is
// called (so a renamed binary passed with --binary is still recognised).
func IsBulwarkCommand(cmd string) bool {
	pc, ok := ParseCommand(cmd)
	if !ok || len(pc.Args) == 0 || pc.Args[0] != "hook" {
		return false
	}
	base := filepath.Base(strings.ReplaceAll(pc.Binary, `\`, "/"))
	return strings.HasPrefix(strings.ToLower(base), "bulwark") ||
		(len(pc.Args) >= 2 && pc.Args[1] == "--client")
}

// Marker is the value of Claude Code's statusMessage and Gemini CLI's name
// field on bulwark's handlers.
const Marker = "bulwark"
