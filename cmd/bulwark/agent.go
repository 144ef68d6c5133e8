package main

import (
	"os"

	"github.com/bulwark-guard/bulwark/hooks"
)

// agentGetenv reads the environment for the agent checks; tests replace it.
var agentGetenv = os.Getenv

// inAgentToolCall reports whether this process runs inside an agent's tool
// call, and the variable that says so: the markers the coding clients set
// in the environment of the commands their agent runs (hooks.InAgent has
// them, with their sources). bulwark's commands that loosen protection
// refuse to act there (see refuseInAgent). Self-defence also denies the
// agent running them; this is the second lock on the same door.
func inAgentToolCall() (string, bool) {
	_, k, ok := hooks.InAgent(agentGetenv)
	return k, ok
}
