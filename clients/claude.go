package clients

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/installer"
)

// Claude is Claude Code.
//
// Protocol: PreToolUse/PostToolUse events with tool_name and tool_input,
// answered with hookSpecificOutput (hooks/claude.go). Settings:
// ~/.claude/settings.json ($CLAUDE_CONFIG_DIR relocates ~/.claude),
// .claude/settings.json (project), .claude/settings.local.json (local, at
// the git root since v2.1.211), and the managed tier (managed-settings.json
// and managed-settings.d/*.json under /etc/claude-code and its macOS and
// Windows equivalents). Hooks also come from plugins, skills-directory
// plugins (<skills>/<x>/.claude-plugin/) and skill or agent frontmatter.
// Switches: "disableAllHooks" turns hooks off; managed
// "allowManagedHooksOnly" makes user and project hooks inert.
//
// Install adds to "hooks" one group per event, PreToolUse, PostToolUse and
// ConfigChange:
//
//	{"matcher": "*", "hooks": [{"type": "command",
//	  "command": "\"/abs/bulwark\" hook --client claude --profile balanced || { …; exit 2; }",
//	  "timeout": 10, "statusMessage": "bulwark", "onFailure": "block"}]}
//
// (timeout in seconds) and the backstop rules to "permissions"."deny".
//
// Failure: Claude Code runs the command with sh -c and blocks on exit 2;
// any other status, a missing binary and a timeout let the call run, unless
// the handler says "onFailure": "block" (2.1.295 and later; older builds
// ignore the key). Two layers: the command's shell fallback
// (installer.FailClosedCommand) makes a binary that cannot answer an exit 2
// on every build, and onFailure also covers the timeout on new ones.
var Claude = &Client{
	Name:  "claude",
	Title: "Claude Code",
	Spec: &installer.Spec{
		Client:     "claude",
		Events:     []string{"PreToolUse", "PostToolUse", "ConfigChange"},
		Grouped:    true,
		Matcher:    "*",
		FailClosed: true,
		Handler: func(cmd string, o installer.Options) *installer.Value {
			// onFailure "block" (Claude Code 2.1.295+; older builds ignore
			// it): a hook that cannot start, times out or exits with an
			// unexpected status blocks the call instead of letting it run.
			// It works on the handler, not on the matcher group.
			return installer.NewObject(
				"type", installer.NewString("command"),
				"command", installer.NewString(cmd),
				"timeout", installer.NewInt(o.Timeout()),
				"statusMessage", installer.NewString(installer.Marker),
				"onFailure", installer.NewString("block"),
			)
		},
		Extra:   installer.InstallDenyRules,
		Unextra: installer.UninstallDenyRules,
	},
	Scopes:      []installer.Scope{installer.ScopeUser, installer.ScopeProject, installer.ScopeLocal, installer.ScopeManaged},
	TimeoutUnit: time.Second,

	userDir: claudeDir,
	settingsPath: func(s installer.Scope, env Env) (string, error) {
		switch s {
		case installer.ScopeUser:
			if d := claudeDir(env); d != "" {
				return filepath.Join(d, "settings.json"), nil
			}
			return "", errNoHome
		case installer.ScopeProject:
			return filepath.Join(env.Cwd, ".claude", "settings.json"), nil
		case installer.ScopeManaged:
			// A drop-in of bulwark's own (a regular file, not a symlink:
			// Claude Code warns about links out of the managed folder):
			// merged after managed-settings.json, overridden by nothing
			// below it; uninstall deletes it.
			return filepath.Join(claudeManagedDir(env), "managed-settings.d", "bulwark.json"), nil
		default: // local: at the git root since v2.1.211; outside a repository, here
			return filepath.Join(gitRoot(env.Cwd), ".claude", "settings.local.json"), nil
		}
	},
	locations: claudeLocations,
	options: func(env Env, req Request, o *installer.Options) {
		o.DenyRules = DefaultDenyRules(DenyPaths{
			Home: env.Home, ClaudeConfigDir: env.Var("CLAUDE_CONFIG_DIR"), BulwarkDir: req.BulwarkDir, Binary: req.Binary,
		}, req.DenyNative)
	},
	checkClient: func(env Env) []Finding {
		out := checkClaudeVersion(env)
		for _, f := range ClaudeManagedFiles(env) {
			root, err := readJSON(f)
			if err != nil {
				if !isNotExist(err) {
					out = append(out, finding(Warn, "claude managed settings %s: %v", f, err))
				}
				continue
			}
			if root.Get("allowManagedHooksOnly").IsTrue() {
				out = append(out, finding(Fail, "claude managed settings %s: \"allowManagedHooksOnly\": true makes user and project hooks inert; ask your administrator to add bulwark to the managed hooks", f))
			}
			if root.Get("disableAllHooks").IsTrue() {
				out = append(out, finding(Fail, "claude managed settings %s: \"disableAllHooks\": true turns every hook off", f))
			}
		}
		return out
	},
	checkHandler: func(event string, h *installer.Value) []Finding {
		switch onFailure, fallback := h.Get("onFailure").Str() == "block", hasFallback(h); {
		case !onFailure && !fallback:
			return []Finding{finding(Warn, "%s hook without \"onFailure\": \"block\" and without the command's fail-closed fallback: when the hook cannot run (binary missing, crashed, timeout), Claude Code runs the call unguarded (run 'bulwark install')", event)}
		case !onFailure:
			return []Finding{finding(Warn, "%s hook without \"onFailure\": \"block\": a hook that times out lets the call run (the command's fallback covers a missing or crashed binary; run 'bulwark install')", event)}
		case !fallback:
			return []Finding{finding(Info, "%s hook command without the fail-closed fallback (an earlier bulwark wrote it): Claude Code before 2.1.295 ignores onFailure and runs the call when the binary is missing or crashes (run 'bulwark install')", event)}
		}
		return nil
	},
	checkFile: func(env Env, path string, root *installer.Value, rec *installer.Record) []Finding {
		var out []Finding
		if root.Get("disableAllHooks").IsTrue() {
			out = append(out, finding(Fail, "\"disableAllHooks\": true turns every hook off, bulwark's included"))
		}
		return append(out, checkDenyRules(env, root, rec)...)
	},
	canary: func(command, cwd string) []byte {
		return claudeShapeCanary(command, cwd, nil)
	},
	decision: func(stdout []byte) string {
		var resp struct {
			Decision           string `json:"decision"`
			HookSpecificOutput struct {
				PermissionDecision string `json:"permissionDecision"`
			} `json:"hookSpecificOutput"`
		}
		if json.Unmarshal(stdout, &resp) != nil {
			return "none"
		}
		switch {
		case resp.HookSpecificOutput.PermissionDecision != "":
			return resp.HookSpecificOutput.PermissionDecision
		case resp.Decision == "block":
			return "deny"
		}
		return "none"
	},
}

