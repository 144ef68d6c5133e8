package shell

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"

	"github.com/bulwark-guard/bulwark/internal/fnmatch"
)

// This file evaluates what the shell knows before running: the operators
// of ${...} on values the command line set (${PWD%/*}, ${X#prefix},
// ${X/a/b}, ${X^^}, ${#X}, ${X:1:3}, ${!X}), arrays and positional
// parameters ("${a[@]}", "$@", ${a[1]}), and field splitting with $IFS.
// What cannot be derived statically stays dynamic.

// defaultIFS is the value of IFS in a shell that does not set it (bash and
// dash reset IFS at start-up; it is not taken from the environment).
const defaultIFS = " \t\n"

// ifs returns the IFS in force, and false when it is only known at run
// time.
func (sc *scope) ifs() (string, bool) {
	v, set := sc.lookup("IFS")
	if !set {
		return defaultIFS, true
	}
	return v.val, v.known
}

// fieldSplit splits the value of a word into fields the way the shell
// does after expansion: only characters that came from unquoted
// expansions (spans) split, IFS whitespace runs count as one separator
// and are trimmed at the ends, other IFS characters each end a field.
// breaks are offsets where a field ends whatever IFS says ("${a[@]}").
// keepEmpty is set when the word had literal or quoted text, so that it
// yields a field even when empty.
func fieldSplit(s string, spans [][2]int, breaks []int, ifs string, keepEmpty bool) []string {
	var out []string
	var cur strings.Builder
	started := false
	inSpan := func(i int) bool {
		for _, sp := range spans {
			if i >= sp[0] && i < sp[1] {
				return true
			}
		}
		return false
	}
	isBreak := func(i int) bool {
		for _, b := range breaks {
			if b == i {
				return true
			}
		}
		return false
	}
	end := func() {
		out = append(out, cur.String())
		cur.Reset()
		started = false
	}
	wsRun := false // inside a run of IFS whitespace
	for i := 0; i < len(s); i++ {
		if isBreak(i) {
			end()
			started = true // the next element is a field even when empty
			wsRun = false
		}
		ch := s[i]
		if inSpan(i) && strings.IndexByte(ifs, ch) >= 0 {
			if ch == ' ' || ch == '\t' || ch == '\n' {
				if started && !wsRun {
					end()
				}
				wsRun = true
				continue
			}
			// A non-whitespace separator ends a field, even an empty one
			// (unless it follows the whitespace that just ended one).
			if started || !wsRun {
				end()
			}
			wsRun = true
			continue
		}
		wsRun = false
		cur.WriteByte(ch)
		started = true
	}
	if started || cur.Len() > 0 || keepEmpty && len(out) == 0 {
		end()
	}
	return out
}

// arithmInt evaluates an arithmetic expression made of integer literals,
// known variables, unary minus and parentheses.
func arithmInt(x syntax.ArithmExpr, sc *scope) (int, bool) {
	switch e := x.(type) {
	case *syntax.Word:
		if len(e.Parts) != 1 {
			return 0, false
		}
		l, ok := e.Parts[0].(*syntax.Lit)
		if !ok {
			return 0, false
		}
		if n, err := strconv.Atoi(l.Value); err == nil {
			return n, true
		}
		if v, set := sc.lookup(l.Value); set && v.known {
			n, err := strconv.Atoi(strings.TrimSpace(v.val))
			return n, err == nil
		}
	case *syntax.UnaryArithm:
		if e.Op == syntax.Minus && !e.Post {
			n, ok := arithmInt(e.X, sc)
			return -n, ok
		}
		if e.Op == syntax.Plus && !e.Post {
			return arithmInt(e.X, sc)
		}
	case *syntax.ParenArithm:
		return arithmInt(e.X, sc)
	}
	return 0, false
}

// subscript is a resolved array subscript.
type subscript struct {
	all  bool // [@] or [*]
	star bool // [*]
	idx  int  // an element, when !all
}

// subscriptOf resolves ${a[...]}'s subscript.
func subscriptOf(x syntax.ArithmExpr, sc *scope) (subscript, bool) {
	if w, ok := x.(*syntax.Word); ok && len(w.Parts) == 1 {
		if l, ok := w.Parts[0].(*syntax.Lit); ok && (l.Value == "@" || l.Value == "*") {
			return subscript{all: true, star: l.Value == "*"}, true
		}
	}
	n, ok := arithmInt(x, sc)
	return subscript{idx: n}, ok
}

