package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/packs"
	"github.com/bulwark-guard/bulwark/policy"
	"github.com/bulwark-guard/bulwark/profiles"
	"github.com/bulwark-guard/bulwark/report"
)

func init() {
	register("explain", "tell everything about one guard: what it catches, why, what it does under each profile", cmdExplain)
}

func cmdExplain(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "", "profile `P` for the line 'with your configuration' (default: as the installed hook runs)")
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark explain [--profile P] GUARD_ID",
		"",
		"Prints a guard's title, family and severity, what it does under each profile and with your",
		"configuration, why it matters and the safer way, the examples it must and must not catch,",
		"and the pack file it comes from. 'bulwark list' shows every guard id."))
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "bulwark explain: give one guard id")
		fs.Usage()
		return ExitBlock
	}
	id := fs.Arg(0)
	name, from := resolveProfile(*profile)
	o := runtimeOptions(stderr)
	o.Config.NoCache = true // the cache leaves the user packs' examples out
	rt, err := policy.Load(name, o)
	if err != nil {
		fmt.Fprintln(stderr, "bulwark explain:", err)
		return ExitBlock
	}
	from = profileSource(from, rt)
	var pack *guards.PackSpec
	var g *guards.GuardSpec
	all := rt.Packs()
	for pi := range all {
		for gi := range all[pi].Guards {
			if all[pi].Guards[gi].ID == id {
				pack, g = &all[pi], &all[pi].Guards[gi]
			}
		}
	}
	if g == nil {
		if hint := similarGuards(all, id); len(hint) > 0 {
			fmt.Fprintf(stderr, "bulwark explain: no guard %q; did you mean %s?\n", id, strings.Join(hint, ", "))
		} else {
			fmt.Fprintf(stderr, "bulwark explain: no guard %q ('bulwark list' shows them)\n", id)
		}
		return ExitFail
	}
	sev, _ := guards.ParseSeverity(g.Severity)
	color := useColor(stdout)
	w := stdout
	fmt.Fprintf(w, "%s  %s\n", report.Paint("id", g.ID, color), g.Title)
	fmt.Fprintf(w, "  family:    %s (%s)\n", pack.Family, pack.Title)
	fmt.Fprintf(w, "  severity:  %s\n", g.Severity)
	fmt.Fprintf(w, "  looks at:  %s\n", describeTarget(g))
	var per []string
	names := profiles.Names()
	sort.SliceStable(names, func(i, j int) bool { return profileRank[names[i]] < profileRank[names[j]] })
	for _, p := range names {
		prof, err := profiles.Get(p)
		if err != nil {
			continue
		}
		d := "off"
		if prof.PackOn(pack.Family) || pack.Source != "" && !isBuiltin(pack) {
			d = prof.Decide(g.ID, sev).String()
		}
		per = append(per, p+" "+report.Paint(d, d, color))
	}
	fmt.Fprintf(w, "  profiles:  %s\n", strings.Join(per, ", "))
	mine := "off"
	if rt.PackOn(pack.Family) {
		mine = rt.Decide(g.ID, sev).String()
	}
	fmt.Fprintf(w, "  with your configuration: %s (profile %s, from %s)\n", report.Paint(mine, mine, color), rt.Profile, from)
	if sev == guards.Critical {
		fmt.Fprintf(w, "             critical: never lowered; it can be allowed only for an exact command (bulwark allow %s --command '...')\n", g.ID)
	}
	fmt.Fprintf(w, "  why:       %s\n", g.Reason)
	if g.Instead != "" {
		fmt.Fprintf(w, "  instead:   %s\n", g.Instead)
	}
	examples := func(title string, xs []string) {
		if len(xs) == 0 {
			return
		}
		fmt.Fprintf(w, "  %s\n", title)
		for _, x := range xs {
			fmt.Fprintf(w, "    %s\n", report.OneLine(x, 160))
		}
	}
	examples("catches:", g.Match)
	examples("leaves alone:", g.NotMatch)
	fmt.Fprintf(w, "  pack:      %s\n", packFile(pack))
	return ExitOK
}

// isBuiltin reports whether a pack is one of the embedded ones.
func isBuiltin(p *guards.PackSpec) bool {
	for _, b := range packs.Builtin() {
		if b.Family == p.Family {
			return true
		}
	}
	return false
}

// packFile says where a pack is written: packs/NAME.toml in bulwark's
// source for a built-in pack, else the user pack's path.
func packFile(p *guards.PackSpec) string {
	if isBuiltin(p) {
		return "packs/" + filepath.Base(p.Source) + " (built in)"
	}
	return p.Source
}

// describeTarget says in words what a guard looks at.
func describeTarget(g *guards.GuardSpec) string {
	switch g.On {
	case "command":
		if len(g.Commands) > 0 {
			return "commands: " + strings.Join(g.Commands, ", ")
		}
		return "every command that would run"
	case "file":
		a := g.Access
		if a == "" {
			a = "any"
		}
		return "files a call touches (" + a + ")"
	case "content":
		return "text written into files"
	case "url":
		return "URLs a call fetches"
	case "output":
		return "a tool's output, after it ran"
	case "analysis":
		return "the shell analysis itself (" + g.Condition + ")"
	case "config":
		return "an agent's set-up, read by bulwark audit (" + g.Condition + ": " + configMeaning(g.Condition) + ")"
	}
	return g.On
}

// similarGuards are up to five guard ids like id: those that contain it,
// then those of its family that share a word with it, then any that do.
func similarGuards(all []guards.PackSpec, id string) []string {
	id = strings.ToLower(id)
	family, _, _ := strings.Cut(id, ".")
	words := strings.FieldsFunc(id, func(r rune) bool { return r == '.' || r == '-' || r == '_' })
	type cand struct {
		id    string
		score int
	}
	var cs []cand
	for _, p := range all {
		for _, g := range p.Guards {
			score := 0
			if strings.Contains(g.ID, id) {
				score = 3
			} else {
				for _, wd := range words {
					if len(wd) >= 4 && wd != family && strings.Contains(g.ID, wd) {
						score = 1
						if p.Family == family {
							score = 2
						}
						break
					}
				}
			}
			if score > 0 {
				cs = append(cs, cand{g.ID, score})
			}
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	var out []string
	for _, c := range cs[:min(len(cs), 5)] {
		out = append(out, c.id)
	}
	return out
}

// configMeaning says what an audit condition means.
func configMeaning(cond string) string {
	m, _ := guards.ConfigCondition(cond)
	return m
}