// claudeDir is ~/.claude, or $CLAUDE_CONFIG_DIR.
func claudeDir(env Env) string {
	if d := env.Var("CLAUDE_CONFIG_DIR"); d != "" {
		return filepath.Clean(d)
	}
	return env.underHome(".claude")
}

// claudeManagedDir is where Claude Code reads managed settings on env's OS.
func claudeManagedDir(env Env) string {
	switch env.goos() {
	case "darwin":
		return env.system("/Library/Application Support/ClaudeCode")
	case "windows":
		return env.system(`C:\Program Files\ClaudeCode`)
	}
	return env.system("/etc/claude-code")
}

// claudeDesktopConfig is Claude Desktop's configuration (its MCP servers)
// on env's OS; "" without a home.
func claudeDesktopConfig(env Env) string {
	switch env.goos() {
	case "darwin":
		return env.underHome("Library", "Application Support", "Claude", "claude_desktop_config.json")
	case "windows":
		return env.underHome("AppData", "Roaming", "Claude", "claude_desktop_config.json")
	}
	return env.underHome(".config", "Claude", "claude_desktop_config.json")
}

// ClaudeManagedFiles lists Claude Code's managed settings files that exist
// or may: managed-settings.json and the managed-settings.d/*.json drop-ins
// (merged alphabetically after it).
func ClaudeManagedFiles(env Env) []string {
	base := claudeManagedDir(env)
	files := []string{filepath.Join(base, "managed-settings.json")}
	drop, _ := filepath.Glob(filepath.Join(base, "managed-settings.d", "*.json"))
	return append(files, drop...)
}

