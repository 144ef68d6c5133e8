package shell

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// Limits that keep the analysis bounded on hostile input.
const (
	// maxCommands caps Analysis.Commands.
	maxCommands = 10000
	// maxPayload caps a decoded (base64, hex) or otherwise computed static
	// output, and the text fed to a nested parse from such output.
	maxPayload = 1 << 20
	// maxLoopValues is the largest literal list a for loop is unrolled over.
	maxLoopValues = 16
	// maxLoopBody is the largest loop body (source bytes times values) that
	// is unrolled; larger loops are analysed once with a dynamic variable.
	maxLoopBody = 64 << 10
	// maxFanout caps the commands derived from one xargs/find (one per item).
	maxFanout = 16
	// maxSyntaxNesting bounds the syntactic nesting handed to the parser.
	maxSyntaxNesting = 200
)

var parserPool = sync.Pool{New: func() any {
	return syntax.NewParser(syntax.Variant(syntax.LangBash))
}}

// Analyze parses src as bash and returns the simple commands that would run.
// It never panics on any input and is bounded in time by the size of src and
// MaxDepth.
//
// Bounds: at most 10,000 commands are listed, decoded payloads, computed
// outputs, variable values and words are capped at 1 MiB, all expansions of
// known values together at 16 MiB (so memory stays bounded whatever the
// input), for loops
// are unrolled over at most 16 literal values, find -exec and xargs -I fan
// out over at most 16 roots or inputs, and text nested more than about 200
// levels deep (brackets, compound keywords) is not handed to the parser,
// whose recursion could overflow the stack: it is treated as unparsable and
// split crudely instead. Each bound reached is listed in Analysis.Limits.
// When the command line stops parsing part-way, the statements before the
// error are analysed as usual and only the rest is split crudely.
func Analyze(src string, env Env) (res *Analysis) {
	res = &Analysis{}
	a := &analyzer{env: env, res: res}
	// Work budget: statements and words visited, and bytes parsed, scale with
	// the input but are capped so that nesting and loop unrolling cannot
	// blow up.
	a.work = 200000 + 4*len(src)
	a.parseBudget = 2<<20 + 2*len(src)
	a.expandBudget = maxExpansion
	defer func() {
		if r := recover(); r != nil {
			// Defensive: a bug in the analysis must not take the hook down.
			// Report it and fall back to the crude split so guards still see
			// the commands.
			res.Problems = append(res.Problems, fmt.Sprintf("internal error: %v", r))
			b := &analyzer{env: env, res: &Analysis{}, work: 100000 + len(src), parseBudget: 0, expandBudget: maxExpansion}
			func() {
				defer func() { recover() }()
				b.fallback(src, &ctx{src: src}, newScope(env))
			}()
			// Keep what was seen before the failure, then the crude split.
			res.Commands = append(a.cmds[:len(a.cmds):len(a.cmds)], b.cmds...)
		}
	}()
	sc := newScope(env)
	if rest, err := a.top(src, sc); err != nil {
		// The statements before the error were analysed; the rest is split
		// crudely (all of it when the first statement does not parse).
		res.ParseError = fmt.Errorf("shell: parsing command line: %w", err)
		if !a.capped && a.work > 0 {
			a.fallback(src[rest:], &ctx{src: src[rest:]}, sc)
		}
	}
	a.uncalledFuncs(sc)
	res.Commands = a.cmds
	return res
}

// Bounds of the analysis not listed above.
const (
	// maxExpansion is the budget, in bytes, of all expansions of known
	// values (variables, positional parameters) in one analysis.
	maxExpansion = 16 << 20
)

// limit records that an analysis limit was reached (once per message).
func (a *analyzer) limit(msg string) {
	for _, m := range a.res.Limits {
		if m == msg {
			return
		}
	}
	a.res.Limits = append(a.res.Limits, msg)
}

// depthLimit records that nesting went deeper than MaxDepth.
func (a *analyzer) depthLimit() {
	a.res.DepthExceeded = true
	a.limit(fmt.Sprintf("nesting deeper than %d levels; the code inside was not analysed", MaxDepth))
}

// expand reports whether a known value of n bytes may be expanded into a
// word that already holds have bytes: words stay under 1 MiB and all
// expansions together under maxExpansion. When not, the limit is recorded
// and the expansion stays dynamic.
func (a *analyzer) expand(have, n int) bool {
	if have+n > maxPayload {
		a.limit("a word or value larger than 1 MiB; it was not expanded")
		return false
	}
	if n > a.expandBudget {
		a.limit("more expansion than the analysis allows; later values were not expanded")
		return false
	}
	a.expandBudget -= n
	return true
}

// copyScope copies sc for a subshell, a pipeline stage or nested code,
// charging the work it takes (a flattening copy copies every variable).
func (a *analyzer) copyScope(sc *scope) *scope {
	if sc.chain+1 > maxScopeChain && len(sc.vars) > 0 {
		a.spend(sc.size())
	} else {
		a.spend(1)
	}
	return sc.copy()
}

