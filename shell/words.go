package shell

import (
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/bulwark-guard/bulwark/internal/escape"
)

// xword is a resolved word plus what the analysis learnt while resolving it.
type xword struct {
	Word
	feeders []string // commands whose output reaches the word ($(curl ..), tainted vars)
	decoded string   // the value came from a decoded payload
	// proc is set when the word is a single <(...) whose output is static.
	proc *outInfo
	// procSubst is set when the word is a single <(...) or >(...) (static
	// or not): a pipe, not a file on disk.
	procSubst bool
	quoted    bool
	substOnly bool // made only of one command substitution that stayed dynamic
	// fields is set when the word had unquoted expansions or "${a[@]}":
	// what field splitting needs (see splitInfo).
	fields *splitInfo
	lits   bool // had literal text
}

// splitInfo is what field splitting needs to know about a word: spans
// are the byte ranges of Value that came from unquoted expansions (only
// they split); breaks are offsets where a field ends whatever IFS says
// ("${a[@]}", "$@"); emptyAll is set for "${a[@]}" of an empty array,
// which yields no field at all.
type splitInfo struct {
	spans    [][2]int
	breaks   []int
	emptyAll bool
}

type quoteCtx int

const (
	qUnquoted quoteCtx = iota
	qDouble
	qHeredoc
)

// wres accumulates a word being resolved.
type wres struct {
	sb      strings.Builder
	dyn     bool
	glob    bool
	decoded string
	feeders []string
	quoted  bool
	lits    bool // had literal text
	proc    *outInfo
	// See xword.
	spans    [][2]int
	breaks   []int
	emptyAll bool
}

// word resolves one word.
func (a *analyzer) word(w *syntax.Word, c *ctx, sc *scope, q quoteCtx) xword {
	if w == nil {
		return xword{}
	}
	a.spend(1)
	var r wres
	a.parts(w.Parts, q, &r, c, sc, true)
	x := xword{Word: Word{Value: r.sb.String(), Dynamic: r.dyn, Glob: r.glob}, feeders: r.feeders, decoded: r.decoded,
		quoted: r.quoted, lits: r.lits}
	if !r.dyn && (len(r.spans) > 0 || len(r.breaks) > 0 || r.emptyAll) {
		x.fields = &splitInfo{spans: r.spans, breaks: r.breaks, emptyAll: r.emptyAll}
	}
	if len(w.Parts) == 1 {
		x.proc = r.proc
		_, x.procSubst = w.Parts[0].(*syntax.ProcSubst)
		if _, ok := w.Parts[0].(*syntax.CmdSubst); ok && r.dyn {
			x.substOnly = true
		}
		if dq, ok := w.Parts[0].(*syntax.DblQuoted); ok && len(dq.Parts) == 1 && r.dyn {
			if _, ok := dq.Parts[0].(*syntax.CmdSubst); ok {
				x.substOnly = true
			}
		}
	}
	// Parts that could not be resolved already contributed their source
	// text to Value.
	return x
}

// words resolves a list of argument words, with field splitting of
// unquoted static expansions and removal of empty unquoted expansions.
func (a *analyzer) words(ws []*syntax.Word, c *ctx, sc *scope) []xword {
	out := make([]xword, 0, len(ws))
	for _, w := range ws {
		x := a.word(w, c, sc, qUnquoted)
		if x.Glob && !x.Dynamic && strings.IndexByte(x.Value, '{') >= 0 && braceWord(w) {
			// Brace expansion of literal text: ~/.ssh/{id_rsa,id_ed25519}.
			if exp := expandBraces(x.Value); exp != nil {
				for _, e := range exp {
					if e == "" {
						continue // empty words from brace expansion are removed
					}
					y := x
					y.Value, y.Glob = e, hasGlobChars(e)
					out = append(out, y)
				}
				continue
			}
		}
		if x.fields != nil {
			out = a.split(out, x, sc)
			continue
		}
		out = append(out, x)
	}
	return out
}

