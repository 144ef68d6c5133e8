// Package makefile reads GNU makefiles: enough of make to say which recipe
// lines `make [TARGET...]` runs and what they say after make's own
// expansion (variables, automatic variables, a few functions). It reads
// text only (no files: the caller reads included makefiles and merges them
// with Include), so both the shell analysis (a makefile given to make on a
// known stdin) and package runfile (a makefile on disk, read when make
// runs) use it.
//
// Conditionals are not evaluated: every branch's rules and assignments
// count, which can show a recipe that would not run but never hides one
// that would. A variable the makefile does not set comes from the
// environment; it is handed to the shell analysis as ${NAME}, so $(HOME) is
// the home directory there. $(shell CMD) becomes the command substitution
// $(CMD). A make function whose value is only known when make runs becomes
// the dynamic word ${__make_dynamic}.
package makefile

import (
	"path/filepath"
	"strings"
)

// File is a parsed makefile.
type File struct {
	Vars     map[string]Var
	Rules    map[string]*Rule
	Patterns []*Rule // rules whose target has a %
	Order    []string
	Goal     string // .DEFAULT_GOAL, else the first ordinary target
	// Parse are commands make runs while reading the makefile ($(shell)
	// in := and != assignments), with their line.
	Parse    []Line
	Includes []string // included makefiles, as written (expanded)
	// work bounds expansion: each reference costs one; when it runs out,
	// references expand to an unknown value (X = $(X)$(X) ... doubles).
	work int
}

// Bounds: the references one makefile may expand, and the targets Run
// follows for one command.
const (
	maxExpandWork = 200000
	maxTargets    = 64
)

// Var is one variable.
type Var struct {
	Value  string
	Simple bool // := (expanded once, when assigned)
}

// Rule is one target's rule.
type Rule struct {
	Target  string
	Prereqs []string
	Recipe  []Line
}

// Line is one recipe line (continuations joined) and where it starts.
type Line struct {
	Text string
	Line int
	File string // the included makefile it comes from; "" for the file parsed
}