// top parses and analyses the top-level statements one at a time, so that
// analysis (and parsing) stops early once the command cap is reached. On a
// parse error, rest is the offset where the statements that parsed end.
func (a *analyzer) top(src string, sc *scope) (rest int, err error) {
	if err := a.checkParse(src); err != nil {
		return 0, err
	}
	p := parserPool.Get().(*syntax.Parser)
	inBody := false
	defer func() {
		if r := recover(); r != nil {
			if inBody {
				panic(r) // an analysis bug: reported by Analyze
			}
			err = fmt.Errorf("parser panic: %v", r)
			return
		}
		parserPool.Put(p)
	}()
	c := &ctx{src: src}
	var last *syntax.Stmt
	for st, perr := range p.StmtsSeq(strings.NewReader(src)) {
		if perr != nil {
			if last != nil {
				rest = min(int(last.End().Offset()), len(src))
			}
			return rest, perr
		}
		last = st
		inBody = true
		a.line = int(st.Pos().Line())
		a.stmt(st, c, sc, stdinInfo{})
		inBody = false
		if a.capped || a.work <= 0 {
			break
		}
	}
	return 0, nil
}

// checkParse applies the parse budget and the nesting limit.
func (a *analyzer) checkParse(src string) error {
	if len(src) > a.parseBudget {
		a.limit("parse budget exhausted; nested code was split crudely")
		return fmt.Errorf("parse budget exhausted (%d bytes)", len(src))
	}
	a.parseBudget -= len(src)
	if d := nestingEstimate(src); d > maxSyntaxNesting {
		// The parser recurses per nesting level and can overflow the stack
		// (a fatal error, not a panic) or take seconds on pathological
		// input; such text is never a real command line.
		a.limit(fmt.Sprintf("syntax nested more than %d levels; it was split crudely", maxSyntaxNesting))
		return fmt.Errorf("nesting too deep (about %d levels)", d)
	}
	return nil
}

// analyzer holds the state of one Analyze call.
type analyzer struct {
	env         Env
	res         *Analysis
	cmds        []Command
	emitted     int  // commands emitted, including those still buffered
	capped      bool // maxCommands reached
	work        int  // remaining work units
	parseBudget int  // remaining bytes that may be parsed
	// expandBudget is what remains of maxExpansion.
	expandBudget int
	// funcs are the functions declared, in order (see funcs.go).
	funcs     []*funcDef
	funcDepth int
	frames    []map[string]savedVar // the variables each function call restores
	outOfWork bool
	line      int // line of the top-level statement being analysed (Command.Line)
}

// ctx is the lexical context of the code being analysed.
type ctx struct {
	src    string     // source text the syntax positions refer to
	depth  int        // nesting depth
	via    []string   // how this code was reached
	redirs []Redirect // redirections of enclosing compound commands
	fedBy  []string   // commands feeding the enclosing pipeline stage
	bg     bool       // inside a backgrounded statement
}

func (c *ctx) with() *ctx {
	n := *c
	return &n
}

// nestedCtx is the context of code run by a command in c (bash -c, eval,
// $(...)): one level deeper, with extra Via entries and a fresh source.
func (c *ctx) nested(src string, via ...string) *ctx {
	return &ctx{src: src, depth: c.depth + 1, via: appendVia(c.via, via...)}
}

func appendVia(via []string, more ...string) []string {
	out := make([]string, 0, len(via)+len(more))
	out = append(out, via...)
	return append(out, more...)
}

// varVal is what the analysis knows about a shell variable.
type varVal struct {
	val     string
	known   bool     // val is the static value
	feeders []string // commands whose output the value came from
	decoded string   // value came from a decoded payload
	glob    bool     // val is an unexpanded glob pattern
	unset   bool     // removed by unset: definitely not set
	// isArr is set for an array (a=(x y), read -a, mapfile, "$@"): arr
	// holds its elements and val its first (what $a gives).
	isArr bool
	arr   []string
}

// arrayVal is the value of a known array.
func arrayVal(elems []string, feeders []string) varVal {
	v := varVal{known: true, isArr: true, arr: elems, feeders: feeders}
	if len(elems) > 0 {
		v.val = elems[0]
	}
	return v
}

// scope holds the shell state that flows between statements.
//
// A copy (for a subshell, a pipeline stage, nested code) is made in O(1):
// it reads its parent's variables through, and keeps its own assignments
// in its own map. This is sound because the analysis is sequential: a
// scope is not changed while a copy of it is in use. Chains are flattened
// past maxScopeChain levels so that lookups stay cheap.
type scope struct {
	vars   map[string]varVal   // assignments made in this scope
	funcs  map[string]*funcDef // functions declared in this scope
	parent *scope              // the scope this one was copied from
	chain  int                 // length of the parent chain
	cwd    string
	lost   bool // the working directory became unknown
	env    *Env
	// remote is set on another host or in a container (ssh, docker exec):
	// its files are not this machine's, so no Exec is recorded there.
	remote bool
}

func newScope(env Env) *scope {
	return &scope{cwd: env.Cwd, env: &env}
}

// maxScopeChain is the longest chain of scope copies read through.
const maxScopeChain = 16

