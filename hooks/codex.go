package hooks

import (
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/report"
)

func init() { register(codex{}) }

// codex speaks OpenAI Codex CLI's hooks: the event shape is Claude Code's
// (plus turn_id and model), tools are Bash, apply_patch and mcp__…. Codex
// validates hook output against a strict schema (an unknown field makes the
// hook fail and the tool run unhooked) and does not support ask. So bulwark
// answers Codex only with the schema-free forms: exit 2 with the reason on
// stderr to block (deny, and ask turned into deny), nothing otherwise.
type codex struct{}

func (codex) Name() string { return "codex" }

func (codex) Decode(data []byte, env Env) (guards.Action, error) {
	// apply_patch carries the patch in tool_input.command; decode it as
	// Claude's shape, then reinterpret.
	act, in, err := decodeClaudeShape("codex", data, env, "apply_patch")
	if err != nil {
		return act, err
	}
	if act.Tool == "apply_patch" {
		patch := in.opt("apply_patch", "command")
		if patch == "" {
			patch = in.opt("apply_patch", "patch")
		}
		if err := in.typeErr(); err != nil {
			return act, err
		}
		act.Kind = guards.KindWrite
		act.Command = ""
		act.Paths, act.Contents = parsePatch(patch)
	}
	return act, nil
}

func (codex) Encode(act *guards.Action, v *guards.Verdict) Result {
	if v.Decision >= guards.Ask || v.Flag {
		reason := report.Reason(v, act)
		if act.Event == guards.PostToolUse {
			reason = report.WithheldReason(v, act)
		} else if v.Decision == guards.Ask {
			reason = report.AskAsDeny(v, act, noAskReason(act, "Codex"))
		}
		return Result{Stderr: oneLineText(reason) + "\n", Exit: ExitBlock}
	}
	return Result{Exit: ExitAllow}
}

// parsePatch reads the files and added text of a Codex patch
// ("*** Begin Patch / *** Add File: p / *** Update File: p / *** Delete File: p /
// *** Move to: p / +added line").
func parsePatch(patch string) ([]guards.PathRef, []guards.Content) {
	var paths []guards.PathRef
	var contents []guards.Content
	cur := -1
	for _, line := range strings.Split(patch, "\n") {
		switch {
		case strings.HasPrefix(line, "*** Add File: "), strings.HasPrefix(line, "*** Update File: "),
			strings.HasPrefix(line, "*** Delete File: "), strings.HasPrefix(line, "*** Move to: "):
			p := strings.TrimSpace(line[strings.Index(line, ": ")+2:])
			paths = append(paths, guards.PathRef{Path: p, Access: guards.AccessWrite})
			contents = append(contents, guards.Content{Path: p})
			cur = len(contents) - 1
		case strings.HasPrefix(line, "+") && cur >= 0:
			contents[cur].Text += line[1:] + "\n"
		}
	}
	return paths, contents
}

func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }
