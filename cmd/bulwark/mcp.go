//go:build bulwark_mcp

package main

// This file and mcp_serve.go are the MCP side of bulwark, built into the
// bulwark-mcp binary only (-tags bulwark_mcp): the MCP SDK's packages do
// work when a program starts, which the hook must not pay for.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
	"github.com/bulwark-guard/bulwark/mcp"
	"github.com/bulwark-guard/bulwark/policy"
	"github.com/bulwark-guard/bulwark/report"
)

// runMCP runs one mcp subcommand (this binary has them built in).
func runMCP(sub string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	switch sub {
	case "proxy":
		return cmdMCPProxy(args, stdin, stdout, stderr)
	case "serve":
		return cmdMCPServe(args, stdin, stdout, stderr)
	case "tools":
		return cmdMCPTools(args, stdout, stderr)
	case "approve":
		return cmdMCPApprove(args, stdin, stdout, stderr)
	}
	return ExitBlock
}

// mcpJudge judges with the runtime the way the hook does: the engine and
// policy, allow-once approvals for blocked calls, and the audit log with
// client "mcp" and the server's name. A proxy or server lives as long as
// the client's session, so the runtime is loaded again when config.toml
// or the user packs change (an allow rule the user adds takes effect at
// the next call, as it would for the hook). The runtime is not safe for
// concurrent use, and a proxy judges calls and results at once: one lock.
func mcpJudge(rt *policy.Runtime, profile, server string, stderr io.Writer) mcp.Judge {
	var mu sync.Mutex
	stamp := configStamp()
	current := func() *policy.Runtime {
		if st := configStamp(); st != stamp {
			if fresh, err := loadRuntime(profile, stderr); err == nil {
				rt, stamp = fresh, st
			} else {
				fmt.Fprintf(stderr, "bulwark mcp: the changed configuration cannot be used (%v); judging with the one loaded before\n", err)
			}
		}
		return rt
	}
	return mcp.Judge{
		Evaluate: func(act *guards.Action) guards.Verdict {
			mu.Lock()
			defer mu.Unlock()
			return current().Evaluate(act)
		},
		Blocked: func(act *guards.Action, v *guards.Verdict) {
			mu.Lock()
			defer mu.Unlock()
			applyApproval(act, v, rt.Config.Approvals, stderr)
		},
		Record: func(act *guards.Action, v *guards.Verdict) {
			mu.Lock()
			r := rt
			mu.Unlock()
			rec := report.Record(act, v, r.Profile)
			rec.Server = server
			if err := audit.Append(config.StateDir(), rec, logOptions(r.Config.Log)); err != nil {
				fmt.Fprintf(stderr, "bulwark: audit log not written: %v\n", err)
			}
		},
	}
}