func (s *scope) copy() *scope {
	n := &scope{cwd: s.cwd, lost: s.lost, env: s.env, remote: s.remote, parent: s, chain: s.chain + 1}
	if len(s.vars) == 0 && len(s.funcs) == 0 {
		// Nothing of its own to read through: share its parent.
		n.parent, n.chain = s.parent, s.chain
	}
	if n.chain > maxScopeChain {
		n.vars, n.funcs = n.flat(), n.flatFuncs()
		n.parent, n.chain = nil, 0
	}
	return n
}

// flatFuncs returns all the functions visible in s, in one map.
func (s *scope) flatFuncs() map[string]*funcDef {
	var m map[string]*funcDef
	for p := s; p != nil; p = p.parent {
		for k, d := range p.funcs {
			if m == nil {
				m = make(map[string]*funcDef)
			}
			if _, ok := m[k]; !ok {
				m[k] = d
			}
		}
	}
	return m
}

// flat returns all the variables visible in s, in one map.
func (s *scope) flat() map[string]varVal {
	var chain []*scope
	for p := s; p != nil; p = p.parent {
		chain = append(chain, p)
	}
	m := make(map[string]varVal)
	for i := len(chain) - 1; i >= 0; i-- {
		for k, v := range chain[i].vars {
			m[k] = v
		}
	}
	return m
}

// size is the number of variables a flattening copy of s would copy.
func (s *scope) size() int {
	n := 0
	for p := s; p != nil; p = p.parent {
		n += len(p.vars)
	}
	return n
}

func (s *scope) set(name string, v varVal) {
	if s.vars == nil {
		s.vars = make(map[string]varVal)
	}
	s.vars[name] = v
}

// raw returns the variable's entry as last assigned (or unset), reading
// through the parents.
func (s *scope) raw(name string) (varVal, bool) {
	for p := s; p != nil; p = p.parent {
		if v, ok := p.vars[name]; ok {
			return v, true
		}
	}
	return varVal{}, false
}

// lookup returns the variable and whether it is set in this command line
// (or is HOME, IFS, PWD, or one of Env.Vars).
func (s *scope) lookup(name string) (varVal, bool) {
	if v, ok := s.raw(name); ok {
		if v.unset {
			return varVal{}, false
		}
		return v, true
	}
	if name == "HOME" {
		return varVal{val: s.home(), known: true}, true
	}
	if name == "IFS" {
		return varVal{val: defaultIFS, known: true}, true
	}
	if name == "PWD" && s.cwd != "" && !s.lost {
		return varVal{val: s.cwd, known: true}, true
	}
	if v, ok := s.env.Vars[name]; ok {
		return varVal{val: v, known: true}, true
	}
	return varVal{}, false
}

func (s *scope) home() string {
	if s.env.Home == "" {
		return "~"
	}
	return s.env.Home
}

// stdinInfo describes what a command reads on standard input.
type stdinInfo struct {
	text    string
	known   bool
	decoded string
	kind    string   // "pipe", "heredoc", "here-string"
	roots   []Word   // the input comes from `find ROOTS` without restriction
	feeders []string // upstream command names (for nested analysis)
	// file is the file the input is read from, when it is one file's
	// content: `< FILE`, `cat FILE |` (see Exec.Stdin).
	file *Word
}

// outInfo is the static output of a statement, when known.
type outInfo struct {
	text    string
	known   bool
	decoded string
	roots   []Word // output is the file list of an unrestricted find
	file    *Word  // the output is the content of this file (cat FILE)
}

func (a *analyzer) spend(n int) bool {
	if a.capped {
		return false
	}
	if a.work <= 0 {
		if !a.outOfWork {
			a.outOfWork = true
			a.limit("analysis work budget exhausted; the rest was not analysed")
		}
		return false
	}
	a.work -= n
	return true
}

func (a *analyzer) parse(src string) (f *syntax.File, err error) {
	if err := a.checkParse(src); err != nil {
		return nil, err
	}
	p := parserPool.Get().(*syntax.Parser)
	defer func() {
		if r := recover(); r != nil {
			// Never reuse a parser that panicked.
			f, err = nil, fmt.Errorf("parser panic: %v", r)
			return
		}
		parserPool.Put(p)
	}()
	return p.Parse(strings.NewReader(src), "")
}

func (a *analyzer) emit(c Command) {
	if a.emitted >= maxCommands {
		if !a.capped {
			a.capped = true
			a.limit(fmt.Sprintf("more than %d commands; the rest were not analysed", maxCommands))
		}
		return
	}
	a.emitted++
	a.cmds = append(a.cmds, c)
}

// capture runs fn and returns the commands it emitted instead of keeping
// them in place, so that they can be listed after their parent.
func (a *analyzer) capture(fn func()) []Command {
	saved := a.cmds
	a.cmds = nil
	fn()
	got := a.cmds
	a.cmds = saved
	return got
}

func (a *analyzer) appendCmds(cs []Command) {
	a.cmds = append(a.cmds, cs...)
}

// namesOf returns the distinct names of cs.
func namesOf(dst []string, cs []Command) []string {
	for i := range cs {
		dst = addName(dst, cs[i].Name)
	}
	return dst
}

func addName(dst []string, name string) []string {
	if name == "" {
		return dst
	}
	for _, n := range dst {
		if n == name {
			return dst
		}
	}
	return append(dst, name)
}

