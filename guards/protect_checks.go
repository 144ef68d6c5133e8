package guards

import (
	"encoding/json"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/bulwark-guard/bulwark/protect"
	"github.com/bulwark-guard/bulwark/shell"
)

// bulwark subcommands that only read: an agent may run them. Every other
// subcommand (install, uninstall, allow, and any added later) changes how
// bulwark guards, and is the user's to run.
var (
	readOnlySubcommands = set("check", "list", "doctor", "logs", "validate", "version", "help", "hook", "explain",
		"completion", "-h", "-help", "--help", "--h", "--version", "-version",
		// restore puts back what a call destroyed: tamper.bulwark-restore
		// asks for it (listing the backups only reads).
		"restore")
	helpFlags = set("-h", "-help", "--help", "--h")
	// Subcommand words that change bulwark; a program run by another name
	// with one of them is compared with the bulwark program.
	changingWords = set("install", "uninstall", "allow", "approve", "restore", "disable", "enable", "reset")
	// Package managers and build tools whose `install` is their own.
	installers = set("npm", "pnpm", "yarn", "bun", "pip", "pip3", "pipx", "uv", "poetry", "brew", "apt", "apt-get",
		"dnf", "yum", "go", "cargo", "gem", "helm", "snap", "make", "composer", "nvm", "rustup", "conda", "mamba",
		"micromamba", "port", "pacman", "zypper", "apk", "choco", "winget", "scoop", "mise", "asdf", "volta", "deno",
		"npx", "bundle", "mvn", "gradle", "dotnet", "nix", "nix-env", "opam", "cabal", "stack", "luarocks", "flatpak",
		"code", "cursor", "pkg", "emerge", "xbps-install", "ghcup", "sdk", "jenv", "pyenv", "rbenv", "nodenv", "install")
)

// runsProgram reports a command that runs bulwark with a subcommand that
// changes it: by its name, by a path to it or to a copy or link of it, or
// by a name only known at run time that mentions it ($(which bulwark)).
func runsProgram(set *protect.Set, f *facts, cf *cmdFact) (string, bool) {
	c := cf.c
	if elsewhere.has(cf.name) {
		return runsProgramElsewhere(set, f, cf)
	}
	isProg := false
	switch {
	case c.NameDynamic:
		isProg = strings.Contains(strings.ToLower(c.Name), "bulwark")
	case contains(set.ProgramNames(), cf.name) || f.aliasOf(cf.name, set):
		isProg = true
	case c.Path != "":
		cwd := f.act.Cwd
		if c.Cwd != "" {
			cwd = c.Cwd
		}
		if abs, _ := protect.Normalize(c.Path, cwd, f.act.Home); abs != "" {
			isProg = set.IsProgram(abs)
		}
	case len(c.Args) > 0 && changingWords.has(c.Args[0].Value) && !installers.has(cf.name):
		if lp := set.Env().LookPath; lp != nil {
			if p, err := lp(cf.name); err == nil {
				isProg = set.IsProgram(p)
			}
		}
	}
	if !isProg {
		return "", false
	}
	if len(c.Args) == 0 || readOnlySubcommands.has(c.Args[0].Value) {
		return "", false
	}
	if len(c.Args) > 1 && helpFlags.has(c.Args[1].Value) {
		// Go's flag parsing stops at a leading -h: only the usage prints.
		return "", false
	}
	if len(c.Args) == 2 && c.Args[0].Value == "allow" && c.Args[1].Value == "list" {
		return "", false // lists the allow rules
	}
	if c.Args[0].Value == "mcp" && len(c.Args) > 1 && (c.Args[1].Value == "tools" || helpFlags.has(c.Args[1].Value) || len(c.Args) > 2 && helpFlags.has(c.Args[2].Value)) {
		return "", false // lists the MCP tool records, or prints a usage
	}
	return renderCommand(cf), true
}

// aliasOf reports a name that an alias earlier in the call makes the
// program (alias bw=bulwark; then bw uninstall, on a later line).
func (f *facts) aliasOf(name string, set *protect.Set) bool {
	for i := range f.commands {
		c := &f.commands[i]
		if c.name != "alias" {
			continue
		}
		for _, a := range c.c.Args {
			k, v, ok := strings.Cut(a.Value, "=")
			if !ok || k != name {
				continue
			}
			first, _, _ := strings.Cut(strings.TrimSpace(v), " ")
			if contains(set.ProgramNames(), path.Base(first)) || set.IsProgram(first) {
				return true
			}
		}
	}
	return false
}

