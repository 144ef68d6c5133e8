// Command bulwark is a runtime guard for AI coding agents: it runs as the
// client's PreToolUse/PostToolUse hook and answers allow, ask or deny.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// Exit codes. ExitBlock is the one Claude Code (and Codex, Cursor, Gemini CLI)
// treats as "block the tool call"; every other non-zero status lets it run.
const (
	ExitOK    = 0
	ExitFail  = 1 // a command that is not the hook failed (check found problems, doctor FAIL ...)
	ExitBlock = 2 // hook: fail closed; CLI: usage error
)

// subcommand is one `bulwark NAME ...`.
type subcommand struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

var subcommands = map[string]subcommand{}

// register adds a subcommand; each subcommand registers itself from its own
// file so that main stays a dispatcher.
func register(name, summary string, run func(args []string, stdin io.Reader, stdout, stderr io.Writer) int) {
	subcommands[name] = subcommand{name, summary, run}
}

// clock is the program's one clock: allow-rule expiry (when rules are
// written and when they are judged), backup and manifest stamps, and the
// --since of logs all read it, so a test that sets it sees one consistent
// "now" everywhere, whatever the calendar says.
var clock = time.Now

func main() {
	cpuWatch = true // this process is the hook alone: its CPU time is the hook's
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return ExitBlock
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return ExitOK
	case "--version", "-version":
		name = "version"
	}
	sc, ok := subcommands[name]
	if !ok {
		fmt.Fprintf(stderr, "bulwark: unknown command %q\n\n", name)
		usage(stderr)
		return ExitBlock
	}
	return sc.run(args[1:], stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: bulwark <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "bulwark guards AI coding agents: it runs as the client's tool hook and answers allow, ask or deny.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	names := subcommandNames()
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, subcommands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'bulwark <command> -h' for a command's flags.")
}

// joinLines is a small helper for usage texts.
func joinLines(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// subcommandNames are the registered subcommands, sorted.
func subcommandNames() []string {
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
