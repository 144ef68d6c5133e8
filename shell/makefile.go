package shell

import (
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
)

// A makefile given to make on its standard input (make -f -, make -f
// /dev/stdin) from a pipe or a heredoc is text the command line holds: its
// recipes are analysed here, as make would run them, Via "make recipe".
// (A makefile on disk is read when the command runs: see Exec and package
// runfile, whose fuller reader handles includes and pattern rules.)
//
// This reader follows what such one-off makefiles use: rules with their
// prerequisites and recipes (tab-indented, or after ';'), variables (=, :=,
// ::=, ?=, +=, and VAR=value on the command line), $(VAR), ${VAR}, $X,
// automatic variables ($@ $< $^), $$ and $(shell CMD). A variable the
// makefile does not set comes from the environment: it is handed to the
// shell as ${VAR}, so $(HOME) is the home directory there. When a goal has
// no rule, every recipe is analysed, which never hides one that runs.

// mkRule is one rule of a makefile on stdin.
type mkRule struct {
	target  string
	prereqs []string
	recipe  []string
}

// stdinMakefile reads the rules and variables of a makefile's text.
func stdinMakefile(text string) (rules map[string]*mkRule, order []string, vars map[string]string) {
	rules, vars = map[string]*mkRule{}, map[string]string{}
	var cur []*mkRule
	lines := strings.Split(strings.ReplaceAll(text, "\\\n", " "), "\n")
	for k, raw := range lines {
		if k > 4096 {
			break
		}
		if strings.HasPrefix(raw, "\t") {
			for _, r := range cur {
				r.recipe = append(r.recipe, raw[1:])
			}
			continue
		}
		s := raw
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = s[:i]
		}
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		s = strings.TrimPrefix(strings.TrimPrefix(s, "export "), "override ")
		colon, eq := strings.IndexByte(s, ':'), strings.IndexByte(s, '=')
		if eq > 0 && (colon < 0 || colon > eq || strings.HasPrefix(s[colon:], ":=") || strings.HasPrefix(s[colon:], "::=")) {
			name := strings.TrimSpace(strings.TrimRight(s[:eq], ":?+!"))
			val := strings.TrimSpace(s[eq+1:])
			switch {
			case strings.HasSuffix(s[:eq], "+"):
				vars[name] = strings.TrimSpace(vars[name] + " " + val)
			case strings.HasSuffix(s[:eq], "?"):
				if _, ok := vars[name]; !ok {
					vars[name] = val
				}
			default:
				vars[name] = val
			}
			cur = nil
			continue
		}
		if colon <= 0 {
			cur = nil
			continue
		}
		targets := strings.Fields(s[:colon])
		rest := strings.TrimLeft(s[colon+1:], ":")
		prereqs, inline, hasInline := strings.Cut(rest, ";")
		cur = cur[:0]
		for _, t := range targets {
			r := rules[t]
			if r == nil {
				r = &mkRule{target: t}
				rules[t] = r
				order = append(order, t)
			}
			r.prereqs = append(r.prereqs, strings.Fields(prereqs)...)
			if hasInline && strings.TrimSpace(inline) != "" {
				r.recipe = append(r.recipe, strings.TrimSpace(inline))
			}
			cur = append(cur, r)
		}
	}
	return rules, order, vars
}

// mkExpand expands make references in a recipe line.
func mkExpand(s string, vars map[string]string, r *mkRule, depth int) string {
	if depth > 8 || strings.IndexByte(s, '$') < 0 {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			sb.WriteByte(s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case '$':
			sb.WriteByte('$')
		case '@':
			sb.WriteString(r.target)
		case '<':
			if len(r.prereqs) > 0 {
				sb.WriteString(r.prereqs[0])
			}
		case '^', '+':
			sb.WriteString(strings.Join(r.prereqs, " "))
		case '(', '{':
			closeCh := byte(')')
			if c == '{' {
				closeCh = '}'
			}
			level, j := 1, i+1
			for ; j < len(s) && level > 0; j++ {
				switch s[j] {
				case c:
					level++
				case closeCh:
					level--
				}
			}
			if level > 0 {
				sb.WriteString(s[i-1:])
				return sb.String()
			}
			inner := s[i+1 : j-1]
			i = j - 1
			if cmd, ok := strings.CutPrefix(inner, "shell "); ok {
				sb.WriteString("$(" + mkExpand(cmd, vars, r, depth+1) + ")")
				continue
			}
			name := mkExpand(inner, vars, r, depth+1)
			if v, ok := vars[name]; ok {
				sb.WriteString(mkExpand(v, vars, r, depth+1))
			} else if isVarName(name) {
				sb.WriteString("${" + name + "}") // from the environment
			} else {
				sb.WriteString("${MAKE_EXPR}") // a make function: only known when make runs
			}
		default:
			if v, ok := vars[string(c)]; ok {
				sb.WriteString(v)
			} else if isVarName(string(c)) {
				sb.WriteString("${" + string(c) + "}")
			}
		}
		if sb.Len() > maxPayload {
			break
		}
	}
	return sb.String()
}

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
	rules, order, vars := stdinMakefile(in.text)
	for k, v := range cmdVars {
		vars[k] = v // command-line variables override the makefile's
	}
	if len(goals) == 0 {
		for _, t := range order {
			if !strings.HasPrefix(t, ".") && !strings.Contains(t, "%") {
				goals = []string{t}
				break
			}
		}
	}
	var run []*mkRule
	seen := map[string]bool{}
	all := false
	var visit func(t string, depth int)
	visit = func(t string, depth int) {
		if seen[t] || depth > 32 || len(seen) > 256 {
			return
		}
		seen[t] = true
		r := rules[t]
		if r == nil {
			return
		}
		for _, p := range r.prereqs {
			visit(p, depth+1)
		}
		run = append(run, r)
	}
	for _, g := range goals {
		if rules[g] == nil {
			all = true // no rule: a pattern rule or a typo; judge everything
		}
		visit(g, 0)
	}
	if all || len(goals) == 0 {
		run = run[:0]
		for _, t := range order {
			run = append(run, rules[t])
		}
	}
	for _, r := range run {
		for _, line := range r.recipe {
			line = strings.TrimLeft(mkExpand(line, vars, r, 0), " \t@-+")
			a.nestedText(line, c, sc, stdinInfo{}, "make recipe")
			if a.capped || a.work <= 0 {
				return
			}
		}
	}
}
