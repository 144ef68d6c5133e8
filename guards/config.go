package guards

import (
	"errors"
	"fmt"
)

// Guards with on = "config" judge an agent's set-up before anything runs
// (`bulwark audit`, package scan): client settings, MCP server lists,
// instruction files. The mechanism that reads the files and finds what a
// condition names is in package scan; the words (title, severity, reason,
// what to do instead) and the examples are in the pack, like every other
// guard. The hook never sees such a guard: no call is a config fact.
const OnConfig = "config"

// Conditions an on = "config" guard tests (ConfigCondition says what each
// means).
const (
	CondHooksOff          = "hooks-off"          // a switch turns every hook (or bulwark's) off
	CondGuardMissing      = "guard-missing"      // a client is set up but bulwark's hook is not installed for it
	CondHookUntrusted     = "hook-untrusted"     // Codex does not trust (or has disabled) bulwark's hook
	CondHookFailOpen      = "hook-fail-open"     // bulwark's hook lacks the client's fail-closed switch
	CondHookTempProgram   = "hook-temp-program"  // a hook runs a program from a temporary or world-writable place
	CondHookAgentWritable = "hook-writable"      // a hook runs a program from a place the agent can write
	CondAllowWildcard     = "allow-wildcard"     // an allow rule that lets any command, or every use of a tool, run unasked
	CondBypass            = "bypass"             // a default that runs without asking (bypassPermissions, yolo, never)
	CondMCPUnpinned       = "mcp-unpinned"       // an MCP server from a registry package without a pinned version
	CondMCPRemoteSource   = "mcp-remote-source"  // an MCP server run from a URL or a git ref
	CondMCPShell          = "mcp-shell"          // an MCP server started through a shell
	CondMCPLiteralSecret  = "mcp-literal-secret" // a secret written into an MCP server's env, headers, args or URL
	CondMCPPlainHTTP      = "mcp-plain-http"     // a remote MCP server over plain HTTP
	CondMCPUnwrapped      = "mcp-unwrapped"      // a stdio MCP server not run through bulwark's proxy
	CondHiddenUnicode     = "hidden-unicode"     // invisible tag characters or bidirectional controls
	CondZeroWidth         = "zero-width"         // a run of zero-width characters
	CondBase64Blob        = "base64-blob"        // a long base64 blob in an instruction or skill file
	CondSecret            = "secret"             // a live secret of redact's list in a scanned file
	CondHooksPath         = "hooks-path"         // core.hooksPath points outside the repository's .git
	CondBrokenFile        = "broken-file"        // a file that cannot be read or parsed
)

// ConfigCondition says what an on = "config" condition means ("", false
// for a name that is none). (A switch, not a map literal, which would be
// built at package init in every hook process.)
func ConfigCondition(name string) (string, bool) {
	switch name {
	case CondHooksOff:
		return "a switch turns every hook, or bulwark's, off", true
	case CondGuardMissing:
		return "a client is set up but bulwark's hook is not installed for it", true
	case CondHookUntrusted:
		return "Codex does not trust (or has disabled) bulwark's hook", true
	case CondHookFailOpen:
		return "bulwark's hook lacks the client's fail-closed switch", true
	case CondHookTempProgram:
		return "a hook runs a program from a temporary or world-writable location", true
	case CondHookAgentWritable:
		return "a hook runs a program from a location the agent can write", true
	case CondAllowWildcard:
		return "an allow rule lets any command, or every use of a tool, run unasked", true
	case CondBypass:
		return "a default that lets the agent act without asking", true
	case CondMCPUnpinned:
		return "an MCP server runs a registry package without a pinned version", true
	case CondMCPRemoteSource:
		return "an MCP server runs code from a URL or a git ref", true
	case CondMCPShell:
		return "an MCP server is started through a shell", true
	case CondMCPLiteralSecret:
		return "a secret is written into an MCP server's env, headers, arguments or URL", true
	case CondMCPPlainHTTP:
		return "a remote MCP server is reached over plain HTTP", true
	case CondMCPUnwrapped:
		return "a stdio MCP server is not run through bulwark's MCP proxy", true
	case CondHiddenUnicode:
		return "invisible Unicode tag characters or bidirectional controls", true
	case CondZeroWidth:
		return "a run of zero-width characters", true
	case CondBase64Blob:
		return "a long base64 blob in an instruction or skill file", true
	case CondSecret:
		return "a live secret (redact's formats) in a scanned file", true
	case CondHooksPath:
		return "core.hooksPath points outside the repository's .git directory", true
	case CondBrokenFile:
		return "a file that cannot be read or parsed", true
	}
	return "", false
}

// ConfigFact is one thing the audit scanner found in a file, for the
// on = "config" guards whose condition it names. Evidence is what the file
// holds there (masked by the engine like all evidence); Detail, when set,
// is added to the guard's reason (which package, which switch).
type ConfigFact struct {
	Condition string
	Evidence  string
	Detail    string
}

// MatchConfig returns the hits of the on = "config" guards (of packs that
// are on) for one fact, strictest first.
func (e *Engine) MatchConfig(f ConfigFact) []Hit {
	hs := &hitSet{e: e}
	for _, g := range e.list(OnConfig) {
		if g.spec.Condition != f.Condition {
			continue
		}
		hs.add(g, f.Evidence, nil, false, "")
		if f.Detail != "" {
			h := &hs.hits[len(hs.hits)-1]
			h.Reason = f.Detail + " " + h.Reason
		}
	}
	return hs.hits
}

// ConfigExamples runs one example of an on = "config" guard: the facts it
// stands for, as package scan reads them. An example is "@PATH :: TEXT": a
// file (project-relative, or from ~/) and what it holds; several files are
// separated by SessionSeparator. Package scan sets it (it reads the
// files); without it, config guards' examples cannot be checked.
var ConfigExamples func(e *Engine, example string) ([]Hit, error)

var errNoConfigExamples = errors.New("on = \"config\" examples are read by the audit scanner (package scan), which is not linked in")

// firesConfig reports whether an on = "config" guard fires on an example.
func (e *Engine) firesConfig(g *GuardSpec, example string) (bool, error) {
	if ConfigExamples == nil {
		return false, errNoConfigExamples
	}
	hits, err := ConfigExamples(e, example)
	if err != nil {
		return false, fmt.Errorf("example %q: %w", example, err)
	}
	for _, h := range hits {
		if h.GuardID == g.ID {
			return true, nil
		}
	}
	return false, nil
}
