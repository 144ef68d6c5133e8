package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
	"github.com/bulwark-guard/bulwark/report"
)

func init() {
	register("check", "judge a command or tool call and explain the verdict", cmdCheck)
}

func cmdCheck(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "", "profile: minimal, balanced or strict")
	asJSON := fs.Bool("json", false, "print the verdict as JSON")
	tool := fs.String("tool", "Bash", "tool: Bash, Read, Write, Edit, WebFetch, or an mcp__server__tool name")
	path := fs.String("path", "", "file path (Read, Write, Edit, MCP)")
	url := fs.String("url", "", "URL (WebFetch, MCP)")
	content := fs.String("content", "", "content written (Write, Edit)")
	output := fs.String("output", "", "judge this text as a tool's output (PostToolUse)")
	cwd := fs.String("cwd", "", "working directory of the call (default: the current one)")
	fs.Usage = func() {
		fmt.Fprint(stderr, joinLines(
			"usage: bulwark check [flags] -- 'COMMAND'",
			"       bulwark check --tool Read --path FILE",
			"       bulwark check --tool WebFetch --url URL",
			"       bulwark check --output 'TEXT'",
			"",
			"Prints the verdict, the guards that fired, the evidence (secrets masked) and the safer alternative.",
			"Exit status: 0 allow or warn, 1 ask or deny, 2 usage error."))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return ExitBlock
	}
	act := guards.Action{Client: "cli", Event: guards.PreToolUse, Tool: *tool, Cwd: *cwd, Home: os.Getenv("HOME")}
	if act.Cwd == "" {
		act.Cwd, _ = os.Getwd()
	}
	input := map[string]any{}
	switch {
	case *output != "":
		act.Event, act.Output = guards.PostToolUse, *output
	case *tool == "Bash":
		if fs.NArg() == 0 {
			fmt.Fprintln(stderr, "bulwark check: give a command after --, or --tool with --path/--url")
			fs.Usage()
			return ExitBlock
		}
		input["command"] = strings.Join(fs.Args(), " ")
	default:
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "bulwark check: unexpected argument %q with --tool %s\n", fs.Arg(0), *tool)
			return ExitBlock
		}
		for k, v := range map[string]string{"file_path": *path, "url": *url, "content": *content, "new_string": *content} {
			if v != "" {
				input[k] = v
			}
		}
		if *tool == "Edit" {
			delete(input, "content")
		}
	}
	if act.Event == guards.PreToolUse {
		raw, _ := json.Marshal(input)
		event, _ := json.Marshal(map[string]any{"hook_event_name": "PreToolUse", "tool_name": *tool, "tool_input": json.RawMessage(raw), "cwd": act.Cwd})
		decoded, err := hooks.Lookup("claude")
		if err != nil {
			fmt.Fprintln(stderr, "bulwark check:", err)
			return ExitFail
		}
		a, err := decoded.Decode(event, hooks.Env{Home: act.Home, Cwd: act.Cwd})
		if err != nil {
			fmt.Fprintln(stderr, "bulwark check:", err)
			return ExitBlock
		}
		a.Client = "cli"
		act = a
	}
	rt, err := loadRuntime(*profile, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bulwark check:", err)
		return ExitBlock
	}
	v := rt.Evaluate(&act)
	if *asJSON {
		writeVerdictJSON(stdout, &act, &v)
	} else {
		report.Write(stdout, &act, &v, report.Style{Profile: rt.Profile, Color: useColor(stdout)})
	}
	if v.Decision >= guards.Ask {
		return ExitFail
	}
	return ExitOK
}

type jsonHit struct {
	Guard    string   `json:"guard"`
	Title    string   `json:"title"`
	Severity string   `json:"severity"`
	Action   string   `json:"action"`
	Evidence string   `json:"evidence,omitempty"`
	Via      []string `json:"via,omitempty"`
	Reason   string   `json:"reason"`
	Instead  string   `json:"instead,omitempty"`
	Allowed  string   `json:"allowed_by,omitempty"`
}

func writeVerdictJSON(w io.Writer, act *guards.Action, v *guards.Verdict) {
	out := struct {
		Action  string    `json:"action"`
		Flag    bool      `json:"flag,omitempty"`
		Profile string    `json:"profile"`
		Reason  string    `json:"reason,omitempty"`
		Guards  []jsonHit `json:"guards"`
	}{Action: v.Decision.String(), Flag: v.Flag, Profile: v.Profile, Guards: []jsonHit{}}
	if v.Decision > guards.Allow {
		out.Reason = report.Reason(v, act)
	}
	for _, h := range v.Hits {
		out.Guards = append(out.Guards, jsonHit{h.GuardID, h.Title, h.Severity.String(), h.Decision.String(), h.Evidence, h.Via, h.Reason, h.Instead, h.AllowedBy})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}
