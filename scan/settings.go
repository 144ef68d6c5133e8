package scan

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/commands"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/installer"
	"github.com/bulwark-guard/bulwark/runfile"
	"github.com/bulwark-guard/bulwark/shell"
)

// jsonFile judges a client's JSON file: settings, hooks, ~/.claude.json,
// MCP server lists, and the JSON files of plugins and extensions.
func (s *scanner) jsonFile(c *fileCtx) {
	jsonc := c.client == "gemini" || c.client == "cursor"
	root, err := parseJSON(c.data, jsonc)
	if err != nil {
		if je, ok := err.(*jsonError); ok {
			s.brokenAt(c, je.line, je.col, "not valid JSON: "+je.msg)
		} else {
			s.broken(c, 0, "not valid JSON: "+err.Error())
		}
		return
	}
	base := filepath.Base(c.path)
	switch {
	case c.kind == string(clients.KindMCP) || base == ".mcp.json" || base == "gemini-extension.json":
		s.mcpServers(c, root.get("mcpServers"))
		if base == "gemini-extension.json" {
			s.hookHandlers(c, root)
		}
	case c.kind == string(clients.KindState) && c.client == "claude":
		s.claudeState(c, root)
	case c.kind == string(clients.KindState):
		// trust lists: nothing but secrets and hidden text
	default:
		s.settings(c, root)
	}
}

// settings judges a settings or hooks file of any client.
func (s *scanner) settings(c *fileCtx, root *node) {
	switch c.client {
	case "claude":
		if m := root.member("disableAllHooks"); m != nil && m.val.isTrue() {
			s.fact(c, m.keyOff, guards.ConfigFact{Condition: guards.CondHooksOff, Evidence: `"disableAllHooks": true`,
				Detail: "Claude Code runs no hook at all, bulwark's included, while this file applies."})
		}
		if m := root.member("allowManagedHooksOnly"); m != nil && m.val.isTrue() && !s.hasBulwark(c, root) {
			s.fact(c, m.keyOff, guards.ConfigFact{Condition: guards.CondHooksOff, Evidence: `"allowManagedHooksOnly": true`,
				Detail: "Only managed hooks run, and this file installs no bulwark hook, so a user or project install of bulwark is inert."})
		}
		perms := root.get("permissions")
		for _, e := range perms.get("allow").array() {
			s.allowRule(c, e, "Bash")
		}
		if m := perms.member("defaultMode"); m != nil && m.val.text() == "bypassPermissions" {
			s.fact(c, m.keyOff, guards.ConfigFact{Condition: guards.CondBypass, Evidence: `"defaultMode": "bypassPermissions"`,
				Detail: "Claude Code starts in bypassPermissions: every tool call runs without asking."})
		}
		for _, k := range []struct{ key, detail string }{
			{"skipDangerousModePermissionPrompt", "Claude Code enters bypass mode without its warning."},
			{"enableAllProjectMcpServers", "Every MCP server a project's .mcp.json lists starts without being approved, so a cloned repository chooses what runs."},
		} {
			if m := root.member(k.key); m != nil && m.val.isTrue() {
				s.fact(c, m.keyOff, guards.ConfigFact{Condition: guards.CondBypass, Evidence: `"` + k.key + `": true`, Detail: k.detail})
			}
		}
		s.mcpServers(c, root.get("mcpServers"))
	case "gemini":
		hc := root.get("hooksConfig")
		if m := hc.member("enabled"); m != nil && m.val.isFalse() {
			s.fact(c, m.keyOff, guards.ConfigFact{Condition: guards.CondHooksOff, Evidence: `"hooksConfig": {"enabled": false}`,
				Detail: "Gemini CLI runs no hook, bulwark's included, while this file applies."})
		}
		for _, e := range hc.get("disabled").array() {
			if v := e.text(); v == installer.Marker || installer.IsBulwarkCommand(v) || strings.Contains(v, " hook --client gemini") {
				s.fact(c, e.off, guards.ConfigFact{Condition: guards.CondHooksOff, Evidence: `"hooksConfig": {"disabled": [` + quote(v) + `]}`,
					Detail: "bulwark's hook is listed as disabled, so Gemini CLI does not run it."})
			}
		}
		for _, e := range root.path("tools", "allowed").array() {
			s.allowRule(c, e, "run_shell_command")
		}
		walk(root, 0, func(m *member) {
			if (m.key == "defaultApprovalMode" || m.key == "approvalMode") && strings.EqualFold(m.val.text(), "yolo") {
				s.fact(c, m.keyOff, guards.ConfigFact{Condition: guards.CondBypass, Evidence: quote(m.key) + `: "yolo"`,
					Detail: "Gemini CLI approves every tool call (YOLO mode)."})
			}
		})
		s.mcpServers(c, root.get("mcpServers"))
	case "cursor":
		for _, e := range root.path("permissions", "allow").array() {
			s.allowRule(c, e, "Shell")
		}
	}
	s.hookHandlers(c, root)
}

