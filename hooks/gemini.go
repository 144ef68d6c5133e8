package hooks

import (
	"encoding/json"
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

type geminiEvent struct {
	SessionID     string          `json:"session_id"`
	Cwd           string          `json:"cwd"`
	HookEventName string          `json:"hook_event_name"`
	ToolName      string          `json:"tool_name"`
	ToolInput     json.RawMessage `json:"tool_input"`
	ToolResponse  json.RawMessage `json:"tool_response"`
}

func (gemini) Decode(data []byte, env Env) (guards.Action, error) {
	var ev geminiEvent
	if err := decodeStrict(data, &ev); err != nil {
		return guards.Action{}, err
	}
	act := guards.Action{Client: "gemini", EventName: ev.HookEventName, Tool: ev.ToolName, SessionID: ev.SessionID, Cwd: ev.Cwd, Home: env.Home, Input: ev.ToolInput}
	if act.Cwd == "" {
		act.Cwd = env.Cwd
	}
	switch ev.HookEventName {
	case "BeforeTool":
		act.Event = guards.PreToolUse
	case "AfterTool":
		act.Event = guards.PostToolUse
		act.Output = outputText(ev.ToolResponse)
	case "":
		return act, fmt.Errorf("hook input has no hook_event_name")
	default:
		return act, fmt.Errorf("unsupported Gemini hook event %q (bulwark handles BeforeTool and AfterTool)", ev.HookEventName)
	}
	if ev.ToolName == "" {
		return act, errNoTool
	}
	in, err := parseToolInput(ev.ToolInput)
	if err != nil {
		return act, err
	}
	// The path argument's name changed across Gemini CLI versions.
	path := firstStr(in, "file_path", "absolute_path", "path", "dir_path")
	switch ev.ToolName {
	case "run_shell_command":
		act.Kind = guards.KindShell
		if act.Command, err = in.need(ev.ToolName, "command"); err != nil {
			return act, err
		}
		if d := firstStr(in, "dir_path", "directory"); d != "" {
			act.Cwd = joinDir(act.Cwd, d)
		}
	case "read_file", "list_directory", "glob", "search_file_content", "grep_search":
		act.Kind = guards.KindRead
		if path != "" {
			act.Paths = []guards.PathRef{{Path: path, Access: guards.AccessRead}}
		}
	case "read_many_files":
		act.Kind = guards.KindRead
		var list []string
		if raw, ok := in["paths"]; ok {
			_ = json.Unmarshal(raw, &list)
		}
		for _, p := range list {
			act.Paths = append(act.Paths, guards.PathRef{Path: p, Access: guards.AccessRead})
		}
	case "write_file", "replace":
		act.Kind = guards.KindWrite
		if path == "" {
			return act, fmt.Errorf("%s tool_input has no file path", ev.ToolName)
		}
		act.Paths = []guards.PathRef{{Path: path, Access: guards.AccessWrite}}
		text := in.str("content")
		if ev.ToolName == "replace" {
			text = in.str("new_string")
		}
		act.Contents = []guards.Content{{Path: path, Text: text}}
	case "web_fetch":
		act.Kind = guards.KindFetch
		if u := in.str("url"); u != "" {
			act.URLs = append(act.URLs, u)
		}
		act.URLs = append(act.URLs, urlsIn(in.str("prompt"))...)
	case "google_web_search":
		act.Kind, act.Query = guards.KindSearch, in.str("query")
	default:
		if len(ev.ToolName) > 5 && ev.ToolName[:5] == "mcp__" {
			act.Kind = guards.KindMCP
			fillMCP(&act, ev.ToolName, in)
		} else {
			act.Kind = guards.KindOther
		}
	}
	return act, nil
}

type geminiOutput struct {
	Decision           string          `json:"decision,omitempty"`
	Reason             string          `json:"reason,omitempty"`
	SystemMessage      string          `json:"systemMessage,omitempty"`
	HookSpecificOutput *geminiSpecific `json:"hookSpecificOutput,omitempty"`
}

type geminiSpecific struct {
	AdditionalContext string `json:"additionalContext,omitempty"`
}

func (gemini) Encode(act *guards.Action, v *guards.Verdict) Result {
	out := geminiOutput{}
	switch {
	case act.Event == guards.PostToolUse && v.Flag:
		out.Decision, out.Reason = "deny", report.Reason(v, act)
		out.HookSpecificOutput = &geminiSpecific{AdditionalContext: report.PostContext(v)}
	case v.Decision >= guards.Ask:
		out.Decision, out.Reason = "deny", report.Reason(v, act)
		if v.Decision == guards.Ask {
			out.Reason = report.AskAsDeny(v, act, noAskReason(act, "Gemini CLI"))
		}
		out.SystemMessage = out.Reason
	case v.Decision == guards.Warn:
		out.HookSpecificOutput = &geminiSpecific{AdditionalContext: report.Caution(v)}
	}
	return Result{Stdout: marshal(out), Exit: ExitAllow}
}

func firstStr(in toolInput, keys ...string) string {
	for _, k := range keys {
		if s := in.str(k); s != "" {
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
