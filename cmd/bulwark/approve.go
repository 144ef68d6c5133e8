package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/approval"
	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
	"github.com/bulwark-guard/bulwark/report"
)

func init() {
	register("approve", "let one blocked call through once, by the code in its reason (a person at a terminal only)", cmdApprove)
}

// approvalOptions are the store options from config.toml's [approvals]
// (ok is false when codes are turned off).
func approvalOptions(c config.ApprovalConfig) (o approval.Options, ok bool) {
	w := c.WindowDuration()
	if w < 0 {
		return o, false
	}
	if w == 0 {
		w = approval.DefaultWindow
	}
	return approval.Options{Dir: config.StateDir(), Window: w, Now: clock}, true
}

// applyApproval is the hook's side of allow-once approvals, for a call that
// would be blocked (nothing happens, not even a stat, for any other): a
// call a person approved runs once; where no human can be asked
// (hooks.NoHumanToAsk), the verdict gets a code the user can approve.
// Problems with the store never change a verdict; they are reported.
func applyApproval(act *guards.Action, v *guards.Verdict, c config.ApprovalConfig, stderr io.Writer) {
	if act.Event != guards.PreToolUse || v.Decision < guards.Ask {
		return
	}
	o, ok := approvalOptions(c)
	if !ok || o.Dir == "" {
		return
	}
	if approval.Pending(o) { // one stat when nothing is pending
		e, err := approval.Use(act, o, blockingGuards(v))
		if err != nil {
			fmt.Fprintf(stderr, "bulwark: approvals: %v\n", err)
		}
		if e != nil {
			allowByApproval(v, e)
			return
		}
	}
	if !hooks.NoHumanToAsk(act) || !approval.Approvable(act, v) {
		return
	}
	code, id, err := approval.Issue(act, v, report.Subject(act), o)
	if err != nil {
		fmt.Fprintf(stderr, "bulwark: approval code not issued: %v\n", err)
		return
	}
	v.Approval, v.ApprovalWindow, v.ApprovalNote = code, o.Window, "issued "+id
}

// blockingGuards are the ids of the hits that block the call.
func blockingGuards(v *guards.Verdict) []string {
	var ids []string
	for _, h := range v.Hits {
		if h.Decision >= guards.Ask {
			ids = append(ids, h.GuardID)
		}
	}
	return ids
}

// allowByApproval lets the blocking hits through, naming the approval.
func allowByApproval(v *guards.Verdict, e *approval.Entry) {
	v.Decision = guards.Allow
	for i := range v.Hits {
		h := &v.Hits[i]
		if h.Decision >= guards.Ask {
			h.Decision = guards.Allow
			h.AllowedBy = fmt.Sprintf("approval %s (approved by a person at %s)", e.ID, e.Approved.Format(time.RFC3339))
			h.AllowID = "approval:" + e.ID
		}
		v.Decision = max(v.Decision, h.Decision)
	}
	v.ApprovalNote = "used " + e.ID
}

func cmdApprove(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("approve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark approve CODE",
		"       bulwark approve",
		"",
		"Where no one can be asked (Codex, Gemini CLI, Claude Code in auto, dontAsk or",
		"bypassPermissions mode), a blocked call's reason carries a code. Run 'bulwark approve CODE'",
		"in your own terminal to let exactly that call (same session, input and directory) run",
		"once, within the [approvals] window of config.toml (default 5m). It shows the call and asks",
		"you to confirm; it refuses to act without a terminal or inside an agent's tool call.",
		"With no code it lists the approvals pending."))
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "bulwark approve: "+format+"\n", a...)
		return ExitFail
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "bulwark approve: give one code\n")
		fs.Usage()
		return ExitBlock
	}
	l := config.Load(config.Options{Version: Version()})
	o, ok := approvalOptions(l.Config.Approvals)
	if !ok {
		return fail("approvals are off ([approvals] window = \"0\" in %s)", l.File)
	}
	if o.Dir == "" {
		return fail("no state directory: set BULWARK_HOME or HOME")
	}
	if fs.NArg() == 0 {
		return listApprovals(stdout, o)
	}
	// Only a person approves: not an agent's tool call, and a terminal.
	if k, yes := inAgentToolCall(); yes {
		return fail("refused: this runs inside an agent's tool call ($%s is set); approve in your own terminal", k)
	}
	tty, ok := stdin.(*os.File)
	if !ok || !isTerminal(tty) {
		return fail("refused: not run from a terminal; a person approves, in their own terminal")
	}
	code := fs.Arg(0)
	e, err := approval.Find(code, o)
	if errors.Is(err, approval.ErrNoCode) {
		return fail("%v", err)
	}
	if err != nil {
		return fail("%v", err)
	}
	color := useColor(stdout)
	fmt.Fprintf(stdout, "%s  %s\n", report.Paint("ask", "APPROVE?", color), e.Subject)
	fmt.Fprintf(stdout, "  tool:     %s (%s, session %s)\n", e.Tool, e.Client, e.Session)
	fmt.Fprintf(stdout, "  in:       %s\n", e.Cwd)
	fmt.Fprintf(stdout, "  blocked:  %s\n", strings.Join(e.Guards, ", "))
	fmt.Fprintf(stdout, "  code:     issued %s, lapses %s\n", e.Issued.In(time.Local).Format("15:04:05"), e.Expires.In(time.Local).Format("15:04:05"))
	if e.Critical {
		fmt.Fprintf(stdout, "  %s: this lets exactly this call run, once; nothing like it.\n", report.Paint("deny", "critical", color))
	}
	fmt.Fprintf(stdout, "Let this call run once? [y/N] ")
	answer, _ := bufio.NewReader(tty).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		fmt.Fprintln(stdout, "not approved")
		return ExitFail
	}
	e, err = approval.Approve(code, o)
	if err != nil {
		return fail("%v", err)
	}
	rec := audit.Record{Time: clock(), Client: "cli", SessionID: e.Session, Cwd: e.Cwd, Event: "Approve", Tool: e.Tool,
		Action: audit.ActionApprove, Preview: e.Subject, Approval: "approved " + e.ID,
		Reason: "a person approved this call once, at a terminal"}
	for _, g := range e.Guards {
		rec.Guards = append(rec.Guards, audit.GuardHit{ID: g, Action: audit.ActionAllow, AllowedBy: "approval:" + e.ID})
	}
	if err := audit.Append(config.StateDir(), rec, logOptions(l.Config.Log)); err != nil {
		fmt.Fprintf(stderr, "bulwark: audit log not written: %v\n", err)
	}
	fmt.Fprintf(stdout, "approved (approval %s): the agent may retry exactly that call once, until %s\n", e.ID, e.Expires.In(time.Local).Format("15:04:05"))
	return ExitOK
}

// listApprovals prints what is pending (codes are not stored: only ids).
func listApprovals(w io.Writer, o approval.Options) int {
	es, err := approval.List(o)
	if err != nil {
		fmt.Fprintln(w, "bulwark approve:", err)
		return ExitFail
	}
	if len(es) == 0 {
		fmt.Fprintln(w, "no approvals pending")
		return ExitOK
	}
	for _, e := range es {
		state := "waiting for its code"
		if !e.Approved.IsZero() {
			state = "approved, not used yet"
		}
		fmt.Fprintf(w, "%s  %s  %s  until %s  %s  %s\n", e.ID, e.Tool, state, e.Expires.In(time.Local).Format("15:04:05"), strings.Join(e.Guards, ","), report.OneLine(e.Subject, 80))
	}
	return ExitOK
}