// claudeState judges ~/.claude.json: MCP servers (user and per project)
// and the tools each project allows.
func (s *scanner) claudeState(c *fileCtx, root *node) {
	s.mcpServers(c, root.get("mcpServers"))
	for _, p := range root.get("projects").object() {
		s.mcpServers(c, p.val.get("mcpServers"))
		for _, e := range p.val.get("allowedTools").array() {
			s.allowRule(c, e, "Bash")
		}
	}
}

// walk calls fn for every object member under n.
func walk(n *node, depth int, fn func(m *member)) {
	if n == nil || depth > maxJSONDepth {
		return
	}
	for i := range n.members {
		fn(&n.members[i])
		walk(n.members[i].val, depth+1, fn)
	}
	for _, e := range n.elems {
		walk(e, depth+1, fn)
	}
}

// hasBulwark reports whether a settings file holds a bulwark hook of its
// client.
func (s *scanner) hasBulwark(c *fileCtx, root *node) bool {
	cl, err := clients.Lookup(c.client)
	if err != nil {
		return false
	}
	doc, err := installer.ParseDocument(jsoncData(c))
	if err != nil {
		return false
	}
	return len(installer.FindHandlers(cl.Spec, doc)[cl.Spec.Events[0]]) > 0
}

// jsoncData is the file's bytes with comments blanked, as installer's
// strict parser needs them.
func jsoncData(c *fileCtx) []byte {
	if c.client == "gemini" || c.client == "cursor" {
		return stripComments(c.data)
	}
	return c.data
}

// hookHandlers judges every hook handler of a settings or hooks file:
// bulwark's (installed, fail-closed) and everyone else's (what they run).
func (s *scanner) hookHandlers(c *fileCtx, root *node) {
	hooks := root.get("hooks")
	cl, err := clients.Lookup(c.client)
	if hooks == nil || hooks.kind != jObject || err != nil {
		return
	}
	doc, derr := installer.ParseDocument(jsoncData(c))
	for _, ev := range hooks.members {
		for _, g := range ev.val.array() {
			handlers := []*node{g}
			if inner := g.get("hooks"); inner != nil {
				handlers = inner.array()
			}
			for _, h := range handlers {
				cmd := h.get("command")
				if cmd == nil || cmd.kind != jString {
					continue
				}
				if installer.IsBulwarkCommand(cmd.str) {
					if ev.key == cl.Spec.Events[0] {
						s.guarded[c.client] = true
					}
					continue
				}
				s.hookCommand(c, cmd)
			}
		}
	}
	if derr != nil {
		return
	}
	// bulwark's own handlers: the client's fail-closed switch.
	for ev, hs := range installer.FindHandlers(cl.Spec, doc) {
		for range hs {
			for _, f := range cl.CheckHandler(ev, hs[0]) {
				if f.Level < clients.Warn {
					continue
				}
				off := -1
				if m := hooks.member(ev); m != nil {
					off = m.keyOff
				}
				s.fact(c, off, guards.ConfigFact{Condition: guards.CondHookFailOpen, Evidence: ev + " hook: " + firstLine(f.Text), Detail: f.Text + "."})
			}
			break
		}
	}
	if c.client == "codex" && strings.HasSuffix(c.path, "hooks.json") {
		s.codex = append(s.codex, codexHooksFile{ctx: c, doc: doc})
	}
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, ":\n"); i > 0 {
		return s[:i]
	}
	return s
}