func claudeLocations(env Env) []Location {
	var out []Location
	add := func(s installer.Scope, k Kind, path string, tree bool, note string) {
		out = append(out, Location{Client: "claude", Scope: s, Kind: k, Path: path, Tree: tree, Note: note})
	}
	if d := claudeDir(env); d != "" {
		add(installer.ScopeUser, KindSettings, filepath.Join(d, "settings.json"), false, "user settings: hooks, permission rules, disableAllHooks")
		add(installer.ScopeUser, KindSettings, filepath.Join(d, "settings.local.json"), false, "user settings (local)")
		add(installer.ScopeUser, KindHooks, filepath.Join(d, "hooks"), true, "hook scripts the settings run")
		add(installer.ScopeUser, KindPlugins, filepath.Join(d, "plugins"), true, "installed plugins and marketplaces; a plugin's hooks/hooks.json adds hooks")
		add(installer.ScopeUser, KindPlugins, filepath.Join(d, "skills", "*", ".claude-plugin"), true, "a skills-directory plugin loads with no install step, hooks included")
		add(installer.ScopeUser, KindPlugins, filepath.Join(d, "mods"), true, "mods: in-process modules that can approve a call a non-managed hook denied")
		add(installer.ScopeUser, KindPlugins, filepath.Join(d, "dev-mods"), true, "development mods, hot-reloaded")
		add(installer.ScopeUser, KindDefinitions, filepath.Join(d, "skills"), true, "skills: their frontmatter can add hooks while active")
		add(installer.ScopeUser, KindDefinitions, filepath.Join(d, "agents"), true, "subagent definitions: their frontmatter can add hooks")
		add(installer.ScopeUser, KindInstructions, filepath.Join(d, "CLAUDE.md"), false, "user memory: instructions in every session")
		add(installer.ScopeUser, KindInstructions, filepath.Join(d, "commands"), true, "user slash commands (prompts)")
	}
	if p := claudeDesktopConfig(env); p != "" {
		add(installer.ScopeUser, KindMCP, p, false, "Claude Desktop's MCP servers (claude_desktop_config.json)")
	}
	// ~/.claude.json holds MCP servers, per-project trust and allowed tools;
	// with $CLAUDE_CONFIG_DIR it lives inside that directory.
	if d := env.Var("CLAUDE_CONFIG_DIR"); d != "" {
		add(installer.ScopeUser, KindState, filepath.Join(filepath.Clean(d), ".claude.json"), false, "MCP servers, project trust and allowed tools")
	} else if p := env.underHome(".claude.json"); p != "" {
		add(installer.ScopeUser, KindState, p, false, "MCP servers, project trust and allowed tools")
	}
	if env.Cwd != "" {
		proj := func(k Kind, rel string, tree bool, note string) {
			out = append(out, Location{Client: "claude", Scope: installer.ScopeProject, Kind: k, Path: filepath.Join(env.Cwd, rel), ProjectRel: filepath.ToSlash(rel), Tree: tree, Note: note})
		}
		proj(KindSettings, ".claude/settings.json", false, "project settings: hooks and permission rules")
		out = append(out, Location{Client: "claude", Scope: installer.ScopeLocal, Kind: KindSettings,
			Path: filepath.Join(env.Cwd, ".claude", "settings.local.json"), ProjectRel: ".claude/settings.local.json",
			Note: "local project settings (read at the git root)"})
		proj(KindHooks, ".claude/hooks", true, "project hook scripts")
		proj(KindPlugins, ".claude/skills/*/.claude-plugin", true, "a project skills-directory plugin (after workspace trust)")
		proj(KindDefinitions, ".claude/skills", true, "project skills")
		proj(KindDefinitions, ".claude/agents", true, "project subagent definitions")
		proj(KindMCP, ".mcp.json", false, "project MCP servers")
		proj(KindInstructions, "CLAUDE.md", false, "project memory: instructions in every session")
		out = append(out, Location{Client: "claude", Scope: installer.ScopeLocal, Kind: KindInstructions,
			Path: filepath.Join(env.Cwd, "CLAUDE.local.md"), ProjectRel: "CLAUDE.local.md", Note: "local project memory"})
		proj(KindInstructions, ".claude/CLAUDE.md", false, "project memory")
		proj(KindInstructions, ".claude/commands", true, "project slash commands (prompts)")
	}
	m := claudeManagedDir(env)
	add(installer.ScopeManaged, KindSettings, filepath.Join(m, "managed-settings.json"), false, "managed settings: the tier nothing else overrides")
	add(installer.ScopeManaged, KindSettings, filepath.Join(m, "managed-settings.d"), true, "managed settings drop-ins")
	add(installer.ScopeManaged, KindMCP, filepath.Join(m, "managed-mcp.json"), false, "managed MCP servers")
	return out
}

