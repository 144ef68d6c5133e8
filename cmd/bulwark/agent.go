package main

import "os"

// agentMarkers are environment variables coding clients set in the
// environment of the commands their agent runs. A process that has one is
// (most likely) inside an agent's tool call, where bulwark's commands that
// loosen protection must refuse to act. (Self-defence also denies the agent
// running them; this is the second lock on the same door.)
var agentMarkers = []string{
	"CLAUDECODE",                     // Claude Code: every Bash tool command
	"CODEX_SANDBOX",                  // Codex: commands run in its sandbox
	"CODEX_SANDBOX_NETWORK_DISABLED", // Codex: ditto, network off
	"GEMINI_CLI",                     // Gemini CLI: run_shell_command
	"CURSOR_AGENT",                   // Cursor's agent
}

// inAgentToolCall reports whether this process runs inside an agent's tool
// call, and the variable that says so.
func inAgentToolCall() (string, bool) {
	for _, k := range agentMarkers {
		if v := os.Getenv(k); v != "" && v != "0" {
			return k, true
		}
	}
	return "", false
}