// Parse reads a makefile's text. It never fails: what it cannot
// read is left out.
func Parse(text string) *File {
	m := &File{Vars: map[string]Var{}, Rules: map[string]*Rule{}, work: maxExpandWork}
	var cur []*Rule // rules the recipe lines belong to
	lines := logicalLines(text)
	for i := 0; i < len(lines); i++ {
		ln := lines[i]
		raw := ln.Text
		if strings.HasPrefix(raw, "\t") {
			if cur != nil {
				for _, r := range cur {
					r.Recipe = append(r.Recipe, Line{Text: raw[1:], Line: ln.Line})
				}
			}
			continue
		}
		s := strings.TrimSpace(stripComment(raw))
		if s == "" {
			continue
		}
		word, rest, _ := strings.Cut(s, " ")
		switch word {
		case "define":
			name := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(rest), "="), ":"))
			var body []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i].Text) != "endef"; i++ {
				body = append(body, lines[i].Text)
			}
			m.Vars[name] = Var{Value: strings.Join(body, "\n")}
			cur = nil
			continue
		case "ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "vpath", "unexport":
			cur = nil
			continue
		case "include", "-include", "sinclude":
			for _, f := range strings.Fields(m.expand(rest, nil, 0)) {
				m.Includes = append(m.Includes, f)
			}
			cur = nil
			continue
		case "export", "override", "private":
			s = strings.TrimSpace(rest)
			if !strings.ContainsAny(s, "=:") {
				continue // export NAME
			}
		}
		if name, op, val, ok := assignment(s); ok {
			cur = nil
			switch op {
			case ":=", "::=", ":::=":
				if strings.Contains(val, "$(shell") || strings.Contains(val, "${shell") {
					m.Parse = append(m.Parse, Line{Text: m.expand(val, nil, 0), Line: ln.Line})
				}
				m.Vars[name] = Var{Value: m.expand(val, nil, 0), Simple: true}
			case "!=":
				m.Parse = append(m.Parse, Line{Text: m.expand(val, nil, 0), Line: ln.Line})
				m.Vars[name] = Var{Value: "$(" + val + ")", Simple: true}
			case "?=":
				if _, set := m.Vars[name]; !set {
					m.Vars[name] = Var{Value: val}
				}
			case "+=":
				old := m.Vars[name]
				if old.Simple {
					val = m.expand(val, nil, 0)
				}
				m.Vars[name] = Var{Value: strings.TrimSpace(old.Value + " " + val), Simple: old.Simple}
			default:
				m.Vars[name] = Var{Value: val}
			}
			continue
		}
		// A rule: targets : prerequisites [; recipe]
		colon := ruleColon(s)
		if colon < 0 {
			cur = nil
			continue
		}
		targets := strings.Fields(m.expand(s[:colon], nil, 0))
		after := strings.TrimLeft(s[colon:], ":")
		if strings.HasPrefix(strings.TrimSpace(after), "=") || isTargetVar(after) {
			cur = nil // a target-specific variable
			continue
		}
		var inline string
		hasInline := false
		if k := strings.IndexByte(after, ';'); k >= 0 {
			inline, after, hasInline = strings.TrimSpace(after[k+1:]), after[:k], true
		}
		if k := strings.IndexByte(after, '|'); k >= 0 {
			after = after[:k] + " " + after[k+1:] // order-only prerequisites run too
		}
		prereqs := strings.Fields(m.expand(after, nil, 0))
		cur = nil
		for _, t := range targets {
			if strings.HasPrefix(t, ".") && !strings.Contains(t, "/") {
				continue // .PHONY, .SUFFIXES ...
			}
			r := m.Rules[t]
			isPattern := strings.Contains(t, "%")
			if r == nil {
				r = &Rule{Target: t}
				if isPattern {
					m.Patterns = append(m.Patterns, r)
				} else {
					m.Rules[t] = r
					m.Order = append(m.Order, t)
				}
			}
			r.Prereqs = append(r.Prereqs, prereqs...)
			if hasInline && inline != "" {
				r.Recipe = append(r.Recipe, Line{Text: inline, Line: ln.Line})
			}
			cur = append(cur, r)
		}
	}
	if g, ok := m.Vars[".DEFAULT_GOAL"]; ok {
		m.Goal = strings.TrimSpace(m.expand(g.Value, nil, 0))
	}
	if m.Goal == "" && len(m.Order) > 0 {
		m.Goal = m.Order[0]
	}
	return m
}

// logicalLines joins backslash continuations, keeping each line's start.
func logicalLines(text string) []Line {
	var out []Line
	phys := strings.Split(text, "\n")
	for i := 0; i < len(phys); i++ {
		start := i + 1
		l := strings.TrimSuffix(phys[i], "\r")
		for strings.HasSuffix(l, "\\") && !strings.HasSuffix(l, "\\\\") && i+1 < len(phys) {
			i++
			next := strings.TrimSuffix(phys[i], "\r")
			if strings.HasPrefix(l, "\t") {
				// In a recipe the shell gets the backslash-newline; the
				// next line's leading tab is dropped.
				l = l + "\n" + strings.TrimPrefix(next, "\t")
			} else {
				l = strings.TrimSuffix(l, "\\") + " " + strings.TrimSpace(next)
			}
		}
		out = append(out, Line{Text: l, Line: start})
	}
	return out
}

func stripComment(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == '#' {
			return s[:i]
		}
	}
	return s
}

// assignment splits NAME OP VALUE (= := ::= ?= += !=), when the operator
// comes before any rule colon.
func assignment(s string) (name, op, val string, ok bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '$':
			i = skipRef(s, i)
		case '=':
			op = "="
			j := i
			if j > 0 && strings.IndexByte("?+!:", s[j-1]) >= 0 {
				j--
				op = s[j : i+1]
				if s[j] == ':' && j > 0 && s[j-1] == ':' {
					j--
					op = s[j : i+1]
					if j > 0 && s[j-1] == ':' {
						j--
						op = s[j : i+1]
					}
				}
			}
			name = strings.TrimSpace(s[:j])
			if name == "" || strings.ContainsAny(name, " \t") {
				return "", "", "", false
			}
			return name, op, strings.TrimSpace(s[i+1:]), true
		case ':':
			if i+1 < len(s) && s[i+1] == '=' || i+2 < len(s) && s[i+1] == ':' && (s[i+2] == '=' || i+3 < len(s) && s[i+2] == ':' && s[i+3] == '=') {
				continue
			}
			return "", "", "", false
		}
	}
	return "", "", "", false
}