func addNames(dst []string, names []string) []string {
	for _, n := range names {
		dst = addName(dst, n)
	}
	return dst
}

// nestedText analyses text as shell code run by a command in c.
func (a *analyzer) nestedText(text string, c *ctx, sc *scope, in stdinInfo, via ...string) outInfo {
	if strings.TrimSpace(text) == "" {
		return outInfo{}
	}
	if c.depth+1 > MaxDepth {
		a.depthLimit()
		return outInfo{}
	}
	if !a.spend(1) {
		return outInfo{}
	}
	nc := c.nested(text, via...)
	if len(in.feeders) > 0 {
		// Code that reads the outer stdin (bash -c 'cat | sh') is fed by
		// what feeds that stdin.
		nc.fedBy = in.feeders
	}
	nsc := a.copyScope(sc)
	f, err := a.parse(text)
	if err != nil {
		a.res.Problems = append(a.res.Problems, fmt.Sprintf("%s: %v", strings.Join(nc.via, " > "), err))
		a.fallback(text, nc, nsc)
		return outInfo{}
	}
	return a.stmts(f.Stmts, nc, nsc, in)
}

// srcOf returns the source text of node n in c.src.
func (c *ctx) srcOf(n syntax.Node) string {
	if n == nil {
		return ""
	}
	p, e := n.Pos(), n.End()
	if !p.IsValid() || !e.IsValid() {
		return ""
	}
	s, t := int(p.Offset()), int(e.Offset())
	if s < 0 || t > len(c.src) || s > t {
		return ""
	}
	return c.src[s:t]
}

// stmts analyses a statement list. stdin goes to the first statement. The
// output is the concatenation of the statements' outputs when all are known.
func (a *analyzer) stmts(list []*syntax.Stmt, c *ctx, sc *scope, in stdinInfo) outInfo {
	if len(list) == 1 {
		return a.stmt(list[0], c, sc, in)
	}
	// Accumulate in a builder: concatenating pairwise is quadratic over a
	// long list of statements (a 1 MiB command of echos).
	out := outInfo{known: true}
	var text strings.Builder
	for i, s := range list {
		if i > 0 {
			in = stdinInfo{}
		}
		o := a.stmt(s, c, sc, in)
		if !out.known {
			continue // keep analysing the statements; the output is unknown
		}
		if i == 0 {
			out = o
			text.WriteString(o.text)
			continue
		}
		if !o.known || text.Len()+len(o.text) > maxPayload {
			out = outInfo{}
			continue
		}
		text.WriteString(o.text)
		out.decoded = orDec(out.decoded, o.decoded)
		out.roots, out.file = nil, nil
	}
	if len(list) == 0 {
		return outInfo{}
	}
	if out.known {
		out.text = text.String()
	}
	return out
}

func catOut(a, b outInfo) outInfo {
	if !a.known || !b.known || len(a.text)+len(b.text) > maxPayload {
		return outInfo{}
	}
	if a.text == "" && a.roots == nil {
		return b
	}
	return outInfo{text: a.text + b.text, known: true, decoded: orDec(a.decoded, b.decoded)}
}

// compoundRedirs resolves the redirections of a compound statement and
// returns the context its commands run in, and any static stdin.
func (a *analyzer) compoundRedirs(s *syntax.Stmt, c *ctx, sc *scope, in stdinInfo) (*ctx, stdinInfo) {
	if len(s.Redirs) == 0 && !s.Background {
		return c, in
	}
	nc := c.with()
	if s.Background {
		nc.bg = true
	}
	if len(s.Redirs) > 0 {
		var rs []Redirect
		var feeders []string
		nested := a.capture(func() {
			rs, in, feeders = a.redirects(s.Redirs, c, sc, in)
		})
		nc.redirs = append(append([]Redirect{}, c.redirs...), rs...)
		if len(feeders) > 0 {
			nc.fedBy = addNames(append([]string{}, c.fedBy...), feeders)
		}
		a.appendCmds(nested)
	}
	return nc, in
}