func (a *analyzer) parts(ps []syntax.WordPart, q quoteCtx, r *wres, c *ctx, sc *scope, first bool) {
	for i, p := range ps {
		switch x := p.(type) {
		case *syntax.Lit:
			v := x.Value
			if q == qUnquoted && first && i == 0 && strings.HasPrefix(v, "~") {
				end := strings.IndexByte(v, '/')
				if end < 0 {
					end = len(v)
				}
				if end == 1 {
					r.sb.WriteString(sc.home())
					v = v[1:]
				} else if h := userHome(v[1:end]); h != "" {
					r.sb.WriteString(h)
					v = v[end:]
				}
			}
			if v != "" {
				r.lits = true
			}
			unescapeLit(v, q, r)
		case *syntax.SglQuoted:
			r.quoted = true
			if x.Dollar {
				r.sb.WriteString(ansiC(x.Value))
			} else {
				r.sb.WriteString(x.Value)
			}
		case *syntax.DblQuoted:
			r.quoted = true
			a.parts(x.Parts, qDouble, r, c, sc, false)
		case *syntax.ParamExp:
			start := r.sb.Len()
			dyn := r.dyn
			a.paramExp(x, q, r, c, sc)
			if q == qUnquoted && r.dyn == dyn {
				r.spans = append(r.spans, [2]int{start, r.sb.Len()})
			}
		case *syntax.CmdSubst:
			start := r.sb.Len()
			var o outInfo
			cs := a.capture(func() { o = a.substStmts(x.Stmts, c, sc, substVia(x)) })
			r.feeders = namesOf(r.feeders, cs)
			a.appendCmds(cs)
			if o.known && len(o.text) <= maxPayload && a.expand(r.sb.Len(), len(o.text)) {
				r.sb.WriteString(strings.TrimRight(o.text, "\n"))
				r.decoded = orDec(r.decoded, o.decoded)
				if q == qUnquoted {
					r.spans = append(r.spans, [2]int{start, r.sb.Len()})
				}
			} else {
				r.dyn = true
				r.sb.WriteString(c.srcOf(x))
			}
		case *syntax.ProcSubst:
			var o outInfo
			cs := a.capture(func() { o = a.substStmts(x.Stmts, c, sc, procVia(x)) })
			r.feeders = namesOf(r.feeders, cs)
			a.appendCmds(cs)
			r.dyn = true
			r.sb.WriteString(c.srcOf(x))
			if o.known && x.Op == syntax.CmdIn {
				oo := o
				r.proc = &oo
			}
		case *syntax.ArithmExp:
			r.feeders = addNames(r.feeders, a.substsIn(x, c, sc))
			r.dyn = true
			r.sb.WriteString(c.srcOf(x))
		case *syntax.ExtGlob:
			r.glob = true
			r.lits = true
			r.sb.WriteString(c.srcOf(x))
		default:
			r.dyn = true
			r.sb.WriteString(c.srcOf(p))
		}
	}
}

// isBracketGlob reports whether v has a [...] bracket expression (a lone
// "[" as in `[ -f x ]` is not a glob).
func isBracketGlob(v string) bool {
	i := strings.IndexByte(v, '[')
	return i >= 0 && strings.IndexByte(v[i:], ']') > 1
}

// unescapeLit appends the value of literal source text in quoting context q.
func unescapeLit(v string, q quoteCtx, r *wres) {
	if strings.IndexByte(v, '\\') < 0 {
		if q == qUnquoted && (strings.ContainsAny(v, "*?") || isBracketGlob(v)) {
			r.glob = true
		}
		if q == qUnquoted && strings.IndexByte(v, '{') >= 0 && strings.IndexByte(v, '}') >= 0 &&
			(strings.IndexByte(v, ',') >= 0 || strings.Contains(v, "..")) {
			r.glob = true
		}
		r.sb.WriteString(v)
		return
	}
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if ch == '\\' && i+1 < len(v) {
			n := v[i+1]
			switch q {
			case qUnquoted:
				i++
				if n != '\n' {
					r.sb.WriteByte(n)
				}
				continue
			case qDouble:
				if n == '$' || n == '`' || n == '"' || n == '\\' || n == '\n' {
					i++
					if n != '\n' {
						r.sb.WriteByte(n)
					}
					continue
				}
			case qHeredoc:
				if n == '$' || n == '`' || n == '\\' || n == '\n' {
					i++
					if n != '\n' {
						r.sb.WriteByte(n)
					}
					continue
				}
			}
		}
		if q == qUnquoted && (ch == '*' || ch == '?' || (ch == '[' && strings.IndexByte(v[i:], ']') > 1)) {
			r.glob = true
		}
		r.sb.WriteByte(ch)
	}
}

