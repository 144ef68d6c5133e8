package main

import (
	"fmt"
	"io"

	"github.com/bulwark-guard/bulwark/hooks"
)

// refuseInAgent is the second layer of self-defence, for every subcommand
// that changes how bulwark guards (install, uninstall, allow, and any
// later approval command): when it can tell that it runs inside a coding
// agent's tool call (the markers the clients set for their shell tool), it
// refuses with a message for the person reading the agent's transcript,
// and reports true. The hook already denies these commands; this catches a
// copy, a link or a spelling the hook did not see. Call it once the
// command knows it will change something (not for --dry-run or --help).
func refuseInAgent(cmd string, stderr io.Writer) bool {
	client, _, ok := hooks.InAgent(agentGetenv)
	if !ok {
		return false
	}
	fmt.Fprintf(stderr, joinLines(
		"bulwark %s: refused: this runs inside %s's tool call (an agent, not you at a terminal).",
		"An agent must not change the guard that checks it. If you want this change, run the same",
		"command yourself in a terminal of your own (not through the agent, and not in its ! shell mode)."),
		cmd, client)
	return true
}
