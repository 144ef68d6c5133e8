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
	register("check", "judge a command, tool call or whole hook event and explain the verdict", cmdCheck)
}

// checkInputKeys say which tool_input keys each check flag fills, in Claude
// Code's vocabulary (the hook decoder then reads them as it reads a real
// call), and which flag gives a key a decoder says is missing.
var checkInputKeys = map[string][]string{
	"--path":    {"file_path", "notebook_path", "path"},
	"--url":     {"url"},
	"--content": {"content", "new_string", "new_source"},
}

func cmdCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "", "profile `P`: minimal, balanced or strict (default: as the installed hook runs)")
	asJSON := fs.Bool("json", false, "print the verdict as JSON")
	tool := fs.String("tool", "Bash", "`TOOL`: Bash, Read, Write, Edit, WebFetch, Glob, Grep, ... or an mcp__server__tool name")
	path := fs.String("path", "", "file `PATH` the tool reads or writes")
	url := fs.String("url", "", "`URL` the tool fetches")
	content := fs.String("content", "", "`TEXT` written (Write, Edit)")
	output := fs.String("output", "", "judge `TEXT` as a tool's output (PostToolUse)")
	event := fs.String("event", "", "judge a whole hook event (any client's JSON) from `FILE`, or - for stdin")
	cwd := fs.String("cwd", "", "working `DIR` of the call (default: the current one)")
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark check [flags] -- 'COMMAND'",
		"       bulwark check --tool Read --path FILE",
		"       bulwark check --tool WebFetch --url URL",
		"       bulwark check --tool mcp__server__tool --path FILE",
		"       bulwark check --output 'TEXT'",
		"       bulwark check --event FILE|-",
		"",
		"Judges a call the way the hook would (the same profile, config and project rules), then",
		"prints the verdict, where the profile came from, the guards that fired, the evidence",
		"(secrets masked) and the safer alternative.",
		"Exit status: 0 allow or warn, 1 ask or deny, 2 usage error."))
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "bulwark check: "+format+"\n", a...)
		return ExitBlock
	}
	home := os.Getenv("HOME")
	if *cwd == "" {
		*cwd, _ = os.Getwd()
	}
	var act guards.Action
	switch {
	case *event != "":
		if fs.NArg() > 0 || *output != "" || *path != "" || *url != "" || *content != "" || isSet(fs, "tool") {
			return usageErr("--event judges the event as it is: give no command, --tool, --path, --url, --content or --output with it")
		}
		a, err := decodeEventFile(*event, stdin, home, *cwd)
		if err != nil {
			fmt.Fprintln(stderr, "bulwark check:", err)
			return ExitBlock
		}
		act = a
	case *output != "":
		if fs.NArg() > 0 {
			return usageErr("unexpected argument %q with --output", fs.Arg(0))
		}
		act = guards.Action{Client: "cli", Event: guards.PostToolUse, Tool: *tool, Cwd: *cwd, Home: home, Output: *output}
	default:
		input := map[string]any{}
		if *tool == "Bash" {
			if fs.NArg() == 0 {
				fmt.Fprintln(stderr, "bulwark check: give a command after --, or --tool with --path/--url, or --event FILE")
				fs.Usage()
				return ExitBlock
			}
			input["command"] = strings.Join(fs.Args(), " ")
		} else if fs.NArg() > 0 {
			return usageErr("unexpected argument %q with --tool %s (a command goes with --tool Bash)", fs.Arg(0), *tool)
		}
		for flagName, val := range map[string]string{"--path": *path, "--url": *url, "--content": *content} {
			if val != "" {
				for _, k := range checkInputKeys[flagName] {
					input[k] = val
				}
			}
		}
		a, err := decodeToolCall(*tool, input, home, *cwd)
		if err != nil {
			return usageErr("%s", missingFlags(*tool, err))
		}
		act = a
	}
	if act.Kind == guards.KindOther && act.Event == guards.PreToolUse {
		fmt.Fprintf(stderr, "bulwark check: warning: %q is not a tool bulwark knows: only what every call gets is checked (the hook does the same with it)\n", act.Tool)
	}
	name, from := resolveProfile(*profile)
	rt, err := loadRuntime(name, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "bulwark check:", err)
		return ExitBlock
	}
	from = profileSource(from, rt)
	v := rt.Evaluate(&act)
	if *asJSON {
		writeVerdictJSON(stdout, &act, &v, from)
	} else {
		report.Write(stdout, &act, &v, report.Style{Profile: rt.Profile, From: from, Color: useColor(stdout)})
	}
	if v.Decision >= guards.Ask {
		return ExitFail
	}
	return ExitOK
}