// split appends to out the fields of a resolved word: field splitting
// and removal of empty unquoted expansions.
func (a *analyzer) split(out []xword, x xword, sc *scope) []xword {
	f := x.fields
	x.fields = nil
	ifs, ok := sc.ifs()
	if !ok && len(f.spans) > 0 {
		// IFS is only known at run time: so is the splitting.
		x.Dynamic = true
		return append(out, x)
	}
	if len(f.spans) == 0 {
		ifs = ""
	}
	if f.emptyAll && x.Value == "" && !x.lits && len(f.breaks) == 0 {
		return out
	}
	if len(f.breaks) == 0 && (x.Value != "" || x.quoted || x.lits) {
		// Fast path: no separator in what was expanded, one field as it is.
		split := false
		for _, sp := range f.spans {
			if strings.ContainsAny(x.Value[sp[0]:sp[1]], ifs) {
				split = true
				break
			}
		}
		if !split {
			return append(out, x)
		}
	}
	fields := fieldSplit(x.Value, f.spans, f.breaks, ifs, x.quoted || x.lits)
	for _, v := range fields {
		y := x
		y.Value = v
		if len(fields) > 1 {
			y.proc = nil
			y.Glob = x.Glob && hasGlobChars(v)
		}
		out = append(out, y)
	}
	return out
}

func (a *analyzer) paramExp(pe *syntax.ParamExp, q quoteCtx, r *wres, c *ctx, sc *scope) {
	dynamic := func() {
		r.dyn = true
		r.sb.WriteString(c.srcOf(pe))
		r.feeders = addNames(r.feeders, a.substsIn(pe, c, sc))
	}
	if pe.Param == nil || pe.Width || pe.Names != 0 || pe.NestedParam != nil || len(pe.Modifiers) > 0 ||
		pe.Flags != nil || pe.IsSet {
		dynamic()
		return
	}
	name := pe.Param.Value
	v, set := sc.lookup(name)
	if pe.Excl {
		// ${!X}: the variable named by X's value.
		if pe.Index != nil || !set || !v.known || !isVarName(v.val) {
			dynamic()
			return
		}
		name = v.val
		v, set = sc.lookup(name)
	}
	r.feeders = addNames(r.feeders, v.feeders)
	if a.paramArray(pe, name, v, set, q, r, c, sc, dynamic) {
		return
	}
	a.scalarExp(pe, v, set, !set && sc.definitelyUnset(name), q, r, c, sc, dynamic)
}

// definitelyUnset reports a variable the command line unset, or a
// positional parameter past the known arguments ($3 of a call with two).
func (sc *scope) definitelyUnset(name string) bool {
	if v, ok := sc.raw(name); ok {
		return v.unset
	}
	if n, err := strconv.Atoi(name); err == nil && n > 0 {
		if c, ok := sc.raw("#"); ok && c.known {
			count, err := strconv.Atoi(c.val)
			return err == nil && n > count
		}
	}
	return false
}