// configStamp is what tells a changed user configuration: config.toml's
// and each user pack's size and modification time (a few stats).
func configStamp() string {
	dir := config.Dir()
	if dir == "" {
		return ""
	}
	var b strings.Builder
	add := func(p string) {
		if fi, err := os.Stat(p); err == nil {
			fmt.Fprintf(&b, "%s %d %d;", p, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	add(filepath.Join(dir, config.ConfigFileName))
	packs := filepath.Join(dir, config.PacksDirName)
	add(packs)
	if es, err := os.ReadDir(packs); err == nil {
		for _, e := range es {
			add(filepath.Join(packs, e.Name()))
		}
	}
	return b.String()
}

// newSession is the session id of one MCP connection: its calls share
// session memory and allow-once approvals.
func newSession() string {
	var b [8]byte
	rand.Read(b[:])
	return "mcp-" + hex.EncodeToString(b[:])
}

// signalContext ends on SIGINT or SIGTERM (the client stopping its server).
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// stdio is the client's side of a stdio MCP connection.
func stdio(stdin io.Reader, stdout io.Writer) *sdk.IOTransport {
	return &sdk.IOTransport{Reader: io.NopCloser(stdin), Writer: nopWriteCloser{stdout}}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

func cmdMCPProxy(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mcp proxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "", "profile: minimal, balanced or strict (default $BULWARK_PROFILE, config.toml's, or balanced)")
	name := fs.String("name", "", "the server's name in tool names (mcp__NAME__TOOL), the tool records and the log (default: from CMD)")
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark mcp proxy [--profile P] [--name NAME] -- CMD [ARG ...]",
		"",
		"Runs the stdio MCP server CMD and passes the protocol through, judging every tools/call",
		"before it reaches the server and screening every result. A blocked call is answered with a",
		"tool error that gives bulwark's reason; an ask, which nobody can answer here, is blocked with",
		"the way to approve it. Tools that changed since they were first listed are held until",
		"'bulwark mcp approve NAME'."))
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "bulwark mcp proxy: no server command (give it after --)")
		fs.Usage()
		return ExitBlock
	}
	argv := fs.Args()
	server := *name
	if server == "" {
		server = serverName(argv)
	}
	rt, err := loadRuntime(*profile, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "bulwark mcp proxy: %v\n", err)
		return ExitBlock
	}
	home := os.Getenv("HOME")
	cwd, _ := os.Getwd()
	p := &mcp.Proxy{Server: server, Command: argv, Env: hooks.Env{Home: home, Cwd: cwd}, Session: newSession(),
		Judge: mcpJudge(rt, *profile, server, stderr), Stderr: stderr}
	if dir := config.StateDir(); dir != "" {
		p.Tools = &mcp.Store{Dir: dir, Now: clock}
	} else {
		fmt.Fprintf(stderr, "bulwark mcp (%s): no state directory (set BULWARK_HOME or HOME): tool changes are not checked\n", server)
	}
	ctx, stop := signalContext()
	defer stop()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = stderr
	up, err := (&sdk.CommandTransport{Command: cmd}).Connect(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "bulwark mcp proxy: starting %s: %v\n", argv[0], err)
		return ExitFail
	}
	down, err := stdio(stdin, stdout).Connect(ctx)
	if err != nil {
		up.Close()
		fmt.Fprintf(stderr, "bulwark mcp proxy: %v\n", err)
		return ExitFail
	}
	if err := p.Run(ctx, down, up); err != nil {
		fmt.Fprintf(stderr, "bulwark mcp proxy: %v\n", err)
		return ExitFail
	}
	return ExitOK
}

// serverName names a server by its command line when no --name is given:
// the package a runner starts (npx -y @scope/server-x@1 -> server-x), else
// the program's base name.
func serverName(argv []string) string {
	runners := map[string]bool{"npx": true, "bunx": true, "uvx": true, "pipx": true, "pnpx": true, "node": true, "deno": true,
		"bun": true, "python": true, "python3": true, "uv": true, "docker": true, "podman": true}
	name := filepath.Base(argv[0])
	if runners[name] {
		for _, a := range argv[1:] {
			if strings.HasPrefix(a, "-") || a == "run" || a == "exec" || a == "dlx" || a == "tool" {
				continue
			}
			name = a
			break
		}
	}
	if i := strings.LastIndex(name, "@"); i > 0 {
		name = name[:i] // a version
	}
	name = filepath.Base(name)
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".js"), ".py")
	if name == "" || name == "." || name == "/" {
		return "server"
	}
	return name
}

func cmdMCPTools(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mcp tools", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark mcp tools [SERVER]",
		"",
		"Lists the MCP servers whose tools bulwark's proxy has recorded, and their held tools with",
		"what changed; with SERVER, every tool of that server."))
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return ExitBlock
	}
	dir := config.StateDir()
	if dir == "" {
		fmt.Fprintln(stderr, "bulwark mcp tools: no state directory: set BULWARK_HOME or HOME")
		return ExitFail
	}
	recs, err := (&mcp.Store{Dir: dir}).Load()
	if err != nil {
		fmt.Fprintf(stderr, "bulwark mcp tools: %v\n", err)
		return ExitFail
	}
	names := make([]string, 0, len(recs))
	for n := range recs {
		if fs.NArg() == 0 || n == fs.Arg(0) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		if fs.NArg() == 1 {
			fmt.Fprintf(stderr, "bulwark mcp tools: no MCP server %q in the records\n", fs.Arg(0))
			return ExitFail
		}
		fmt.Fprintln(stdout, "no MCP servers recorded yet (the proxy records each server's first tools/list)")
		return ExitOK
	}
	color := useColor(stdout)
	for _, n := range names {
		r := recs[n]
		fmt.Fprintf(stdout, "%s  %d tools, first seen %s", n, len(r.Tools), r.FirstSeen.Format("2006-01-02 15:04"))
		if len(r.Held) > 0 {
			fmt.Fprintf(stdout, ", %s", report.Paint("deny", fmt.Sprintf("%d held", len(r.Held)), color))
		}
		fmt.Fprintln(stdout)
		if len(r.Command) > 0 {
			fmt.Fprintf(stdout, "  command: %s\n", report.OneLine(strings.Join(r.Command, " "), 100))
		}
		for _, t := range heldNames(r) {
			h := r.Held[t]
			fmt.Fprintf(stdout, "  %s %s: %s\n", report.Paint("deny", "held", color), t, strings.Join(h.Reasons, "; "))
			if old, ok := r.Tools[t]; ok && old.Description != h.Now.Description {
				fmt.Fprintf(stdout, "    was: %s\n", report.OneLine(old.Description, 200))
			}
			fmt.Fprintf(stdout, "    now: %s\n", report.OneLine(h.Now.Description, 200))
		}
		if fs.NArg() == 1 {
			for _, t := range sortedKeys(r.Tools) {
				fmt.Fprintf(stdout, "  %s: %s\n", t, report.OneLine(r.Tools[t].Description, 100))
			}
		}
	}
	return ExitOK
}

