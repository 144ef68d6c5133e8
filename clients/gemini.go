package clients

import (
	"encoding/json"
	"fmt"
	"path/filepath"
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
//	  "command": "\"/abs/bulwark\" hook --client gemini --profile balanced",
//	  "timeout": 10000}]}
//
// (timeout in milliseconds; the matcher is a regex over tool names), and
// sets "tools"."enableHooks" to true. The previous value of enableHooks
// (absent or false) is recorded and restored by uninstall.
var Gemini = &Client{
	Name:  "gemini",
	Title: "Gemini CLI",
	Spec: &installer.Spec{
		Client:  "gemini",
		Events:  []string{"BeforeTool", "AfterTool"},
		Grouped: true,
		Matcher: ".*",
		Handler: func(cmd string, o installer.Options) *installer.Value {
			return installer.NewObject(
				"type", installer.NewString("command"),
				"name", installer.NewString(installer.Marker),
				"command", installer.NewString(cmd),
				"timeout", installer.NewInt(o.Timeout()*1000),
			)
		},
		Extra: func(root *installer.Value, _ installer.Options, rec, _ *installer.Record) error {
			tools, err := installer.Ensure(root, "tools", "tools", installer.KindObject, rec)
			if err != nil {
				return err
			}
			const path = "tools/enableHooks"
			eh := tools.Get("enableHooks")
			switch {
			case eh == nil:
				rec.MarkCreated(path)
			case eh.IsTrue():
				return nil
			case eh.Kind == installer.KindObject || eh.Kind == installer.KindArray:
				return fmt.Errorf("%q is not a boolean; fix it by hand, bulwark left the file untouched", path)
			default:
				if _, ok := rec.Previous[path]; !ok && !rec.IsCreated(path) {
					rec.Previous[path] = eh.Raw
				}
			}
			tools.Set("enableHooks", installer.NewBool(true))
			return nil
		},
		Unextra: func(root *installer.Value, rec *installer.Record) error {
			const path = "tools/enableHooks"
			tools := root.Get("tools")
			if rec == nil || tools == nil || tools.Kind != installer.KindObject || !tools.Get("enableHooks").IsTrue() {
				return nil
			}
			if prev, ok := rec.Previous[path]; ok {
				tools.Set("enableHooks", installer.Literal(prev))
			} else if rec.IsCreated(path) {
				tools.Delete("enableHooks")
				if tools.Empty() && rec.IsCreated("tools") {
					root.Delete("tools")
				}
			}
			return nil
		},
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
	locations: geminiLocations,
	checkFile: func(env Env, root *installer.Value, rec *installer.Record) []Finding {
		if !root.Get("tools").Get("enableHooks").IsTrue() {
			return []Finding{finding(Fail, "\"tools\": {\"enableHooks\": true} is missing: Gemini CLI ignores the hooks")}
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
	}
	if env.Cwd != "" {
		for _, f := range []struct {
			k         Kind
			rel, note string
			tree      bool
		}{
			{KindSettings, ".gemini/settings.json", "project settings", false},
			{KindPlugins, ".gemini/extensions", "workspace extensions", true},
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