// scalarExp expands ${X...} for one value. gone is set when X is
// definitely not set (unset, or past the arguments): it expands to
// nothing, and its default (if any) applies.
func (a *analyzer) scalarExp(pe *syntax.ParamExp, v varVal, set, gone bool, q quoteCtx, r *wres, c *ctx, sc *scope, dynamic func()) {
	if gone && pe.Exp == nil {
		v, set = varVal{known: true}, true // empty
	}
	if set && v.known && !a.expand(r.sb.Len(), len(v.val)) {
		// Too large to expand: the value stays unknown.
		r.dyn = true
		r.sb.WriteString(c.srcOf(pe))
		return
	}
	if transforms(pe) {
		if gone {
			v, set = varVal{known: true}, true
		}
		if !set || !v.known {
			dynamic()
			return
		}
		s, ok := a.valueOp(pe, v.val, c, sc)
		if !ok || !a.expand(r.sb.Len(), len(s)) {
			dynamic()
			return
		}
		r.sb.WriteString(s)
		r.decoded = orDec(r.decoded, v.decoded)
		return
	}
	if pe.Exp == nil {
		if set && v.known {
			r.sb.WriteString(v.val)
			r.decoded = orDec(r.decoded, v.decoded)
			r.glob = r.glob || v.glob // a for loop over a glob: each value is a match
			return
		}
		dynamic()
		return
	}
	useWord := func() {
		if pe.Exp.Word == nil {
			return
		}
		a.parts(pe.Exp.Word.Parts, q, r, c, sc, false)
	}
	switch pe.Exp.Op {
	case syntax.DefaultUnset, syntax.AssignUnset:
		if !set {
			a.envDefault(pe, q, r, c, sc, dynamic)
		} else if v.known {
			r.sb.WriteString(v.val)
		} else {
			dynamic()
		}
	case syntax.DefaultUnsetOrNull, syntax.AssignUnsetOrNull:
		if !set {
			a.envDefault(pe, q, r, c, sc, dynamic)
		} else if v.known && v.val == "" {
			useWord()
		} else if v.known {
			r.sb.WriteString(v.val)
		} else {
			dynamic()
		}
	case syntax.AlternateUnset, syntax.AlternateUnsetOrNull:
		if set && v.known && (v.val != "" || pe.Exp.Op == syntax.AlternateUnset) {
			useWord()
		} else if set && v.known {
			// empty
		} else {
			dynamic()
		}
	case syntax.ErrorUnset, syntax.ErrorUnsetOrNull:
		if set && v.known {
			r.sb.WriteString(v.val)
		} else {
			dynamic()
		}
	default:
		dynamic()
	}
}

// envDefault resolves ${VAR:-default} (and -, :=, =) for a VAR that the
// command line does not assign: VAR comes from the environment and may be
// set, so the word is dynamic. When the default is a path (it starts with /
// or ~ once resolved), the default is kept as the value, marked dynamic, so
// that guards still see the dangerous possible value (`rm -rf ${DIR:-/}`);
// any other default keeps the source text, so that the variable stays
// visible (`echo ${HF_TOKEN:-unset}` prints the token when it is set).
func (a *analyzer) envDefault(pe *syntax.ParamExp, q quoteCtx, r *wres, c *ctx, sc *scope, dynamic func()) {
	if sc.definitelyUnset(pe.Param.Value) {
		// `unset X` earlier in the line: the default is the value.
		if pe.Exp.Word != nil {
			a.parts(pe.Exp.Word.Parts, q, r, c, sc, false)
		}
		return
	}
	if pe.Exp.Word != nil {
		var d wres
		a.parts(pe.Exp.Word.Parts, q, &d, c, sc, false)
		if v := d.sb.String(); !d.dyn && (strings.HasPrefix(v, "/") || strings.HasPrefix(v, "~")) {
			r.sb.WriteString(v)
			r.dyn = true
			r.glob = r.glob || d.glob
			r.feeders = addNames(r.feeders, d.feeders)
			r.decoded = orDec(r.decoded, d.decoded)
			return
		}
		// The substitutions in the default already ran above; keep only the
		// source text.
		r.dyn = true
		r.sb.WriteString(c.srcOf(pe))
		r.feeders = addNames(r.feeders, d.feeders)
		return
	}
	dynamic()
}

// userHome is the home directory of ~NAME: /root for root, /home/NAME for
// any other valid user name, "" when NAME is not a user name (~+, ~-, ~1).
func userHome(name string) string {
	if name == "" || len(name) > 32 {
		return ""
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		if !(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			(i > 0 && (ch == '-' || ch == '.' || (ch >= '0' && ch <= '9')))) {
			return ""
		}
	}
	if name == "root" {
		return "/root"
	}
	return "/home/" + name
}

