package shell

import (
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
	"github.com/bulwark-guard/bulwark/internal/makefile"
)

// A makefile given to make on its standard input (make -f -, make -f
// /dev/stdin) from a pipe or a heredoc is text the command line holds: its
// recipes are analysed here, as make would run them, Via "make recipe",
// and so is what make runs while reading it ($(shell CMD) in := and !=
// assignments). The makefile is read by package makefile (as a makefile on
// disk is, when the command runs: see Exec and package runfile); included
// files are not read here. When a goal has no rule, every recipe is
// analysed, which never hides one that runs.

// makeStdin analyses the recipes of a makefile make reads from known
// stdin.
func (a *analyzer) makeStdin(spec *commands.Spec, args []xword, in stdinInfo, c *ctx, sc *scope) {
	if !in.known {
		return
	}
	file, norun := "", false
	var goals []string
	cmdVars := map[string]string{}
	scanOpts(args, spec, func(o opt) bool {
		switch {
		case (o.short == 'f' || o.long == "file" || o.long == "makefile") && o.hasVal:
			file = o.val.Value
		case o.operand:
			w := args[o.i]
			if k, v, ok := strings.Cut(w.Value, "="); ok && isVarName(strings.TrimRight(k, ":?+")) {
				cmdVars[strings.TrimRight(k, ":?+")] = v
			} else if !w.Dynamic && strings.Trim(w.Value, "0123456789") != "" {
				goals = append(goals, w.Value)
			}
		case o.short != 0 && strings.IndexByte(spec.NoRun, o.short) >= 0:
			norun = true
		}
		return true
	})
	if norun || file != "-" && file != "/dev/stdin" && file != "/dev/fd/0" && file != "/proc/self/fd/0" {
		return
	}
	m := makefile.Parse(in.text)
	all := false
	for _, g := range goals {
		if !m.Has(g) {
			all = true // no rule: a typo, or make's choice is unknown; judge everything
		}
	}
	lines := m.Parse
	if all {
		lines = append(lines, m.All(cmdVars)...)
	} else {
		lines = append(lines, m.Run(goals, cmdVars)...)
	}
	for _, l := range lines {
		a.nestedText(l.Text, c, sc, stdinInfo{}, "make recipe")
		if a.capped || a.work <= 0 {
			return
		}
	}
}
