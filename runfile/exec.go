package runfile

import (
	"strings"

	"github.com/bulwark-guard/bulwark/shell"
)

// fromShell reads the shell analysis's record of a command that runs a
// file (shell.Command.Exec): which file, what of it runs, where. The
// analysis alone decides that a file runs; nothing here reads argv again.
// A file or a directory only known at run time gives nothing to read.
func fromShell(c *shell.Command, cwd string) (Exec, bool) {
	e := c.Exec
	if e == nil || e.File.Dynamic {
		return Exec{}, false
	}
	dir := e.Dir
	if dir == "" {
		dir = c.Cwd
		if dir == "" {
			dir = cwd
		}
		switch e.Kind {
		case shell.ExecMake, shell.ExecJust, shell.ExecTask, shell.ExecGitHook, shell.ExecGitAlias, shell.ExecPackageScript, shell.ExecPackageInstall:
			if c.Cwd == "" && cwd == "" {
				return Exec{}, false // a project directory that is not known
			}
		}
	}
	ex := Exec{Dir: dir, Targets: e.Targets, Tool: e.Lang, File: e.Path, Label: label(c)}
	if e.File.Value != "" && e.Path == "" {
		return Exec{}, false // relative to a directory that is not known
	}
	switch e.Kind {
	case shell.ExecShell:
		ex.Kind, ex.Lang = Script, "sh"
	case shell.ExecInterp:
		ex.Kind, ex.Lang = Script, e.Lang
	case shell.ExecDirect:
		ex.Kind = Script // by its #! line
	case shell.ExecMake:
		ex.Kind, ex.Vars = Make, assigns(e.Args)
	case shell.ExecPackageScript:
		ex.Kind = PkgScript
	case shell.ExecPackageInstall:
		ex.Kind = Lifecycle
	case shell.ExecJust:
		ex.Kind, ex.Vars = Just, assigns(e.Args)
	case shell.ExecTask:
		ex.Kind, ex.Vars = Task, assigns(e.Args)
	case shell.ExecGitHook:
		ex.Kind = GitHook
	case shell.ExecGitAlias:
		ex.Kind, ex.Args = GitAlias, e.Args
	default:
		return Exec{}, false
	}
	if ex.Kind == Script && ex.File == "" {
		return Exec{}, false
	}
	return ex, true
}

// assigns reads VAR=value operands (make, just, task).
func assigns(ws []shell.Word) map[string]string {
	m := map[string]string{}
	for _, w := range ws {
		if k, v, ok := strings.Cut(w.Value, "="); ok && !w.Dynamic && shell.IsVarName(strings.TrimRight(k, ":?+")) {
			m[strings.TrimRight(k, ":?+")] = v
		}
	}
	return m
}

// label is the command as the verdict names it: its name and first
// arguments as written.
func label(c *shell.Command) string {
	var b strings.Builder
	if c.Exec != nil && c.Exec.Kind == shell.ExecDirect {
		b.WriteString(c.Exec.File.Value)
	} else {
		b.WriteString(c.Name)
	}
	for _, a := range c.Args {
		if b.Len() > 60 {
			b.WriteString(" …")
			break
		}
		b.WriteByte(' ')
		b.WriteString(a.Value)
	}
	if c.Exec != nil && c.Exec.Stdin {
		b.WriteString(" < " + c.Exec.File.Value)
	}
	return b.String()
}