// elements returns the elements of a variable used as an array (a scalar
// is an array of one), or false when not known.
func (v varVal) elements(set bool) ([]string, bool) {
	switch {
	case !set || !v.known:
		// Not assigned by the command line: from the environment (or the
		// script's own arguments), only known at run time.
		return nil, false
	case v.isArr:
		return v.arr, true
	}
	return []string{v.val}, true
}

// sliceOf applies ${X:off:len} to a string (rune offsets) or ${a[@]:off:len}
// to elements.
func sliceBounds(n int, sl *syntax.Slice, sc *scope) (int, int, bool) {
	off, ok := arithmInt(sl.Offset, sc)
	if !ok {
		return 0, 0, false
	}
	if off < 0 {
		off += n
	}
	if off < 0 || off > n {
		return 0, 0, off >= 0 // beyond the end: empty
	}
	end := n
	if sl.Length != nil {
		l, ok := arithmInt(sl.Length, sc)
		if !ok {
			return 0, 0, false
		}
		if l < 0 {
			end = n + l
		} else {
			end = off + l
		}
		end = min(end, n)
		if end < off {
			return 0, 0, false // bash: an error
		}
	}
	return off, end, true
}

// pattern resolves the pattern word of ${X%pat}, ${X/pat/rep}: quoted
// text is literal (its glob characters escaped), unquoted text and known
// unquoted expansions are patterns.
func (a *analyzer) pattern(w *syntax.Word, c *ctx, sc *scope) (string, bool) {
	if w == nil {
		return "", true
	}
	var sb strings.Builder
	var walk func(ps []syntax.WordPart, quoted bool) bool
	walk = func(ps []syntax.WordPart, quoted bool) bool {
		for _, p := range ps {
			switch x := p.(type) {
			case *syntax.Lit:
				if quoted {
					sb.WriteString(globEscape(x.Value))
				} else {
					sb.WriteString(x.Value)
				}
			case *syntax.SglQuoted:
				sb.WriteString(globEscape(x.Value))
			case *syntax.DblQuoted:
				if !walk(x.Parts, true) {
					return false
				}
			default:
				var r wres
				a.parts([]syntax.WordPart{p}, qDouble, &r, c, sc, false)
				if r.dyn {
					return false
				}
				if quoted {
					sb.WriteString(globEscape(r.sb.String()))
				} else {
					sb.WriteString(r.sb.String())
				}
			}
		}
		return true
	}
	if !walk(w.Parts, false) {
		return "", false
	}
	return sb.String(), true
}

