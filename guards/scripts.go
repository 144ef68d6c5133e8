package guards

import (
	"path"
	"strconv"

	"github.com/bulwark-guard/bulwark/shell"
)

// Script is code from a file that a call would run, read when it runs
// (package runfile): a script file, a make recipe line, a package.json
// script, a justfile recipe, a Taskfile command, a git hook.
type Script struct {
	Lang  string // "sh", "python", "node", "perl", "ruby", "php"
	Code  string
	File  string // absolute path of the file holding it
	Line  int    // line of Code's first line in File (1-based)
	Label string // what runs it, as the verdict names it: "make build", "npm run test", "bash deploy.sh"
	Dir   string // directory the code runs in
}

// ScriptSource finds and reads the files a command runs. written holds
// content the same call writes to a path just before (used instead of the
// disk); budget is the number of files the whole call may still read.
type ScriptSource interface {
	Scripts(c *shell.Command, cwd string, written map[string]string, budget *int) []Script
}

// Bounds of following scripts that run scripts.
const (
	maxScriptDepth = 3  // a script run by a script run by a script
	maxScriptFiles = 16 // files read for one call
)

// runScripts judges the code of files the commands from index start on
// run, as if it were on the command line: its commands are judged in full
// (not capped: they do run), with Via naming what runs them and the file
// and line they are on; scripts that run further scripts are followed
// to maxScriptDepth.
func (f *facts) runScripts(start, depth int) {
	src := f.act.Scripts
	if src == nil || depth > maxScriptDepth {
		return
	}
	if f.scriptBudget == 0 && depth == 1 {
		f.scriptBudget = maxScriptFiles
	}
	written := f.writtenNow()
	end := len(f.commands)
	for i := start; i < end; i++ {
		cf := &f.commands[i]
		if cf.notRun || f.scriptBudget <= 0 {
			continue
		}
		cwd := f.act.Cwd
		for _, s := range src.Scripts(cf.c, cwd, written, &f.scriptBudget) {
			f.runScript(s, cf, depth)
		}
	}
}

func (f *facts) runScript(s Script, by *cmdFact, depth int) {
	env := f.shellEnv(s.Dir)
	var a *shell.Analysis
	if s.Lang == "sh" {
		a = shell.Analyze(s.Code, env)
	} else {
		a = shell.AnalyzeCode(s.Lang, s.Code, env, "")
	}
	label := s.Label
	if m := f.act.Memory; m != nil {
		if _, ok := m.Written(NormalizePath(s.File, f.act.Cwd, f.act.Home, false)); ok {
			label += " (" + path.Base(s.File) + " was written earlier in this session)"
		}
	}
	outer := append(append([]string{}, by.via...), label)
	cmdStart, fileStart := len(f.commands), len(f.files)
	f.addCommands(a, nil, "")
	for j := cmdStart; j < len(f.commands); j++ {
		cf := &f.commands[j]
		line := s.Line + max(cf.c.Line, 1) - 1
		cf.via = append(append(append([]string{}, outer...), shortPath(s.File, f.act.Cwd, f.act.Home)+":"+strconv.Itoa(line)), cf.c.Via...)
	}
	for j := fileStart; j < len(f.files); j++ {
		if ff := &f.files[j]; ff.cmdIndex >= cmdStart {
			ff.via = f.commands[ff.cmdIndex].via
		}
	}
	f.runScripts(cmdStart, depth+1)
}

// writtenNow maps the files the call's own command line writes with static
// content to that content (absolute paths).
func (f *facts) writtenNow() map[string]string {
	if f.analysis == nil || len(f.analysis.Writes) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, w := range f.analysis.Writes {
		if w.Path.Dynamic || w.Append {
			continue
		}
		p := w.Path.Value
		if !path.IsAbs(p) {
			p = path.Join(f.act.Cwd, p)
		}
		m[path.Clean(p)] = w.Content
	}
	return m
}

// shortPath names a file for a verdict: relative to the call's cwd when
// inside it, else from ~.
func shortPath(p, cwd, home string) string {
	if cwd != "" && len(p) > len(cwd)+1 && p[:len(cwd)] == cwd && p[len(cwd)] == '/' {
		return p[len(cwd)+1:]
	}
	return NormalizePath(p, cwd, home, false)
}
