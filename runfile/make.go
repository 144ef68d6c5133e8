package runfile

import (
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/makefile"
)

// RecipeLine is one line of code a project file runs (a make recipe line,
// a just recipe's, a task's command) and where it starts: the record of
// package makefile, which the justfile and Taskfile readers share.
type RecipeLine = makefile.Line

// make reads the makefile `make` would read and returns the recipe lines
// the targets run (and what make runs while reading it). The makefile's
// grammar and expansion are package makefile's; this reads the files.
func (r *reader) make(ex Exec) []guards.Script {
	p, text, ok := r.projectFile(ex, "GNUmakefile", "makefile", "Makefile")
	if !ok {
		return nil
	}
	m := makefile.Parse(text)
	r.includes(m, ex.Dir, map[string]bool{}, 0)
	lines := m.Run(ex.Targets, ex.Vars)
	var out []guards.Script
	fileOf := func(l makefile.Line) string {
		if l.File != "" {
			return l.File
		}
		return p
	}
	for _, l := range m.Parse {
		out = append(out, guards.Script{Lang: "sh", Code: l.Text, File: fileOf(l), Line: l.Line, Label: "make (reading " + filepath.Base(fileOf(l)) + ")", Dir: ex.Dir})
	}
	for _, l := range lines {
		out = append(out, guards.Script{Lang: "sh", Code: l.Text, File: fileOf(l), Line: l.Line, Label: ex.Label, Dir: ex.Dir})
	}
	return out
}

// includes reads included makefiles into m (their rules and variables;
// line numbers are then those of the included file). A makefile's own
// includes are merged into it before it is merged into m, so a recipe two
// includes deep is seen too.
func (r *reader) includes(m *makefile.File, dir string, seen map[string]bool, depth int) {
	if depth > 3 {
		return
	}
	for _, inc := range m.Includes {
		if strings.ContainsAny(inc, "$*?[") {
			continue
		}
		p := abs(inc, dir, r.src.Home)
		if seen[p] || p == "" {
			continue
		}
		t, ok := r.read(p)
		if !ok {
			continue
		}
		seen[p] = true
		sub := makefile.Parse(t)
		r.includes(sub, dir, seen, depth+1)
		m.Include(sub, p)
	}
}
