package protect

import (
	"path"
	"strings"
)

// clientVars are the variables that move a coding client's settings (and
// so its hooks), used when Env.ClientVars is nil (the clients' descriptions
// give them: clients.VarNames).
var clientVars = map[string]string{
	"CLAUDE_CONFIG_DIR": "moves Claude Code's settings (and its hooks)",
	"CODEX_HOME":        "moves Codex's settings (and its hooks)",
	"GEMINI_CLI_HOME":   "moves Gemini CLI's settings (and its hooks)",
}

// switchVars switch a client's hooks off when set (Claude Code's --bare and
// --restricted as variables); "0", "false" and "" leave them on.
var switchVars = map[string]string{
	"CLAUDE_CODE_SIMPLE":     "makes Claude Code skip its hooks (--bare)",
	"CLAUDE_CODE_RESTRICTED": "makes Claude Code ignore the user's and the project's settings (--restricted)",
}

// Relocates reports whether setting the variable name to value, where it
// reaches a later bulwark or a coding client (a shell startup file, a
// settings file's env, an agent started with it), would make bulwark read
// other files or a weaker profile, or a client skip its hooks; why says
// what it does. Values equal to what is in force (`XDG_CONFIG_HOME=$HOME/.config`
// when that is where bulwark's config already is) and variables bulwark
// does not read (XDG_RUNTIME_DIR, XDG_CACHE_HOME, XDG_DATA_HOME ...) do not
// relocate. A value only known at run time does, for the variables that
// matter.
func (s *Set) Relocates(name, value string, dynamic bool) (bool, string) {
	e := &s.env
	value = trimQuotes(value)
	cur, set := e.Vars[name]
	v, known := s.expandValue(value, dynamic)
	same := func() bool {
		return set && (value == cur || known && path.Clean(v) == path.Clean(s.expandOr(cur)))
	}
	switch {
	case name == "HOME":
		if known && e.Home != "" && path.Clean(v) == path.Clean(e.Home) {
			return false, ""
		}
		return true, "moves the home directory, and with it every client's settings and bulwark's files"
	case name == "BULWARK_PROFILE":
		if !dynamic && (value == "strict" || value == e.Profile && e.Profile != "") {
			return false, ""
		}
		if same() {
			return false, ""
		}
		return true, "selects another bulwark profile"
	case name == "BULWARK_HOME":
		if same() || known && v != "" && path.Clean(v) == path.Clean(e.ConfigDir) && e.ConfigDir == e.StateDir {
			return false, ""
		}
		return true, "moves bulwark's configuration and state"
	case strings.HasPrefix(name, "BULWARK_"):
		if same() {
			return false, ""
		}
		return true, "changes how bulwark runs"
	case name == "XDG_CONFIG_HOME" || name == "XDG_STATE_HOME":
		if same() {
			return false, ""
		}
		if e.Vars["BULWARK_HOME"] != "" {
			// BULWARK_HOME wins over both now; the value would still
			// move bulwark's files wherever it is not set (another shell,
			// a later session). The default place does not.
			if known && e.Home != "" && path.Clean(v) == path.Clean(e.Home+map[string]string{"XDG_CONFIG_HOME": "/.config", "XDG_STATE_HOME": "/.local/state"}[name]) {
				return false, ""
			}
			return true, "moves bulwark's " + xdgWhat(name) + " wherever BULWARK_HOME is not set"
		}
		if !known {
			return true, "may move bulwark's " + xdgWhat(name)
		}
		if e.Locate != nil {
			vars := map[string]string{}
			for k, x := range e.Vars {
				vars[k] = x
			}
			vars[name] = v
			cfg, st := e.Locate(func(k string) string {
				if k == "HOME" {
					return e.Home
				}
				return vars[k]
			})
			if path.Clean(cfg) == path.Clean(e.ConfigDir) && path.Clean(st) == path.Clean(e.StateDir) {
				return false, ""
			}
			return true, "moves bulwark's " + xdgWhat(name)
		}
		def := e.Home + "/.config"
		if name == "XDG_STATE_HOME" {
			def = e.Home + "/.local/state"
		}
		if e.Home != "" && path.Clean(v) == def {
			return false, ""
		}
		return true, "moves bulwark's " + xdgWhat(name)
	}
	if what, ok := switchVars[name]; ok {
		if !dynamic && (value == "" || value == "0" || strings.EqualFold(value, "false")) || same() {
			return false, "" // a switch set off
		}
		return true, what
	}
	what, ok := clientVars[name]
	if e.ClientVars != nil {
		what, ok = e.ClientVars[name]
	}
	if !ok || same() {
		return false, ""
	}
	return true, what
}

func xdgWhat(name string) string {
	if name == "XDG_STATE_HOME" {
		return "state (audit log, cache)"
	}
	return "configuration"
}

// Watched reports whether a variable is one Relocates judges (cheap, for a
// prefilter).
func (s *Set) Watched(name string) bool {
	switch {
	case name == "HOME", strings.HasPrefix(name, "BULWARK_"), name == "XDG_CONFIG_HOME", name == "XDG_STATE_HOME":
		return true
	}
	if _, ok := switchVars[name]; ok {
		return true
	}
	if s.env.ClientVars != nil {
		_, ok := s.env.ClientVars[name]
		return ok
	}
	_, ok := clientVars[name]
	return ok
}

// expandValue resolves ~, $HOME and ${HOME} at the start of a value; known
// is false when other run-time parts remain.
func (s *Set) expandValue(v string, dynamic bool) (string, bool) {
	h := s.env.Home
	switch {
	case v == "~" || strings.HasPrefix(v, "~/"):
		if h == "" {
			return v, false
		}
		v = h + v[1:]
	case strings.HasPrefix(v, "$HOME"):
		if h == "" {
			return v, false
		}
		v = h + v[len("$HOME"):]
	case strings.HasPrefix(v, "${HOME}"):
		if h == "" {
			return v, false
		}
		v = h + v[len("${HOME}"):]
	}
	if dynamic && strings.ContainsAny(v, "$`") || strings.ContainsAny(v, "$`") {
		return v, false
	}
	return v, true
}

func (s *Set) expandOr(v string) string {
	x, _ := s.expandValue(v, false)
	return x
}

// SwitchVarNames are the variables that switch a client's hooks off.
func SwitchVarNames() []string {
	out := make([]string, 0, len(switchVars))
	for k := range switchVars {
		out = append(out, k)
	}
	return out
}