func (a *analyzer) stmt(s *syntax.Stmt, c *ctx, sc *scope, in stdinInfo) outInfo {
	if s == nil || !a.spend(1) {
		return outInfo{}
	}
	switch cmd := s.Cmd.(type) {
	case *syntax.CallExpr:
		return a.call(cmd, s, c, sc, in)
	case *syntax.BinaryCmd:
		nc, in := a.compoundRedirs(s, c, sc, in)
		switch cmd.Op {
		case syntax.Pipe, syntax.PipeAll:
			return a.pipeline(s, nc, sc, in)
		default:
			// a && b || c ...: walk the left spine iteratively (long chains
			// would otherwise recurse once per operator).
			var rights []*syntax.BinaryCmd
			left := s
			for {
				b, ok := left.Cmd.(*syntax.BinaryCmd)
				if !ok || (b.Op != syntax.AndStmt && b.Op != syntax.OrStmt) ||
					(left != s && (len(left.Redirs) > 0 || left.Negated || left.Background)) {
					break
				}
				rights = append(rights, b)
				left = b.X
			}
			out := a.stmt(left, nc, sc, in)
			for i := len(rights) - 1; i >= 0; i-- {
				o := a.stmt(rights[i].Y, nc, sc, stdinInfo{})
				if rights[i].Op == syntax.AndStmt {
					out = catOut(out, o)
				} else {
					out = outInfo{}
				}
			}
			return out
		}
	case *syntax.Block:
		nc, in := a.compoundRedirs(s, c, sc, in)
		return a.stmts(cmd.Stmts, nc, sc, in)
	case *syntax.Subshell:
		nc, in := a.compoundRedirs(s, c, sc, in)
		return a.stmts(cmd.Stmts, nc, a.copyScope(sc), in)
	case *syntax.IfClause:
		nc, in := a.compoundRedirs(s, c, sc, in)
		for ic := cmd; ic != nil; ic = ic.Else {
			a.stmts(ic.Cond, nc, sc, in)
			in = stdinInfo{}
			a.stmts(ic.Then, nc, sc, stdinInfo{})
		}
		return outInfo{}
	case *syntax.WhileClause:
		nc, in := a.compoundRedirs(s, c, sc, in)
		a.stmts(cmd.Cond, nc, sc, in)
		a.stmts(cmd.Do, nc, sc, stdinInfo{})
		return outInfo{}
	case *syntax.ForClause:
		nc, in := a.compoundRedirs(s, c, sc, in)
		a.forClause(cmd, nc, sc, in)
		return outInfo{}
	case *syntax.CaseClause:
		nc, in := a.compoundRedirs(s, c, sc, in)
		a.word(cmd.Word, nc, sc, qUnquoted)
		for _, it := range cmd.Items {
			for _, p := range it.Patterns {
				a.word(p, nc, sc, qUnquoted)
			}
			a.stmts(it.Stmts, nc, sc, in)
		}
		return outInfo{}
	case *syntax.FuncDecl:
		a.declareFunc(cmd, c, sc)
		return outInfo{}
	case *syntax.DeclClause:
		return a.declClause(cmd, s, c, sc)
	case *syntax.TimeClause:
		nc, in := a.compoundRedirs(s, c, sc, in)
		nc = nc.with()
		nc.via = appendVia(nc.via, "time")
		return a.stmt(cmd.Stmt, nc, sc, in)
	case *syntax.CoprocClause:
		nc, in := a.compoundRedirs(s, c, sc, in)
		nc = nc.with()
		nc.via = appendVia(nc.via, "coproc")
		nc.bg = true
		a.stmt(cmd.Stmt, nc, a.copyScope(sc), in)
		return outInfo{}
	case *syntax.TestDecl:
		a.stmt(cmd.Body, c, sc, stdinInfo{})
		return outInfo{}
	case *syntax.ArithmCmd, *syntax.TestClause, *syntax.LetClause:
		nc, _ := a.compoundRedirs(s, c, sc, in)
		a.substsIn(cmd, nc, sc)
		arithAssigned(cmd, sc)
		return outInfo{}
	case nil:
		// A statement with only redirections: `> file`, `</dev/tcp/h/p`.
		// Its substitutions run (`> "$(cmd)"`), and the redirections
		// happen: they are listed on a synthetic ":" command.
		if len(s.Redirs) > 0 {
			var rs []Redirect
			var feeders []string
			nested := a.capture(func() { rs, in, feeders = a.redirects(s.Redirs, c, sc, in) })
			a.redirOnly(c, sc, rs, in, namesOf(feeders, nested), s.Background)
			a.appendCmds(nested)
		}
		return outInfo{}
	}
	return outInfo{}
}

// redirOnly emits the synthetic ":" command of a statement made only of
// redirections (Via "redirection"), so that guards see its files.
func (a *analyzer) redirOnly(c *ctx, sc *scope, rs []Redirect, in stdinInfo, feeders []string, bg bool) {
	cmd := a.newCommand(c, sc, ":", false, nil, nil, rs, in, feeders, []string{"redirection"})
	cmd.Synthetic = true
	cmd.Background = cmd.Background || bg
	a.emit(cmd)
}

// pipeline analyses a | b | c. Each stage is fed by every stage before it.
func (a *analyzer) pipeline(s *syntax.Stmt, c *ctx, sc *scope, in stdinInfo) outInfo {
	// Flatten the pipeline with an explicit stack (no recursion per stage).
	var stages []*syntax.Stmt
	todo := []*syntax.Stmt{s}
	for len(todo) > 0 {
		st := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if b, ok := st.Cmd.(*syntax.BinaryCmd); ok && (b.Op == syntax.Pipe || b.Op == syntax.PipeAll) &&
			(st == s || len(st.Redirs) == 0 && !st.Negated && !st.Background) {
			todo = append(todo, b.Y, b.X)
			continue
		}
		stages = append(stages, st)
	}
	var upstream []string
	var out outInfo
	for i, st := range stages {
		nc := c.with()
		if len(upstream) > 0 {
			nc.fedBy = addNames(append([]string{}, c.fedBy...), upstream)
		}
		if i > 0 {
			in = stdinInfo{text: out.text, known: out.known, decoded: out.decoded, kind: "pipe", roots: out.roots, feeders: upstream, file: out.file}
		}
		if a.capped || a.work <= 0 {
			a.spend(0) // records the limit
			break
		}
		m := len(a.cmds)
		out = a.stmt(st, nc, a.copyScope(sc), in)
		if m <= len(a.cmds) {
			upstream = namesOf(upstream, a.cmds[m:])
		}
	}
	return out
}

