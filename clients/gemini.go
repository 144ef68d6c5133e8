package clients

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/installer"
)

// Gemini is Google's Gemini CLI.
//
// Protocol: BeforeTool/AfterTool events with Gemini's tool names
// (run_shell_command, read_file ...), answered with {"decision","reason"}
// (hooks/gemini.go). Settings: ~/.gemini/settings.json ($GEMINI_CLI_HOME
// holds .gemini instead of $HOME), .gemini/settings.json (project), the
// system defaults and system override files under /etc/gemini-cli (moved by
// GEMINI_CLI_SYSTEM_DEFAULTS_PATH / GEMINI_CLI_SYSTEM_SETTINGS_PATH), and
// extensions, which can carry hooks.
//
// Install adds to "hooks" one group per event, BeforeTool and AfterTool:
//
//	{"matcher": ".*", "hooks": [{"type": "command", "name": "bulwark",
//	  "command": "\"/abs/bulwark\" hook --client gemini --profile balanced || { …; exit 2; }",
//	  "timeout": 10000}]}
//
// (timeout in milliseconds; the matcher is a regex over tool names). Gemini
// CLI runs the command with bash -c and reads the exit status itself: text
// on stdout or stderr with a status other than 0 and 1 is a deny (so a
// missing binary, 127, already blocked), but exit 1 is a warning and a
// process killed by a signal counts as success, and an exit 2 with nothing
// to say lets the call run. So the command ends in bulwark's shell fallback
// (installer.FailClosedCommand): whatever kept the binary from answering is
// exit 2 with a reason. A timeout still lets the call run. Hooks
// are on by default; the switch is "hooksConfig"."enabled" (false turns
// every hook off) and "hooksConfig"."disabled" lists hook names (or
// commands) that do not run. Install sets enabled back to true where it is
// false and takes bulwark out of disabled, recording what it changed;
// uninstall puts it back. ("tools"."enableHooks", which older bulwark
// versions wrote, does nothing: install removes it where an earlier install
// recorded creating it.)
var Gemini = &Client{
	Name:  "gemini",
	Title: "Gemini CLI",
	Spec: &installer.Spec{
		Client:     "gemini",
		Events:     []string{"BeforeTool", "AfterTool"},
		Grouped:    true,
		Matcher:    ".*",
		FailClosed: true,
		Handler: func(cmd string, o installer.Options) *installer.Value {
			return installer.NewObject(
				"type", installer.NewString("command"),
				"name", installer.NewString(installer.Marker),
				"command", installer.NewString(cmd),
				"timeout", installer.NewInt(o.Timeout()*1000),
			)
		},
		Extra:   geminiEnable,
		Unextra: geminiUnenable,
	},
	Scopes:      []installer.Scope{installer.ScopeUser, installer.ScopeProject},
	TimeoutUnit: time.Millisecond,

	userDir: geminiDir,
	settingsPath: func(s installer.Scope, env Env) (string, error) {
		if s == installer.ScopeProject {
			return filepath.Join(env.Cwd, ".gemini", "settings.json"), nil
		}
		if d := geminiDir(env); d != "" {
			return filepath.Join(d, "settings.json"), nil
		}
		return "", errNoHome
	},
	locations:   geminiLocations,
	checkClient: checkGeminiSwitches,
	checkHandler: func(event string, h *installer.Value) []Finding {
		if !hasFallback(h) {
			return []Finding{finding(Warn, "%s hook command without the fail-closed fallback (an earlier bulwark wrote it): when the binary crashes or is killed, Gemini CLI runs the call unguarded (run 'bulwark install --client gemini')", event)}
		}
		return nil
	},
	canary: func(command, cwd string) []byte {
		b, _ := json.Marshal(map[string]any{
			"session_id": CanarySession, "transcript_path": "", "cwd": cwd,
			"hook_event_name": "BeforeTool", "timestamp": "2026-01-01T00:00:00Z",
			"tool_name": "run_shell_command", "tool_input": map[string]any{"command": command},
		})
		return b
	},
	decision: func(stdout []byte) string {
		var resp struct {
			Decision string `json:"decision"`
		}
		switch {
		case json.Unmarshal(stdout, &resp) != nil, resp.Decision == "":
			return "none"
		case resp.Decision == "block":
			return "deny"
		}
		return resp.Decision
	},
}

