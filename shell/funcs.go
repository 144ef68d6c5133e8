package shell

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Shell functions. A function's body is analysed where the function is
// called, with its arguments as $1 ...: `f(){ rm -rf "$1"; }; f ~` runs
// `rm -rf /home/dev`. A function the command line declares but never calls
// by name is analysed once at the end with unknown arguments, so that its
// commands are still seen (it may be called in a way the analysis cannot
// follow: a trap, a dynamic name). Its commands have Via "function NAME".

// maxFuncDepth bounds function calls inside function calls (recursion).
const maxFuncDepth = 8

// funcDef is a declared function.
type funcDef struct {
	name   string
	body   *syntax.Stmt
	ctx    *ctx // where it was declared
	called bool
}

// declareFunc records a function declaration in the scope.
func (a *analyzer) declareFunc(fd *syntax.FuncDecl, c *ctx, sc *scope) {
	if fd.Name == nil || fd.Body == nil {
		return
	}
	d := &funcDef{name: fd.Name.Value, body: fd.Body, ctx: c.with()}
	if len(a.funcs) < 256 {
		a.funcs = append(a.funcs, d)
	}
	if sc.funcs == nil {
		sc.funcs = make(map[string]*funcDef)
	}
	sc.funcs[d.name] = d
}

// fn returns the function called name in sc, or nil.
func (sc *scope) fn(name string) *funcDef {
	for p := sc; p != nil; p = p.parent {
		if d, ok := p.funcs[name]; ok {
			return d
		}
	}
	return nil
}

// callFunc analyses a call of d with args, in the caller's scope: the
// function's assignments are the caller's (shell functions share
// variables), except its positional parameters and what it declares local,
// which are restored afterwards.
func (a *analyzer) callFunc(d *funcDef, args []xword, in stdinInfo, c *ctx, sc *scope) {
	if a.funcDepth >= maxFuncDepth {
		a.limit("functions call functions more than 8 deep; the rest was not analysed")
		return
	}
	d.called = true
	a.funcDepth++
	saved := a.saveVars(sc, positionalNames[:])
	a.frames = append(a.frames, saved)
	a.setPositional(sc, args)
	nc := c.with()
	nc.src = d.ctx.src
	nc.via = appendVia(c.via, "function "+d.name)
	a.stmt(d.body, nc, sc, in)
	top := a.frames[len(a.frames)-1]
	a.frames = a.frames[:len(a.frames)-1]
	a.restoreVars(sc, top)
	a.funcDepth--
}

// savedVar is a variable's state before a function call changed it.
type savedVar struct {
	v   varVal
	had bool // it had an entry (a value, or unset) before the call
}

// saveVars returns the entries of names in sc.
func (a *analyzer) saveVars(sc *scope, names []string) map[string]savedVar {
	m := make(map[string]savedVar, len(names))
	for _, n := range names {
		v, had := sc.raw(n)
		m[n] = savedVar{v: v, had: had}
	}
	return m
}

// local records, in the function being called, that name is local: its
// value is restored when the function returns.
func (a *analyzer) local(sc *scope, name string) {
	if len(a.frames) == 0 {
		return
	}
	top := a.frames[len(a.frames)-1]
	if _, ok := top[name]; !ok {
		v, had := sc.raw(name)
		top[name] = savedVar{v: v, had: had}
	}
}

// restoreVars puts saved entries back.
func (a *analyzer) restoreVars(sc *scope, saved map[string]savedVar) {
	for n, s := range saved {
		if s.had {
			sc.set(n, s.v)
			continue
		}
		delete(sc.vars, n)
		if _, still := sc.raw(n); still {
			sc.set(n, varVal{}) // it came from a copy's parent: unknown
		}
	}
}

// uncalledFuncs analyses the functions never called by name, once, with
// unknown arguments.
func (a *analyzer) uncalledFuncs(sc *scope) {
	for _, d := range a.funcs {
		if d.called || a.capped || a.work <= 0 {
			continue
		}
		d.called = true
		nc := d.ctx.with()
		nc.via = appendVia(d.ctx.via, "function "+d.name)
		a.stmt(d.body, nc, a.copyScope(sc), stdinInfo{})
	}
}

// readLine is what `read` reads from known input: up to delim (the
// delimiter is not kept), at most n characters when n >= 0 (exact: -N
// ignores the delimiter), with backslash escapes removed unless raw.
func readLine(text string, delim byte, n int, exact, raw bool) string {
	var sb strings.Builder
	count := 0
	for i := 0; i < len(text); i++ {
		ch := text[i]
		if n >= 0 && count >= n {
			break
		}
		if !raw && ch == '\\' && i+1 < len(text) {
			i++
			if text[i] == '\n' {
				continue // a line continuation
			}
			sb.WriteByte(text[i])
			count++
			continue
		}
		if ch == delim && !exact {
			break
		}
		sb.WriteByte(ch)
		count++
	}
	return sb.String()
}

// readFields splits a line read by `read` into n fields with IFS: the
// first n-1 get one field each, the last gets the rest of the line
// (without trailing IFS whitespace).
func readFields(line, ifs string, n int) []string {
	isWS := func(ch byte) bool { return (ch == ' ' || ch == '\t' || ch == '\n') && strings.IndexByte(ifs, ch) >= 0 }
	isSep := func(ch byte) bool { return strings.IndexByte(ifs, ch) >= 0 }
	out := make([]string, 0, n)
	i := 0
	for i < len(line) && isWS(line[i]) {
		i++
	}
	for len(out) < n-1 && i < len(line) {
		j := i
		for j < len(line) && !isSep(line[j]) {
			j++
		}
		out = append(out, line[i:j])
		// Skip the separator: IFS whitespace around at most one other.
		for j < len(line) && isWS(line[j]) {
			j++
		}
		if j < len(line) && isSep(line[j]) && !isWS(line[j]) {
			j++
			for j < len(line) && isWS(line[j]) {
				j++
			}
		}
		i = j
	}
	rest := line[min(i, len(line)):]
	for len(rest) > 0 && isWS(rest[len(rest)-1]) {
		rest = rest[:len(rest)-1]
	}
	out = append(out, rest)
	for len(out) < n {
		out = append(out, "")
	}
	return out
}