func (a *analyzer) forClause(fc *syntax.ForClause, c *ctx, sc *scope, in stdinInfo) {
	wi, ok := fc.Loop.(*syntax.WordIter)
	if !ok {
		a.substsIn(fc.Loop, c, sc)
		a.stmts(fc.Do, c, sc, in)
		return
	}
	name := ""
	if wi.Name != nil {
		name = wi.Name.Value
	}
	var vals []xword
	static := wi.InPos.IsValid() && !fc.Select
	if wi.InPos.IsValid() {
		vals = a.words(wi.Items, c, sc)
	}
	for _, v := range vals {
		if v.Dynamic {
			static = false
		}
	}
	bodyLen := 0
	if len(fc.Do) > 0 {
		bodyLen = int(fc.Do[len(fc.Do)-1].End().Offset()) - int(fc.Do[0].Pos().Offset())
	}
	if static && len(vals) > 0 && len(vals) <= maxLoopValues && bodyLen*len(vals) <= maxLoopBody {
		for _, v := range vals {
			sc.set(name, varVal{val: v.Value, known: true, feeders: v.feeders, decoded: v.decoded, glob: v.Glob})
			a.stmts(fc.Do, c, sc, in)
		}
		return
	}
	var feeders []string
	for _, v := range vals {
		feeders = addNames(feeders, v.feeders)
	}
	sc.set(name, varVal{feeders: feeders})
	a.stmts(fc.Do, c, sc, in)
}

func (a *analyzer) declClause(d *syntax.DeclClause, s *syntax.Stmt, c *ctx, sc *scope) outInfo {
	variant := ""
	if d.Variant != nil {
		variant = d.Variant.Value
	}
	var args []xword
	var feeders []string
	nested := a.capture(func() {
		for _, as := range d.Args {
			if as == nil {
				continue
			}
			if as.Name == nil {
				if as.Value != nil {
					args = append(args, a.words([]*syntax.Word{as.Value}, c, sc)...)
				}
				continue
			}
			v := a.assign(as, c, sc)
			if variant == "local" || (variant == "declare" || variant == "typeset") && a.funcDepth > 0 {
				a.local(sc, as.Name.Value)
			}
			if variant != "unset" {
				sc.set(as.Name.Value, v)
				if !as.Naked {
					a.assignment(c, as.Name.Value, v, as, variant)
				}
			} else {
				sc.set(as.Name.Value, varVal{unset: true})
			}
			feeders = addNames(feeders, v.feeders)
			w := xword{Word: Word{Value: as.Name.Value}}
			if !as.Naked {
				w.Value += "=" + v.display(c, as)
				w.Dynamic = !v.known
			}
			args = append(args, w)
		}
	})
	var rs []Redirect
	nested = append(nested, a.capture(func() { rs, _, _ = a.redirects(s.Redirs, c, sc, stdinInfo{}) })...)
	for i := range nested {
		feeders = addName(feeders, nested[i].Name)
	}
	cmd := a.newCommand(c, sc, variant, false, args, nil, rs, stdinInfo{}, feeders, nil)
	cmd.Background = cmd.Background || s.Background
	a.emit(cmd)
	a.appendCmds(nested)
	return outInfo{}
}

// assignment records an assignment statement in the Analysis.
func (a *analyzer) assignment(c *ctx, name string, v varVal, as *syntax.Assign, by string) {
	if len(a.res.Assignments) >= maxCommands {
		return
	}
	a.res.Assignments = append(a.res.Assignments, Assignment{
		Name: name, Value: Word{Value: v.display(c, as), Dynamic: !v.known, Glob: v.glob},
		By: by, Depth: c.depth, Via: c.via,
	})
}

// display renders an assigned value for an argument of export/declare.
func (v varVal) display(c *ctx, as *syntax.Assign) string {
	if v.known && v.isArr {
		return "(" + strings.Join(v.arr, " ") + ")"
	}
	if v.known {
		return v.val
	}
	if as.Value != nil {
		return c.srcOf(as.Value)
	}
	if as.Array != nil {
		return c.srcOf(as.Array)
	}
	return ""
}

