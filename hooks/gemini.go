package hooks

import (
	"fmt"
	"regexp"
	"sync"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/report"
)

func init() { register(gemini{}) }

// gemini speaks Gemini CLI's BeforeTool/AfterTool hooks. Its decisions are
// allow and deny only: ask becomes deny, with the reason.
type gemini struct{}

func (gemini) Name() string { return "gemini" }

func (gemini) Decode(data []byte, env Env) (guards.Action, error) {
	ev, err := parseEvent(data)
	if err != nil {
		return guards.Action{}, err
	}
	name, tool := ev.str("hook_event_name"), ev.str("tool_name")
	act := guards.Action{Client: "gemini", EventName: name, Tool: tool, SessionID: ev.str("session_id"), Cwd: ev.str("cwd"), Home: env.Home, Input: ev.raw(ev.get("tool_input"))}
	if ev.err != nil {
		return guards.Action{}, ev.err
	}
	if act.Cwd == "" {
		act.Cwd = env.cwd()
	}
	switch name {
	case "BeforeTool":
		act.Event = guards.PreToolUse
	case "AfterTool":
		act.Event = guards.PostToolUse
		act.Output = outputText(ev.get("tool_response"))
	case "":
		return act, fmt.Errorf("hook input has no hook_event_name")
	default:
		return act, fmt.Errorf("unsupported Gemini hook event %q (bulwark handles BeforeTool and AfterTool)", name)
	}
	if tool == "" {
		return act, errNoTool
	}
	in, err := parseToolInput(ev.get("tool_input"))
	if err != nil {
		return act, err
	}
	// The path argument's name changed across Gemini CLI versions.
	path := firstStr(in, tool, "file_path", "absolute_path", "path", "dir_path")
	switch tool {
	case "run_shell_command":
		act.Kind = guards.KindShell
		if act.Command, err = in.need(tool, "command"); err != nil {
			return act, err
		}
		if d := firstStr(in, tool, "dir_path", "directory"); d != "" {
			act.Cwd = joinDir(act.Cwd, d)
		}
	case "read_file", "list_directory", "glob", "search_file_content", "grep_search":
		act.Kind = guards.KindRead
		if path != "" {
			act.Paths = []guards.PathRef{{Path: path, Access: guards.AccessRead}}
		}
	case "read_many_files":
		act.Kind = guards.KindRead
		for _, p := range in.optList(tool, "paths") {
			act.Paths = append(act.Paths, guards.PathRef{Path: p, Access: guards.AccessRead})
		}
	case "write_file", "replace":
		act.Kind = guards.KindWrite
		if path == "" {
			return act, fmt.Errorf("%s tool_input has no file path", tool)
		}
		act.Paths = []guards.PathRef{{Path: path, Access: guards.AccessWrite}}
		c := guards.Content{Path: path, Text: in.text("content")}
		if tool == "replace" {
			c.Text, c.Old = in.text("new_string"), in.text("old_string")
		}
		act.Contents = []guards.Content{c}
	case "web_fetch":
		act.Kind = guards.KindFetch
		if u := in.opt(tool, "url"); u != "" {
			act.URLs = append(act.URLs, u)
		}
		act.URLs = append(act.URLs, urlsIn(in.opt(tool, "prompt"))...)
	case "google_web_search":
		act.Kind, act.Query = guards.KindSearch, in.opt(tool, "query")
	default:
		if len(tool) > 5 && tool[:5] == "mcp__" {
			act.Kind = guards.KindMCP
			fillMCP(&act, tool, in)
			return act, nil // MCP arguments have no types bulwark can expect
		}
		fillUnknown(&act, tool, in)
		return act, nil // nor do those of a tool bulwark does not know
	}
	return act, in.typeErr()
}

func (gemini) Encode(act *guards.Action, v *guards.Verdict) Result {
	var decision, reason, system, context string
	nested := false
	switch {
	case act.Event == guards.PostToolUse && v.Flag:
		decision, reason = "deny", report.WithheldReason(v, act)
	case v.Decision >= guards.Ask:
		decision, reason = "deny", report.Reason(v, act)
		if v.Decision == guards.Ask {
			reason = report.AskAsDeny(v, act, noAskReason(act, "Gemini CLI"))
		}
		system = reason
	case v.Decision == guards.Warn, v.Decision == guards.Allow && len(v.Notes) > 0:
		context, nested = report.Caution(v), true
		system = report.Notes(v, true)
	}
	var spec []string
	if nested {
		spec = []string{"additionalContext", context}
	}
	return Result{Stdout: answer([]string{"decision", decision, "reason", reason, "systemMessage", system}, "hookSpecificOutput", 0, spec), Exit: ExitAllow}
}

func firstStr(in toolInput, tool string, keys ...string) string {
	for _, k := range keys {
		if s := in.opt(tool, k); s != "" {
			return s
		}
	}
	return ""
}

func joinDir(cwd, d string) string {
	if len(d) > 0 && d[0] == '/' || cwd == "" {
		return d
	}
	return cwd + "/" + d
}

var (
	urlOnce sync.Once
	urlRE   *regexp.Regexp
)

// urlsIn finds the URLs in web_fetch's prompt, which carries them inline.
func urlsIn(s string) []string {
	if s == "" {
		return nil
	}
	urlOnce.Do(func() { urlRE = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`) })
	return urlRE.FindAllString(s, 20)
}
