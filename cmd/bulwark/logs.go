package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/report"
)

func init() {
	register("logs", "show the audit log of decisions (filter, follow, summarize)", cmdLogs)
}

// logsFollowContext is the context -f runs under: until SIGINT or SIGTERM.
// Tests replace it.
var logsFollowContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

var logsActions = []string{audit.ActionAllow, audit.ActionWarn, audit.ActionAsk, audit.ActionDeny, audit.ActionFlag, audit.ActionApprove}

func cmdLogs(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("logs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 20, "show the last `N` decisions (0: all)")
	asJSON := fs.Bool("json", false, "print the raw records, one JSON object per line")
	actions := fs.String("action", "", "only these `actions`, comma-separated: allow,warn,ask,deny,flag")
	tool := fs.String("tool", "", "only this `tool` (e.g. Bash)")
	guard := fs.String("guard", "", "only decisions where this guard `ID` fired (\"git.\" for a whole pack)")
	session := fs.String("session", "", "only this session `ID`")
	since := fs.String("since", "", "only decisions since `WHEN`: a duration (90m, 24h, 7d) or a date (2026-01-02, RFC 3339)")
	cwd := fs.String("cwd", "", "only calls made in `DIR` or below it")
	var follow bool
	fs.BoolVar(&follow, "f", false, "after the last decisions, print new ones as they are written (until interrupted)")
	fs.BoolVar(&follow, "follow", false, "same as -f")
	summary := fs.Bool("summary", false, "print counts by action, the guards that fired most, the sessions and directories with most denials, and which allow rules were used and which never fired")
	dir := fs.String("dir", "", "the state `directory` holding audit.jsonl (default $BULWARK_HOME, else the XDG state dir)")
	utc := fs.Bool("utc", false, "print times in UTC instead of local time")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), joinLines(
			"usage: bulwark logs [-n N] [--json] [-f] [--summary] [filters]",
			"",
			"Shows the decisions bulwark's hook logged, oldest first.",
			"",
			"examples:",
			"  bulwark logs --action deny,ask --since 24h",
			"  bulwark logs --guard git.force-push --json",
			"  bulwark logs -f --tool Bash",
			"  bulwark logs --summary --since 7d",
			""))
		fs.PrintDefaults()
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "bulwark logs: "+format+" (see 'bulwark logs -h')\n", a...)
		return ExitBlock
	}
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	if *n < 0 {
		return usageErr("-n must be 0 or more, not %d", *n)
	}
	if *summary && follow {
		return usageErr("--summary and -f do not go together")
	}
	var f audit.Filter
	if *actions != "" {
		for _, a := range strings.Split(*actions, ",") {
			a = strings.ToLower(strings.TrimSpace(a))
			if !logsValidAction(a) {
				return usageErr("unknown action %q (want %s)", a, strings.Join(logsActions, ", "))
			}
			f.Actions = append(f.Actions, a)
		}
	}
	f.Tool, f.Guard, f.Session, f.Cwd = *tool, *guard, *session, *cwd
	if f.Cwd != "" && !filepath.IsAbs(f.Cwd) {
		abs, err := filepath.Abs(f.Cwd) // --cwd . is this project
		if err != nil {
			return usageErr("--cwd: %v", err)
		}
		f.Cwd = abs
	}
	if *since != "" {
		t, err := logsParseSince(*since, clock())
		if err != nil {
			return usageErr("--since: %v", err)
		}
		f.Since = t
	}
	stateDir := *dir
	if stateDir == "" {
		stateDir = config.StateDir()
	}
	if stateDir == "" {
		fmt.Fprintln(stderr, "bulwark logs: no state directory: set BULWARK_HOME or HOME, or pass --dir")
		return ExitFail
	}

	loc := time.Local
	if *utc {
		loc = time.UTC
	}
	p := newLogsPrinter(stdout, *asJSON, useColor(stdout), loc)

	if follow {
		return logsFollow(stateDir, f, *n, p, stderr)
	}
	if !*summary {
		f.Last = *n
	}
	recs, skipped, err := audit.Read(stateDir, f)
	if errors.Is(err, audit.ErrNoLog) {
		fmt.Fprintf(stderr, "bulwark logs: no decisions logged yet (no %s in %s)\n", audit.FileName, stateDir)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "bulwark logs:", err)
		return ExitFail
	}
	logsReportSkipped(stderr, skipped)
	if *summary {
		s := audit.Summarize(recs)
		rules := ruleUse(recs)
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.Encode(struct {
				audit.Summary
				Rules ruleUsage `json:"allow_rules"`
			}{s, rules})
			return ExitOK
		}
		p.summary(s)
		p.rules(rules)
		return ExitOK
	}
	p.widths(recs)
	for i := range recs {
		p.record(&recs[i])
	}
	if len(recs) == 0 && !*asJSON {
		fmt.Fprintln(stderr, "bulwark logs: no decisions match")
	}
	return ExitOK
}