// assign resolves the value of an assignment.
func (a *analyzer) assign(as *syntax.Assign, c *ctx, sc *scope) varVal {
	if as.Array != nil {
		return a.assignArray(as, c, sc)
	}
	if as.Index != nil && as.Name != nil {
		// a[N]=x: one element of a known array.
		old, set := sc.lookup(as.Name.Value)
		idx, ok := arithmInt(as.Index, sc)
		var w xword
		if as.Value != nil {
			w = a.word(as.Value, c, sc, qUnquoted)
		}
		elems, eok := old.elements(set)
		if !ok || !eok || w.Dynamic || idx < 0 || idx > len(elems) || idx > 4096 {
			return varVal{feeders: w.feeders}
		}
		arr := append([]string{}, elems...)
		if idx == len(arr) {
			arr = append(arr, w.Value)
		} else {
			arr[idx] = w.Value
		}
		return arrayVal(arr, addNames(old.feeders, w.feeders))
	}
	if as.Value == nil {
		if as.Naked {
			if v, ok := sc.lookup(as.Name.Value); ok {
				return v
			}
		}
		return varVal{known: true}
	}
	w := a.word(as.Value, c, sc, qUnquoted)
	v := varVal{val: w.Value, known: !w.Dynamic, feeders: w.feeders, decoded: w.decoded}
	if as.Append {
		if old, ok := sc.lookup(as.Name.Value); ok && old.known && v.known && a.expand(len(old.val), len(v.val)) {
			v.val = old.val + v.val
		} else {
			v.known = false
		}
	}
	return v
}

// assignArray resolves a=(x y z) and a+=(...): the elements after
// expansion (field splitting, braces), or unknown when one is dynamic.
func (a *analyzer) assignArray(as *syntax.Assign, c *ctx, sc *scope) varVal {
	var elems, feeders []string
	known := true
	size := 0
	for _, e := range as.Array.Elems {
		if e == nil {
			continue
		}
		if e.Index != nil {
			known = false // ([k]=v): an associative or sparse array
			feeders = addNames(feeders, a.substsIn(e.Index, c, sc))
		}
		if e.Value == nil {
			continue
		}
		for _, w := range a.words([]*syntax.Word{e.Value}, c, sc) {
			feeders = addNames(feeders, w.feeders)
			if w.Dynamic {
				known = false
			}
			size += len(w.Value)
			elems = append(elems, w.Value)
		}
	}
	if as.Append && as.Name != nil {
		old, set := sc.lookup(as.Name.Value)
		prev, ok := old.elements(set)
		known = known && ok
		elems = append(append([]string{}, prev...), elems...)
		feeders = addNames(feeders, old.feeders)
	}
	if !known || len(elems) > maxLoopValues*64 || !a.expand(0, size) {
		return varVal{feeders: feeders}
	}
	return arrayVal(elems, feeders)
}

// setPositional sets $1 ... $N, $@, $* and $# to args (a function call,
// set --, bash -s ARGS, sh -c CODE $0 ARGS).
func (a *analyzer) setPositional(sc *scope, args []xword) {
	if sc.vars == nil {
		sc.vars = make(map[string]varVal, len(args)+4)
	}
	vals := make([]string, 0, len(args))
	known := true
	var feeders []string
	for k, w := range args {
		if k < 64 {
			sc.set(strconv.Itoa(k+1), varVal{val: w.Value, known: !w.Dynamic, feeders: w.feeders})
		}
		vals = append(vals, w.Value)
		known = known && !w.Dynamic
		feeders = addNames(feeders, w.feeders)
	}
	for k := len(args); k < 9; k++ {
		if _, had := sc.raw(positionalNames[k]); had {
			sc.set(positionalNames[k], varVal{unset: true}) // $3 with two arguments: empty
		}
	}
	all := arrayVal(vals, feeders)
	if !known {
		all = varVal{feeders: feeders}
	}
	sc.set("@", all)
	sc.set("*", all)
	sc.set("#", varVal{val: strconv.Itoa(len(args)), known: true})
}

// positionalNames are the variables setPositional sets.
var positionalNames = [...]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "@", "*", "#"}

// substsIn analyses every $(...), `...` and <(...) inside n (for nodes whose
// words are not otherwise resolved: [[ ]], (( )), let, arrays).
func (a *analyzer) substsIn(n syntax.Node, c *ctx, sc *scope) []string {
	var feeders []string
	if n == nil {
		return nil
	}
	syntax.Walk(n, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.CmdSubst:
			cs := a.capture(func() { a.substStmts(x.Stmts, c, sc, substVia(x)) })
			feeders = namesOf(feeders, cs)
			a.appendCmds(cs)
			return false
		case *syntax.ProcSubst:
			cs := a.capture(func() { a.substStmts(x.Stmts, c, sc, procVia(x)) })
			feeders = namesOf(feeders, cs)
			a.appendCmds(cs)
			return false
		}
		return true
	})
	return feeders
}

// arithAssigned marks variables assigned in arithmetic ((x++), let x=1,
// (( x = y * 2 ))) as unknown.
func arithAssigned(n syntax.Node, sc *scope) {
	name := func(x syntax.ArithmExpr) string {
		if w, ok := x.(*syntax.Word); ok && len(w.Parts) == 1 {
			if l, ok := w.Parts[0].(*syntax.Lit); ok {
				return l.Value
			}
		}
		return ""
	}
	syntax.Walk(n, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.BinaryArithm:
			switch x.Op {
			case syntax.Assgn, syntax.AddAssgn, syntax.SubAssgn, syntax.MulAssgn, syntax.QuoAssgn, syntax.RemAssgn,
				syntax.AndAssgn, syntax.OrAssgn, syntax.XorAssgn, syntax.ShlAssgn, syntax.ShrAssgn,
				syntax.AndBoolAssgn, syntax.OrBoolAssgn, syntax.XorBoolAssgn, syntax.PowAssgn:
				if v := name(x.X); v != "" {
					sc.set(v, varVal{})
				}
			}
		case *syntax.UnaryArithm:
			if x.Op == syntax.Inc || x.Op == syntax.Dec {
				if v := name(x.X); v != "" {
					sc.set(v, varVal{})
				}
			}
		case *syntax.CmdSubst, *syntax.ProcSubst:
			return false
		}
		return true
	})
}

