package hooks

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/report"
)

func init() { register(claude{}) }

// claude speaks Claude Code's PreToolUse/PostToolUse protocol.
type claude struct{}

func (claude) Name() string { return "claude" }

// claudeEvent is the hook input Claude Code (and Codex) send.
type claudeEvent struct {
	SessionID      string          `json:"session_id"`
	TranscriptPath string          `json:"transcript_path"`
	Cwd            string          `json:"cwd"`
	PermissionMode string          `json:"permission_mode"`
	HookEventName  string          `json:"hook_event_name"`
	ToolName       string          `json:"tool_name"`
	ToolInput      json.RawMessage `json:"tool_input"`
	ToolUseID      string          `json:"tool_use_id"`
	ToolResponse   json.RawMessage `json:"tool_response"`
	Source         string          `json:"source"`    // ConfigChange
	FilePath       string          `json:"file_path"` // ConfigChange
}

// ConfigChange is Claude Code's event for a settings file that changed on
// disk (source: user_settings, project_settings, local_settings,
// policy_settings, skills; file_path). Blocking it keeps the change out of
// the running session; it does not undo the write.
const ConfigChange guards.Event = "ConfigChange"

func (c claude) Decode(data []byte, env Env) (guards.Action, error) {
	return decodeClaudeShape(c.Name(), data, env)
}

// decodeClaudeShape decodes the event shape Claude Code and Codex share.
// Tools named in raw are only decoded up to their raw input; the caller
// interprets it.
func decodeClaudeShape(client string, data []byte, env Env, raw ...string) (guards.Action, error) {
	var ev claudeEvent
	if err := decodeStrict(data, &ev); err != nil {
		return guards.Action{}, err
	}
	act := guards.Action{
		Client: client, EventName: ev.HookEventName, Tool: ev.ToolName, SessionID: ev.SessionID, ToolUseID: ev.ToolUseID,
		Cwd: ev.Cwd, Home: env.Home, Input: ev.ToolInput, PermissionMode: ev.PermissionMode,
	}
	if act.Cwd == "" {
		act.Cwd = env.Cwd
	}
	switch ev.HookEventName {
	case "PreToolUse":
		act.Event = guards.PreToolUse
	case "PostToolUse":
		act.Event = guards.PostToolUse
		act.Output = outputText(ev.ToolResponse)
		act.Response = ev.ToolResponse
	case "ConfigChange":
		// A settings file changed on disk (Claude Code's file watcher);
		// the hook judges the change, not a tool call.
		if client != "claude" {
			break
		}
		act.Event, act.Kind, act.Tool = ConfigChange, guards.KindOther, "ConfigChange"
		act.Query = ev.Source
		if ev.FilePath != "" {
			act.Paths = []guards.PathRef{{Path: ev.FilePath, Access: guards.AccessWrite}}
		}
		return act, nil
	case "":
		return guards.Action{}, fmt.Errorf("hook input has no hook_event_name")
	default:
		return guards.Action{}, fmt.Errorf("unsupported hook event %q (bulwark handles PreToolUse and PostToolUse)", ev.HookEventName)
	}
	if ev.ToolName == "" {
		return guards.Action{}, errNoTool
	}
	in, err := parseToolInput(ev.ToolInput)
	if err != nil {
		return guards.Action{}, err
	}
	for _, r := range raw {
		if ev.ToolName == r {
			return act, nil
		}
	}
	if err := fillAction(&act, ev.ToolName, in); err != nil {
		return guards.Action{}, err
	}
	return act, nil
}

type claudeSpecific struct {
	HookEventName            string          `json:"hookEventName"`
	PermissionDecision       string          `json:"permissionDecision,omitempty"`
	PermissionDecisionReason string          `json:"permissionDecisionReason,omitempty"`
	AdditionalContext        string          `json:"additionalContext,omitempty"`
	UpdatedToolOutput        json.RawMessage `json:"updatedToolOutput,omitempty"`
	UpdatedMCPToolOutput     json.RawMessage `json:"updatedMCPToolOutput,omitempty"`
}

type claudeOutput struct {
	Decision           string          `json:"decision,omitempty"`
	Reason             string          `json:"reason,omitempty"`
	HookSpecificOutput *claudeSpecific `json:"hookSpecificOutput,omitempty"`
}

// Encode never emits permissionDecision "allow": that would silently skip
// the user's own permission prompts. Allow is `{}`.
func (claude) Encode(act *guards.Action, v *guards.Verdict) Result {
	out := claudeOutput{}
	spec := &claudeSpecific{HookEventName: string(act.Event)}
	switch {
	case act.Event == ConfigChange:
		if v.Decision >= guards.Ask {
			out.Decision, out.Reason = "block", report.Reason(v, act)
		}
		return Result{Stdout: marshal(out), Exit: ExitAllow}
	case act.Event == guards.PostToolUse && v.Flag:
		// decision "block" only adds feedback next to the output; what keeps
		// a secret from the model is updatedToolOutput, in the tool's own
		// shape (Claude Code drops anything else), with secrets masked or
		// the text withheld (act.Replacement, set by the hook).
		out.Decision, out.Reason = "block", report.Reason(v, act)
		spec.AdditionalContext = report.PostContext(v)
		if len(act.Replacement) > 0 {
			spec.UpdatedToolOutput = act.Replacement
			if act.Kind == guards.KindMCP {
				spec.UpdatedMCPToolOutput = act.Replacement // the older key, for builds that read only it
			}
		}
		out.HookSpecificOutput = spec
	case act.Event == guards.PostToolUse && v.Decision == guards.Warn:
		spec.AdditionalContext = report.Caution(v)
		out.HookSpecificOutput = spec
	case v.Decision == guards.Ask && NoHumanToAsk(act):
		spec.PermissionDecision = "deny"
		spec.PermissionDecisionReason = report.AskAsDeny(v, act, noAskReason(act, "Claude Code"))
		out.HookSpecificOutput = spec
	case v.Decision == guards.Deny || v.Decision == guards.Ask:
		spec.PermissionDecision = v.Decision.String()
		spec.PermissionDecisionReason = report.Reason(v, act)
		out.HookSpecificOutput = spec
	case v.Decision == guards.Warn:
		spec.AdditionalContext = report.Caution(v)
		out.HookSpecificOutput = spec
	}
	return Result{Stdout: marshal(out), Exit: ExitAllow}
}

// marshal encodes an answer as one JSON line, without HTML escaping so that
// reasons stay readable (`<`, `>` and `&` are common in commands).
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Unreachable for these plain structs; never print broken JSON.
		return []byte("{}\n")
	}
	return b.Bytes()
}
