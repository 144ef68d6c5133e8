package hooks

import (
	"encoding/json"
	"fmt"

	"github.com/bulwark-guard/bulwark/guards"
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

type cursorEvent struct {
	ConversationID string          `json:"conversation_id"`
	GenerationID   string          `json:"generation_id"`
	HookEventName  string          `json:"hook_event_name"`
	WorkspaceRoots []string        `json:"workspace_roots"`
	Command        string          `json:"command"`
	Cwd            string          `json:"cwd"`
	FilePath       string          `json:"file_path"`
	Content        string          `json:"content"`
	ToolName       string          `json:"tool_name"`
	ToolInput      json.RawMessage `json:"tool_input"`
	ToolUseID      string          `json:"tool_use_id"`
	URL            string          `json:"url"`
	Edits          []struct {
		OldString string `json:"old_string"`
		NewString string `json:"new_string"`
	} `json:"edits"`
}

// cursorLabel names the tool behind each Cursor event, for reasons and logs.
var cursorLabel = map[string]string{"beforeShellExecution": "Shell", "beforeReadFile": "Read", "afterFileEdit": "Edit",
	"beforeMCPExecution": "MCP", "preToolUse": "tool"}

// Cursor's own tool names for preToolUse, mapped onto Claude Code's.
var cursorTools = map[string]string{"Shell": "Bash", "Read": "Read", "Write": "Write", "Edit": "Edit",
	"StrReplace": "Edit", "Grep": "Grep", "Glob": "Glob", "Delete": "Write"}

func (cursor) Decode(data []byte, env Env) (guards.Action, error) {
	var ev cursorEvent
	if err := decodeStrict(data, &ev); err != nil {
		return guards.Action{}, err
	}
	act := guards.Action{Client: "cursor", Event: guards.PreToolUse, EventName: ev.HookEventName, Tool: cursorLabel[ev.HookEventName],
		SessionID: ev.ConversationID, ToolUseID: ev.GenerationID, Cwd: ev.Cwd, Home: env.Home}
	if act.Cwd == "" && len(ev.WorkspaceRoots) > 0 {
		act.Cwd = ev.WorkspaceRoots[0]
	}
	if act.Cwd == "" {
		act.Cwd = env.Cwd
	}
	switch ev.HookEventName {
	case "beforeShellExecution":
		if ev.Command == "" {
			return act, fmt.Errorf("beforeShellExecution input has no command")
		}
		act.Kind, act.Command = guards.KindShell, ev.Command
		act.Input, _ = json.Marshal(map[string]string{"command": ev.Command})
	case "beforeReadFile":
		if ev.FilePath == "" {
			return act, fmt.Errorf("beforeReadFile input has no file_path")
		}
		act.Kind = guards.KindRead
		act.Paths = []guards.PathRef{{Path: ev.FilePath, Access: guards.AccessRead}}
		act.Input, _ = json.Marshal(map[string]string{"file_path": ev.FilePath})
	case "afterFileEdit":
		act.Kind = guards.KindWrite
		act.Paths = []guards.PathRef{{Path: ev.FilePath, Access: guards.AccessWrite}}
		for _, e := range ev.Edits {
			act.Contents = append(act.Contents, guards.Content{Path: ev.FilePath, Text: e.NewString})
		}
		act.Input, _ = json.Marshal(map[string]string{"file_path": ev.FilePath})
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
		act.Input = ev.ToolInput
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
		act.Tool, act.ToolUseID, act.Input = ev.ToolName, ev.ToolUseID, ev.ToolInput
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
func cursorToolInput(raw json.RawMessage) (toolInput, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	return parseToolInput(raw)
}

type cursorOutput struct {
	Permission   string `json:"permission,omitempty"`
	UserMessage  string `json:"user_message,omitempty"`
	AgentMessage string `json:"agent_message,omitempty"`
}

func (cursor) Encode(act *guards.Action, v *guards.Verdict) Result {
	out := cursorOutput{}
	if act.EventName == "afterFileEdit" {
		// The edit is done; Cursor takes no decision here. The audit log has it.
		return Result{Stdout: marshal(out), Exit: ExitAllow}
	}
	switch v.Decision {
	case guards.Deny, guards.Ask:
		out.Permission = v.Decision.String()
		reason := report.Reason(v, act)
		if v.Decision == guards.Ask && NoHumanToAsk(act) {
			out.Permission = "deny"
			reason = report.AskAsDeny(v, act, noAskReason(act, "Cursor"))
		}
		out.UserMessage, out.AgentMessage = reason, reason
	case guards.Warn:
		out.AgentMessage = report.Caution(v)
	}
	return Result{Stdout: marshal(out), Exit: ExitAllow}
}
