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
		p := in.opt(tool, "file_path")
		if p == "" {
			p = in.opt(tool, "notebook_path")
		}
		if err := in.typeErr(); err != nil {
			return err
		}
		if p == "" {
			return fmt.Errorf("%s tool_input has no \"file_path\" string", tool)
		}
		act.Paths = []guards.PathRef{{Path: p, Access: guards.AccessRead}}
	case "Glob", "Grep", "LS":
		act.Kind = guards.KindRead
		act.Query = in.opt(tool, "pattern")
		if p := in.opt(tool, "path"); p != "" {
			act.Paths = []guards.PathRef{{Path: p, Access: guards.AccessRead}}
		}
	case "Write":
		act.Kind = guards.KindWrite
		p, err := in.need(tool, "file_path")
		if err != nil {
			return err
		}
		act.Paths = []guards.PathRef{{Path: p, Access: guards.AccessWrite}}
		act.Contents = []guards.Content{{Path: p, Text: in.text("content")}}
	case "Edit":
		act.Kind = guards.KindWrite
		p, err := in.need(tool, "file_path")
		if err != nil {
			return err
		}
		act.Paths = []guards.PathRef{{Path: p, Access: guards.AccessWrite}}
		act.Contents = []guards.Content{{Path: p, Text: in.text("new_string"), Old: in.text("old_string"), All: in.flag("replace_all")}}
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
		olds, _ := newStrings(in.v.Get("edits"), "old_string")
		ev := in.v.Get("edits")
		for i, text := range edits {
			c := guards.Content{Path: p, Text: text}
			if i < len(olds) {
				c.Old = olds[i]
				c.All = isTrue(ev.Index(i).Get("replace_all"))
			}
			act.Contents = append(act.Contents, c)
		}
	case "NotebookEdit":
		act.Kind = guards.KindWrite
		p, err := in.need(tool, "notebook_path")
		if err != nil {
			return err
		}
		act.Paths = []guards.PathRef{{Path: p, Access: guards.AccessWrite}}
		act.Contents = []guards.Content{{Path: p, Text: in.text("new_source")}}
	case "WebFetch":
		act.Kind = guards.KindFetch
		u, err := in.need(tool, "url")
		if err != nil {
			return err
		}
		act.URLs = []string{u}
	case "WebSearch":
		act.Kind = guards.KindSearch
		act.Query = in.opt(tool, "query")
	default:
		if strings.HasPrefix(tool, "mcp__") {
			act.Kind = guards.KindMCP
			fillMCP(act, tool, in)
			return nil
		}
		fillUnknown(act, tool, in)
	}
	return in.typeErr()
}

// flag returns a boolean argument (false when absent or not a boolean).
func (in toolInput) flag(key string) bool { return isTrue(in.v.Get(key)) }

func isTrue(v jsonlite.Value) bool { return v.Kind() == jsonlite.Bool && v.Raw() == "true" }

// inert are Claude Code tools that act on nothing a guard judges (a
// subagent's prompt, a todo list, a question to the user): their text is
// not a command, a path or file content.
var inert = map[string]bool{"Task": true, "Agent": true, "TodoWrite": true, "ExitPlanMode": true, "EnterPlanMode": true,
	"AskUserQuestion": true, "BashOutput": true, "TaskOutput": true, "KillShell": true, "KillBash": true,
	"SlashCommand": true, "Skill": true, "ListMcpResourcesTool": true}

// fillUnknown judges a tool bulwark does not know by its arguments, the
// way an MCP tool is judged: one carrying a command (`Shell`, `bash`,
// `exec_command`) is a shell call; one with paths, URLs or content is
// judged by them. Unknown never means harmless.
func fillUnknown(act *guards.Action, tool string, in toolInput) {
	act.Kind = guards.KindOther
	if inert[tool] {
		return
	}
	fillArgs(act, tool, in)
	if act.Command != "" {
		act.Kind = guards.KindShell
	}
}

// fillMCP reads an MCP tool's arguments (see fillArgs).
func fillMCP(act *guards.Action, tool string, in toolInput) { fillArgs(act, tool, in) }

// Bounds of the argument walk: deeper or more is not read (the hook's input
// is bounded too, by MaxInput).
const (
	maxArgDepth   = 8
	maxArgStrings = 512
)