// isTargetVar reports `target: VAR = value` (a target-specific variable).
func isTargetVar(after string) bool {
	_, _, _, ok := assignment(strings.TrimSpace(after))
	return ok && !strings.Contains(after, ";")
}

// ruleColon is the index of the rule's colon (not inside $(...)), or -1.
func ruleColon(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '$':
			i = skipRef(s, i)
		case ':':
			return i
		}
	}
	return -1
}

// skipRef returns the index of the last byte of the reference at s[i]
// ($x, $(...), ${...}).
func skipRef(s string, i int) int {
	if i+1 >= len(s) {
		return i
	}
	open := s[i+1]
	if open != '(' && open != '{' {
		return i + 1
	}
	cl := byte(')')
	if open == '{' {
		cl = '}'
	}
	depth := 0
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case open:
			depth++
		case cl:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(s) - 1
}

// autoVars are the automatic variables of one rule's recipe.
type autoVars struct {
	target  string
	prereqs []string
	stem    string
}

// Bounds of expansion.
const (
	maxExpandDepth = 16
	maxExpandLen   = 64 << 10
)

// expand does make's expansion of s.
func (m *File) expand(s string, av *autoVars, depth int) string {
	if depth > maxExpandDepth || !strings.Contains(s, "$") {
		return s
	}
	if len(s) > maxExpandLen {
		s = s[:maxExpandLen]
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if b.Len() > maxExpandLen {
			break
		}
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		n := s[i+1]
		switch n {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '(', '{':
			end := skipRef(s, i)
			closer := byte(')')
			if n == '{' {
				closer = '}'
			}
			var inner string
			if end > i+1 && s[end] == closer {
				inner = s[i+2 : end]
			} else {
				inner, end = s[i+2:], len(s)-1
			}
			b.WriteString(m.ref(inner, av, depth))
			i = end
			continue
		}
		b.WriteString(m.ref(string(n), av, depth))
		i++
	}
	return b.String()
}

// ref expands the reference $(inner).
func (m *File) ref(inner string, av *autoVars, depth int) string {
	if m.work--; m.work < 0 {
		return "${__make_dynamic}"
	}
	if fn, args, ok := strings.Cut(inner, " "); ok && isMakeFunc(fn) {
		return m.function(fn, args, av, depth)
	}
	name := m.expand(inner, av, depth+1)
	if k := strings.IndexByte(name, ':'); k > 0 && strings.Contains(name[k:], "=") {
		// $(VAR:.c=.o) substitution reference
		from, to, _ := strings.Cut(name[k+1:], "=")
		v := m.ref(name[:k], av, depth+1)
		var out []string
		for _, w := range strings.Fields(v) {
			out = append(out, strings.TrimSuffix(w, from)+to)
		}
		return strings.Join(out, " ")
	}
	if av != nil {
		switch name {
		case "@":
			return av.target
		case "<":
			if len(av.prereqs) > 0 {
				return av.prereqs[0]
			}
			return ""
		case "^", "+", "?":
			return strings.Join(av.prereqs, " ")
		case "*":
			return av.stem
		case "@D":
			return filepath.Dir(av.target)
		case "@F":
			return filepath.Base(av.target)
		}
	}
	if v, ok := m.Vars[name]; ok {
		if v.Simple {
			return v.Value
		}
		return m.expand(v.Value, av, depth+1)
	}
	switch name {
	case "MAKE":
		return "make"
	case "SHELL":
		return "/bin/sh"
	case "RM":
		return "rm -f"
	case "CC":
		return "cc"
	case "CXX":
		return "g++"
	case "MAKEFLAGS", "MFLAGS", "MAKECMDGOALS", "MAKEFILE_LIST":
		return ""
	}
	if isMakeName(name) {
		return "${" + name + "}" // from the environment: the shell analysis knows HOME, PWD ...
	}
	return "${__make_dynamic}"
}

