package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/guards"
)

// Style says how Write lays a verdict out.
type Style struct {
	Profile string // the profile's name, for the header
	// From says where the profile came from ("--profile", "the installed
	// claude hook", "config.toml", ...); "" leaves it out.
	From  string
	Color bool // ANSI colours: only for a terminal that wants them
}

// Subject is what a call is, in one line for people: the command, else the
// tool and its first path or URL, or "tool output" for a PostToolUse.
// Secrets are masked and control characters dropped.
func Subject(act *guards.Action) string {
	what := act.Command
	switch {
	case act.Event == guards.PostToolUse:
		what = "tool output"
	case what != "" && act.Kind != guards.KindShell && act.Tool != "":
		what = act.Tool + ": " + what // a command inside an MCP call
	case what == "" && len(act.Paths) > 0:
		what = act.Tool + " " + act.Paths[0].Path
	case what == "" && len(act.URLs) > 0:
		what = act.Tool + " " + act.URLs[0]
	case what == "" && act.Query != "":
		what = act.Tool + " " + act.Query
	case what == "":
		what = act.Tool
	}
	return audit.Preview(what, 100)
}

// Label is a verdict's decision in capitals, FLAG for withheld output.
func Label(v *guards.Verdict) string {
	if v.Flag {
		return "FLAG"
	}
	return strings.ToUpper(v.Decision.String())
}

// Write prints a verdict the way `bulwark check` shows it to a person: the
// decision and the call, then each guard that fired with its severity and
// action, what it saw, why it matters, the rule or approval that allowed it,
// and the safer way.
func Write(w io.Writer, act *guards.Action, v *guards.Verdict, st Style) {
	label := Label(v)
	profile := "profile " + st.Profile
	if st.From != "" {
		profile += ", from " + st.From
	}
	fmt.Fprintf(w, "%s  %s  (%s)\n", Paint(strings.ToLower(label), label, st.Color), Subject(act), profile)
	if len(v.Hits) == 0 {
		fmt.Fprintln(w, "  no guard fired")
		return
	}
	for _, h := range v.Hits {
		fmt.Fprintf(w, "\n  %s  %s -> %s\n", Paint("id", h.GuardID, st.Color), h.Severity, Paint(h.Decision.String(), h.Decision.String(), st.Color))
		fmt.Fprintf(w, "    %s\n", h.Title)
		if h.Evidence != "" {
			fmt.Fprintf(w, "    seen:    %s", h.Evidence)
			if len(h.Via) > 0 {
				fmt.Fprintf(w, "  (via %s)", strings.Join(h.Via, " > "))
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "    why:     %s\n", h.Reason)
		if h.AllowedBy != "" {
			fmt.Fprintf(w, "    allowed: %s\n", h.AllowedBy)
		}
		if h.Instead != "" {
			fmt.Fprintf(w, "    instead: %s\n", h.Instead)
		}
	}
}

// The palette every subcommand colours with, by what the text is: a
// decision, a doctor check's outcome, a guard id, a pack that is off.
var palette = map[string]string{
	"allow":   "\x1b[32m",   // green
	"warn":    "\x1b[33m",   // yellow
	"ask":     "\x1b[36m",   // cyan
	"approve": "\x1b[1;32m", // bold green
	"deny":    "\x1b[1;31m", // bold red
	"flag":    "\x1b[35m",   // magenta
	"ok":      "\x1b[32m",
	"fail":    "\x1b[1;31m",
	"id":      "\x1b[1m", // bold
	"off":     "\x1b[2m", // dim
}

// Paint colours text as kind (a decision: allow, warn, ask, deny, flag; a
// check: ok, warn, fail; id; off) when on; anything else stays plain.
func Paint(kind, text string, on bool) string {
	c, ok := palette[kind]
	if !on || !ok || text == "" {
		return text
	}
	return c + text + "\x1b[0m"
}

// OneLine is s on one line (whitespace runs become one space, control
// characters dropped, secrets masked), cut to n runes.
func OneLine(s string, n int) string { return audit.Preview(s, n) }