// What argument names say about their values, matched on the lower-cased
// name without '_' and '-' (filePath, file_path and file-path alike).
var (
	commandKeys = []string{"command", "cmd", "script", "shellcommand", "commandline", "cmdline", "bash", "shell", "exec", "run", "argv"}
	pathWords   = []string{"path", "file", "dir", "folder", "target", "source", "destination", "dest", "src", "dst", "location", "root", "cwd", "workdir", "workingdirectory"}
	urlWords    = []string{"url", "uri", "href", "endpoint", "link"}
	sqlKeys     = []string{"sql", "query", "statement", "stmt"}
	contentKeys = []string{"content", "contents", "text", "newstring", "newtext", "newstr", "data", "body", "filetext",
		"newsource", "inserttext", "replacement", "patch", "diff", "code", "value", "input", "payload", "json", "toml", "yaml", "settings", "config"}
	oldKeys = []string{"oldstring", "oldtext", "oldstr", "search", "find", "pattern"}
)

func keyName(k string) string {
	return strings.NewReplacer("_", "", "-", "", ".", "").Replace(strings.ToLower(k))
}

func keyIs(k string, names []string) bool {
	for _, n := range names {
		if k == n {
			return true
		}
	}
	return false
}

func keyHas(k string, words []string) bool {
	for _, w := range words {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// argWalk collects what a tool's arguments hold.
type argWalk struct {
	// terminal: a tool that runs or types what it is given (a terminal,
	// a process's input): its text arguments are commands too.
	terminal bool
	commands []string
	paths    []string
	urls     []string
	contents []guards.Content
	sql      []string
	n        int
}

// fillArgs judges every argument of a tool bulwark has no description of
// (an MCP tool, an unknown tool), at any depth: a string that looks like a
// path, a URL or a command, or whose name says so, is one; an array of
// strings under a command name (or `args` beside a `command`) is an argv;
// {old, new} pairs are edits; text under a content name is content written
// to the tool's path. Whether paths are read or written is guessed from the
// tool's name; when unclear they count as both, so that read guards
// (secrets) and write guards (tamper) both see them.
func fillArgs(act *guards.Action, tool string, in toolInput) {
	name := strings.ToLower(tool[strings.LastIndex(tool, "__")+1:])
	access := guards.AccessReadWrite
	switch {
	case containsAny(name, "write", "edit", "create", "delete", "remove", "move", "rename", "update", "append", "put", "save", "replace", "insert", "patch", "copy", "mkdir", "upload"):
		access = guards.AccessWrite
	case containsAny(name, "read", "get", "cat", "view", "open", "show", "list", "search", "find", "tree", "stat", "info", "download", "fetch", "query"):
		access = guards.AccessRead
	}
	w := &argWalk{terminal: containsAny(name, "terminal", "shell", "exec", "command", "console", "tty", "pty", "process", "repl", "run")}
	w.object(in.v, 0)
	if len(w.commands) > 0 {
		act.Command = strings.Join(w.commands, "\n")
	}
	// Database servers take SQL as an argument: it is given to guards as
	// the command `sql -c 'TEXT'` (the database pack judges `sql` like psql).
	if act.Command == "" && len(w.sql) > 0 && containsAny(strings.ToLower(tool), "sql", "query", "postgres", "mysql", "sqlite", "database", "db", "supabase", "mongo") {
		act.Command = "sql -c '" + strings.ReplaceAll(w.sql[0], "'", `'\''`) + "'"
	} else if act.Command == "" && len(w.sql) > 0 {
		for _, q := range w.sql {
			w.contents = append(w.contents, guards.Content{Text: q})
		}
	}
	for _, p := range w.paths {
		act.Paths = append(act.Paths, guards.PathRef{Path: p, Access: access})
	}
	act.URLs = append(act.URLs, w.urls...)
	first := ""
	if len(w.paths) > 0 {
		first = w.paths[0]
	}
	for _, c := range w.contents {
		if c.Path == "" {
			c.Path = first
		}
		act.Contents = append(act.Contents, c)
	}
}

func (w *argWalk) object(m jsonlite.Value, depth int) {
	if depth > maxArgDepth || m.Kind() != jsonlite.Object {
		return
	}
	n := m.Len()
	// An argv split across "command" and "args" ({"command": "bash",
	// "args": ["-c", "..."]}), as MCP server configs and runners write it.
	// An edit: {old_string, new_string} (filesystem servers' {oldText,
	// newText}).
	head, old, hasOld := "", "", false
	for i := 0; i < n; i++ {
		kn := keyName(m.Key(i))
		if s, ok := m.Index(i).Str(); ok {
			switch {
			case keyIs(kn, commandKeys):
				head = s
			case keyIs(kn, oldKeys):
				old, hasOld = s, true
			}
		}
	}
	for i := 0; i < n; i++ {
		kn := keyName(m.Key(i))
		v := m.Index(i)
		switch v.Kind() {
		case jsonlite.String:
			if hasOld && keyIs(kn, oldKeys) {
				continue
			}
			s, _ := v.Str()
			w.str(kn, s, old, hasOld && keyHas(kn, []string{"new", "replace", "text", "content"}))
		case jsonlite.Array:
			if argv, ok := stringList(v); ok && len(argv) > 0 {
				switch {
				case keyIs(kn, commandKeys):
					w.commands = append(w.commands, quoteArgv(argv))
					continue
				case (kn == "args" || kn == "arguments") && head != "":
					w.commands = append(w.commands, quoteArgv(append([]string{head}, argv...)))
					continue
				case (kn == "args" || kn == "arguments") && looksLikeProgram(argv[0]):
					w.commands = append(w.commands, quoteArgv(argv))
					continue
				}
			}
			w.value(kn, v, depth+1)
		case jsonlite.Object:
			w.object(v, depth+1)
		}
	}
}

func (w *argWalk) value(kn string, v jsonlite.Value, depth int) {
	if depth > maxArgDepth {
		return
	}
	switch v.Kind() {
	case jsonlite.String:
		s, _ := v.Str()
		w.str(kn, s, "", false)
	case jsonlite.Object:
		w.object(v, depth)
	case jsonlite.Array:
		for i := 0; i < v.Len(); i++ {
			w.value(kn, v.Index(i), depth+1)
		}
	}
}

func (w *argWalk) str(kn, v, old string, edit bool) {
	if v == "" || w.n >= maxArgStrings {
		return
	}
	w.n++
	switch {
	case edit:
		w.contents = append(w.contents, guards.Content{Text: v, Old: old})
	case keyIs(kn, commandKeys):
		w.commands = append(w.commands, v)
	case keyIs(kn, sqlKeys):
		w.sql = append(w.sql, v)
	case looksLikeURL(v) || keyHas(kn, urlWords) && strings.Contains(v, "://"):
		w.urls = append(w.urls, v)
	case keyHas(kn, pathWords) && !strings.ContainsAny(v, "\n") || looksLikePath(v):
		w.paths = append(w.paths, v)
	case keyIs(kn, contentKeys) || strings.ContainsAny(v, "\n{=") || len(v) > 64:
		w.contents = append(w.contents, guards.Content{Text: v})
		if w.terminal && keyIs(kn, contentKeys) {
			w.commands = append(w.commands, v)
		}
	}
}

// looksLikeURL: scheme://...
func looksLikeURL(v string) bool {
	i := strings.Index(v, "://")
	return i > 0 && i < 16 && !strings.ContainsAny(v[:i], " /\n")
}

// looksLikePath: an absolute, home or dot-relative path, or a relative one
// with a directory part, on one line with no spaces.
func looksLikePath(v string) bool {
	if len(v) > 4096 || strings.ContainsAny(v, " \t\n") || strings.Contains(v, "://") {
		return false
	}
	return strings.HasPrefix(v, "/") || strings.HasPrefix(v, "~") || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") ||
		strings.Contains(v, "/") && !strings.HasPrefix(v, "-")
}

// looksLikeProgram: the first word of an argv (a name or a path, no
// spaces, not an option).
func looksLikeProgram(v string) bool {
	return v != "" && !strings.HasPrefix(v, "-") && !strings.ContainsAny(v, " \t\n=")
}

// quoteArgv writes an argv as one shell command line, each word quoted so
// that the shell analysis sees exactly these words.
func quoteArgv(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@%+") == "" {
			parts[i] = a
			continue
		}
		parts[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(parts, " ")
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
// one's text member key ("" when absent or null).
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
		// New text that is not a string is judged as its JSON text (see
		// toolInput.text).
		out = append(out, textOf(el.Get(key)))
	}
	return out, nil
}

var errNoTool = errors.New("hook input has no tool_name")
