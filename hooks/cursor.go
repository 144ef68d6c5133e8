package hooks

import (
	"encoding/json"
	"fmt"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/jsonlite"
	"github.com/bulwark-guard/bulwark/report"
)

func init() { register(cursor{}) }

// cursor speaks Cursor's hooks (hooks.json version 1): beforeShellExecution,
// beforeMCPExecution, beforeReadFile, preToolUse and afterFileEdit, answered
// with flat {"permission","user_message","agent_message"}. Cursor wants JSON
// on every path, so allow is `{}`. ask is enforced only for shell and MCP
// events; elsewhere bulwark turns ask into deny rather than let it pass.
type cursor struct{}

func (cursor) Name() string { return "cursor" }

// cursorLabel names the tool behind each Cursor event, for reasons and logs.
var cursorLabel = map[string]string{"beforeShellExecution": "Shell", "beforeReadFile": "Read", "afterFileEdit": "Edit",
	"beforeMCPExecution": "MCP", "preToolUse": "tool"}

// Cursor's own tool names for preToolUse, mapped onto Claude Code's.
var cursorTools = map[string]string{"Shell": "Bash", "Read": "Read", "Write": "Write", "Edit": "Edit",
	"StrReplace": "Edit", "Grep": "Grep", "Glob": "Glob", "Delete": "Write"}

func (cursor) Decode(data []byte, env Env) (guards.Action, error) {
	e, err := parseEvent(data)
	if err != nil {
		return guards.Action{}, err
	}
	ev := struct {
		ConversationID, GenerationID, HookEventName, Command, Cwd, FilePath, Content, ToolName, ToolUseID, URL string
		WorkspaceRoots                                                                                         []string
		ToolInput                                                                                              jsonlite.Value
		Edits                                                                                                  []string
	}{
		ConversationID: e.str("conversation_id"), GenerationID: e.str("generation_id"), HookEventName: e.str("hook_event_name"),
		Command: e.str("command"), Cwd: e.str("cwd"), FilePath: e.str("file_path"), Content: e.str("content"),
		ToolName: e.str("tool_name"), ToolUseID: e.str("tool_use_id"), URL: e.str("url"),
		WorkspaceRoots: e.strs("workspace_roots"), ToolInput: e.get("tool_input"),
	}
	if e.err != nil {
		return guards.Action{}, e.err
	}
	if ev.Edits, err = newStrings(e.get("edits"), "new_string"); err != nil {
		return guards.Action{}, fmt.Errorf("hook input: edits: %w", err)
	}
	act := guards.Action{Client: "cursor", Event: guards.PreToolUse, EventName: ev.HookEventName, Tool: cursorLabel[ev.HookEventName],
		SessionID: ev.ConversationID, ToolUseID: ev.GenerationID, Cwd: ev.Cwd, Home: env.Home}
	if act.Cwd == "" && len(ev.WorkspaceRoots) > 0 {
		act.Cwd = ev.WorkspaceRoots[0]
	}
	if act.Cwd == "" {
		act.Cwd = env.cwd()
	}
	switch ev.HookEventName {
	case "beforeShellExecution":
		if ev.Command == "" {
			return act, fmt.Errorf("beforeShellExecution input has no command")
		}
		act.Kind, act.Command = guards.KindShell, ev.Command
		act.Input = rawObject("command", ev.Command)
	case "beforeReadFile":
		if ev.FilePath == "" {
			return act, fmt.Errorf("beforeReadFile input has no file_path")
		}
		act.Kind = guards.KindRead
		act.Paths = []guards.PathRef{{Path: ev.FilePath, Access: guards.AccessRead}}
		act.Input = rawObject("file_path", ev.FilePath)
	case "afterFileEdit":
		act.Kind = guards.KindWrite
		act.Paths = []guards.PathRef{{Path: ev.FilePath, Access: guards.AccessWrite}}
		for _, text := range ev.Edits {
			act.Contents = append(act.Contents, guards.Content{Path: ev.FilePath, Text: text})
		}
		act.Input = rawObject("file_path", ev.FilePath)
	case "beforeMCPExecution":
		act.Kind, act.Tool = guards.KindMCP, "mcp__"+ev.ToolName
		in, err := cursorToolInput(ev.ToolInput)
		if err != nil {
			return act, err
		}
		fillMCP(&act, act.Tool, in)
		if ev.URL != "" {
			act.URLs = append(act.URLs, ev.URL)
		}
		act.Input = e.raw(ev.ToolInput)
	case "preToolUse":
		in, err := cursorToolInput(ev.ToolInput)
		if err != nil {
			return act, err
		}
		tool := ev.ToolName
		if t, ok := cursorTools[tool]; ok {
			tool = t
		} else if len(tool) > 4 && tool[:4] == "MCP:" {
			tool = "mcp__" + tool[4:]
		}
		act.Tool, act.ToolUseID, act.Input = ev.ToolName, ev.ToolUseID, e.raw(ev.ToolInput)
		if err := fillAction(&act, tool, in); err != nil {
			return act, err
		}
	case "":
		return act, fmt.Errorf("hook input has no hook_event_name")
	default:
		return act, fmt.Errorf("unsupported Cursor hook event %q", ev.HookEventName)
	}
	return act, nil
}

// cursorToolInput accepts tool_input as an object or as a JSON string
// holding one (beforeMCPExecution sends the latter).
func cursorToolInput(v jsonlite.Value) (toolInput, error) {
	if s, ok := v.Str(); ok {
		if s == "" {
			return toolInput{}, nil
		}
		inner, err := jsonlite.Parse(s)
		if err != nil {
			return toolInput{}, fmt.Errorf("tool_input is not a JSON object: %w", inputError([]byte(s), err))
		}
		v = inner
	}
	return parseToolInput(v)
}

// rawObject is {"key":"value"}, for an Action's raw input.
func rawObject(key, value string) json.RawMessage {
	w := jsonlite.Writer{}
	w.Begin()
	w.StringMember(key, value)
	w.End()
	return w.B
}

func (cursor) Encode(act *guards.Action, v *guards.Verdict) Result {
	var permission, user, agent string
	if act.EventName == "afterFileEdit" {
		// The edit is done; Cursor takes no decision here. The audit log has it.
		return Result{Stdout: answer(nil, "", 0, nil), Exit: ExitAllow}
	}
	switch v.Decision {
	case guards.Deny, guards.Ask:
		permission = v.Decision.String()
		reason := report.Reason(v, act)
		if v.Decision == guards.Ask && NoHumanToAsk(act) {
			permission = "deny"
			reason = report.AskAsDeny(v, act, noAskReason(act, "Cursor"))
		}
		user, agent = reason, reason
	case guards.Warn:
		agent = report.Caution(v)
	case guards.Allow:
		if len(v.Notes) > 0 {
			agent = report.Caution(v)
		}
	}
	if user == "" && v.Decision < guards.Deny {
		user = report.Notes(v, true)
	}
	return Result{Stdout: answer([]string{"permission", permission, "user_message", user, "agent_message", agent}, "", 0, nil), Exit: ExitAllow}
}
