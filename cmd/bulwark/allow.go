package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/packs"
)

func init() {
	register("allow", "add, list or remove allow rules for false positives in config.toml", cmdAllow)
}

func cmdAllow(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "list":
			return cmdAllowList(args[1:], stdout, stderr)
		case "remove":
			return cmdAllowRemove(args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("allow", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cwd := fs.String("cwd", "", "only when the call's working directory is inside DIR")
	dur := fs.String("for", "", "expire after this long: 30m, 12h, 7d, 2w (default: never)")
	command := fs.String("command", "", "only this exact command (the only way to allow a critical guard)")
	pattern := fs.String("pattern", "", "only commands matching this regex (Go regexp syntax, unanchored)")
	reason := fs.String("reason", "", "why this is safe (required)")
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark allow GUARD_ID --reason TEXT [--command 'EXACT' | --pattern 'RE'] [--cwd DIR] [--for 7d]",
		"       bulwark allow list [--json]",
		"       bulwark allow remove ID",
		"",
		"Adds an [[allow]] rule to "+displayPath(config.ConfigFile())+" (appended; your comments are kept).",
		"The guard's hits stay visible in the audit log, with decision allow and the rule's id.",
		"A critical guard can only be allowed for an exact command (--command). With --command the",
		"guard must fire on that command (bulwark names the guard that does, if another one does).",
		"'allow list' shows the rules (id, guard, scope, expiry, reason); 'allow remove ID' takes one out."))
	// Flags may come before or after the guard id.
	var rest []string
	for {
		if code, done := parseFlags(fs, args, stdout); done {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "bulwark allow: "+format+"\n", a...)
		return ExitFail
	}
	if len(rest) != 1 {
		fs.Usage()
		return ExitBlock
	}
	id := rest[0]
	if strings.TrimSpace(*reason) == "" {
		fmt.Fprintln(stderr, "bulwark allow: --reason is required: say why this is safe (it is kept with the rule)")
		return ExitBlock
	}
	if *command != "" && *pattern != "" {
		fmt.Fprintln(stderr, "bulwark allow: give --command or --pattern, not both")
		return ExitBlock
	}
	if refuseInAgent("allow", stderr) {
		return ExitFail
	}
	file := config.ConfigFile()
	if file == "" {
		return fail("no configuration directory: set BULWARK_HOME or HOME")
	}
	spec := findGuard(id)
	if spec == nil {
		return fail("no guard %q (bulwark list shows them)", id)
	}
	if spec.Severity == guards.Critical.String() && strings.TrimSpace(*command) == "" {
		return fail("%s is critical: it can only be allowed for an exact command: bulwark allow %s --command '...' --reason ...", id, id)
	}
	a := config.AllowSpec{Guard: id, Command: strings.TrimSpace(*command), Pattern: *pattern, Reason: strings.TrimSpace(*reason)}
	if *cwd != "" {
		dir, err := filepath.Abs(*cwd)
		if err != nil {
			return fail("--cwd: %v", err)
		}
		a.Cwd = dir
	}
	if a.Command != "" {
		// A rule for a guard that does not fire on the command would allow
		// nothing (and the call stays blocked, to the user's surprise).
		where := a.Cwd
		if where == "" {
			where, _ = os.Getwd()
		}
		fired, err := guardsOn(a.Command, where, stderr)
		if err != nil {
			return fail("%v", err)
		}
		if !slices.Contains(fired, id) {
			if len(fired) == 0 {
				return fail("no guard fires on %q: there is nothing to allow", a.Command)
			}
			return fail("%s does not fire on %q; %s does: bulwark allow %s --command %s --reason ...",
				id, a.Command, strings.Join(fired, ", "), fired[0], shellQuote(a.Command))
		}
	}
	if a.Pattern != "" {
		if _, err := regexp.Compile(a.Pattern); err != nil {
			return fail("--pattern: %v", err)
		}
	}
	now := clock()
	if *dur != "" {
		d, err := parseFor(*dur)
		if err != nil {
			return fail("--for: %v", err)
		}
		a.Expires = now.Add(d).UTC().Truncate(time.Second)
	}
	if err := config.AppendAllow(file, a, os.Getenv("HOME"), now); err != nil {
		return fail("%v", err)
	}
	what := "every hit"
	switch {
	case a.Command != "":
		what = "the command " + strconv.Quote(a.Command)
	case a.Pattern != "":
		what = "commands matching " + strconv.Quote(a.Pattern)
	}
	fmt.Fprintf(stdout, "allowed %s for %s", id, what)
	if a.Cwd != "" {
		fmt.Fprintf(stdout, " in %s", a.Cwd)
	}
	if !a.Expires.IsZero() {
		fmt.Fprintf(stdout, " until %s", a.Expires.Format(time.RFC3339))
	}
	fmt.Fprintf(stdout, " (rule %s)\nwritten to %s\n", a.ID(), file)
	return ExitOK
}

