package clients

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/bulwark-guard/bulwark/installer"
)

// Kind is what a Location holds.
type Kind string

const (
	// KindSettings: a settings file (hooks, permission rules, the switches
	// that turn hooks off).
	KindSettings Kind = "settings"
	// KindHooks: a hooks file, or the scripts hook entries run.
	KindHooks Kind = "hooks"
	// KindPlugins: plugins, extensions, mods: each can add hooks (or, for
	// Claude Code mods, approve calls) with no settings change.
	KindPlugins Kind = "plugins"
	// KindDefinitions: skill and agent definitions whose frontmatter can add
	// hooks while they are active (weaker than the kinds above: writing a
	// skill is everyday work).
	KindDefinitions Kind = "definitions"
	// KindState: the client's state, trust and approvals (~/.claude.json,
	// Codex's config.toml hook trust, Gemini's trustedFolders.json).
	KindState Kind = "state"
	// KindMCP: MCP server lists (a server runs a program with the agent's
	// reach).
	KindMCP Kind = "mcp"
	// KindPolicy: policy rules the client applies itself (Gemini's policy
	// engine, Codex requirements).
	KindPolicy Kind = "policy"
	// KindInstructions: instruction files and custom commands the client
	// reads into the model's context as trusted text (CLAUDE.md, AGENTS.md,
	// GEMINI.md, Cursor rules, slash commands). Not members of the
	// protected set (editing them is everyday work); `bulwark audit` reads
	// them for injected instructions and hidden text.
	KindInstructions Kind = "instructions"
)

// Location is one file or directory a client reads its settings, hooks,
// plugins, trust or MCP servers from.
type Location struct {
	Client string          // the client's Name
	Scope  installer.Scope // user, project, local or managed (system-wide)
	Kind   Kind
	// Path is absolute and clean. A path element "*" stands for any one
	// name (".../skills/*/.claude-plugin"); no other element is a pattern.
	Path string
	// ProjectRel is, for project and local scope, Path relative to the
	// project directory (slash-separated: ".claude/settings.json"), so that a
	// caller can match it under any project, not only Env.Cwd.
	ProjectRel string
	// Tree: Path is a directory and everything beneath it counts (and so does
	// the directory itself: removing or renaming it is a change too).
	Tree bool
	Note string // why it matters, for people
}

// Locations lists every settings, hooks, plugin, skills, state, MCP and
// policy location of every client for env: the user's files (honouring
// CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_CLI_HOME and the other VarNames), the
// project's files under env.Cwd (each with its ProjectRel, to match under
// any project), and the managed/system files of env's operating system.
//
// It is the one list of "the files that decide whether and how bulwark is
// called", for building bulwark's protected set: a write, move or delete of
// any of them changes the guard rails (Kind says how strongly). It does no
// file system access (no stat, no glob), so it is cheap enough for the hook
// path; paths are listed whether or not they exist. Without a home
// (env.Home == "" and no relocation variable) the user locations are left
// out; without env.Cwd the project ones.
func Locations(env Env) []Location {
	var out []Location
	for _, c := range All() {
		out = append(out, c.Locations(env)...)
	}
	return out
}

// Locations lists the client's locations (see the package function).
func (c *Client) Locations(env Env) []Location {
	if c.locations == nil {
		return nil
	}
	return c.locations(env)
}

// readJSON reads and parses a settings file.
func readJSON(path string) (*installer.Value, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	root, err := installer.ParseDocument(data)
	if err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	return root, nil
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
