package hooks

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/jsonlite"
)

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
		edits, err := newStrings(in.v.Get("edits"), "new_string")
		if err != nil {
			return fmt.Errorf("MultiEdit edits: %w", err)
		}
		for _, text := range edits {
			act.Contents = append(act.Contents, guards.Content{Path: p, Text: text})
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
		paths = append(paths, in.list(k)...)
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

// newStrings reads an array of edit objects (null: none), returning each
// one's string member key ("" when absent or null).
func newStrings(v jsonlite.Value, key string) ([]string, error) {
	switch v.Kind() {
	case jsonlite.Invalid, jsonlite.Null:
		return nil, nil
	case jsonlite.Array:
	default:
		return nil, fmt.Errorf("%s, not an array of objects", v.Kind())
	}
	var out []string
	for i := range v.Len() {
		el := v.Index(i)
		switch el.Kind() {
		case jsonlite.Null:
			out = append(out, "")
			continue
		case jsonlite.Object:
		default:
			return nil, fmt.Errorf("element %d is %s, not an object", i, el.Kind())
		}
		m := el.Get(key)
		s, ok := m.Str()
		if !ok && m.Kind() != jsonlite.Invalid && m.Kind() != jsonlite.Null {
			return nil, fmt.Errorf("element %d: %q is %s, not a string", i, key, m.Kind())
		}
		out = append(out, s)
	}
	return out, nil
}

var errNoTool = errors.New("hook input has no tool_name")