// elsewhere run a command in an environment of their own, not this
// agent's: terminal multiplexers (a session of the server, often started
// from the user's own terminal) and systemd-run (a unit of the service
// manager). The second lock of the mutating subcommands (refuseInAgent)
// would not see an agent there.
var elsewhere = set("tmux", "screen", "zellij", "byobu", "systemd-run")

// runsProgramElsewhere reads the command a multiplexer is asked to run or to
// type (tmux new -d 'CMD', tmux send-keys 'CMD' Enter, screen -dm CMD,
// screen -X stuff 'CMD'), as shell code, for a bulwark that changes it.
func runsProgramElsewhere(set *protect.Set, f *facts, cf *cmdFact) (string, bool) {
	var words []string
	for _, a := range cf.c.Args {
		if !strings.HasPrefix(a.Value, "-") {
			words = append(words, a.Value)
		}
	}
	if code := strings.Join(words, " "); !strings.Contains(code, "bulwark") && !containsAnyName(code, set.ProgramNames()) {
		return "", false
	}
	// The command starts after the multiplexer's subcommand and option
	// values, wherever that is: try each start (a few words).
	for i := 0; i < len(words) && i < 8; i++ {
		a := shell.Analyze(strings.Join(words[i:], " "), f.shellEnv(f.act.Cwd))
		sub := &facts{act: f.act, vars: f.vars}
		sub.addCommands(a, cf.via, "")
		for j := range sub.commands {
			if elsewhere.has(sub.commands[j].name) {
				continue
			}
			if ev, ok := runsProgram(set, sub, &sub.commands[j]); ok {
				return cf.name + ": " + ev, true
			}
		}
	}
	return "", false
}

