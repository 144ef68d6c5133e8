package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/bulwark-guard/bulwark/guards"
)

func init() {
	register("list", "list the guards by family, with their action under a profile", cmdList)
}

func cmdList(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "", "profile: minimal, balanced or strict")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return ExitBlock
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bulwark list: unexpected argument %q\n", fs.Arg(0))
		return ExitBlock
	}
	rt, err := loadRuntime(*profile, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bulwark list:", err)
		return ExitBlock
	}
	name := rt.Profile
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
		_ = enc.Encode(map[string]any{"profile": name, "families": out})
		return ExitOK
	}
	fmt.Fprintf(stdout, "profile %s: %d guards in %d families\n", name, total, len(out))
	for _, f := range out {
		fmt.Fprintf(stdout, "\n%s (%d) - %s\n", f.Family, len(f.Guards), f.Title)
		for _, g := range f.Guards {
			fmt.Fprintf(stdout, "  %-6s %-9s %-40s %s\n", g.Action, g.Severity, g.ID, g.Title)
		}
	}
	return ExitOK
}
