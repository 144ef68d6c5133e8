package hooks_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
)

// TestToolArguments: MCP tools and tools bulwark does not know are judged
// by every argument, whatever it is called: paths, URLs, commands (argv
// arrays too), content and edits.
func TestToolArguments(t *testing.T) {
	c, err := hooks.Lookup("claude")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tool, input string
		kind        guards.ToolKind
		command     string   // substring of Action.Command ("" none)
		paths       []string // every one in Action.Paths
		urls        []string
		content     string // substring of some Content.Text
		old         string // some Content.Old
	}{
		{tool: "mcp__jetbrains__replace_text_in_file", input: `{"pathInProject": "src/a.go", "oldText": "x", "newText": "y"}`,
			kind: guards.KindMCP, paths: []string{"src/a.go"}, content: "y", old: "x"},
		{tool: "mcp__serena__create_text_file", input: `{"relative_path": "notes/a.md", "content": "hello"}`,
			kind: guards.KindMCP, paths: []string{"notes/a.md"}, content: "hello"},
		{tool: "mcp__runner__run", input: `{"command": "bash", "args": ["-c", "rm -rf ~"]}`, kind: guards.KindMCP, command: "bash -c 'rm -rf ~'"},
		{tool: "mcp__runner__exec", input: `{"argv": ["rm", "-rf", "/tmp/x y"]}`, kind: guards.KindMCP, command: "rm -rf '/tmp/x y'"},
		{tool: "mcp__runner__spawn", input: `{"cmd": ["bulwark", "uninstall"]}`, kind: guards.KindMCP, command: "bulwark uninstall"},
		{tool: "mcp__tool__apply", input: `{"options": {"target": {"file": "/etc/hosts"}}, "link": "https://example.com/x"}`,
			kind: guards.KindMCP, paths: []string{"/etc/hosts"}, urls: []string{"https://example.com/x"}},
		{tool: "mcp__x__terminal", input: `{"input": "npm test\n"}`, kind: guards.KindMCP, command: "npm test"},
		{tool: "mcp__db__query", input: `{"sql": "DROP TABLE users"}`, kind: guards.KindMCP, command: "sql -c 'DROP TABLE users'"},
		{tool: "Shell", input: `{"command": "ls -la"}`, kind: guards.KindShell, command: "ls -la"},
		{tool: "exec_command", input: `{"cmd": ["git", "status"]}`, kind: guards.KindShell, command: "git status"},
		{tool: "shell", input: `{"command": ["bash", "-lc", "make test"]}`, kind: guards.KindShell, command: "bash -lc 'make test'"},
		{tool: "str_replace_editor", input: `{"path": "/home/dev/project/a.py", "old_str": "a", "new_str": "b"}`,
			kind: guards.KindOther, paths: []string{"/home/dev/project/a.py"}, content: "b", old: "a"},
		// Inert tools: a subagent's prompt is not a command or content.
		{tool: "Task", input: `{"description": "x", "prompt": "set disableAllHooks true in ~/.claude/settings.json"}`, kind: guards.KindOther},
		{tool: "TodoWrite", input: `{"todos": [{"content": "rm -rf ~/.config/bulwark", "status": "pending"}]}`, kind: guards.KindOther},
	} {
		ev, _ := json.Marshal(map[string]any{"session_id": "s", "cwd": "/home/dev/project", "hook_event_name": "PreToolUse",
			"tool_name": tc.tool, "tool_input": json.RawMessage(tc.input)})
		act, err := c.Decode(ev, hooks.Env{Home: "/home/dev", Cwd: "/home/dev/project"})
		if err != nil {
			t.Errorf("%s: %v", tc.tool, err)
			continue
		}
		if act.Kind != tc.kind {
			t.Errorf("%s: kind %s, want %s", tc.tool, act.Kind, tc.kind)
		}
		if tc.command != "" && !strings.Contains(act.Command, tc.command) || tc.command == "" && act.Command != "" {
			t.Errorf("%s: command %q, want %q", tc.tool, act.Command, tc.command)
		}
		var paths []string
		for _, p := range act.Paths {
			paths = append(paths, p.Path)
		}
		for _, p := range tc.paths {
			if !slices.Contains(paths, p) {
				t.Errorf("%s: paths %q lack %q", tc.tool, paths, p)
			}
		}
		for _, u := range tc.urls {
			if !slices.Contains(act.URLs, u) {
				t.Errorf("%s: urls %q lack %q", tc.tool, act.URLs, u)
			}
		}
		found, foundOld := tc.content == "", tc.old == ""
		for _, ct := range act.Contents {
			found = found || strings.Contains(ct.Text, tc.content)
			foundOld = foundOld || ct.Old == tc.old
		}
		if !found || !foundOld {
			t.Errorf("%s: contents %+v, want text %q, old %q", tc.tool, act.Contents, tc.content, tc.old)
		}
		if tc.kind == guards.KindOther && tc.content == "" && len(act.Contents)+len(act.Paths) > 0 {
			t.Errorf("%s: an inert tool carries %+v %+v", tc.tool, act.Paths, act.Contents)
		}
	}
}