func isMakeName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func isMakeFunc(fn string) bool {
	switch fn {
	case "shell", "subst", "patsubst", "strip", "findstring", "filter", "filter-out", "sort", "word", "wordlist",
		"words", "firstword", "lastword", "dir", "notdir", "suffix", "basename", "addsuffix", "addprefix", "join",
		"wildcard", "realpath", "abspath", "if", "or", "and", "foreach", "call", "value", "eval", "origin", "flavor",
		"error", "warning", "info", "file", "let", "intcmp":
		return true
	}
	return false
}

// function expands the few functions that matter for what runs; the rest
// are only known when make runs (a dynamic shell word).
func (m *File) function(fn, args string, av *autoVars, depth int) string {
	x := func(s string) string { return m.expand(s, av, depth+1) }
	parts := splitArgs(args)
	switch fn {
	case "shell":
		return "$(" + x(args) + ")"
	case "strip":
		return strings.Join(strings.Fields(x(args)), " ")
	case "addprefix", "addsuffix":
		if len(parts) != 2 {
			break
		}
		p := x(parts[0])
		var out []string
		for _, w := range strings.Fields(x(parts[1])) {
			if fn == "addprefix" {
				out = append(out, p+w)
			} else {
				out = append(out, w+p)
			}
		}
		return strings.Join(out, " ")
	case "subst":
		if len(parts) == 3 {
			return strings.ReplaceAll(x(parts[2]), x(parts[0]), x(parts[1]))
		}
	case "firstword", "lastword":
		f := strings.Fields(x(args))
		if len(f) == 0 {
			return ""
		}
		if fn == "firstword" {
			return f[0]
		}
		return f[len(f)-1]
	case "dir", "notdir":
		var out []string
		for _, w := range strings.Fields(x(args)) {
			if fn == "dir" {
				out = append(out, filepath.Dir(w)+"/")
			} else {
				out = append(out, filepath.Base(w))
			}
		}
		return strings.Join(out, " ")
	case "if":
		if len(parts) >= 2 {
			if strings.TrimSpace(x(parts[0])) != "" {
				return x(parts[1])
			}
			if len(parts) == 3 {
				return x(parts[2])
			}
			return ""
		}
	case "call":
		if len(parts) >= 1 {
			v, ok := m.Vars[strings.TrimSpace(x(parts[0]))]
			if !ok {
				return ""
			}
			body := v.Value
			for k := len(parts) - 1; k >= 1; k-- {
				arg := x(parts[k])
				n := string(rune('0' + k))
				body = strings.ReplaceAll(body, "$("+n+")", arg)
				body = strings.ReplaceAll(body, "${"+n+"}", arg)
				body = strings.ReplaceAll(body, "$"+n, arg)
			}
			return x(body)
		}
	case "value":
		return m.Vars[strings.TrimSpace(args)].Value
	case "error", "warning", "info", "eval":
		return ""
	}
	return "${__make_dynamic}"
}

// splitArgs splits a function's arguments at top-level commas.
func splitArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '{':
			depth++
		case ')', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// Run returns the recipe lines `make TARGETS` runs, in order:
// prerequisites first, each target once, with its automatic variables and
// the command-line variables expanded. Pattern rules are used for targets
// without a rule of their own.
func (m *File) Run(targets []string, vars map[string]string) []Line {
	for k, v := range vars {
		m.Vars[k] = Var{Value: v, Simple: true}
	}
	if len(targets) == 0 && m.Goal != "" {
		targets = []string{m.Goal}
	}
	var out []Line
	done := map[string]bool{}
	n := 0
	var visit func(t string, depth int)
	visit = func(t string, depth int) {
		if done[t] || depth > 32 || n >= maxTargets {
			return
		}
		done[t] = true
		n++
		r, stem := m.Rules[t], ""
		if r == nil || len(r.Recipe) == 0 {
			if p, s := m.pattern(t); p != nil {
				if r == nil {
					r = &Rule{Target: t}
				}
				r = &Rule{Target: t, Prereqs: append(append([]string{}, r.Prereqs...), substStem(p.Prereqs, s)...), Recipe: p.Recipe}
				stem = s
			}
		}
		if r == nil {
			return
		}
		for _, p := range r.Prereqs {
			visit(p, depth+1)
		}
		out = m.recipe(out, r, &autoVars{target: t, prereqs: r.Prereqs, stem: stem})
	}
	for _, t := range targets {
		visit(t, 0)
	}
	return out
}

