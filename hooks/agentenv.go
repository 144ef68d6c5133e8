package hooks

// Environment markers the coding clients set for the commands their shell
// tool runs, so that a program can tell it was started by an agent's tool
// call and not by a person at a terminal. Sources: Claude Code sets
// CLAUDECODE=1 (code.claude.com/docs/en/env-vars; anthropics/claude-code
// #531); Gemini CLI sets GEMINI_CLI=1 (packages/core/src/services/
// shellExecutionService.ts, GEMINI_CLI_IDENTIFICATION_ENV_VAR); Codex sets
// CODEX_SANDBOX (seatbelt), CODEX_SANDBOX_NETWORK_DISABLED, CODEX_THREAD_ID
// and CODEX_CI on the processes it spawns (codex-rs core spawn.rs,
// exec_env.rs, unified_exec); Cursor's agent sets CURSOR_AGENT=1 or
// CURSOR_EXTENSION_HOST_ROLE=agent-exec (not CURSOR_TRACE_ID, which its
// plain terminal sets too); GitHub Copilot CLI COPILOT_CLI, OpenCode
// OPENCODE, Amp AGENT=amp, and the generic AI_AGENT (as collected by
// cli/cli internal/agents/detect.go).
var agentMarkers = []struct {
	name, value string // value "" = any non-empty value
	client      string
}{
	{"CLAUDECODE", "", "Claude Code"},
	{"CLAUDE_CODE_IS_COWORK", "", "Claude Code"},
	{"GEMINI_CLI", "", "Gemini CLI"},
	{"CODEX_SANDBOX", "", "Codex"},
	{"CODEX_SANDBOX_NETWORK_DISABLED", "", "Codex"},
	{"CODEX_THREAD_ID", "", "Codex"},
	{"CODEX_CI", "", "Codex"},
	{"CURSOR_AGENT", "", "Cursor"},
	{"CURSOR_EXTENSION_HOST_ROLE", "agent-exec", "Cursor"},
	{"COPILOT_CLI", "", "GitHub Copilot CLI"},
	{"OPENCODE", "", "OpenCode"},
	{"AGENT", "amp", "Amp"},
	{"AUGMENT_AGENT", "", "Augment"},
	{"ANTIGRAVITY_AGENT", "", "Antigravity"},
	{"AI_AGENT", "", "an AI agent"},
}

// InAgent reports whether the environment is that of a command a coding
// agent runs (its shell tool, or a hook it starts): it names the client and
// the variable that says so. A marker set to "0" is off.
func InAgent(getenv func(string) string) (client, variable string, ok bool) {
	for _, m := range agentMarkers {
		v := getenv(m.name)
		if v == "" || v == "0" || m.value != "" && v != m.value {
			continue
		}
		return m.client, m.name, true
	}
	return "", "", false
}

// AgentMarkers lists the variables InAgent reads (tests clear them).
func AgentMarkers() []string {
	out := make([]string, len(agentMarkers))
	for i, m := range agentMarkers {
		out[i] = m.name
	}
	return out
}