// baseDenyRules back the hook up where Claude Code runs a tool without it
// (hook missing, crashed, timed out): secrets that must never be read, the
// settings that wire the hook in, and the catastrophic deletes. Read/Edit
// rules are gitignore patterns; "~/" is home-relative. SSH private keys are
// listed by their standard names so that public keys (.pub) stay readable.
// There is deliberately no "Bash(rm -rf /*)": in Bash rules "*" is a
// wildcard, so that rule would deny every `rm -rf` of an absolute path
// (`rm -rf /tmp/build`); the hook judges those.
var baseDenyRules = []string{
	"Read(~/.ssh/id_rsa)",
	"Read(~/.ssh/id_dsa)",
	"Read(~/.ssh/id_ecdsa)",
	"Read(~/.ssh/id_ecdsa_sk)",
	"Read(~/.ssh/id_ed25519)",
	"Read(~/.ssh/id_ed25519_sk)",
	"Read(~/.aws/credentials)",
	"Read(~/.config/gcloud/**)",
	"Read(~/.kube/config)",
	"Read(~/.docker/config.json)",
	"Read(~/.netrc)",
	"Read(~/.git-credentials)",
	"Edit(~/.claude/settings.json)",
	"Edit(~/.claude/settings.local.json)",
	"Edit(.claude/settings.json)",
	"Edit(.claude/settings.local.json)",
	"Bash(rm -rf /)",
	"Bash(rm -rf ~)",
	"Bash(rm -rf ~/)",
	"Bash(rm -rf $HOME)",
	// Uploading a key or credential file with curl or wget, the way an
	// injected agent exfiltrates: `curl -d @~/.ssh/id_rsa URL`, `-F f=@…`,
	// `-T …`, `wget --post-file=…`. A leading "*" covers ~/, $HOME/ and
	// absolute spellings. Deny rules run before the hook, so these hold
	// when the hook is missing or broken. They cannot see through
	// variables, pipes from another command (`cat key | curl -d @-`: the
	// Read rules stop the cat), copies under another name, encodings,
	// interpreters (python, node) or other tools (nc, socat, scp, rsync);
	// the hook judges those.
	"Bash(curl *@*.ssh/*)",
	"Bash(curl *@*.aws/*)",
	"Bash(curl *@*.netrc*)",
	"Bash(curl *@*.git-credentials*)",
	"Bash(curl *@*.docker/config.json*)",
	"Bash(curl *@*.kube/*)",
	"Bash(curl *@*.config/gcloud/*)",
	"Bash(curl *-T *.ssh/*)",
	"Bash(curl *-T *.aws/*)",
	"Bash(curl *--upload-file *.ssh/*)",
	"Bash(curl *--upload-file *.aws/*)",
	"Bash(wget *--post-file*.ssh/*)",
	"Bash(wget *--post-file*.aws/*)",
	"Bash(wget *--body-file*.ssh/*)",
	"Bash(wget *--body-file*.aws/*)",
}

// NativeToolDenyRules deny Claude Code's native tools outright (bare tool
// names remove them from the model's context), for --deny-native.
var NativeToolDenyRules = []string{"Bash", "Write", "Edit"}

// DenyPaths are the machine-specific paths DefaultDenyRules protects too.
type DenyPaths struct {
	Home            string // $HOME
	ClaudeConfigDir string // $CLAUDE_CONFIG_DIR when set
	BulwarkDir      string // config.Dir()
	Binary          string // the bulwark executable
}