// geminiDir is ~/.gemini, or $GEMINI_CLI_HOME/.gemini.
func geminiDir(env Env) string {
	if d := env.Var("GEMINI_CLI_HOME"); d != "" {
		return filepath.Join(filepath.Clean(d), ".gemini")
	}
	return env.underHome(".gemini")
}

// geminiSystemDir is where Gemini CLI reads system settings on env's OS.
func geminiSystemDir(env Env) string {
	switch env.goos() {
	case "darwin":
		return env.system("/Library/Application Support/GeminiCli")
	case "windows":
		return env.system(`C:\ProgramData\gemini-cli`)
	}
	return env.system("/etc/gemini-cli")
}

func geminiLocations(env Env) []Location {
	var out []Location
	add := func(s installer.Scope, k Kind, path string, tree bool, note string) {
		out = append(out, Location{Client: "gemini", Scope: s, Kind: k, Path: path, Tree: tree, Note: note})
	}
	if d := geminiDir(env); d != "" {
		add(installer.ScopeUser, KindSettings, filepath.Join(d, "settings.json"), false, "user settings: hooks, hooksConfig.enabled and .disabled")
		add(installer.ScopeUser, KindPlugins, filepath.Join(d, "extensions"), true, "extensions, which can carry hooks")
		add(installer.ScopeUser, KindPolicy, filepath.Join(d, "policies"), true, "policy-engine rules")
		trusted := filepath.Join(d, "trustedFolders.json")
		if p := env.Var("GEMINI_CLI_TRUSTED_FOLDERS_PATH"); p != "" {
			trusted = filepath.Clean(p)
		}
		add(installer.ScopeUser, KindState, trusted, false, "trusted folders (project settings apply only in trusted folders)")
		add(installer.ScopeUser, KindInstructions, filepath.Join(d, "GEMINI.md"), false, "global context: instructions in every session")
		add(installer.ScopeUser, KindInstructions, filepath.Join(d, "commands"), true, "user custom commands (prompts)")
	}
	if env.Cwd != "" {
		for _, f := range []struct {
			k         Kind
			rel, note string
			tree      bool
		}{
			{KindSettings, ".gemini/settings.json", "project settings", false},
			{KindPlugins, ".gemini/extensions", "workspace extensions", true},
			{KindInstructions, "GEMINI.md", "project context: instructions in every session", false},
			{KindInstructions, ".gemini/commands", "project custom commands (prompts)", true},
		} {
			out = append(out, Location{Client: "gemini", Scope: installer.ScopeProject, Kind: f.k, Path: filepath.Join(env.Cwd, filepath.FromSlash(f.rel)), ProjectRel: f.rel, Tree: f.tree, Note: f.note})
		}
	}
	sys := geminiSystemDir(env)
	settings, defaults := filepath.Join(sys, "settings.json"), filepath.Join(sys, "system-defaults.json")
	if p := env.Var("GEMINI_CLI_SYSTEM_SETTINGS_PATH"); p != "" {
		settings = filepath.Clean(p)
	}
	if p := env.Var("GEMINI_CLI_SYSTEM_DEFAULTS_PATH"); p != "" {
		defaults = filepath.Clean(p)
	}
	add(installer.ScopeManaged, KindSettings, settings, false, "system settings (override every other file)")
	add(installer.ScopeManaged, KindSettings, defaults, false, "system defaults")
	add(installer.ScopeManaged, KindPolicy, filepath.Join(sys, "policies"), true, "admin policies")
	return out
}

const (
	geminiEnabledPath  = "hooksConfig/enabled"
	geminiDisabledPath = "hooksConfig/disabled"
	geminiLegacyPath   = "tools/enableHooks"
)