// isSet reports whether a flag was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// decodeToolCall builds the Action for a tool call the way the hook decodes
// one: as a Claude Code PreToolUse event, through its decoder.
func decodeToolCall(tool string, input map[string]any, home, cwd string) (guards.Action, error) {
	raw, _ := json.Marshal(input)
	event, _ := json.Marshal(map[string]any{"hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": json.RawMessage(raw), "cwd": cwd})
	c, err := hooks.Lookup("claude")
	if err != nil {
		return guards.Action{}, err
	}
	act, err := c.Decode(event, hooks.Env{Home: home, Cwd: cwd})
	act.Client = "cli"
	return act, err
}

// decodeEventFile reads a hook event from a file (or stdin for "-") and
// decodes it with the client's own decoder, detected from its shape.
func decodeEventFile(file string, stdin io.Reader, home, cwd string) (guards.Action, error) {
	var data []byte
	var err error
	if file == "-" {
		data, err = hooks.ReadInput(stdin)
	} else {
		var f *os.File
		if f, err = os.Open(file); err == nil {
			data, err = hooks.ReadInput(f)
			f.Close()
		}
	}
	if err != nil {
		return guards.Action{}, fmt.Errorf("--event %s: %w", file, err)
	}
	c, err := hooks.Lookup(hooks.Detect(data))
	if err != nil {
		return guards.Action{}, fmt.Errorf("--event %s: %w", file, err)
	}
	act, err := c.Decode(data, hooks.Env{Home: home, Cwd: cwd})
	if err != nil {
		return guards.Action{}, fmt.Errorf("--event %s: %w", file, err)
	}
	return act, nil
}

// missingFlags turns a decoder's "tool_input has no KEY" into the check flag
// that gives it.
func missingFlags(tool string, err error) string {
	msg := err.Error()
	for _, flagName := range []string{"--path", "--url", "--content"} {
		for _, k := range checkInputKeys[flagName] {
			if strings.Contains(msg, `"`+k+`"`) {
				return fmt.Sprintf("--tool %s needs %s (%v)", tool, flagName, err)
			}
		}
	}
	if strings.Contains(msg, `"command"`) {
		return fmt.Sprintf("--tool %s needs a command after -- (%v)", tool, err)
	}
	return msg
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
	AllowID  string   `json:"allow_id,omitempty"`
}

func writeVerdictJSON(w io.Writer, act *guards.Action, v *guards.Verdict, from string) {
	out := struct {
		Action      string    `json:"action"`
		Flag        bool      `json:"flag,omitempty"`
		Profile     string    `json:"profile"`
		ProfileFrom string    `json:"profile_from,omitempty"`
		Reason      string    `json:"reason,omitempty"`
		Guards      []jsonHit `json:"guards"`
	}{Action: v.Decision.String(), Flag: v.Flag, Profile: v.Profile, ProfileFrom: from, Guards: []jsonHit{}}
	if v.Decision > guards.Allow {
		out.Reason = report.Reason(v, act)
	}
	for _, h := range v.Hits {
		out.Guards = append(out.Guards, jsonHit{h.GuardID, h.Title, h.Severity.String(), h.Decision.String(), h.Evidence, h.Via, h.Reason, h.Instead, h.AllowedBy, h.AllowID})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}