// DefaultDenyRules returns the backstop deny rules: baseDenyRules, Edit rules
// for a relocated Claude config dir, bulwark's own config dir and binary,
// and with denyNative the bare native tools.
func DefaultDenyRules(p DenyPaths, denyNative bool) []string {
	rules := slices.Clone(baseDenyRules)
	if p.ClaudeConfigDir != "" {
		for _, f := range []string{"settings.json", "settings.local.json"} {
			rules = append(rules, "Edit("+rulePath(p.Home, filepath.Join(p.ClaudeConfigDir, f))+")")
		}
	}
	if p.BulwarkDir != "" {
		rules = append(rules, "Edit("+rulePath(p.Home, p.BulwarkDir)+"/**)")
	}
	if p.Binary != "" {
		rules = append(rules, "Edit("+rulePath(p.Home, p.Binary)+")")
	}
	if denyNative {
		rules = append(rules, NativeToolDenyRules...)
	}
	var out []string
	for _, r := range rules {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// rulePath spells an absolute path in a Read/Edit rule: "~/x" under home,
// else "//abs" (a single leading "/" would be relative to the settings file).
func rulePath(home, p string) string {
	p = filepath.ToSlash(filepath.Clean(p))
	if home != "" {
		h := filepath.ToSlash(filepath.Clean(home))
		if rel, ok := strings.CutPrefix(p, h+"/"); ok {
			return "~/" + rel
		}
	}
	return "/" + p
}

// checkDenyRules checks Claude Code's backstop deny rules: those the
// manifest records for the file, else the default set.
func checkDenyRules(env Env, root *installer.Value, rec *installer.Record) []Finding {
	want := DefaultDenyRules(DenyPaths{Home: env.Home}, false)
	if rec != nil {
		want = append(slices.Clone(rec.DenyAdded), rec.DenyPreexisting...)
	}
	have := map[string]bool{}
	if deny := root.Get("permissions").Get("deny"); deny != nil {
		for _, e := range deny.Elems {
			have[e.Str()] = true
		}
	}
	var missing []string
	for _, r := range want {
		if !have[r] {
			missing = append(missing, r)
		}
	}
	switch {
	case len(missing) == 0:
		return []Finding{finding(OK, "%d backstop deny rules in place", len(want))}
	case len(missing) == len(want):
		return []Finding{finding(Warn, "no backstop deny rules: if the hook fails, Claude Code runs the action (run 'bulwark install')")}
	}
	return []Finding{finding(Warn, "%d of %d backstop deny rules missing: %s", len(missing), len(want), strings.Join(missing, ", "))}
}

// claudeShapeCanary is a PreToolUse Bash event as Claude Code sends it
// (Codex adds turn_id and model: extra).
func claudeShapeCanary(command, cwd string, extra map[string]any) []byte {
	ev := map[string]any{
		"session_id": CanarySession, "transcript_path": "", "cwd": cwd,
		"permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Bash",
		"tool_input":  map[string]any{"command": command, "description": "bulwark doctor self-test"},
		"tool_use_id": "toolu_bulwark_doctor",
	}
	for k, v := range extra {
		ev[k] = v
	}
	b, _ := json.Marshal(ev)
	return b
}

// Weakens says how a settings file's new content weakens bulwark, for
// Claude Code's ConfigChange event: "" reasons when it does not. rec is
// the install record of the file (nil when bulwark did not install there:
// then only switches that turn every hook off count).
func (c *Client) Weakens(data []byte, rec *installer.Record) []string {
	root, err := installer.ParseDocument(data)
	if err != nil {
		if rec != nil {
			return []string{"the file is no longer valid JSON (" + err.Error() + "), so the client may ignore it and bulwark's hooks with it"}
		}
		return nil
	}
	var out []string
	if root.Get("disableAllHooks").IsTrue() {
		out = append(out, `"disableAllHooks": true turns every hook off, bulwark's included`)
	}
	if rec == nil {
		return out
	}
	found := installer.FindHandlers(c.Spec, root)
	for _, ev := range c.Spec.Events {
		if len(found[ev]) == 0 {
			out = append(out, "bulwark's "+ev+" hook was removed")
		}
	}
	for ev, ms := range installer.NarrowMatchers(c.Spec, root) {
		out = append(out, "bulwark's "+ev+" hook was narrowed to matcher "+strings.Join(ms, ", "))
	}
	have := map[string]bool{}
	for _, e := range root.Get("permissions").Get("deny").ArrayElemsOrNil() {
		have[e.Str()] = true
	}
	var gone []string
	for _, r := range append(slices.Clone(rec.DenyAdded), rec.DenyPreexisting...) {
		if !have[r] {
			gone = append(gone, r)
		}
	}
	if len(gone) > 0 {
		out = append(out, "backstop deny rules were removed: "+strings.Join(gone, ", "))
	}
	return out
}

// OnFailureSince is the first Claude Code version that honours a hook
// entry's "onFailure": "block".
const OnFailureSince = "2.1.295"

// ClaudeVersion runs the installed `claude --version` (found on PATH);
// tests replace it.
var ClaudeVersion = func(env Env) (string, error) {
	return commandVersion("claude", "--version")
}

func checkClaudeVersion(env Env) []Finding {
	v, err := ClaudeVersion(env)
	switch {
	case err != nil:
		return []Finding{finding(Info, "claude: cannot tell which Claude Code is installed (%v); \"onFailure\": \"block\" needs %s or newer", err, OnFailureSince)}
	case versionLess(v, OnFailureSince):
		return []Finding{finding(Warn, "Claude Code %s ignores \"onFailure\": \"block\" (since %s): if the hook cannot run, calls run unguarded and only the deny rules hold; update Claude Code", v, OnFailureSince)}
	}
	return []Finding{finding(OK, "Claude Code %s honours \"onFailure\": \"block\" (a hook that cannot run blocks the call)", v)}
}
