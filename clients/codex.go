package clients

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/bulwark-guard/bulwark/installer"
)

// Codex is OpenAI's Codex CLI.
//
// Protocol: Claude Code's event shape plus turn_id and model; exec_command
// arrives as tool_name "Bash"; PostToolUse tool_response is a string.
// Output is validated strictly (a bare permissionDecision "allow" is an
// error) and there is no ask, so bulwark answers deny-or-nothing: exit 2
// with the reason on stderr (hooks/codex.go). Settings: ~/.codex/hooks.json
// ($CODEX_HOME relocates ~/.codex) or .codex/hooks.json in a trusted
// project; ~/.codex/config.toml holds [features] (hooks = false turns hooks
// off) and the hook trust. Trust: a hook runs only after the user trusted it
// in Codex's /hooks screen, which writes [hooks.state."<hooks.json
// path>:<event>:<group>:<handler>"] trusted_hash = "sha256:…"; a changed
// command changes the hash and drops the trust silently.
//
// Install adds to "hooks" one group per event, PreToolUse and PostToolUse:
//
//	{"matcher": "*", "hooks": [{"type": "command",
//	  "command": "\"/abs/bulwark\" hook --client codex --profile balanced || { …; exit 2; }",
//	  "timeout": 10}]}
//
// (timeout in seconds). No marker field: Codex validates its config strictly,
// so the handler carries only documented keys and is recognised by its
// command. Inline [hooks] in config.toml are left alone (doctor reports them).
//
// Failure: Codex runs the command with the user's shell (bash, zsh or sh
// from the password database, never fish; bash when it is another) and -c,
// and blocks only on exit 2 with a reason on stderr: a missing binary (127),
// a crash, a kill, a timeout, an exit 2 with nothing on stderr, or a failed
// write of the event to the hook's stdin all let the call run. So the
// command ends in bulwark's shell fallback (installer.FailClosedCommand),
// which makes each of those but the timeout an exit 2 with a reason; the
// hook's own deadlines (5 s at most) answer well inside the 10 s. The
// command is part of the trust hash: changing it drops the trust, so it
// stays the same from one install to the next (same binary and profile).
var Codex = &Client{
	Name:  "codex",
	Title: "Codex CLI",
	Spec: &installer.Spec{
		Client:     "codex",
		Events:     []string{"PreToolUse", "PostToolUse"},
		Grouped:    true,
		Matcher:    "*",
		FailClosed: true,
		Handler: func(cmd string, o installer.Options) *installer.Value {
			return installer.NewObject(
				"type", installer.NewString("command"),
				"command", installer.NewString(cmd),
				"timeout", installer.NewInt(o.Timeout()),
			)
		},
	},
	Scopes:      []installer.Scope{installer.ScopeUser, installer.ScopeProject},
	TimeoutUnit: time.Second,

	userDir: codexDir,
	settingsPath: func(s installer.Scope, env Env) (string, error) {
		if s == installer.ScopeProject {
			return filepath.Join(env.Cwd, ".codex", "hooks.json"), nil
		}
		if d := codexDir(env); d != "" {
			return filepath.Join(d, "hooks.json"), nil
		}
		return "", errNoHome
	},
	locations: func(env Env) []Location {
		var out []Location
		add := func(s installer.Scope, k Kind, path string, tree bool, note string) {
			out = append(out, Location{Client: "codex", Scope: s, Kind: k, Path: path, Tree: tree, Note: note})
		}
		if d := codexDir(env); d != "" {
			add(installer.ScopeUser, KindHooks, filepath.Join(d, "hooks.json"), false, "user hooks")
			add(installer.ScopeUser, KindSettings, filepath.Join(d, "config.toml"), false, "config: [features] hooks, inline [hooks], hook trust ([hooks.state]), MCP servers, approval and sandbox")
			add(installer.ScopeUser, KindPolicy, filepath.Join(d, "requirements.toml"), false, "requirements")
			add(installer.ScopeUser, KindPlugins, filepath.Join(d, "plugins"), true, "plugins, which can carry hooks")
			add(installer.ScopeUser, KindDefinitions, filepath.Join(d, "skills"), true, "skills")
			add(installer.ScopeUser, KindInstructions, filepath.Join(d, "AGENTS.md"), false, "global instructions")
			add(installer.ScopeUser, KindInstructions, filepath.Join(d, "prompts"), true, "custom prompts (slash commands)")
		}
		if env.Cwd != "" {
			for _, p := range []struct {
				k    Kind
				rel  string
				note string
			}{{KindHooks, ".codex/hooks.json", "project hooks (trusted projects)"}, {KindSettings, ".codex/config.toml", "project config (trusted projects)"},
				{KindInstructions, "AGENTS.md", "project instructions (also read by Cursor, Gemini CLI and others)"}} {
				out = append(out, Location{Client: "codex", Scope: installer.ScopeProject, Kind: p.k, Path: filepath.Join(env.Cwd, filepath.FromSlash(p.rel)), ProjectRel: p.rel, Note: p.note})
			}
		}
		if env.goos() != "windows" {
			add(installer.ScopeManaged, KindSettings, env.system("/etc/codex/config.toml"), false, "system config")
			add(installer.ScopeManaged, KindSettings, env.system("/etc/codex/managed_config.toml"), false, "managed config")
			add(installer.ScopeManaged, KindPolicy, env.system("/etc/codex/requirements.toml"), false, "managed requirements (allow_managed_hooks_only, [features])")
		}
		return out
	},
	installNotes: func(env Env, ch *installer.Change) []string {
		switch dropped, fallback := codexTrustChanged(env, ch); {
		case fallback:
			return []string{"this bulwark's hook command ends in a fallback that blocks the call when the binary is missing, not executable or crashes (the earlier command let Codex run it unguarded). " +
				"Codex trusts a hook by its exact command, so it no longer trusts bulwark's " + strings.Join(dropped, ", ") + " hooks and will NOT run them until you trust them again: " +
				"open Codex, run /hooks and trust them, then run 'bulwark doctor --client codex'. The command stays the same from now on (same binary and --profile)"}
		case len(dropped) > 0:
			return []string{"the hook command changed, so Codex no longer trusts bulwark's " + strings.Join(dropped, ", ") +
				" hooks and will not run them: open Codex, run /hooks and trust them again (keep the same --profile and binary to keep the trust)"}
		}
		return []string{"Codex does NOT run these hooks until you trust them, and says nothing until then: open Codex (`codex`), type /hooks, and trust bulwark's PreToolUse and PostToolUse hooks; then run 'bulwark doctor --client codex'"}
	},
	checkHandler: func(event string, h *installer.Value) []Finding {
		if !hasFallback(h) {
			return []Finding{finding(Warn, "%s hook command without the fail-closed fallback (an earlier bulwark wrote it): when the binary is missing, not executable or crashes, Codex runs the call unguarded (run 'bulwark install --client codex', then trust the hooks again in Codex's /hooks: the command is part of the trust hash)", event)}
		}
		return nil
	},
	checkFile: func(env Env, path string, root *installer.Value, rec *installer.Record) []Finding {
		return codexTrustFindings(env, path, root)
	},
	checkClient: func(env Env) []Finding {
		dir := codexDir(env)
		if dir == "" {
			return nil
		}
		path := filepath.Join(dir, "config.toml")
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		_ = data
		var out []Finding
		_, inline, features, err := readCodexConfig(path)
		if err != nil {
			var pe toml.ParseError
			if errors.As(err, &pe) {
				return []Finding{finding(Warn, "codex %s: not valid TOML: line %d, column %d: %s", path, pe.Position.Line, pe.Position.Col, pe.Message)}
			}
			return []Finding{finding(Warn, "codex %s: not valid TOML: %v", path, err)}
		}
		// [hooks.state] is Codex's own trust record; only event tables are hooks.
		if len(inline) > 0 {
			out = append(out, finding(Warn, "codex %s has inline hooks ([hooks] %s): bulwark installs into hooks.json; keep bulwark out of config.toml so it does not run twice", path, strings.Join(inline, ", ")))
		}
		for _, k := range []string{"hooks", "codex_hooks"} {
			if v, ok := features[k].(bool); ok && !v {
				out = append(out, finding(Fail, "codex %s: [features] %s = false turns hooks off", path, k))
			}
		}
		return out
	},
	canary: func(command, cwd string) []byte {
		return claudeShapeCanary(command, cwd, map[string]any{"turn_id": CanarySession, "model": CanarySession})
	},
	decision: Claude.decision,
}

// codexDir is ~/.codex, or $CODEX_HOME.
func codexDir(env Env) string {
	if d := env.Var("CODEX_HOME"); d != "" {
		return filepath.Clean(d)
	}
	return env.underHome(".codex")
}