// projectDirVars are the variables the clients set to the project directory
// when they run a hook.
var projectDirVars = []string{"CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "CURSOR_PROJECT_DIR", "CODEX_PROJECT_DIR"}

// hookCommand judges a hook handler that is not bulwark: the shell guards
// on its command line (and the scripts it runs, read by package runfile),
// and where the programs it runs live.
func (s *scanner) hookCommand(c *fileCtx, cmd *node) {
	line := cmd.str
	if !strings.ContainsAny(s.o.Dir, " \t\n'\"$`\\") {
		for _, v := range projectDirVars {
			line = strings.ReplaceAll(line, "${"+v+"}", s.o.Dir)
			line = strings.ReplaceAll(line, "$"+v, s.o.Dir)
		}
	}
	s.shellLine(c, cmd.off, line, s.o.Dir)
	a := shell.Analyze(line, shell.Env{Home: s.env.Home, Cwd: s.o.Dir})
	for i := range a.Commands {
		cm := &a.Commands[i]
		for _, p := range programFiles(cm, s.o.Dir, s.env.Home) {
			s.hookProgram(c, cmd.off, cmd.str, p)
		}
	}
}

// programFiles are the files a command runs: a program named by its path,
// or the script an interpreter or shell runs.
func programFiles(cm *shell.Command, dir, home string) []string {
	var out []string
	add := func(p string) {
		if p == "" || strings.Contains(p, "$") {
			return
		}
		switch {
		case strings.HasPrefix(p, "~/") && home != "":
			p = filepath.Join(home, p[2:])
		case !filepath.IsAbs(p):
			p = filepath.Join(dir, p)
		}
		p = filepath.Clean(p)
		for _, x := range out {
			if x == p {
				return
			}
		}
		out = append(out, p)
	}
	add(cm.Path)
	if ex := cm.Exec; ex != nil {
		switch ex.Kind {
		case shell.ExecShell, shell.ExecInterp, shell.ExecDirect:
			if ex.Path != "" {
				add(ex.Path)
			} else if !ex.File.Dynamic {
				add(ex.File.Value)
			}
		}
	}
	return out
}

// hookProgram judges where a program a hook runs lives: a temporary or
// world-writable place (anyone can replace it), or the project outside the
// clients' protected directories (the agent can rewrite it, and the hook
// then runs the agent's code outside every guard).
func (s *scanner) hookProgram(c *fileCtx, off int, cmd, p string) {
	_, inProject := under(p, s.o.Dir)
	switch {
	case worldWritable(p) || !inProject && s.isTemp(p):
		s.fact(c, off, guards.ConfigFact{Condition: guards.CondHookTempProgram, Evidence: cmd,
			Detail: "The hook runs " + p + ", which any process (or user) on the machine can replace."})
	case inProject && !s.isProtected(p):
		s.fact(c, off, guards.ConfigFact{Condition: guards.CondHookAgentWritable, Evidence: cmd,
			Detail: "The hook runs " + s.show(p) + ", a file in the project that the agent may rewrite."})
	}
}

// isTemp reports a path in a temporary directory (the project and home
// themselves may be in one, in tests: their files are theirs).
func (s *scanner) isTemp(p string) bool {
	if _, ok := under(p, s.o.Dir); ok {
		return false
	}
	if _, ok := under(p, s.env.Home); ok {
		return false
	}
	p = filepath.ToSlash(p)
	for _, t := range []string{"/tmp/", "/var/tmp/", "/dev/shm/", "/private/tmp/", "/private/var/tmp/"} {
		if strings.HasPrefix(p, t) {
			return true
		}
	}
	if t := os.Getenv("TMPDIR"); t != "" && filepath.IsAbs(t) {
		if _, ok := under(p, filepath.Clean(t)); ok {
			return true
		}
	}
	return false
}

// worldWritable reports a file, or a directory above it, that every user
// can write (a sticky directory protects its entries, not itself).
func worldWritable(p string) bool {
	if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o002 != 0 {
		return true
	}
	d := filepath.Dir(p)
	if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o002 != 0 && fi.Mode()&os.ModeSticky == 0 {
		return true
	}
	return false
}

// allowRule judges one permission allow rule: a whole tool, a wildcard, or
// a command prefix that runs any command (a shell, an interpreter, a
// wrapper or package runner) lets the agent do anything with no prompt.
// shellTool is the client's name of its shell tool.
func (s *scanner) allowRule(c *fileCtx, e *node, shellTool string) {
	rule := e.text()
	if rule == "" {
		return
	}
	why := allowWide(rule, shellTool)
	if why == "" {
		return
	}
	s.fact(c, e.off, guards.ConfigFact{Condition: guards.CondAllowWildcard, Evidence: quote(rule), Detail: "The rule " + quote(rule) + " " + why + "."})
}

// The tools whose whole use, allowed, lets an agent act unasked.
var wideTools = map[string]bool{
	"bash": true, "powershell": true, "shell": true, "run_shell_command": true, "shelltool": true,
	"edit": true, "write": true, "multiedit": true, "notebookedit": true, "webfetch": true,
	"write_file": true, "replace": true, "*": true, "mcp__*": true,
}

// allowWide says why an allow rule is wide ("" when it is not).
func allowWide(rule, shellTool string) string {
	tool, spec, hasSpec := strings.Cut(rule, "(")
	tool = strings.TrimSpace(tool)
	lt := strings.ToLower(tool)
	if hasSpec {
		spec = strings.TrimSuffix(strings.TrimSpace(spec), ")")
	}
	isShell := lt == strings.ToLower(shellTool) || lt == "bash" || lt == "shell" || lt == "powershell" || lt == "run_shell_command" || lt == "shelltool"
	if !hasSpec || isWildcard(spec) {
		if wideTools[lt] || strings.HasSuffix(lt, "*") {
			if isShell {
				return "lets the agent run any shell command without asking"
			}
			return "lets the agent use " + tool + " on anything without asking"
		}
		return ""
	}
	if !isShell {
		return ""
	}
	// A command prefix: "npm test:*", "python3 *", "sh -c:*".
	prefix := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(spec, ":*"), "*"))
	words := strings.Fields(prefix)
	if len(words) == 0 {
		return "lets the agent run any shell command without asking"
	}
	name := filepath.Base(words[0])
	cs := commands.Lookup(name)
	if cs == nil {
		return ""
	}
	switch cs.Kind {
	case commands.Wrapper, commands.Runner, commands.Multicall, commands.Env, commands.Xargs, commands.Watch,
		commands.Flock, commands.Shell, commands.Su, commands.At, commands.Script, commands.Eval, commands.Source,
		commands.Interp, commands.Remote, commands.Find, commands.Awk:
		return "lets " + name + " run unasked with any arguments, and " + name + " runs any other command or code"
	case commands.PkgTool:
		if len(words) == 1 {
			return "lets " + name + " run unasked with any subcommand, and some of them run any package or code"
		}
	}
	return ""
}

