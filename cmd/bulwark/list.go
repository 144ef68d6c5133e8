package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/report"
)

func init() {
	register("list", "list the guards by family, with their action under a profile", cmdList)
}

func cmdList(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "", "profile `P`: minimal, balanced or strict (default: as the installed hook runs)")
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark list [--profile P] [--json] [FAMILY ...]",
		"",
		"Lists every guard (or those of the families named) with its severity and what",
		"happens when it fires under the profile and your config.toml; 'off' when its pack",
		"is off. 'bulwark explain GUARD_ID' tells more about one guard."))
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	name, from := resolveProfile(*profile)
	rt, err := loadRuntime(name, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bulwark list:", err)
		return ExitBlock
	}
	from = profileSource(from, rt)
	var families []string
	for _, pk := range rt.Packs() {
		families = append(families, pk.Family)
	}
	for _, f := range fs.Args() {
		if !slices.Contains(families, f) {
			fmt.Fprintf(stderr, "bulwark list: no family %q (families: %s)\n", f, strings.Join(families, ", "))
			return ExitBlock
		}
	}
	type row struct {
		ID       string `json:"id"`
		Title    string `json:"title"`
		Severity string `json:"severity"`
		Action   string `json:"action"`
	}
	type family struct {
		Family string `json:"family"`
		Title  string `json:"title"`
		On     bool   `json:"on"`
		Guards []row  `json:"guards"`
	}
	var out []family
	total := 0
	for _, pk := range rt.Packs() {
		if fs.NArg() > 0 && !slices.Contains(fs.Args(), pk.Family) {
			continue
		}
		f := family{Family: pk.Family, Title: pk.Title, On: rt.PackOn(pk.Family)}
		for _, g := range pk.Guards {
			sev, _ := guards.ParseSeverity(g.Severity)
			action := "off"
			if f.On {
				action = rt.Decide(g.ID, sev).String()
			}
			f.Guards = append(f.Guards, row{g.ID, g.Title, g.Severity, action})
		}
		total += len(f.Guards)
		out = append(out, f)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"profile": rt.Profile, "profile_from": from, "families": out})
		return ExitOK
	}
	color := useColor(stdout)
	fmt.Fprintf(stdout, "profile %s (from %s): %d guards in %d families\n", rt.Profile, from, total, len(out))
	for _, f := range out {
		fmt.Fprintf(stdout, "\n%s (%d) - %s\n", report.Paint("id", f.Family, color), len(f.Guards), f.Title)
		for _, g := range f.Guards {
			action := fmt.Sprintf("%-6s", g.Action)
			fmt.Fprintf(stdout, "  %s %-9s %-40s %s\n", report.Paint(g.Action, action, color), g.Severity, g.ID, g.Title)
		}
	}
	return ExitOK
}