// redirects resolves redirections. It returns the Redirect list, the stdin
// (updated by heredocs, here-strings and `<`), and feeders from substitutions.
func (a *analyzer) redirects(rs []*syntax.Redirect, c *ctx, sc *scope, in stdinInfo) ([]Redirect, stdinInfo, []string) {
	if len(rs) == 0 {
		return nil, in, nil
	}
	out := make([]Redirect, 0, len(rs))
	var feeders []string
	for _, r := range rs {
		if r == nil {
			continue
		}
		rd := Redirect{Op: r.Op.String()}
		fd := ""
		if r.N != nil {
			fd = r.N.Value
		}
		switch r.Op {
		case syntax.Hdoc, syntax.DashHdoc:
			body := a.heredoc(r, c, sc)
			feeders = addNames(feeders, body.feeders)
			if fd == "" || fd == "0" {
				if body.Dynamic {
					in = stdinInfo{kind: "heredoc", feeders: body.feeders}
					// A partly dynamic heredoc is still mostly known text;
					// keep it so guards can inspect it.
					in.text, in.known = body.Value, true
				} else {
					in = stdinInfo{text: body.Value, known: true, decoded: body.decoded, kind: "heredoc"}
				}
			}
		case syntax.WordHdoc:
			w := a.word(r.Word, c, sc, qUnquoted)
			feeders = addNames(feeders, w.feeders)
			if fd == "" || fd == "0" {
				in = stdinInfo{text: w.Value + "\n", known: true, decoded: w.decoded, kind: "here-string", feeders: w.feeders}
			}
		default:
			w := a.word(r.Word, c, sc, qUnquoted)
			feeders = addNames(feeders, w.feeders)
			rd.Target = w.Word
			switch r.Op {
			case syntax.RdrOut, syntax.AppOut, syntax.RdrClob, syntax.AppClob, syntax.RdrAll, syntax.RdrAllClob,
				syntax.AppAll, syntax.AppAllClob, syntax.RdrInOut:
				rd.Write = true
			case syntax.DplOut:
				if _, err := strconv.Atoi(w.Value); err != nil && w.Value != "-" {
					rd.Write = true
				}
			case syntax.RdrIn:
				if fd == "" || fd == "0" {
					if w.proc != nil {
						in = stdinInfo{text: w.proc.text, known: true, decoded: w.proc.decoded, kind: "pipe", feeders: w.feeders}
					} else if !w.procSubst {
						f := w.Word
						in = stdinInfo{feeders: w.feeders, file: &f}
					} else {
						in = stdinInfo{feeders: w.feeders}
					}
				}
			}
		}
		if fd != "" {
			rd.Op = fd + rd.Op
		}
		out = append(out, rd)
	}
	return out, in, feeders
}

// heredoc resolves a heredoc body. Quoted delimiters keep the body verbatim.
func (a *analyzer) heredoc(r *syntax.Redirect, c *ctx, sc *scope) xword {
	if r.Hdoc == nil {
		return xword{}
	}
	quoted := false
	if r.Word != nil {
		for _, p := range r.Word.Parts {
			switch x := p.(type) {
			case *syntax.Lit:
				if strings.IndexByte(x.Value, '\\') >= 0 {
					quoted = true
				}
			default:
				quoted = true
			}
		}
	}
	var x xword
	if quoted {
		var sb strings.Builder
		for _, p := range r.Hdoc.Parts {
			if l, ok := p.(*syntax.Lit); ok {
				sb.WriteString(l.Value)
			} else {
				sb.WriteString(c.srcOf(p))
			}
		}
		x.Value = sb.String()
	} else {
		var rr wres
		a.parts(r.Hdoc.Parts, qHeredoc, &rr, c, sc, false)
		x = xword{Word: Word{Value: rr.sb.String(), Dynamic: rr.dyn}, feeders: rr.feeders, decoded: rr.decoded}
	}
	if r.Op == syntax.DashHdoc {
		x.Value = stripTabs(x.Value)
	}
	return x
}

func stripTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, "\t")
	}
	return strings.Join(lines, "")
}

// ansiC decodes the body of $'...'.
func ansiC(s string) string { return escape.Backslash(s) }

func isHex(b byte) bool { return escape.IsHex(b) }
