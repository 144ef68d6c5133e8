package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/scan"
)

func init() {
	register("audit", "check an agent set-up before anything runs: settings, MCP servers, instruction files, git hooks (text, JSON, SARIF, HTML)", cmdAudit)
}

func cmdAudit(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	home := fs.Bool("home", false, "also read your user settings, ~/.claude.json, Claude Desktop, user instructions, skills and plugins, and the machine's managed settings")
	format := fs.String("format", "text", "output `FORMAT`: text, json, sarif or html")
	failOn := fs.String("fail-on", "low", "exit 1 when a finding is at or above `SEVERITY`: low, medium, high or critical")
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark audit [DIR] [--home] [--format text|json|sarif|html] [--fail-on low|medium|high|critical]",
		"",
		"Reads an agent set-up before an agent runs in it: the clients' project settings and hooks",
		"(with --home, the user and managed ones too), MCP servers (.mcp.json, ~/.claude.json, Claude",
		"Desktop, Cursor, Gemini CLI, Codex), instruction, command, skill and plugin files, the",
		"repository's git hooks and package.json install scripts, and the secrets in any of them.",
		"Each finding names its rule (bulwark explain RULE), severity, file and line, what was seen",
		"(secrets masked) and the fix. DIR is the project (default: the current directory).",
		"",
		"Exit status: 0 when no finding is at or above --fail-on, 1 when one is, 2 on a usage error."))
	// DIR may come before or after the flags.
	var dir []string
	rest := args
	for {
		if code, done := parseFlags(fs, rest, stdout); done {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		dir = append(dir, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(dir) > 1 {
		fmt.Fprintf(stderr, "bulwark audit: give one directory (got %s)\n", strings.Join(dir, ", "))
		fs.Usage()
		return ExitBlock
	}
	if !slices.Contains(scan.Formats, *format) {
		fmt.Fprintf(stderr, "bulwark audit: unknown --format %q (want %s)\n", *format, strings.Join(scan.Formats, ", "))
		return ExitBlock
	}
	threshold, err := guards.ParseSeverity(*failOn)
	if err != nil {
		fmt.Fprintf(stderr, "bulwark audit: --fail-on: %v\n", err)
		return ExitBlock
	}
	env, err := clients.EnvFromOS()
	if err != nil {
		fmt.Fprintln(stderr, "bulwark audit:", err)
		return ExitBlock
	}
	root := env.Cwd
	if len(dir) == 1 {
		root = dir[0]
	}
	if root, err = filepath.Abs(root); err != nil {
		fmt.Fprintln(stderr, "bulwark audit:", err)
		return ExitBlock
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "bulwark audit: %s is not a directory\n", root)
		return ExitBlock
	}
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	if *home && env.Home == "" {
		fmt.Fprintln(stderr, "bulwark audit: --home: no usable HOME")
		return ExitBlock
	}
	rt, err := loadRuntime("", stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bulwark audit:", err)
		return ExitBlock
	}
	all := rt.Packs()
	engine, err := guards.NewEngine(all, scan.AuditProfile())
	if err != nil {
		fmt.Fprintln(stderr, "bulwark audit:", err)
		return ExitBlock
	}
	rep := scan.Audit(scan.Options{Dir: root, Home: *home, Env: env, Engine: engine, Packs: all})
	w := bufio.NewWriter(stdout)
	werr := scan.Write(w, rep, *format, scan.Meta{Version: Version(), FailOn: threshold, Color: *format == "text" && useColor(stdout)})
	if err := w.Flush(); werr == nil {
		werr = err
	}
	if werr != nil {
		fmt.Fprintln(stderr, "bulwark audit:", werr)
		return ExitFail
	}
	if rep.AtLeast(threshold) > 0 {
		return ExitFail
	}
	return ExitOK
}