// logsFollow prints the last n decisions and then new ones as they are
// written, with nothing lost or repeated in between, until interrupted.
func logsFollow(stateDir string, f audit.Filter, n int, p *logsPrinter, stderr io.Writer) int {
	if files, _ := audit.Files(stateDir); len(files) == 0 {
		fmt.Fprintf(stderr, "bulwark logs: no decisions logged yet; waiting for the first in %s\n", stateDir)
	}
	ctx, cancel := logsFollowContext()
	defer cancel()
	var mu sync.Mutex
	err := audit.Tail(ctx, stateDir, f, n, func(recs []audit.Record, skipped int) {
		mu.Lock()
		defer mu.Unlock()
		logsReportSkipped(stderr, skipped)
		p.widths(recs)
		p.table.Keep() // rows still to come cannot widen the columns
		for i := range recs {
			p.record(&recs[i])
		}
	}, func(r audit.Record) {
		mu.Lock()
		defer mu.Unlock()
		p.record(&r)
	})
	if err != nil {
		fmt.Fprintln(stderr, "bulwark logs:", err)
		return ExitFail
	}
	return ExitOK
}

func logsReportSkipped(stderr io.Writer, skipped int) {
	if skipped > 0 {
		fmt.Fprintf(stderr, "bulwark logs: skipped %d corrupt line%s\n", skipped, logsPlural(skipped))
	}
}

func logsValidAction(a string) bool {
	for _, v := range logsActions {
		if a == v {
			return true
		}
	}
	return false
}

func logsPlural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// logsParseSince reads a --since value: a Go duration (90m, 24h), days (7d,
// 1d12h), a date (2026-01-02, local midnight), a local date and time
// (2026-01-02 15:04, 2026-01-02T15:04), or RFC 3339.
func logsParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := logsParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("negative duration %q", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither a duration (24h, 7d) nor a date (2026-01-02, RFC 3339)", s)
}

// logsParseDuration is time.ParseDuration plus a leading whole number of
// days: 7d, 1d12h.
func logsParseDuration(s string) (time.Duration, error) {
	days, rest := 0, s
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil || n < 0 || n > 100000 {
			return 0, errors.New("bad days")
		}
		days, rest = n, s[i+1:]
	}
	d := time.Duration(0)
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil {
			return 0, err
		}
	} else if days == 0 {
		return 0, errors.New("empty duration")
	}
	return time.Duration(days)*24*time.Hour + d, nil
}

// logsPrinter writes records (as a report.Table or JSON) and summaries.
type logsPrinter struct {
	w     io.Writer
	json  bool
	color bool
	loc   *time.Location
	table report.Table
}

func newLogsPrinter(w io.Writer, asJSON, color bool, loc *time.Location) *logsPrinter {
	return &logsPrinter{w: w, json: asJSON, color: color, loc: loc, table: report.Table{W: w, Color: color, Loc: loc}}
}

// widths sizes the columns for recs.
func (p *logsPrinter) widths(recs []audit.Record) { p.table.Size(recs) }

func (p *logsPrinter) record(r *audit.Record) {
	if p.json {
		enc := json.NewEncoder(p.w)
		enc.SetEscapeHTML(false)
		enc.Encode(r)
		return
	}
	p.table.Row(r)
}

// logsClean makes a field safe and short for a terminal.
func logsClean(s string, n int) string { return audit.Preview(s, n) }

func logsPad(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-utf8.RuneCountInString(s)))
}

