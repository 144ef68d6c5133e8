package hooks

import (
	"encoding/json"
	"fmt"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/jsonlite"
	"github.com/bulwark-guard/bulwark/report"
)

func init() { register(claude{}) }

// claude speaks Claude Code's PreToolUse/PostToolUse protocol.
type claude struct{}

func (claude) Name() string { return "claude" }

// ConfigChange is Claude Code's event for a settings file that changed on
// disk (source: user_settings, project_settings, local_settings,
// policy_settings, skills; file_path). Blocking it keeps the change out of
// the running session; it does not undo the write.
const ConfigChange guards.Event = "ConfigChange"

func (c claude) Decode(data []byte, env Env) (guards.Action, error) {
	act, _, err := decodeClaudeShape(c.Name(), data, env)
	return act, err
}

// decodeClaudeShape decodes the event shape Claude Code and Codex share.
// Tools named in raw are only decoded up to their input, which is returned
// for the caller to interpret.
func decodeClaudeShape(client string, data []byte, env Env, rawTools ...string) (guards.Action, toolInput, error) {
	ev, err := parseEvent(data)
	if err != nil {
		return guards.Action{}, toolInput{}, err
	}
	name, tool := ev.str("hook_event_name"), ev.str("tool_name")
	act := guards.Action{
		Client: client, EventName: name, Tool: tool, SessionID: ev.str("session_id"), ToolUseID: ev.str("tool_use_id"),
		Cwd: ev.str("cwd"), Home: env.Home, Input: ev.raw(ev.get("tool_input")), PermissionMode: ev.str("permission_mode"),
	}
	source, filePath := ev.str("source"), ev.str("file_path") // ConfigChange
	ev.str("transcript_path")                                 // checked for type, though not used
	if ev.err != nil {
		return guards.Action{}, toolInput{}, ev.err
	}
	if act.Cwd == "" {
		act.Cwd = env.cwd()
	}
	switch name {
	case "PreToolUse":
		act.Event = guards.PreToolUse
	case "PostToolUse":
		act.Event = guards.PostToolUse
		act.Output = outputText(ev.get("tool_response"))
		act.Response = ev.raw(ev.get("tool_response"))
	case "ConfigChange":
		// A settings file changed on disk (Claude Code's file watcher);
		// the hook judges the change, not a tool call.
		if client != "claude" {
			break
		}
		act.Event, act.Kind, act.Tool = ConfigChange, guards.KindOther, "ConfigChange"
		act.Query = source
		if filePath != "" {
			act.Paths = []guards.PathRef{{Path: filePath, Access: guards.AccessWrite}}
		}
		return act, toolInput{}, nil
	case "":
		return guards.Action{}, toolInput{}, fmt.Errorf("hook input has no hook_event_name")
	default:
		return guards.Action{}, toolInput{}, fmt.Errorf("unsupported hook event %q (bulwark handles PreToolUse and PostToolUse)", name)
	}
	if tool == "" {
		return guards.Action{}, toolInput{}, errNoTool
	}
	in, err := parseToolInput(ev.get("tool_input"))
	if err != nil {
		return guards.Action{}, toolInput{}, err
	}
	for _, r := range rawTools {
		if tool == r {
			return act, in, nil
		}
	}
	if err := fillAction(&act, tool, in); err != nil {
		return guards.Action{}, toolInput{}, err
	}
	return act, in, nil
}

// Encode never emits permissionDecision "allow": that would silently skip
// the user's own permission prompts. Allow is `{}`.
func (claude) Encode(act *guards.Action, v *guards.Verdict) Result {
	var decision, reason, permission, permissionReason, context string
	var updated json.RawMessage
	nested := true
	switch {
	case act.Event == ConfigChange:
		if v.Decision >= guards.Ask {
			decision, reason = "block", report.Reason(v, act)
		}
		nested = false
	case act.Event == guards.PostToolUse && v.Flag:
		// decision "block" only adds feedback next to the output; what keeps
		// a secret from the model is updatedToolOutput, in the tool's own
		// shape (Claude Code drops anything else), with secrets masked or
		// the text withheld (act.Replacement, set by the hook).
		// The block reason goes to the model too, and quotes the evidence:
		// with a replacement, only the titles (PostContext) are sent.
		context = report.PostContext(v)
		updated = act.Replacement
		if len(updated) == 0 || !jsonlite.Valid(updated) {
			updated = nil
			decision, reason = "block", report.Reason(v, act)
		}
	case act.Event == guards.PostToolUse && v.Decision == guards.Warn:
		context = report.Caution(v)
	case v.Decision == guards.Ask && NoHumanToAsk(act):
		permission = "deny"
		permissionReason = report.AskAsDeny(v, act, noAskReason(act, "Claude Code"))
	case v.Decision == guards.Deny || v.Decision == guards.Ask:
		permission = v.Decision.String()
		permissionReason = report.Reason(v, act)
	case v.Decision == guards.Warn, v.Decision == guards.Allow && len(v.Notes) > 0:
		context = report.Caution(v)
	default:
		nested = false
	}
	var system string
	if act.Event == guards.PreToolUse && v.Decision <= guards.Warn {
		system = report.Notes(v, true) // a backup that failed or was cut short (an ask's reason has it)
	}
	w := jsonlite.Writer{B: make([]byte, 0, 256+len(reason)+len(permissionReason)+len(context)+len(updated))}
	w.Begin()
	w.OmitEmpty("decision", decision)
	w.OmitEmpty("reason", reason)
	w.OmitEmpty("systemMessage", system)
	if nested {
		w.Key("hookSpecificOutput")
		w.Begin()
		w.StringMember("hookEventName", string(act.Event))
		w.OmitEmpty("permissionDecision", permission)
		w.OmitEmpty("permissionDecisionReason", permissionReason)
		w.OmitEmpty("additionalContext", context)
		if len(updated) > 0 && jsonlite.Valid(updated) {
			w.Key("updatedToolOutput")
			w.Raw(updated)
			if act.Kind == guards.KindMCP {
				w.Key("updatedMCPToolOutput") // the older key, for builds that read only it
				w.Raw(updated)
			}
		}
		w.End()
	}
	w.End()
	return Result{Stdout: append(w.B, '\n'), Exit: ExitAllow}
}