func heldNames(r *mcp.ServerRecord) []string {
	out := make([]string, 0, len(r.Held))
	for n := range r.Held {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func sortedKeys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func cmdMCPApprove(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mcp approve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark mcp approve SERVER [TOOL ...]",
		"",
		"Accepts what SERVER lists now for its held tools (all of them, or those named) as the new",
		"record, so the proxy lets their calls through again. It shows each change and asks you to",
		"confirm; it refuses to act without a terminal or inside an agent's tool call."))
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return ExitBlock
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "bulwark mcp approve: "+format+"\n", a...)
		return ExitFail
	}
	if k, yes := inAgentToolCall(); yes {
		return fail("refused: this runs inside an agent's tool call ($%s is set); approve in your own terminal", k)
	}
	tty, ok := stdin.(*os.File)
	if !ok || !isTerminal(tty) {
		return fail("refused: not run from a terminal; a person approves, in their own terminal")
	}
	dir := config.StateDir()
	if dir == "" {
		return fail("no state directory: set BULWARK_HOME or HOME")
	}
	store := &mcp.Store{Dir: dir, Now: clock}
	recs, err := store.Load()
	if err != nil {
		return fail("%v", err)
	}
	server, tools := fs.Arg(0), fs.Args()[1:]
	r := recs[server]
	if r == nil {
		return fail("no MCP server %q in the records ('bulwark mcp tools' lists them)", server)
	}
	want := tools
	if len(want) == 0 {
		want = heldNames(r)
	}
	if len(want) == 0 {
		fmt.Fprintf(stdout, "%s has no held tools\n", server)
		return ExitOK
	}
	color := useColor(stdout)
	for _, t := range want {
		h, ok := r.Held[t]
		if !ok {
			return fail("server %q has no held tool %q", server, t)
		}
		fmt.Fprintf(stdout, "%s  %s/%s: %s\n", report.Paint("ask", "APPROVE?", color), server, t, strings.Join(h.Reasons, "; "))
		if old, ok := r.Tools[t]; ok && old.Description != h.Now.Description {
			fmt.Fprintf(stdout, "  was: %s\n", report.OneLine(old.Description, 300))
		}
		fmt.Fprintf(stdout, "  now: %s\n", report.OneLine(h.Now.Description, 300))
	}
	fmt.Fprintf(stdout, "Accept these tools as they are now? [y/N] ")
	answer, _ := bufio.NewReader(tty).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		fmt.Fprintln(stdout, "not approved")
		return ExitFail
	}
	done, err := store.Approve(server, want...)
	if err != nil {
		return fail("%v", err)
	}
	l := config.Load(config.Options{Version: Version()})
	for _, t := range done {
		rec := audit.Record{Time: clock(), Client: "cli", Server: server, Event: "mcp approve", Tool: hooks.MCPToolName(server, t),
			Action: audit.ActionApprove, Preview: t, Reason: "a person approved the tool's change, at a terminal"}
		if err := audit.Append(dir, rec, logOptions(l.Config.Log)); err != nil {
			fmt.Fprintf(stderr, "bulwark: audit log not written: %v\n", err)
		}
	}
	fmt.Fprintf(stdout, "approved %s: %s\n", server, strings.Join(done, ", "))
	return ExitOK
}