// geminiEnable turns Gemini CLI's hooks switch on where the file turns it
// off, and takes bulwark's hook out of the disabled list.
func geminiEnable(root *installer.Value, o installer.Options, rec, prev *installer.Record) error {
	// An earlier bulwark wrote tools.enableHooks, which Gemini ignores.
	if prev != nil && prev.IsCreated(geminiLegacyPath) {
		if tools := root.Get("tools"); tools != nil && tools.Kind == installer.KindObject {
			tools.Delete("enableHooks")
			if tools.Empty() && prev.IsCreated("tools") {
				root.Delete("tools")
			}
		}
		rec.Created = slices.DeleteFunc(rec.Created, func(p string) bool { return p == geminiLegacyPath || p == "tools" })
	}
	hc := root.Get("hooksConfig")
	if hc == nil {
		return nil // hooks are on by default
	}
	if hc.Kind != installer.KindObject {
		return fmt.Errorf("%q is not an object; fix it by hand, bulwark left the file untouched", "hooksConfig")
	}
	if en := hc.Get("enabled"); en != nil && !en.IsTrue() {
		if en.Kind == installer.KindObject || en.Kind == installer.KindArray {
			return fmt.Errorf("%q is not a boolean; fix it by hand, bulwark left the file untouched", geminiEnabledPath)
		}
		if _, ok := rec.Previous[geminiEnabledPath]; !ok {
			rec.Previous[geminiEnabledPath] = en.Raw
		}
		hc.Set("enabled", installer.NewBool(true))
	}
	if dis := hc.Get("disabled"); dis != nil && dis.Kind == installer.KindArray {
		cmds := installer.CommandForms(o.Binary, "gemini", o.Profile)
		var kept, removed []*installer.Value
		for _, e := range dis.Elems {
			if n := e.Str(); n == installer.Marker || slices.Contains(cmds, n) {
				removed = append(removed, e)
			} else {
				kept = append(kept, e)
			}
		}
		if len(removed) > 0 {
			if _, ok := rec.Previous[geminiDisabledPath]; !ok {
				rec.Previous[geminiDisabledPath] = string(installer.NewArray(dis.Elems...).Encode())
			}
			dis.Elems = kept
		}
	}
	return nil
}

// geminiUnenable puts back what geminiEnable changed.
func geminiUnenable(root *installer.Value, rec *installer.Record) error {
	if rec == nil {
		return nil
	}
	hc := root.Get("hooksConfig")
	if hc == nil || hc.Kind != installer.KindObject {
		return nil
	}
	if prev, ok := rec.Previous[geminiEnabledPath]; ok && hc.Get("enabled").IsTrue() {
		hc.Set("enabled", installer.Literal(prev))
	}
	if prev, ok := rec.Previous[geminiDisabledPath]; ok {
		if doc, err := installer.ParseDocument([]byte(`{"d":` + prev + `}`)); err == nil {
			if dis := hc.Get("disabled"); dis != nil && dis.Kind == installer.KindArray {
				dis.Elems = doc.Get("d").Elems
			}
		}
	}
	return nil
}

// geminiSettingsFiles are the settings files Gemini CLI merges, lowest
// precedence first: system defaults, user, project, system override.
func geminiSettingsFiles(env Env) []string {
	var out []string
	for _, l := range geminiLocations(env) {
		if l.Kind == KindSettings {
			out = append(out, l.Path)
		}
	}
	// geminiLocations lists user, project, system, defaults.
	if len(out) == 4 {
		out = []string{out[3], out[0], out[1], out[2]}
	}
	return out
}

// checkGeminiSwitches reads every settings file Gemini CLI merges for the
// switches that turn bulwark's hooks off: hooksConfig.enabled false (the
// file with the highest precedence that sets it wins) and bulwark in
// hooksConfig.disabled.
func checkGeminiSwitches(env Env) []Finding {
	var out []Finding
	enabled, where := true, ""
	for _, f := range geminiSettingsFiles(env) {
		root, err := readJSON(f)
		if err != nil {
			if !isNotExist(err) {
				out = append(out, finding(Warn, "gemini settings %s: %v", f, err))
			}
			continue
		}
		hc := root.Get("hooksConfig")
		if en := hc.Get("enabled"); en != nil {
			enabled, where = en.IsTrue(), f
		}
		for _, e := range hc.Get("disabled").ArrayElemsOrNil() {
			if e.Str() == installer.Marker || strings.Contains(e.Str(), " hook --client gemini") {
				out = append(out, finding(Fail, "gemini %s: \"hooksConfig\": {\"disabled\"} lists %q: bulwark's hook does not run (run 'bulwark install --client gemini')", f, e.Str()))
			}
		}
		if root.Get("tools").Get("enableHooks") != nil {
			out = append(out, finding(Info, "gemini %s: \"tools\": {\"enableHooks\"} does nothing in current Gemini CLI (the switch is hooksConfig.enabled)", f))
		}
	}
	if !enabled {
		out = append(out, finding(Fail, "gemini %s: \"hooksConfig\": {\"enabled\": false} turns every hook off: Gemini CLI runs unguarded (run 'bulwark install --client gemini')", where))
	}
	return out
}