func containsAnyName(s string, names []string) bool {
	for _, n := range names {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}

// relocation finds a variable set where it would move bulwark's files or a
// client's settings for a later bulwark or agent.
func (f *facts) relocation(set *protect.Set, g *guard) (string, []string, bool) {
	agents := g.spec.Commands
	persistentOnly := g.spec.Condition == CondRelocate
	reachesAgent := false
	for i := range f.commands {
		if contains(agents, f.commands[i].name) && !fromScript(&f.commands[i]) {
			reachesAgent = true
		}
	}
	judge := func(name, value string, dynamic bool) (string, bool) {
		if !set.Watched(name) {
			return "", false
		}
		if ok, why := set.Relocates(name, value, dynamic); ok {
			return name + "=" + value + " (" + why + ")", true
		}
		return "", false
	}
	shellOnly := func(name string) bool {
		return strings.HasPrefix(name, "BULWARK_") || name != "HOME" && !strings.HasPrefix(name, "XDG_")
	}
	for i := range f.commands {
		cf := &f.commands[i]
		if fromScript(cf) {
			continue // judged as the file's content
		}
		c := cf.c
		// NAME=VALUE cmd (and env NAME=VALUE cmd).
		for k, v := range c.Assigns {
			if persistentOnly && contains(agents, cf.name) {
				if ev, ok := judge(k, v, strings.ContainsAny(v, "$`")); ok {
					return ev + " for " + cf.name, cf.via, true
				}
			}
		}
		switch cf.name {
		case "export", "declare", "typeset", "readonly", "local":
			for _, a := range c.Args {
				k, v, ok := strings.Cut(a.Value, "=")
				if !ok || strings.HasPrefix(k, "-") {
					continue
				}
				if persistentOnly && reachesAgent || !persistentOnly && !reachesAgent && shellOnly(k) {
					if ev, ok := judge(k, v, a.Dynamic); ok {
						if reachesAgent {
							ev += ", then an agent is started"
						}
						return ev, cf.via, true
					}
				}
			}
		case "launchctl", "systemctl", "setx", "tmux", "dbus-update-activation-environment":
			if !persistentOnly {
				continue
			}
			for _, kv := range persistentAssigns(cf) {
				if ev, ok := judge(kv[0], kv[1], strings.ContainsAny(kv[1], "$`")); ok {
					return ev + " for every later program (" + cf.name + ")", cf.via, true
				}
			}
		}
	}
	if !persistentOnly {
		return "", nil, false
	}
	for _, c := range f.contents {
		for _, kv := range envAssignments(c.path, c.text) {
			if ev, ok := judge(kv[0], kv[1], strings.ContainsAny(kv[1], "$`")); ok {
				return c.path + ": " + ev, nil, true
			}
		}
	}
	return "", nil, false
}

// fromScript reports a command read from a script being written (not run).
func fromScript(cf *cmdFact) bool {
	return len(cf.via) > 0 && strings.HasPrefix(cf.via[0], "script ")
}

// persistentAssigns reads the variables a command sets for later programs:
// launchctl setenv NAME VALUE, systemctl [--user] set-environment N=V...,
// setx NAME VALUE, tmux set-environment [-g] NAME VALUE,
// dbus-update-activation-environment N=V.
func persistentAssigns(cf *cmdFact) [][2]string {
	var args []string
	for _, a := range cf.c.Args {
		if !strings.HasPrefix(a.Value, "-") {
			args = append(args, a.Value)
		}
	}
	var out [][2]string
	pair := func(i int) {
		if i+1 < len(args) {
			out = append(out, [2]string{args[i], args[i+1]})
		}
	}
	switch cf.name {
	case "launchctl":
		if len(args) > 0 && args[0] == "setenv" {
			for i := 1; i+1 < len(args); i += 2 {
				pair(i)
			}
		}
	case "setx":
		pair(0)
	case "tmux":
		if len(args) > 0 && (args[0] == "set-environment" || args[0] == "setenv") {
			pair(1)
		}
	case "systemctl", "dbus-update-activation-environment":
		start := 0
		if cf.name == "systemctl" {
			if len(args) == 0 || args[0] != "set-environment" {
				return nil
			}
			start = 1
		}
		for _, a := range args[start:] {
			if k, v, ok := strings.Cut(a, "="); ok {
				out = append(out, [2]string{k, v})
			}
		}
	}
	return out
}

// envFile reports a file whose assignments reach later programs: shell
// startup files, environment files, dotenv files (Gemini CLI and direnv
// load them), and a client's settings (its "env" object).
func envFile(p string) (shellSyntax, jsonSyntax bool) {
	base := path.Base(p)
	switch base {
	case ".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile", ".zshenv", ".zlogin",
		".kshrc", ".mkshrc", ".cshrc", ".tcshrc", ".login", ".envrc", ".env", "environment", ".pam_environment",
		"config.fish", "bash.bashrc", "zshenv", "zshrc", "profile", "zprofile":
		return true, false
	}
	if strings.HasPrefix(base, ".env.") || strings.HasSuffix(p, ".fish") && strings.Contains(p, "/fish/") ||
		strings.Contains(p, "/environment.d/") || strings.HasPrefix(p, "/etc/profile.d/") {
		return true, false
	}
	if strings.HasPrefix(base, "settings") && strings.HasSuffix(base, ".json") || base == ".claude.json" {
		return false, true
	}
	return false, false
}

// Compiled on first use, never at start-up (the hook pays only when a call
// writes an environment or settings file).
var (
	shellAssignRE = onceRegexp(`^\s*(?:export\s+|declare\s+-\w+\s+|typeset\s+-\w+\s+|env\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$`)
	fishSetRE     = onceRegexp(`^\s*(?:set\s+(?:-\w+\s+)*|setenv\s+)([A-Za-z_][A-Za-z0-9_]*)\s+(.*)$`)
	jsonPairRE    = onceRegexp(`"([A-Za-z_][A-Za-z0-9_]*)"\s*:\s*"((?:[^"\\]|\\.)*)"`)
	quotedBulwark = onceRegexp(`"(?:[^"\\]|\\.)*bulwark(?:[^"\\]|\\.)*"|'[^'\n]*bulwark[^'\n]*'`)
)

// onceRegexp returns a function that compiles expr the first time it is
// called.
func onceRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// envAssignments reads NAME=VALUE pairs from the content of an env file
// (or the "env" objects of a settings file).
func envAssignments(p, text string) [][2]string {
	sh, js := envFile(p)
	var out [][2]string
	switch {
	case sh:
		for _, line := range strings.Split(text, "\n") {
			if m := shellAssignRE().FindStringSubmatch(line); m != nil {
				v := m[2]
				if i := strings.Index(v, " #"); i >= 0 {
					v = v[:i]
				}
				out = append(out, [2]string{m[1], strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), ";"))})
			} else if m := fishSetRE().FindStringSubmatch(line); m != nil {
				out = append(out, [2]string{m[1], strings.TrimSpace(m[2])})
			}
		}
	case js:
		for _, block := range envBlocks(text) {
			for _, m := range jsonPairRE().FindAllStringSubmatch(block, -1) {
				out = append(out, [2]string{m[1], m[2]})
			}
		}
	}
	return out
}

// envBlocks returns the bodies of the "env": {...} objects in a JSON text.
func envBlocks(text string) []string {
	var out []string
	for off := 0; off < len(text); {
		i := strings.Index(text[off:], `"env"`)
		if i < 0 {
			break
		}
		j := off + i + len(`"env"`)
		rest := strings.TrimLeft(text[j:], " \t\r\n")
		if !strings.HasPrefix(rest, ":") {
			off = j
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\r\n")
		if !strings.HasPrefix(rest, "{") {
			off = j
			continue
		}
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			end = len(rest)
		}
		out = append(out, rest[:end])
		off = j + 1
	}
	return out
}

