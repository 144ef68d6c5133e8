package clients

import (
	"encoding/json"
	"path/filepath"
	"time"

	"github.com/bulwark-guard/bulwark/installer"
)

// Cursor is the Cursor editor's agent (not run in bulwark's end-to-end
// suite: there is no headless Cursor to run).
//
// Protocol: hooks.json version 1 events beforeShellExecution,
// beforeMCPExecution, beforeReadFile, preToolUse and afterFileEdit, answered
// with flat {"permission","user_message","agent_message"} (hooks/cursor.go).
// Settings: ~/.cursor/hooks.json, .cursor/hooks.json, and the enterprise
// hooks.json under /etc/cursor (and its macOS and Windows equivalents).
// Hooks fail open unless a handler sets "failClosed": true.
//
// Install sets "version": 1 when the file has no version, and appends one
// handler
//
//	{"command": "\"/abs/bulwark\" hook --client cursor --profile balanced",
//	 "timeout": 10, "failClosed": true}
//
// to each of hooks.beforeShellExecution, beforeReadFile, beforeMCPExecution
// and afterFileEdit (Cursor event arrays hold handlers, not matcher groups).
// The command has no shell fallback (installer.FailClosedCommand): Cursor's
// documented switch for a failed hook is "failClosed", and its docs do not
// say that the command goes through a shell; if it did not, the fallback's
// words would reach bulwark as arguments and every call would be blocked.
// (Not verified in a running Cursor.)
var Cursor = &Client{
	Name:  "cursor",
	Title: "Cursor",
	Spec: &installer.Spec{
		Client:  "cursor",
		Events:  []string{"beforeShellExecution", "beforeReadFile", "beforeMCPExecution", "afterFileEdit"},
		Grouped: false,
		Handler: func(cmd string, o installer.Options) *installer.Value {
			return installer.NewObject(
				"command", installer.NewString(cmd),
				"timeout", installer.NewInt(o.Timeout()),
				"failClosed", installer.NewBool(true),
			)
		},
		Extra: func(root *installer.Value, _ installer.Options, rec, _ *installer.Record) error {
			if root.Get("version") == nil {
				// Put it first, where Cursor's own examples have it.
				root.Members = append([]installer.Member{{Key: "version", RawKey: installer.Quote("version"), Value: installer.NewInt(1)}}, root.Members...)
				rec.MarkCreated("version")
			}
			return nil
		},
		Unextra: func(root *installer.Value, rec *installer.Record) error {
			if rec.IsCreated("version") {
				root.Delete("version")
			}
			return nil
		},
	},
	Scopes:      []installer.Scope{installer.ScopeUser, installer.ScopeProject},
	TimeoutUnit: time.Second, // disputed (some integrators write milliseconds); unverified here

	userDir: func(env Env) string { return env.underHome(".cursor") },
	settingsPath: func(s installer.Scope, env Env) (string, error) {
		if s == installer.ScopeProject {
			return filepath.Join(env.Cwd, ".cursor", "hooks.json"), nil
		}
		if p := env.underHome(".cursor", "hooks.json"); p != "" {
			return p, nil
		}
		return "", errNoHome
	},
	locations: func(env Env) []Location {
		var out []Location
		if d := env.underHome(".cursor"); d != "" {
			for _, f := range []struct {
				k          Kind
				name, note string
			}{
				{KindHooks, "hooks.json", "user hooks"},
				{KindSettings, "cli-config.json", "CLI permissions"},
				{KindSettings, "permissions.json", "permissions"},
				{KindMCP, "mcp.json", "user MCP servers"},
			} {
				out = append(out, Location{Client: "cursor", Scope: installer.ScopeUser, Kind: f.k, Path: filepath.Join(d, f.name), Note: f.note})
			}
			out = append(out, Location{Client: "cursor", Scope: installer.ScopeUser, Kind: KindHooks, Path: filepath.Join(d, "hooks"), Tree: true, Note: "hook scripts"})
		}
		if env.Cwd != "" {
			for _, f := range []struct {
				k         Kind
				rel, note string
				tree      bool
			}{
				{KindHooks, ".cursor/hooks.json", "project hooks", false},
				{KindHooks, ".cursor/hooks", "project hook scripts (hooks.json paths are relative to it)", true},
				{KindSettings, ".cursor/cli.json", "project CLI permissions", false},
				{KindMCP, ".cursor/mcp.json", "project MCP servers", false},
				{KindInstructions, ".cursor/rules", "project rules: instructions in the agent's context", true},
				{KindInstructions, ".cursorrules", "legacy project rules", false},
				{KindInstructions, ".cursor/commands", "project custom commands (prompts)", true},
			} {
				out = append(out, Location{Client: "cursor", Scope: installer.ScopeProject, Kind: f.k, Path: filepath.Join(env.Cwd, filepath.FromSlash(f.rel)), ProjectRel: f.rel, Tree: f.tree, Note: f.note})
			}
		}
		managed := map[string]string{"darwin": "/Library/Application Support/Cursor/hooks.json", "windows": `C:\ProgramData\Cursor\hooks.json`}[env.goos()]
		if managed == "" {
			managed = "/etc/cursor/hooks.json"
		}
		return append(out, Location{Client: "cursor", Scope: installer.ScopeManaged, Kind: KindHooks, Path: env.system(managed), Note: "enterprise hooks"})
	},
	checkHandler: func(event string, h *installer.Value) []Finding {
		if !h.Get("failClosed").IsTrue() {
			return []Finding{finding(Warn, "%s hook without \"failClosed\": true: Cursor runs the action when the hook fails", event)}
		}
		return nil
	},
	canary: func(command, cwd string) []byte {
		b, _ := json.Marshal(map[string]any{
			"conversation_id": CanarySession, "generation_id": CanarySession,
			"hook_event_name": "beforeShellExecution", "workspace_roots": []string{cwd},
			"command": command, "cwd": cwd,
		})
		return b
	},
	decision: func(stdout []byte) string {
		var resp struct {
			Permission string `json:"permission"`
		}
		if json.Unmarshal(stdout, &resp) != nil || resp.Permission == "" {
			return "none"
		}
		return resp.Permission
	},
}
