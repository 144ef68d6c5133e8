package hooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
)

// toolInput is a tool's arguments as a JSON object.
type toolInput map[string]json.RawMessage

func parseToolInput(raw json.RawMessage) (toolInput, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return toolInput{}, nil
	}
	var in toolInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("tool_input is not a JSON object: %w", err)
	}
	return in, nil
}

// str returns a string argument ("" when absent or not a string).
func (in toolInput) str(key string) string {
	var s string
	if raw, ok := in[key]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

// need returns a required string argument.
func (in toolInput) need(tool, key string) (string, error) {
	s := in.str(key)
	if s == "" {
		return "", fmt.Errorf("%s tool_input has no %q string", tool, key)
	}
	return s, nil
}

// fillAction sets the Action's kind and the fields guards look at from a tool
// name in Claude Code's vocabulary (Codex and Gemini map theirs onto it).
func fillAction(act *guards.Action, tool string, in toolInput) error {
	switch tool {
	case "Bash", "PowerShell":
		act.Kind = guards.KindShell
		cmd, err := in.need(tool, "command")
		if err != nil {
			return err
		}
		act.Command = cmd
	case "Read", "NotebookRead":
		act.Kind = guards.KindRead
		p := in.str("file_path")
		if p == "" {
			p = in.str("notebook_path")
		}
		if p == "" {
			return fmt.Errorf("%s tool_input has no \"file_path\" string", tool)
		}
		act.Paths = []guards.PathRef{{Path: p, Access: guards.AccessRead}}
	case "Glob", "Grep", "LS":
		act.Kind = guards.KindRead
		act.Query = in.str("pattern")
		if p := in.str("path"); p != "" {
			act.Paths = []guards.PathRef{{Path: p, Access: guards.AccessRead}}
		}
	case "Write":
		act.Kind = guards.KindWrite
		p, err := in.need(tool, "file_path")
		if err != nil {
			return err
		}
		act.Paths = []guards.PathRef{{Path: p, Access: guards.AccessWrite}}
		act.Contents = []guards.Content{{Path: p, Text: in.str("content")}}
	case "Edit":
		act.Kind = guards.KindWrite
		p, err := in.need(tool, "file_path")
		if err != nil {
			return err
		}
		act.Paths = []guards.PathRef{{Path: p, Access: guards.AccessWrite}}
		act.Contents = []guards.Content{{Path: p, Text: in.str("new_string")}}
	case "MultiEdit":
		act.Kind = guards.KindWrite
		p, err := in.need(tool, "file_path")
		if err != nil {
			return err
		}
		act.Paths = []guards.PathRef{{Path: p, Access: guards.AccessWrite}}
		var edits []struct {
			NewString string `json:"new_string"`
		}
		if raw, ok := in["edits"]; ok {
			if err := json.Unmarshal(raw, &edits); err != nil {
				return fmt.Errorf("MultiEdit edits: %w", err)
			}
		}
		for _, e := range edits {
			act.Contents = append(act.Contents, guards.Content{Path: p, Text: e.NewString})
		}
	case "NotebookEdit":
		act.Kind = guards.KindWrite
		p, err := in.need(tool, "notebook_path")
		if err != nil {
			return err
		}
		act.Paths = []guards.PathRef{{Path: p, Access: guards.AccessWrite}}
		act.Contents = []guards.Content{{Path: p, Text: in.str("new_source")}}
	case "WebFetch":
		act.Kind = guards.KindFetch
		u, err := in.need(tool, "url")
		if err != nil {
			return err
		}
		act.URLs = []string{u}
	case "WebSearch":
		act.Kind = guards.KindSearch
		act.Query = in.str("query")
	default:
		if strings.HasPrefix(tool, "mcp__") {
			act.Kind = guards.KindMCP
			fillMCP(act, tool, in)
			return nil
		}
		act.Kind = guards.KindOther
	}
	return nil
}

// Well-known MCP argument names. MCP tools take arbitrary arguments; these
// are the names file, shell and fetch servers use in practice.
var (
	mcpCommandKeys = []string{"command", "cmd", "script", "shell_command"}
	mcpPathKeys    = []string{"path", "file_path", "filepath", "file", "filename", "source", "destination", "target", "dir", "directory"}
	mcpPathsKeys   = []string{"paths", "files"}
	mcpURLKeys     = []string{"url", "uri", "href", "endpoint"}
	mcpSQLKeys     = []string{"sql", "query", "statement", "stmt"}
	mcpContentKeys = []string{"content", "contents", "text", "new_string", "data", "body"}
)

// fillMCP reads an MCP tool's arguments by well-known names. Whether a path
// is read or written is guessed from the tool's name; when unclear it counts
// as both, so read guards (secrets) and write guards (tamper) both see it.
func fillMCP(act *guards.Action, tool string, in toolInput) {
	name := strings.ToLower(tool[strings.LastIndex(tool, "__")+2:])
	access := guards.AccessReadWrite
	switch {
	case containsAny(name, "write", "edit", "create", "delete", "remove", "move", "rename", "update", "append", "put", "save"):
		access = guards.AccessWrite
	case containsAny(name, "read", "get", "cat", "view", "open", "show", "list", "search", "find", "tree", "stat", "info", "download"):
		access = guards.AccessRead
	}
	for _, k := range mcpCommandKeys {
		if s := in.str(k); s != "" {
			act.Command = s
			break
		}
	}
	// Database servers take SQL as an argument. It is given to guards as the
	// command `sql -c 'TEXT'` (the database pack judges `sql` like psql).
	if act.Command == "" && containsAny(strings.ToLower(tool), "sql", "query", "postgres", "mysql", "sqlite", "database", "db", "supabase", "mongo") {
		for _, k := range mcpSQLKeys {
			if s := in.str(k); s != "" {
				act.Command = "sql -c '" + strings.ReplaceAll(s, "'", `'\''`) + "'"
				break
			}
		}
	}
	var paths []string
	for _, k := range mcpPathKeys {
		if s := in.str(k); s != "" {
			paths = append(paths, s)
		}
	}
	for _, k := range mcpPathsKeys {
		var list []string
		if raw, ok := in[k]; ok && json.Unmarshal(raw, &list) == nil {
			paths = append(paths, list...)
		}
	}
	for _, p := range paths {
		act.Paths = append(act.Paths, guards.PathRef{Path: p, Access: access})
	}
	for _, k := range mcpURLKeys {
		if s := in.str(k); s != "" {
			act.URLs = append(act.URLs, s)
		}
	}
	for _, k := range mcpContentKeys {
		if s := in.str(k); s != "" {
			p := ""
			if len(paths) > 0 {
				p = paths[0]
			}
			act.Contents = append(act.Contents, guards.Content{Path: p, Text: s})
		}
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// outputText flattens a tool's response into the text guards examine: a
// string as it is, an object's or array's string values joined by newlines
// (stdout, stderr, file contents ...), bounded by MaxOutputText.
func outputText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return clipBytes(string(raw), MaxOutputText)
	}
	var b strings.Builder
	collectStrings(&b, v, 0)
	return clipBytes(b.String(), MaxOutputText)
}

func collectStrings(b *strings.Builder, v any, depth int) {
	if depth > 32 || b.Len() > MaxOutputText {
		return
	}
	switch x := v.(type) {
	case string:
		if x != "" {
			b.WriteString(x)
			b.WriteByte('\n')
		}
	case []any:
		for _, e := range x {
			collectStrings(b, e, depth+1)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			collectStrings(b, x[k], depth+1)
		}
	}
}

func clipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

var errNoTool = errors.New("hook input has no tool_name")
