// Package guards is bulwark's engine: it takes one client-neutral Action (what a
// tool call would do), looks at it through the shell analysis and the guard
// packs, and folds every guard that fires into one Verdict.
package guards

import (
	"encoding/json"
	"time"
)

// Event says whether the tool is about to run or has run.
type Event string

const (
	PreToolUse  Event = "PreToolUse"
	PostToolUse Event = "PostToolUse"
)

// ToolKind is what a tool does, independent of the client's name for it.
type ToolKind string

const (
	KindShell  ToolKind = "shell"  // Bash, run_shell_command, beforeShellExecution
	KindRead   ToolKind = "read"   // Read, read_file, Glob, Grep
	KindWrite  ToolKind = "write"  // Write, Edit, MultiEdit, NotebookEdit, apply_patch
	KindFetch  ToolKind = "fetch"  // WebFetch, web_fetch
	KindSearch ToolKind = "search" // WebSearch
	KindMCP    ToolKind = "mcp"    // mcp__server__tool
	KindOther  ToolKind = "other"
)

// Access is how a tool touches a file.
type Access string

const (
	AccessRead      Access = "read"
	AccessWrite     Access = "write"
	AccessReadWrite Access = "readwrite" // unknown direction: matches read and write guards
)

// PathRef is a file path a tool reads or writes, as the client gave it.
// The engine normalises it against Cwd and Home.
type PathRef struct {
	Path   string
	Access Access
}

// Content is text a tool would write into a file. For an edit, Old is the
// text it replaces (All: every occurrence); Text is then the new text.
type Content struct {
	Path string
	Text string
	Old  string
	All  bool
}

// Action is one tool call, decoded from any client's hook input.
type Action struct {
	Client    string // "claude", "codex", "cursor", "gemini", "cli"
	Event     Event
	EventName string // the client's own event name ("PreToolUse", "beforeShellExecution", "BeforeTool")
	Tool      string // the client's own tool name, e.g. "Bash", "mcp__fs__read_file"
	Kind      ToolKind
	SessionID string
	ToolUseID string
	Cwd       string // absolute working directory of the call
	Home      string // the hook's HOME ("" when unknown)

	Command  string    // shell command text (KindShell, or an MCP "command" argument)
	Paths    []PathRef // files read or written
	Contents []Content // text written into files
	URLs     []string  // URLs fetched
	Query    string    // a search query or a Grep/Glob pattern (never a path)
	Output   string    // PostToolUse: the tool's output as text

	Input json.RawMessage // the raw tool input, for the audit preview

	// Memory is what earlier calls of the same session did (nil: none
	// known); on=session guards judge the call against it.
	Memory Memory
	// PermissionMode is the client's permission mode when it says
	// (Claude Code: default, plan, acceptEdits, auto, dontAsk,
	// bypassPermissions); hooks.NoHumanToAsk reads it.
	PermissionMode string
	// Response is the tool's response as the client sent it (PostToolUse),
	// and Replacement what the model should see instead when the output is
	// flagged: the same structure with secrets masked, or withheld (set by
	// the hook after judging; nil = leave the output alone).
	Response    json.RawMessage
	Replacement json.RawMessage
	// Scripts reads the files the call's commands run (nil: none are
	// read); their code is judged as part of the call.
	Scripts ScriptSource
	// CPUDeadline is the process CPU time (CPUTime) by which judging must
	// be done (zero: no limit; negative: already spent). Patterns still
	// undecided then count against the call, and the limits guards
	// (condition incomplete) fire. CPU time rather than the clock, so a busy
	// machine does not turn everyday calls into refusals; one deadline for
	// every look at the call.
	CPUDeadline time.Duration
}