func (p *logsPrinter) summary(s audit.Summary) {
	w := p.w
	if s.Total == 0 {
		fmt.Fprintln(w, "No decisions.")
		return
	}
	fmt.Fprintf(w, "%d decision%s from %s to %s\n\n", s.Total, logsPlural(s.Total),
		s.From.In(p.loc).Format("2006-01-02 15:04"), s.To.In(p.loc).Format("2006-01-02 15:04"))
	fmt.Fprintln(w, "By action")
	for _, a := range logsActions {
		if n := s.ByAction[a]; n > 0 {
			name := report.Paint(a, a, p.color)
			pad := strings.Repeat(" ", 6-len(a))
			fmt.Fprintf(w, "  %s%s %6d  %5.1f%%\n", name, pad, n, 100*float64(n)/float64(s.Total))
		}
	}
	for a, n := range s.ByAction { // anything a newer bulwark wrote
		if !logsValidAction(a) {
			fmt.Fprintf(w, "  %-6s %6d\n", logsClean(a, 12), n)
		}
	}
	p.counts("Guards that fired most", s.Guards)
	p.counts("Sessions with most denials", s.DenySessions)
	p.counts("Directories with most denials", s.DenyDirs)
}

func (p *logsPrinter) counts(title string, cs []audit.Count) {
	const top = 10
	fmt.Fprintf(p.w, "\n%s\n", title)
	if len(cs) == 0 {
		fmt.Fprintln(p.w, "  (none)")
		return
	}
	cs = cs[:min(len(cs), top)]
	width := 0
	for _, c := range cs {
		width = max(width, utf8.RuneCountInString(logsClean(c.Key, 60)))
	}
	for _, c := range cs {
		fmt.Fprintf(p.w, "  %s  %6d\n", logsPad(logsClean(c.Key, 60), width), c.N)
	}
}

// ruleUsage is what the records say of config.toml's allow rules (and of
// approvals): how often each let a hit through, and which never did.
type ruleUsage struct {
	Used      []audit.Count `json:"used"`       // "rule:ID guard" by hits allowed, most first
	NeverUsed []string      `json:"never_used"` // rules in config.toml with no hit in these records
	Approvals int           `json:"approvals_used"`
}

func ruleUse(recs []audit.Record) ruleUsage {
	hits := map[string]int{}
	var u ruleUsage
	for i := range recs {
		for _, g := range recs[i].Guards {
			switch {
			case strings.HasPrefix(g.AllowedBy, "rule:"):
				hits[strings.TrimPrefix(g.AllowedBy, "rule:")]++
			case strings.HasPrefix(g.AllowedBy, "approval:") && recs[i].Action != audit.ActionApprove:
				u.Approvals++
			}
		}
	}
	_, rows, _ := allowRows()
	guardOf := map[string]string{}
	for _, r := range rows {
		guardOf[r.ID] = r.Guard
		if hits[r.ID] == 0 {
			note := ""
			if r.State != "in force" {
				note = " (" + r.State + ")"
			}
			u.NeverUsed = append(u.NeverUsed, r.ID+" "+r.Guard+" "+r.Scope+note)
		}
	}
	for id, n := range hits {
		g := guardOf[id]
		if g == "" {
			g = "(no longer in config.toml)"
		}
		u.Used = append(u.Used, audit.Count{Key: id + " " + g, N: n})
	}
	sort.Slice(u.Used, func(i, j int) bool {
		if u.Used[i].N != u.Used[j].N {
			return u.Used[i].N > u.Used[j].N
		}
		return u.Used[i].Key < u.Used[j].Key
	})
	return u
}

func (p *logsPrinter) rules(u ruleUsage) {
	p.counts("Allow rules used (hits let through)", u.Used)
	fmt.Fprintf(p.w, "\nAllow rules that never fired\n")
	if len(u.NeverUsed) == 0 {
		fmt.Fprintln(p.w, "  (none)")
	}
	for _, r := range u.NeverUsed {
		fmt.Fprintf(p.w, "  %s\n", logsClean(r, 120))
	}
	if u.Approvals > 0 {
		fmt.Fprintf(p.w, "\nCalls let through once by an approval: %d\n", u.Approvals)
	}
}
