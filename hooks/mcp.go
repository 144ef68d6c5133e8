package hooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/jsonlite"
)

// MCPToolName is the name the hook knows an MCP tool by, as Claude Code
// names it: mcp__SERVER__TOOL.
func MCPToolName(server, tool string) string { return "mcp__" + server + "__" + tool }

// ToolCall decodes one tool call that did not come through a client's hook
// (bulwark's MCP proxy and server): tool is in Claude Code's vocabulary
// (Bash, Read, Write, Edit, ... or mcp__SERVER__TOOL) and input its
// arguments as JSON (empty or null: none). The input is read exactly as the
// hook reads a tool_input: an object with a key twice, or two keys that
// differ only in case, is refused, since the tool itself may read either
// one. The Action is a PreToolUse of client; the caller sets the session
// and anything else it knows.
func ToolCall(client, tool string, input []byte, env Env) (guards.Action, error) {
	if tool == "" {
		return guards.Action{}, errNoTool
	}
	v := jsonlite.Value{}
	if len(strings.TrimSpace(string(input))) > 0 {
		var err error
		if v, err = jsonlite.Parse(string(input)); err != nil {
			var amb *jsonlite.AmbiguousKeyError
			if errors.As(err, &amb) {
				return guards.Action{}, fmt.Errorf("%s arguments are ambiguous: %v", tool, amb)
			}
			return guards.Action{}, fmt.Errorf("%s arguments are not valid JSON: %w", tool, err)
		}
	}
	in, err := parseToolInput(v)
	if err != nil {
		return guards.Action{}, fmt.Errorf("%s: %w", tool, err)
	}
	act := guards.Action{Client: client, Event: guards.PreToolUse, EventName: "PreToolUse", Tool: tool,
		Cwd: env.Cwd, Home: env.Home}
	if v.Kind() != jsonlite.Invalid {
		act.Input = json.RawMessage(v.Raw())
	}
	if err := fillAction(&act, tool, in); err != nil {
		return guards.Action{}, err
	}
	return act, nil
}