// guardsOn is the guards that fire on a command (or "Tool path-or-URL",
// the text allow rules match for other tools) in dir, strictest first.
func guardsOn(command, dir string, stderr io.Writer) ([]string, error) {
	act, err := subjectAction(command, dir)
	if err != nil {
		return nil, err
	}
	name, _ := resolveProfile("")
	rt, err := loadRuntime(name, io.Discard)
	if err != nil {
		return nil, err
	}
	v := rt.Evaluate(&act)
	var ids []string
	for _, h := range v.Hits {
		ids = append(ids, h.GuardID)
	}
	return ids, nil
}

// subjectAction turns an allow rule's command text back into the call it
// names: "Read ~/.aws/config" is the Read tool on that path, "WebFetch URL"
// a fetch, anything else a shell command.
func subjectAction(text, dir string) (guards.Action, error) {
	home := os.Getenv("HOME")
	if tool, arg, ok := strings.Cut(text, " "); ok && tool != "" && tool[0] >= 'A' && tool[0] <= 'Z' || strings.HasPrefix(text, "mcp__") {
		input := map[string]any{}
		for _, keys := range checkInputKeys {
			for _, k := range keys {
				input[k] = arg
			}
		}
		if act, err := decodeToolCall(tool, input, home, dir); err == nil && act.Kind != guards.KindOther && act.Kind != guards.KindShell {
			return act, nil
		}
	}
	return decodeToolCall("Bash", map[string]any{"command": text}, home, dir)
}

// shellQuote quotes s for a POSIX shell, for a command line to copy.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// findGuard looks a guard up in the built-in packs, the user's packs and
// the guards of the project around the current directory.
func findGuard(id string) *guards.GuardSpec {
	opts := config.Options{Version: Version()}
	all := append([]guards.PackSpec{}, packs.Builtin()...)
	all = append(all, config.Load(opts).Packs...)
	if wd, err := os.Getwd(); err == nil {
		if p := config.LoadProject(wd, opts); p != nil && p.Pack != nil {
			all = append(all, *p.Pack)
		}
	}
	for pi := range all {
		for gi := range all[pi].Guards {
			if all[pi].Guards[gi].ID == id {
				return &all[pi].Guards[gi]
			}
		}
	}
	return nil
}

// parseFor reads a duration: Go's syntax (90m, 12h) plus days and weeks (7d, 2w).
func parseFor(s string) (time.Duration, error) {
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		k, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("%q: want e.g. 30m, 12h, 7d or 2w", s)
		}
		d = time.Duration(k) * 24 * time.Hour
	} else if n, ok := strings.CutSuffix(s, "w"); ok {
		k, err := strconv.Atoi(n)
		if err != nil {
			return 0, fmt.Errorf("%q: want e.g. 30m, 12h, 7d or 2w", s)
		}
		d = time.Duration(k) * 7 * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q: want e.g. 30m, 12h, 7d or 2w", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive", s)
	}
	return d, nil
}

func displayPath(p string) string {
	if p == "" {
		return "config.toml"
	}
	return p
}
