package installer

// Codex CLI: ~/.codex/hooks.json ($CODEX_HOME relocates ~/.codex) or
// .codex/hooks.json in a trusted project. Same shape as Claude Code's hooks:
// install adds to "hooks" one group per event, PreToolUse and PostToolUse:
//
//	{"matcher": "*", "hooks": [{"type": "command",
//	  "command": "\"/abs/bulwark\" hook --client codex --profile balanced",
//	  "timeout": 10}]}
//
// (timeout in seconds). No marker field: Codex validates its config strictly,
// so the handler carries only documented keys and is recognised by its
// command. Codex has no permission rules and does not support "ask"; the
// hook maps ask to deny itself. Inline [hooks] in config.toml are left
// alone (doctor reports them).
var codexSpec = &spec{
	client:  Codex,
	events:  []string{"PreToolUse", "PostToolUse"},
	grouped: true,
	matcher: "*",
	handler: func(cmd string, o Options) *Value {
		return NewObject(
			"type", NewString("command"),
			"command", NewString(cmd),
			"timeout", NewInt(o.timeout()),
		)
	},
}
