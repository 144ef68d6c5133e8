package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
)

// allowRow is one allow rule as `allow list` shows it.
type allowRow struct {
	ID      string `json:"id"`
	Guard   string `json:"guard"`
	Scope   string `json:"scope"`
	Expires string `json:"expires,omitempty"`
	Reason  string `json:"reason"`
	// State: "in force", "expired", or why it is ignored.
	State string `json:"state"`
}

// allowRows reads config.toml's rules afresh (not from the cache) and says
// of each whether it is in force.
func allowRows() (file string, rows []allowRow, err error) {
	l := config.Load(config.Options{Version: Version(), NoCache: true})
	for _, p := range l.Problems {
		if p.Level == config.Error && p.Guard == "" && p.File == l.File && strings.Contains(p.Msg, "using the built-in defaults") {
			return l.File, nil, fmt.Errorf("%s", p)
		}
	}
	now := clock()
	for _, a := range l.Config.Allow {
		r := allowRow{ID: a.ID(), Guard: a.Guard, Scope: allowScope(a), Reason: a.Reason, State: "in force"}
		if !a.Expires.IsZero() {
			r.Expires = a.Expires.UTC().Format(time.RFC3339)
		}
		spec := findGuard(a.Guard)
		switch {
		case spec == nil:
			r.State = "ignored: no such guard"
		case spec.Severity == guards.Critical.String() && a.Command == "":
			r.State = "ignored: a critical guard needs an exact command"
		case !a.Expires.IsZero() && !now.Before(a.Expires):
			r.State = "expired"
		}
		rows = append(rows, r)
	}
	return l.File, rows, nil
}

func allowScope(a config.AllowSpec) string {
	var parts []string
	switch {
	case a.Command != "":
		parts = append(parts, "command "+shellQuote(a.Command))
	case a.Pattern != "":
		parts = append(parts, "pattern "+shellQuote(a.Pattern))
	default:
		parts = append(parts, "every hit")
	}
	if a.Cwd != "" {
		parts = append(parts, "in "+a.Cwd)
	}
	return strings.Join(parts, " ")
}

func cmdAllowList(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("allow list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark allow list [--json]",
		"",
		"Lists config.toml's allow rules: id, guard, scope, expiry, reason, and whether each is in",
		"force (expired and ignored rules are marked). 'bulwark logs --summary' shows which are used."))
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bulwark allow list: unexpected argument %q\n", fs.Arg(0))
		return ExitBlock
	}
	file, rows, err := allowRows()
	if err != nil {
		fmt.Fprintln(stderr, "bulwark allow list:", err)
		return ExitFail
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if rows == nil {
			rows = []allowRow{}
		}
		enc.Encode(map[string]any{"file": file, "rules": rows})
		return ExitOK
	}
	if len(rows) == 0 {
		fmt.Fprintf(stdout, "no allow rules in %s\n", displayPath(file))
		return ExitOK
	}
	fmt.Fprintf(stdout, "%d allow rule%s in %s\n", len(rows), logsPlural(len(rows)), file)
	for _, r := range rows {
		exp := "never expires"
		if r.Expires != "" {
			exp = "until " + r.Expires
		}
		state := ""
		if r.State != "in force" {
			state = "  [" + r.State + "]"
		}
		fmt.Fprintf(stdout, "\n%s  %s  %s%s\n    %s, %s\n", r.ID, r.Guard, r.Scope, state, exp, "reason: "+r.Reason)
	}
	return ExitOK
}

func cmdAllowRemove(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("allow remove", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark allow remove ID",
		"",
		"Takes the allow rule with this id ('bulwark allow list' shows them) out of config.toml,",
		"with the comment lines directly above it; everything else in the file stays as it is."))
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "bulwark allow remove: give one rule id")
		fs.Usage()
		return ExitBlock
	}
	file := config.ConfigFile()
	if file == "" {
		fmt.Fprintln(stderr, "bulwark allow remove: no configuration directory: set BULWARK_HOME or HOME")
		return ExitFail
	}
	removed, err := config.RemoveAllow(file, fs.Arg(0), os.Getenv("HOME"))
	if err != nil {
		fmt.Fprintln(stderr, "bulwark allow remove:", err)
		return ExitFail
	}
	for _, a := range removed {
		fmt.Fprintf(stdout, "removed rule %s: %s, %s (reason: %s)\n", a.ID(), a.Guard, allowScope(a), a.Reason)
	}
	fmt.Fprintf(stdout, "written to %s\n", file)
	return ExitOK
}