func globEscape(s string) string {
	if !strings.ContainsAny(s, `*?[\`) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`*?[\`, s[i]) >= 0 {
			sb.WriteByte('\\')
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

// globber matches shell patterns (*, ?, [...], \x) within a step budget
// taken from the analysis' work, so that pathological patterns on long
// values end the analysis (a limit) instead of taking seconds.
type globber struct {
	a     *analyzer
	steps int
	out   bool // the budget ran out
}

func (a *analyzer) globber() *globber { return &globber{a: a, steps: a.work} }

// done gives the unused budget back.
func (g *globber) done() {
	g.a.work = g.steps
	if g.out {
		g.a.work = 0
		g.a.spend(0) // records the limit
	}
}

// match reports whether pattern p matches all of s, on the globber's
// budget.
func (g *globber) match(p, s string) bool {
	ok, out := fnmatch.Within(p, s, &g.steps)
	g.out = g.out || out
	return ok
}

// removeAffix is ${s#p} (prefix, shortest), ${s##p} (longest), ${s%p}
// (suffix, shortest) and ${s%%p} (longest).
func (g *globber) removeAffix(s, p string, prefix, longest bool) string {
	n := len(s)
	try := func(i int) (string, bool) {
		if i < n && !utf8.RuneStart(s[i]) {
			return "", false
		}
		if prefix {
			if g.match(p, s[:i]) {
				return s[i:], true
			}
		} else if g.match(p, s[i:]) {
			return s[:i], true
		}
		return "", false
	}
	// prefix: i is the prefix's length; suffix: i is where the suffix
	// starts. #: shortest prefix first (0..n), ##: longest (n..0),
	// %: shortest suffix (n..0), %%: longest (0..n).
	if prefix != longest {
		for i := 0; i <= n && !g.out; i++ {
			if r, ok := try(i); ok {
				return r
			}
		}
	} else {
		for i := n; i >= 0 && !g.out; i-- {
			if r, ok := try(i); ok {
				return r
			}
		}
	}
	return s
}

// replace is ${s/p/rep} (all: ${s//p/rep}; anchored at the start: /#, at
// the end: /%), with the longest match at each position.
func (g *globber) replace(s, p, rep string, all bool) string {
	switch {
	case p == "":
		return s
	case strings.HasPrefix(p, "#"):
		for j := len(s); j >= 0 && !g.out; j-- {
			if g.match(p[1:], s[:j]) {
				return rep + s[j:]
			}
		}
		return s
	case strings.HasPrefix(p, "%"):
		for i := 0; i <= len(s) && !g.out; i++ {
			if g.match(p[1:], s[i:]) {
				return s[:i] + rep
			}
		}
		return s
	}
	var sb strings.Builder
	i := 0
	for i <= len(s) && !g.out {
		found := -1
		for j := len(s); j >= i && !g.out; j-- {
			if g.match(p, s[i:j]) {
				found = j
				break
			}
		}
		if found < 0 || found == i {
			if i < len(s) {
				sb.WriteByte(s[i])
			}
			i++
			continue
		}
		sb.WriteString(rep)
		i = found
		if !all {
			sb.WriteString(s[i:])
			return sb.String()
		}
	}
	return sb.String()
}

// caseOp is ${s^}, ${s^^}, ${s,}, ${s,,} without a pattern.
func caseOp(s string, op syntax.ParExpOperator) string {
	switch op {
	case syntax.UpperAll:
		return strings.ToUpper(s)
	case syntax.LowerAll:
		return strings.ToLower(s)
	}
	r, w := utf8.DecodeRuneInString(s)
	if w == 0 {
		return s
	}
	if op == syntax.UpperFirst {
		return string(unicode.ToUpper(r)) + s[w:]
	}
	return string(unicode.ToLower(r)) + s[w:]
}

// valueOp applies to a known value the operators of pe that transform it
// (length, slice, replacement, prefix and suffix removal, case). ok is
// false when that cannot be done statically.
func (a *analyzer) valueOp(pe *syntax.ParamExp, s string, c *ctx, sc *scope) (string, bool) {
	switch {
	case pe.Length:
		return strconv.Itoa(utf8.RuneCountInString(s)), true
	case pe.Slice != nil:
		rs := []rune(s)
		off, end, ok := sliceBounds(len(rs), pe.Slice, sc)
		if !ok {
			return "", false
		}
		return string(rs[off:end]), true
	case pe.Repl != nil:
		p, ok := a.pattern(pe.Repl.Orig, c, sc)
		if !ok {
			return "", false
		}
		rep := ""
		if pe.Repl.With != nil {
			w := a.word(pe.Repl.With, c, sc, qUnquoted) // with tilde expansion, as bash does
			if w.Dynamic {
				return "", false
			}
			rep = w.Value
		}
		g := a.globber()
		out := g.replace(s, p, rep, pe.Repl.All)
		g.done()
		return out, !g.out
	case pe.Exp != nil:
		switch op := pe.Exp.Op; op {
		case syntax.RemSmallPrefix, syntax.RemLargePrefix, syntax.RemSmallSuffix, syntax.RemLargeSuffix:
			p, ok := a.pattern(pe.Exp.Word, c, sc)
			if !ok {
				return "", false
			}
			g := a.globber()
			out := g.removeAffix(s, p, op == syntax.RemSmallPrefix || op == syntax.RemLargePrefix,
				op == syntax.RemLargePrefix || op == syntax.RemLargeSuffix)
			g.done()
			return out, !g.out
		case syntax.UpperFirst, syntax.UpperAll, syntax.LowerFirst, syntax.LowerAll:
			if pe.Exp.Word != nil {
				return "", false // ${X^^[ab]}: not followed
			}
			return caseOp(s, op), true
		case syntax.OtherParamOps:
			if pe.Exp.Word != nil && len(pe.Exp.Word.Parts) == 1 {
				if l, ok := pe.Exp.Word.Parts[0].(*syntax.Lit); ok {
					switch l.Value {
					case "U":
						return strings.ToUpper(s), true
					case "L":
						return strings.ToLower(s), true
					case "u":
						return caseOp(s, syntax.UpperFirst), true
					case "E":
						return ansiC(s), true
					}
				}
			}
			return "", false
		}
	}
	return s, true
}

// transforms reports whether pe has an operator valueOp applies.
func transforms(pe *syntax.ParamExp) bool {
	if pe.Length || pe.Slice != nil || pe.Repl != nil {
		return true
	}
	if pe.Exp == nil {
		return false
	}
	switch pe.Exp.Op {
	case syntax.RemSmallPrefix, syntax.RemLargePrefix, syntax.RemSmallSuffix, syntax.RemLargeSuffix,
		syntax.UpperFirst, syntax.UpperAll, syntax.LowerFirst, syntax.LowerAll, syntax.OtherParamOps:
		return true
	}
	return false
}

// IsVarName reports whether s is a shell variable name (letters, digits
// and _, not starting with a digit): what VAR=value assigns and $VAR reads.
func IsVarName(s string) bool { return isVarName(s) }

func isVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || i > 0 && ch >= '0' && ch <= '9') {
			return false
		}
	}
	return true
}

// paramArray expands ${a[@]}, ${a[*]}, ${a[N]}, "$@", "$*" and their
// operators. handled is false when pe is not an array expansion.
func (a *analyzer) paramArray(pe *syntax.ParamExp, name string, v varVal, set bool, q quoteCtx, r *wres, c *ctx, sc *scope, dynamic func()) (handled bool) {
	var sub subscript
	switch {
	case pe.Index != nil:
		s, ok := subscriptOf(pe.Index, sc)
		if !ok {
			dynamic()
			return true
		}
		sub = s
	case name == "@" || name == "*":
		sub = subscript{all: true, star: name == "*"}
	default:
		return false
	}
	elems, ok := v.elements(set)
	if !ok {
		dynamic()
		return true
	}
	if !sub.all {
		// One element: a scalar from here on.
		i := sub.idx
		if i < 0 {
			i += len(elems)
		}
		val, eset := "", false
		if i >= 0 && i < len(elems) {
			val, eset = elems[i], true
		}
		a.scalarExp(pe, varVal{val: val, known: true, feeders: v.feeders}, eset, !eset, q, r, c, sc, dynamic)
		return true
	}
	switch {
	case pe.Length:
		r.sb.WriteString(strconv.Itoa(len(elems)))
		return true
	case pe.Slice != nil:
		off, end, ok := sliceBounds(len(elems), pe.Slice, sc)
		if !ok {
			dynamic()
			return true
		}
		elems = elems[off:end]
	case pe.Exp != nil && !transforms(pe):
		dynamic() // ${a[@]:-x}: not followed
		return true
	case transforms(pe):
		out := make([]string, len(elems))
		for k, e := range elems {
			s, ok := a.valueOp(pe, e, c, sc)
			if !ok {
				dynamic()
				return true
			}
			out[k] = s
		}
		elems = out
	}
	total := 0
	for _, e := range elems {
		total += len(e) + 1
	}
	if !a.expand(r.sb.Len(), total) {
		dynamic()
		return true
	}
	sep := " "
	if sub.star && q != qUnquoted {
		if ifs, ok := sc.ifs(); ok {
			sep = ""
			if ifs != "" {
				sep = ifs[:1]
			}
		}
	}
	if len(elems) == 0 && q != qUnquoted && !sub.star {
		r.emptyAll = true // "${a[@]}" of nothing: no field at all
	}
	for k, e := range elems {
		if k > 0 {
			if q != qUnquoted && !sub.star {
				r.breaks = append(r.breaks, r.sb.Len()) // "${a[@]}": one field each
			} else {
				r.sb.WriteString(sep)
			}
		}
		r.sb.WriteString(e)
	}
	return true
}
