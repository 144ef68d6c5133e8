package main

import (
	"flag"
	"fmt"
	"io"
)

// MCPHelper is the binary that holds bulwark's MCP side, installed next to
// bulwark (make build, make install). The hook's binary does not link the
// MCP SDK, whose packages do work at every program start (about 1.9
// million instructions, most of a hook call's cost); `bulwark mcp ...`
// becomes that binary instead, once, when the client starts the server.
const MCPHelper = "bulwark-mcp"

func init() {
	register("mcp", "guard MCP servers: a judging proxy in front of one, guarded tools of bulwark's own, the tool records", cmdMCP)
}

var mcpUsage = joinLines(
	"usage: bulwark mcp proxy [--profile P] [--name NAME] -- CMD [ARG ...]",
	"       bulwark mcp serve [--root DIR] [--profile P]",
	"       bulwark mcp tools [SERVER]",
	"       bulwark mcp approve SERVER [TOOL ...]",
	"",
	"proxy   runs the stdio MCP server CMD and stands between it and the client: every tools/call",
	"        is judged as the hook judges an MCP tool (a blocked call never reaches the server),",
	"        every result is screened as tool output (secrets masked, injections flagged or",
	"        withheld), and a tool whose description or input schema changed since it was first",
	"        listed, or that takes another server's tool name, is held until you approve it.",
	"serve   is an MCP server of guarded tools for clients without hooks: run a command, read,",
	"        write, edit and delete a file, list a directory, restore a backup, inside --root.",
	"tools   lists the servers and tools bulwark has recorded, and the held ones with the reason.",
	"approve accepts a server's held tools as they are listed now (a person at a terminal only).",
	"",
	"Every decision goes to the audit log with client \"mcp\" and the server's name.")

func cmdMCP(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usageFunc(fs, mcpUsage)
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return ExitBlock
	}
	switch fs.Arg(0) {
	case "proxy", "serve", "tools", "approve":
		return runMCP(fs.Arg(0), fs.Args()[1:], stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "bulwark mcp: unknown command %q\n", fs.Arg(0))
	fs.Usage()
	return ExitBlock
}
