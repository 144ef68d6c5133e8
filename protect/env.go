package protect

import (
	"bytes"
	"os"
	"path"
	"strings"
)

// Env is where bulwark runs and keeps its files, as in force for the hook.
type Env struct {
	Home string // the user's home ("" when unknown)
	// Program lists the paths of the bulwark program: as the client runs it
	// (argv[0] made absolute) and as resolved (os.Executable, symlinks
	// followed). Empty entries are ignored.
	Program []string
	// ConfigDir and StateDir are bulwark's configuration and state
	// directories in force (config.Dir, config.StateDir); PackDirs the
	// extra pack directories config.toml names.
	ConfigDir, StateDir string
	PackDirs            []string
	// Defaults are the configuration and state directories bulwark uses when
	// none of its variables is set (~/.config/bulwark, ~/.local/state/bulwark):
	// protected too, so that an agent cannot prepare them for a session that
	// starts without the variables.
	Defaults []string
	// Clients are the coding clients' settings, hooks and plugins.
	Clients []Member
	// LoadClients, when set, computes Clients on the first question that
	// needs them: a write, removal, permission change or the like. A read
	// (only private members count, and no client's are), the program's
	// paths and names and the variables never do, so a call that names no
	// path it changes never pays for the clients' locations.
	LoadClients func(e *Env) []Member
	// Vars are the values in force of the variables that move bulwark's
	// files or the clients' (BULWARK_HOME, XDG_CONFIG_HOME, ...; see
	// Relocates), and Locate computes bulwark's config and state
	// directories for other values (nil: only BULWARK_HOME is judged, by
	// value).
	Vars   map[string]string
	Locate func(getenv func(string) string) (configDir, stateDir string)
	// ClientVars, when set, are the variables that move a client's
	// settings or switch its hooks off, with what they do (the clients'
	// descriptions); nil uses a built-in list.
	ClientVars map[string]string
	// Profile is the profile in force (for BULWARK_PROFILE).
	Profile string
	FS      FS // nil: judge by the text of paths only
	// LookPath finds a program on PATH (exec.LookPath); nil: programs run
	// by a bare name other than bulwark's are not compared with it.
	LookPath func(name string) (string, error)
	// Complete, when set, fills in the fields other than Clients that cost
	// something to learn (the program's resolved path) on the set's first
	// question, so that a call that never needs the set never pays.
	Complete func(e *Env)
}

// Conventional is the environment of a bulwark installed the usual way for a
// user whose home is home, known without looking at the machine: the program
// in ~/.local/bin, configuration and state in their XDG default places, and
// the clients' default locations (when a client description registered
// them: RegisterClients). Tests, examples and callers that know nothing
// better use it.
func Conventional(home string) Env {
	if home == "" {
		return Env{}
	}
	e := Env{
		Home:      home,
		Program:   []string{home + "/.local/bin/bulwark", home + "/.local/bin/bulwark-mcp"},
		ConfigDir: home + "/.config/bulwark",
		StateDir:  home + "/.local/state/bulwark",
		Profile:   "balanced",
	}
	if f := conventionalClients; f != nil {
		e.LoadClients = func(e *Env) []Member { return f(home) }
	}
	return e
}

var conventionalClients func(home string) []Member

// RegisterClients gives Conventional the clients' members for a home (the
// clients' descriptions register themselves; the protected set does not
// list clients itself).
func RegisterClients(f func(home string) []Member) { conventionalClients = f }