// isWildcard: a rule specifier that matches everything.
func isWildcard(spec string) bool {
	switch strings.TrimSpace(spec) {
	case "", "*", "**", ":*", "*:*", "* *", "/**", "//**", "~/**", "./**":
		return true
	}
	return false
}

// quote is a JSON string for evidence.
func quote(s string) string { return installer.Quote(s) }

// shellLine judges a command line with the shell guards (and, through
// package runfile, the scripts it runs), as the hook would judge running
// it; the hits are findings at offset off.
func (s *scanner) shellLine(c *fileCtx, off int, line, dir string) {
	act := &guards.Action{Client: "audit", Event: guards.PreToolUse, Tool: "Bash", Kind: guards.KindShell,
		Command: line, Cwd: dir, Home: s.env.Home, Scripts: &runfile.Source{Home: s.env.Home}}
	v := s.e.Evaluate(act)
	l, col := 0, 0
	if off >= 0 && c.data != nil {
		l, col = lineCol(c.data, off)
	}
	s.hits(c, l, col, shellHits(v.Hits), nil)
}

// shellHits drops the hits that are about the audit's own call rather than
// what the line does (none today; the filter keeps on = "config" guards
// out should a pack ever give one a command).
func shellHits(hs []guards.Hit) []guards.Hit { return hs }

// guardMissing reports the clients the user has set up (their user
// directory exists) with no bulwark pre-tool hook in any file the audit
// read.
func (s *scanner) guardMissing() {
	for _, cl := range clients.All() {
		d := cl.UserDir(s.env)
		if d == "" || s.guarded[cl.Name] {
			continue
		}
		if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
			continue
		}
		p, err := cl.SettingsPath(installer.ScopeUser, s.env)
		if err != nil {
			continue
		}
		c := &fileCtx{path: p, show: s.show(p), client: cl.Name, kind: string(clients.KindSettings), scope: string(installer.ScopeUser)}
		s.fact(c, -1, guards.ConfigFact{Condition: guards.CondGuardMissing, Evidence: cl.Title + ": no bulwark " + cl.Spec.Events[0] + " hook",
			Detail: cl.Title + " is set up here (" + s.show(d) + ") but no settings file the audit read installs bulwark's " + cl.Spec.Events[0] + " hook, so its tool calls run unguarded."})
	}
}