func substVia(cs *syntax.CmdSubst) string {
	if cs.Backquotes {
		return "`...`"
	}
	return "$(...)"
}

func procVia(p *syntax.ProcSubst) string {
	if p.Op == syntax.CmdOut {
		return ">(...)"
	}
	return "<(...)"
}

// substStmts analyses the statements of a substitution one level deeper.
func (a *analyzer) substStmts(list []*syntax.Stmt, c *ctx, sc *scope, via string) outInfo {
	if c.depth+1 > MaxDepth {
		a.depthLimit()
		return outInfo{}
	}
	nc := &ctx{src: c.src, depth: c.depth + 1, via: appendVia(c.via, via)}
	return a.stmts(list, nc, a.copyScope(sc), stdinInfo{})
}

// newCommand builds a Command for emission.
func (a *analyzer) newCommand(c *ctx, sc *scope, name string, nameDyn bool, args []xword, assigns map[string]string,
	redirs []Redirect, in stdinInfo, feeders []string, via []string) Command {
	cmd := Command{
		Name:        name,
		NameDynamic: nameDyn,
		Assigns:     assigns,
		Depth:       c.depth,
		Cwd:         sc.cwd,
		Background:  c.bg,
		Line:        a.line,
	}
	if len(args) > 0 {
		cmd.Args = make([]Word, len(args))
		for i := range args {
			cmd.Args[i] = args[i].Word
		}
	}
	if len(c.redirs) > 0 || len(redirs) > 0 {
		cmd.Redirects = make([]Redirect, 0, len(c.redirs)+len(redirs))
		cmd.Redirects = append(append(cmd.Redirects, redirs...), c.redirs...)
	}
	if in.known {
		cmd.Stdin, cmd.StdinKnown = in.text, true
	}
	var fb []string
	fb = addNames(fb, c.fedBy)
	fb = addNames(fb, feeders)
	cmd.FedBy = fb
	if len(c.via) > 0 || len(via) > 0 {
		cmd.Via = appendVia(c.via, via...)
	}
	return cmd
}

// cdTo applies `cd ARGS` to the scope.
func (sc *scope) cdTo(args []xword) {
	var dir *xword
	if i := scanOpts(args, nil, nil); i < len(args) {
		dir = &args[i] // cd -P DIR, cd -- DIR
	}
	if dir == nil {
		sc.cwd, sc.lost = sc.home(), false
		return
	}
	if dir.Dynamic || dir.Glob || dir.Value == "-" || dir.Value == "" {
		sc.cwd, sc.lost = "", true
		return
	}
	d := dir.Value
	if strings.HasPrefix(d, "/") || strings.HasPrefix(d, "~") {
		sc.cwd, sc.lost = path.Clean(d), false
		return
	}
	if sc.lost {
		// The directory became unknown earlier; stays unknown.
		return
	}
	if sc.cwd == "" {
		sc.cwd = path.Clean(d)
		return
	}
	sc.cwd = path.Join(sc.cwd, d)
}

// nestingEstimate is a cheap upper estimate of the syntactic nesting of src:
// open brackets, open compound keywords and runs of prefix keywords
// (time, !, coproc). It ignores double quotes on purpose ("$(" nests) and
// skips single-quoted text and backslash escapes.
func nestingEstimate(src string) int {
	depth, kw, run, maxD := 0, 0, 0, 0
	wordStart := -1
	endWord := func(i int) {
		if wordStart < 0 {
			return
		}
		switch src[wordStart:i] {
		case "if", "while", "until", "for", "case", "select", "function":
			kw++
			run = 0
		case "fi", "done", "esac":
			if kw > 0 {
				kw--
			}
			run = 0
		case "time", "!", "coproc", "then", "do", "else", "elif", "-p":
			run++
		default:
			run = 0
		}
		wordStart = -1
		if d := depth + kw + run; d > maxD {
			maxD = d
		}
	}
	for i := 0; i < len(src); i++ {
		ch := src[i]
		switch ch {
		case '\\':
			i++
			continue
		case '\'':
			if j := strings.IndexByte(src[i+1:], '\''); j >= 0 {
				endWord(i)
				i += j + 1
				continue
			}
		case '(', '{', '[':
			endWord(i)
			depth++
			if d := depth + kw + run; d > maxD {
				maxD = d
			}
			continue
		case ')', '}', ']':
			endWord(i)
			if depth > 0 {
				depth--
			}
			continue
		case ' ', '\t', '\n', ';', '&', '|', '"', '`':
			endWord(i)
			continue
		}
		if wordStart < 0 {
			wordStart = i
		}
	}
	endWord(len(src))
	return maxD
}