// afterState is a settings file a tool write changes, before and after.
type afterState struct {
	path          string
	before, after string
	by            string
}

// afterStates works out, for each tool write to a protected client
// settings file that is judged by its content, the whole file after the
// write (an Edit applied to the file as it is on disk), so that content
// guards judge the document and not only the fragment, and so that a
// removed hook entry is seen.
func (e *Engine) afterStates(act *Action, set *protect.Set) []afterState {
	if len(act.Contents) == 0 || (act.Kind != KindWrite && act.Kind != KindMCP && act.Kind != KindOther) {
		return nil
	}
	var out []afterState
	done := map[string]bool{}
	for _, c := range act.Contents {
		if c.Path == "" || done[c.Path] {
			continue
		}
		t, ok := set.Check(protect.Fact{Path: c.Path, Cwd: act.Cwd, Op: protect.Write})
		if !ok || t.Member.Owner != protect.OwnerClient || t.Ancestor {
			continue
		}
		done[c.Path] = true
		abs := t.Path
		if abs == "" {
			abs, _ = protect.Normalize(c.Path, act.Cwd, act.Home)
		}
		before := string(set.ReadSmall(abs, 4<<20))
		after := before
		edited := false
		for _, x := range act.Contents {
			if x.Path != c.Path {
				continue
			}
			if x.Old == "" {
				after, edited = x.Text, true
				continue
			}
			if !strings.Contains(after, x.Old) {
				continue // the client refuses an edit whose old text is not there
			}
			n := 1
			if x.All {
				n = -1
			}
			after, edited = strings.Replace(after, x.Old, x.Text, n), true
		}
		if edited && after != before {
			out = append(out, afterState{path: c.Path, before: before, after: after, by: act.Tool})
		}
	}
	return out
}

// hookRemoved reports a write that takes bulwark's hook entries or deny
// rules out of a client's settings.
func (f *facts) hookRemoved(set *protect.Set) (string, bool) {
	for _, st := range f.after {
		items, isJSON := protectiveItems(st.before)
		if len(items) == 0 {
			continue
		}
		now, nowJSON := protectiveItems(st.after)
		have := map[string]bool{}
		for _, x := range now {
			have[x] = true
		}
		for _, item := range items {
			kept := have[item]
			if !kept && (!isJSON || !nowJSON) {
				// One side is not JSON: look for the text itself.
				lit := item
				if isJSON {
					_, cmd, _ := strings.Cut(item, "\x00")
					b, _ := json.Marshal(cmd)
					lit = strings.Trim(string(b), `"`)
				}
				kept = strings.Contains(st.after, lit)
			}
			if !kept {
				what := item
				if ev, cmd, ok := strings.Cut(item, "\x00"); ok {
					what = ev + " entry " + cmd
					if ev == "deny" {
						what = "the deny rule " + cmd
					}
				}
				return st.path + ": removes " + clip(what, 120), true
			}
		}
	}
	return "", false
}

// protectiveItems are what in a settings file keeps bulwark in place: the
// hook commands that run it and the permission deny rules. A file that is
// not JSON (TOML, JSON with comments) is searched for quoted strings naming
// bulwark; isJSON says which.
func protectiveItems(text string) (items []string, isJSON bool) {
	if strings.TrimSpace(text) == "" {
		return nil, true
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return quotedBulwark().FindAllString(text, 32), false
	}
	// A hook entry is its event and its command ("PreToolUse\x00bulwark
	// hook ..."): renaming the event or moving the command to another one
	// switches it off as surely as deleting it.
	var out []string
	var walk func(v any, event string, depth int)
	walk = func(v any, event string, depth int) {
		if depth > 16 || len(out) > 64 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for _, y := range x {
				walk(y, event, depth+1)
			}
		case []any:
			for _, y := range x {
				walk(y, event, depth+1)
			}
		case string:
			if strings.Contains(x, "bulwark") {
				out = append(out, event+"\x00"+x)
			}
		}
	}
	if hooks, ok := doc["hooks"].(map[string]any); ok {
		for ev, v := range hooks {
			walk(v, ev, 0)
		}
	}
	if p, ok := doc["permissions"].(map[string]any); ok {
		if deny, ok := p["deny"].([]any); ok {
			for _, d := range deny {
				if s, ok := d.(string); ok {
					out = append(out, "deny\x00"+s)
				}
			}
		}
	}
	return out, true
}