// All returns every recipe line of the makefile, each rule's once, in the
// order of the file (pattern rules last), expanded with its automatic
// variables and the command-line variables: what to judge when a goal has
// no rule and make's choice is not known.
func (m *File) All(vars map[string]string) []Line {
	for k, v := range vars {
		m.Vars[k] = Var{Value: v, Simple: true}
	}
	var out []Line
	for _, t := range m.Order {
		r := m.Rules[t]
		out = m.recipe(out, r, &autoVars{target: t, prereqs: r.Prereqs})
	}
	for _, p := range m.Patterns {
		out = m.recipe(out, p, &autoVars{target: p.Target, prereqs: p.Prereqs})
	}
	return out
}

// Has reports whether make has a rule for target t: its own, or a pattern
// rule with a recipe.
func (m *File) Has(t string) bool {
	if m.Rules[t] != nil {
		return true
	}
	p, _ := m.pattern(t)
	return p != nil
}

// recipe appends the lines of r's recipe, make's prefixes (@ - +)
// removed and expanded with av; empty lines are left out.
func (m *File) recipe(out []Line, r *Rule, av *autoVars) []Line {
	for _, l := range r.Recipe {
		text := strings.TrimLeft(l.Text, " \t")
		for len(text) > 0 && strings.IndexByte("@-+", text[0]) >= 0 {
			text = strings.TrimLeft(text[1:], " \t")
		}
		text = m.expand(text, av, 0)
		if strings.TrimSpace(text) != "" {
			out = append(out, Line{Text: text, Line: l.Line, File: l.File})
		}
	}
	return out
}

// pattern finds the pattern rule (with a recipe) for a target and the stem.
func (m *File) pattern(t string) (*Rule, string) {
	for _, p := range m.Patterns {
		pre, suf, _ := strings.Cut(p.Target, "%")
		if len(p.Recipe) > 0 && len(t) >= len(pre)+len(suf) && strings.HasPrefix(t, pre) && strings.HasSuffix(t, suf) {
			return p, t[len(pre) : len(t)-len(suf)]
		}
	}
	return nil, ""
}

func substStem(ps []string, stem string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = strings.Replace(p, "%", stem, 1)
	}
	return out
}

// Include merges the makefile sub, included from the file p, into m: its
// variables that m does not set, its rules for targets m has none for, its
// pattern rules and what it runs while being read. Their lines keep their
// numbers in sub and are marked as coming from p, so that a verdict names
// the included makefile, not the one that includes it.
func (m *File) Include(sub *File, p string) {
	sub.from(p)
	for k, v := range sub.Vars {
		if _, set := m.Vars[k]; !set {
			m.Vars[k] = v
		}
	}
	for _, t := range sub.Order {
		if _, ok := m.Rules[t]; !ok {
			m.Rules[t] = sub.Rules[t]
			m.Order = append(m.Order, t)
		}
	}
	m.Patterns = append(m.Patterns, sub.Patterns...)
	m.Parse = append(m.Parse, sub.Parse...)
}

// from marks every recipe and parse-time line of m as coming from file p.
func (m *File) from(p string) {
	mark := func(ls []Line) {
		for i := range ls {
			if ls[i].File == "" {
				ls[i].File = p
			}
		}
	}
	mark(m.Parse)
	for _, r := range m.Rules {
		mark(r.Recipe)
	}
	for _, r := range m.Patterns {
		mark(r.Recipe)
	}
}