// ownMembers are bulwark's own members: its program, configuration, state,
// backup store, pack directories, default places and every project's
// .bulwark.toml (the clients' come after them: clientMembers). The private
// members are all among them.
func (e *Env) ownMembers() []Member {
	out := make([]Member, 0, 16)
	add := func(m Member) { out = addMember(out, m) }
	for _, p := range e.Program {
		if p != "" {
			add(Member{Path: path.Clean(p), Owner: OwnerProgram, What: "the bulwark program"})
		}
	}
	dir := func(p, what string) {
		if p != "" {
			add(Member{Path: path.Clean(p), Tree: true, Owner: OwnerBulwark, What: what})
		}
	}
	dir(e.ConfigDir, "bulwark's configuration")
	dir(e.StateDir, "bulwark's state (audit log, cache)")
	if e.StateDir != "" {
		st := path.Clean(e.StateDir)
		add(Member{Path: st + "/" + BackupDir, Tree: true, Root: st, Private: true, Owner: OwnerBulwark,
			What: "bulwark's backup store (what calls deleted or overwrote)"})
	}
	for _, d := range e.PackDirs {
		dir(d, "bulwark's pack directory")
	}
	for _, d := range e.Defaults {
		dir(d, "bulwark's configuration or state (default place)")
	}
	// Every project's .bulwark.toml: the project's tightening.
	add(Member{Rel: ".bulwark.toml", Owner: OwnerBulwark, What: "the project's bulwark configuration"})
	return out
}

// addMember appends m unless it is empty or the list has it already (the
// same path, relative tail and tree-ness: the first one stays). The lists
// are a few dozen members, so a scan costs less than a map.
func addMember(list []Member, m Member) []Member {
	if m.Path == "" && m.Rel == "" {
		return list
	}
	for i := range list {
		if list[i].Path == m.Path && list[i].Rel == m.Rel && list[i].Tree == m.Tree {
			return list
		}
	}
	return append(list, m)
}

// IsProgram reports whether the file at an absolute path is the bulwark
// program: one of its paths (symlinks followed), the same file under another
// name (a hard link), or a byte-for-byte copy. Without a file system only
// the paths are compared.
func (s *Set) IsProgram(p string) bool {
	s.build(builtOwn)
	if p == "" || len(s.env.Program) == 0 {
		return false
	}
	p = path.Clean(p)
	for _, q := range s.env.Program {
		if q != "" && path.Clean(q) == p {
			return true
		}
	}
	if s.env.FS == nil {
		return false
	}
	if s.cache == nil {
		s.cache = newWalker(s.env.FS)
	}
	real, _ := s.cache.resolve(p)
	fi, err := s.env.FS.Stat(real)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	for _, q := range s.env.Program {
		if q == "" {
			continue
		}
		if rq, _ := s.cache.resolve(q); rq == real {
			return true
		}
		qi, err := s.env.FS.Stat(q)
		if err != nil {
			continue
		}
		if os.SameFile(fi, qi) {
			return true
		}
		if qi.Size() == fi.Size() && sameContent(s.env.FS, real, q) {
			return true
		}
	}
	return false
}

// sameContent compares two files of equal size (only reached for a file
// exactly as big as the program).
func sameContent(f FS, a, b string) bool {
	da, err1 := f.ReadFile(a)
	db, err2 := f.ReadFile(b)
	return err1 == nil && err2 == nil && bytes.Equal(da, db)
}

// ProgramNames are the names the program is run by: "bulwark" and the base
// names of its paths (an install under another name).
// It does not build the set: the names are known from the start.
func (s *Set) ProgramNames() []string {
	names := []string{"bulwark"}
	for _, p := range s.env.Program {
		if b := path.Base(p); p != "" && b != "bulwark" && !containsStr(names, b) {
			names = append(names, b)
		}
	}
	return names
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ReadSmall reads a file of at most max bytes (nil when it is missing,
// bigger, or there is no file system).
func (s *Set) ReadSmall(p string, max int64) []byte {
	if s.env.FS == nil || p == "" {
		return nil
	}
	fi, err := s.env.FS.Stat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > max {
		return nil
	}
	data, err := s.env.FS.ReadFile(p)
	if err != nil {
		return nil
	}
	return data
}

// trimQuotes removes one pair of matching quotes.
func trimQuotes(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
		return v[1 : len(v)-1]
	}
	return v
}
