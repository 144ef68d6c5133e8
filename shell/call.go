package shell

import (
	"sort"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/bulwark-guard/bulwark/commands"
)

// invocation is a simple command about to be unwrapped and emitted.
type invocation struct {
	argv      []xword
	assigns   map[string]string
	redirs    []Redirect // the command's own redirections
	in        stdinInfo
	via       []string  // Via entries added by wrappers
	feeders   []string  // commands feeding the words and redirections
	nested    []Command // commands from substitutions, listed after the command
	synthetic bool
	chdir     *Word // env -C DIR: the directory the command runs in
	// external is set for argv run by a program (python's os.execvp ...),
	// which never calls a shell function of the command line.
	external bool
}

func (a *analyzer) call(ce *syntax.CallExpr, s *syntax.Stmt, c *ctx, sc *scope, in stdinInfo) outInfo {
	if s.Background {
		c = c.with()
		c.bg = true
	}
	inv := &invocation{}
	nested := a.capture(func() {
		for _, as := range ce.Assigns {
			if as == nil || as.Name == nil {
				continue
			}
			v := a.assign(as, c, sc)
			inv.feeders = addNames(inv.feeders, v.feeders)
			if len(ce.Args) == 0 {
				sc.set(as.Name.Value, v)
				a.assignment(c, as.Name.Value, v, as, "")
				continue
			}
			if inv.assigns == nil {
				inv.assigns = make(map[string]string)
			}
			inv.assigns[as.Name.Value] = v.display(c, as)
		}
		inv.argv = a.words(ce.Args, c, sc)
		var f []string
		inv.redirs, in, f = a.redirects(s.Redirs, c, sc, in)
		inv.feeders = addNames(inv.feeders, f)
	})
	for i := range inv.argv {
		inv.feeders = addNames(inv.feeders, inv.argv[i].feeders)
	}
	inv.feeders = namesOf(inv.feeders, nested)
	inv.nested = nested
	inv.in = in
	if len(inv.argv) == 0 {
		if len(inv.redirs) > 0 {
			a.redirOnly(c, sc, inv.redirs, in, inv.feeders, false)
		}
		a.appendCmds(nested)
		return outInfo{known: true}
	}
	return a.run(inv, c, sc)
}

func baseName(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 && i < len(s)-1 {
		return s[i+1:]
	}
	return s
}

func isAssignWord(w xword) bool {
	if w.Dynamic {
		return false
	}
	v := w.Value
	eq := strings.IndexByte(v, '=')
	if eq <= 0 {
		return false
	}
	for i := 0; i < eq; i++ {
		ch := v[i]
		if !(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (i > 0 && ch >= '0' && ch <= '9')) {
			return false
		}
	}
	return true
}

// takeAssigns moves leading VAR=x words into inv.assigns.
func (inv *invocation) takeAssigns(argv []xword) []xword {
	for len(argv) > 0 && isAssignWord(argv[0]) {
		if inv.assigns == nil {
			inv.assigns = make(map[string]string)
		}
		k, v, _ := strings.Cut(argv[0].Value, "=")
		inv.assigns[k] = v
		argv = argv[1:]
	}
	return argv
}

// unwrapped is a command line after its wrappers were removed.
type unwrapped struct {
	argv       []xword
	via        []string
	stdinShell string         // a wrapper that, with no command, runs a shell reading stdin (sudo -s)
	spec       *commands.Spec // of argv[0]; nil when unknown or dynamic
}

// unwrap removes the wrappers in front of inv's command (sudo, env, nice,
// timeout, busybox ...: commands.Wrapper and friends), one per step, and
// returns what is left. Wrappers that run their command in their own way
// (xargs, watch, flock -c) are analysed here: done is then true and out is
// the result of the whole invocation.
func (a *analyzer) unwrap(inv *invocation, c *ctx, sc *scope) (u unwrapped, out outInfo, done bool) {
	u.argv, u.via = inv.argv, inv.via
	for steps := 0; ; steps++ {
		u.spec = nil
		if len(u.argv) == 0 || u.argv[0].Dynamic {
			return u, out, false
		}
		name := baseName(u.argv[0].Value)
		spec := commands.Lookup(name)
		u.spec = spec
		if spec == nil || steps >= 64 {
			return u, out, false
		}
		rest := u.argv[1:]
		n := -1 // index in rest of the wrapped command; -1: not a wrapper here
		switch spec.Kind {
		case commands.Wrapper:
			n = wrapperOperand(spec, inv, rest, name, &u.stdinShell)
		case commands.Multicall:
			if len(rest) > 0 && !strings.HasPrefix(rest[0].Value, "-") {
				n = 0
			}
		case commands.Env:
			if r, k := a.envArgs(inv, rest); k >= 0 {
				rest, n = r, k
			}
		case commands.Flock:
			if out, done = a.flock(spec, inv, rest, u.via, c, sc, &n); done {
				return u, out, true
			}
		case commands.Watch:
			if out, done = a.watch(spec, inv, rest, u.via, c, sc); done {
				return u, out, true
			}
		case commands.Xargs:
			a.appendCmds(inv.nested)
			a.xargs(spec, rest, inv, c, sc, appendVia(u.via, "xargs"))
			return u, outInfo{}, true
		}
		if n < 0 || n >= len(rest) {
			return u, out, false
		}
		u.via = appendVia(u.via, name)
		u.argv = rest[n:]
	}
}

// wrapperOperand returns the index in rest (the wrapper's arguments) of
// the command a commands.Wrapper runs, or -1 when it runs none. It sets
// stdinShell when the wrapper, given no command, runs a shell on stdin.
func wrapperOperand(spec *commands.Spec, inv *invocation, rest []xword, name string, stdinShell *string) int {
	noRun, shell := false, false
	i := scanOpts(rest, spec, func(o opt) bool {
		if o.short != 0 {
			noRun = noRun || strings.IndexByte(spec.NoRun, o.short) >= 0
			shell = shell || strings.IndexByte(spec.StdinShell, o.short) >= 0
		}
		return true
	})
	if i >= len(rest) && shell {
		*stdinShell = name
	}
	if noRun {
		return -1
	}
	if spec.Skip > 0 {
		if i >= len(rest) {
			return -1
		}
		i += spec.Skip // timeout DURATION, chroot NEWROOT
	}
	if spec.Assigns && i <= len(rest) {
		r := inv.takeAssigns(rest[i:])
		i = len(rest) - len(r)
	}
	return i
}

// flock [opts] FILE CMD... runs CMD (n is set past FILE); flock [opts]
// FILE -c 'CODE' runs CODE as shell code.
func (a *analyzer) flock(spec *commands.Spec, inv *invocation, rest []xword, via []string, c *ctx, sc *scope, n *int) (outInfo, bool) {
	i := scanOpts(rest, spec, nil)
	if i+1 >= len(rest) {
		return outInfo{}, false
	}
	if v := rest[i+1].Value; len(v) == 2 && v[0] == '-' && strings.IndexByte(spec.Code, v[1]) >= 0 ||
		strings.HasPrefix(v, "--") && commands.HasWord(spec.CodeLong, v[2:]) {
		if i+2 < len(rest) {
			a.appendCmds(inv.nested)
			nc := c.with()
			nc.via = appendVia(c.via, via...)
			a.nestedText(rest[i+2].Value, nc, sc, stdinInfo{}, "flock -c")
			return outInfo{}, true
		}
	}
	*n = i + 1 // skip FILE
	return outInfo{}, false
}

// watch [opts] CMD... runs the words joined as shell code, or as argv
// with -x.
func (a *analyzer) watch(spec *commands.Spec, inv *invocation, rest []xword, via []string, c *ctx, sc *scope) (outInfo, bool) {
	exec := false
	i := scanOpts(rest, spec, func(o opt) bool {
		exec = exec || o.short == 'x' || o.long == "exec"
		return true
	})
	if i >= len(rest) {
		return outInfo{}, false
	}
	a.appendCmds(inv.nested)
	if exec {
		sub := *inv
		sub.argv, sub.via, sub.nested = rest[i:], appendVia(via, "watch"), nil
		return a.run(&sub, c, sc), true
	}
	nc := c.with()
	nc.via = appendVia(c.via, via...)
	a.nestedText(joinWords(rest[i:]), nc, sc, stdinInfo{}, "watch")
	return outInfo{}, true
}

// joinWords joins the values of words with spaces, as a shell joins
// the words given to sh -c "$*", ssh HOST CMD... or watch CMD...
func joinWords(ws []xword) string {
	parts := make([]string, 0, len(ws))
	for _, w := range ws {
		parts = append(parts, w.Value)
	}
	return strings.Join(parts, " ")
}

// run unwraps wrappers, emits the command and analyses what it runs.
func (a *analyzer) run(inv *invocation, c *ctx, sc *scope) outInfo {
	if !a.spend(1) {
		return outInfo{}
	}
	u, out, done := a.unwrap(inv, c, sc)
	if done {
		return out
	}
	if len(u.argv) == 0 {
		a.appendCmds(inv.nested)
		return outInfo{known: true}
	}
	// Emit the command itself.
	head := u.argv[0]
	name := head.Value
	if !head.Dynamic {
		name = baseName(name)
	}
	args := u.argv[1:]
	tarCwd, tarHas := "", false
	if name == "tar" && !head.Dynamic {
		args, tarCwd, tarHas = tarDir(u.spec, args, sc)
	}
	cmd := a.newCommand(c, sc, name, head.Dynamic, args, inv.assigns, inv.redirs, inv.in, inv.feeders, u.via)
	cmd.Synthetic = inv.synthetic
	if !head.Dynamic && strings.Contains(head.Value, "/") {
		cmd.Path = head.Value
	}
	if inv.chdir != nil {
		tmp := sc.copy()
		tmp.cdTo([]xword{{Word: *inv.chdir}})
		cmd.Cwd = tmp.cwd
	}
	if tarHas {
		cmd.Cwd = tarCwd
	}
	cmd.Exec = execOf(u.spec, head, name, args, inv.in, sc, cmd.Cwd)
	a.emit(cmd)
	a.appendCmds(inv.nested)
	if len(inv.assigns) > 0 {
		keys := make([]string, 0, len(inv.assigns))
		for k := range inv.assigns {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			a.shellEnv(k, inv.assigns[k], c, sc)
		}
	}
	if head.Dynamic {
		return outInfo{}
	}
	if len(u.via) == 0 && len(inv.via) == 0 && !inv.external && strings.IndexByte(head.Value, '/') < 0 {
		if d := sc.fn(name); d != nil {
			// A function of the command line: its body runs here.
			a.callFunc(d, args, inv.in, c, sc)
			return outInfo{}
		}
	}
	cc := c
	if len(u.via) > 0 {
		cc = c.with()
		cc.via = appendVia(c.via, u.via...)
	}
	in := inv.in
	if u.stdinShell != "" && name == u.stdinShell {
		// sudo -s / doas -s with no command: a shell reading stdin.
		if in.known {
			a.nestedText(in.text, cc, sc, stdinInfo{}, append([]string{u.stdinShell}, viaDecodedOut(in.kind, &outInfo{decoded: in.decoded})...)...)
		}
	} else if u.spec != nil {
		a.runs(u.spec, name, args, in, cc, sc)
	}
	out = a.staticOut(name, args, in)
	a.writes(name, args, inv.redirs, in, out)
	for _, r := range inv.redirs {
		if r.Write && isStdoutRedir(r.Op) {
			return outInfo{known: true}
		}
	}
	return out
}

// runs analyses what a command runs besides itself (the code of sh -c,
// eval, python -c, the command npx or ssh runs ...) and how it changes
// the shell's state (cd, read, unset), by the kind of its spec.
func (a *analyzer) runs(spec *commands.Spec, name string, args []xword, in stdinInfo, c *ctx, sc *scope) {
	switch spec.Kind {
	case commands.Shell:
		a.shellRun(spec, args, in, c, sc)
	case commands.Su:
		a.suRun(spec, name, args, in, c, sc)
	case commands.At:
		// at reads the commands to schedule from stdin unless -f FILE.
		file := false
		scanOpts(args, spec, func(o opt) bool {
			file = file || o.short == 'f'
			return true
		})
		if !file && in.known {
			a.nestedText(in.text, c, sc, stdinInfo{}, viaDecodedOut(name, &outInfo{decoded: in.decoded})...)
		}
	case commands.Trap:
		// trap 'CMD' SIGNAL...: CMD is shell code run later (on exit, on a
		// signal); `trap - SIG`, `trap -p`, `trap -l` run nothing.
		if len(args) >= 2 && args[0].Value != "-" && !strings.HasPrefix(args[0].Value, "-") {
			a.nestedText(args[0].Value, c, sc, stdinInfo{}, "trap")
		}
	case commands.Script:
		// script [-q] -c 'CMD' [file]: runs CMD in a new shell.
		if code := codeOption(args, spec); code != nil {
			a.nestedText(code.Value, c, sc, stdinInfo{}, "script -c")
		}
	case commands.Awk:
		if prog, ok := awkProgram(spec, args); ok {
			for _, cmd := range awkShellStrings(prog) {
				a.nestedText(cmd, c, sc, stdinInfo{}, "awk system")
			}
		}
	case commands.Eval:
		if len(args) > 0 && !(len(args) == 1 && args[0].substOnly) {
			a.nestedText(joinWords(args), c, sc, in, viaDecoded("eval", args...)...)
		}
	case commands.Source:
		switch {
		case len(args) > 0 && args[0].proc != nil:
			a.nestedText(args[0].proc.text, c, sc, stdinInfo{}, viaDecodedOut("source", args[0].proc)...)
		case len(args) > 0 && isStdinPath(args[0]) && in.known:
			a.nestedText(in.text, c, sc, stdinInfo{}, viaDecodedOut("source", &outInfo{decoded: in.decoded})...)
		}
	case commands.Find:
		a.findActions(args, c, sc)
	case commands.Cd:
		sc.cdTo(args)
	case commands.Popd:
		sc.cwd, sc.lost = "", true
	case commands.SetsVars:
		a.setsVars(spec, name, args, in, c, sc)
	case commands.Alias:
		// alias NAME=VALUE: VALUE is shell code run when NAME is used.
		for _, w := range args {
			if _, v, ok := strings.Cut(w.Value, "="); ok && !w.Dynamic && strings.TrimSpace(v) != "" {
				a.nestedText(v, c, sc, stdinInfo{}, "alias")
			}
		}
	case commands.Runner, commands.PkgTool:
		a.runnerRun(spec, name, args, in, c, sc)
	case commands.Remote:
		a.remoteRun(spec, name, args, in, c, sc)
	case commands.Git:
		a.gitRun(spec, args, in, c, sc)
	case commands.Editor:
		a.editorRun(spec, args, c, sc)
	case commands.Pager:
		a.pagerRun(args, c, sc)
	case commands.Man:
		a.manRun(spec, args, c, sc)
	case commands.Entr:
		a.entrRun(spec, args, in, c, sc)
	case commands.Parallel:
		a.parallelRun(spec, args, in, c, sc)
	case commands.Fd:
		a.fdRun(spec, args, c, sc)
	case commands.Make:
		a.makeStdin(spec, args, in, c, sc)
	case commands.Interp:
		switch {
		case len(args) > 0 && !args[0].Dynamic && spec.Sub(args[0].Value) != nil:
			a.runnerRun(spec, name, args, in, c, sc) // bun x
		case spec.Lang == "python" && a.pythonModule(spec, args, in, c, sc):
		default:
			a.interpRun(spec, name, args, in, c, sc)
		}
	}
}

// codeOption returns the value of the last code option (spec.Code,
// spec.CodeLong: -c CODE, --command=CODE) in args, or nil.
func codeOption(args []xword, spec *commands.Spec) *xword {
	var code *xword
	scanOpts(args, spec, func(o opt) bool {
		if o.hasVal && (o.short != 0 && strings.IndexByte(spec.Code, o.short) >= 0 ||
			o.long != "" && commands.HasWord(spec.CodeLong, o.long)) {
			v := o.val
			code = &v
			return false
		}
		return true
	})
	return code
}

// setsVars applies read, mapfile, readarray, getopts and unset: the
// variables they name become unknown (set from input) or unset.
func (a *analyzer) setsVars(spec *commands.Spec, name string, args []xword, in stdinInfo, c *ctx, sc *scope) {
	switch name {
	case "printf":
		a.printfAssign(spec, args, sc)
		return
	case "set":
		a.setArgs(spec, args, sc)
		return
	case "read":
		if in.known && a.readKnown(spec, args, in, sc) {
			return
		}
	case "mapfile", "readarray":
		if a.mapfile(spec, args, in, c, sc) {
			return
		}
	}
	set := func(v string) {
		if v == "" || strings.HasPrefix(v, "-") {
			return
		}
		if name == "unset" {
			sc.set(v, varVal{unset: true})
		} else {
			sc.set(v, varVal{feeders: in.feeders})
		}
	}
	i := scanOpts(args, spec, func(o opt) bool {
		if o.short == 'a' && o.hasVal && !o.val.Dynamic {
			set(o.val.Value) // read -a ARRAY
		}
		return true
	})
	for _, w := range args[i:] {
		if !w.Dynamic {
			set(w.Value)
		}
	}
}

func viaDecoded(v string, args ...xword) []string {
	for _, w := range args {
		if w.decoded != "" {
			return []string{v, w.decoded}
		}
	}
	return []string{v}
}

func viaDecodedOut(v string, o *outInfo) []string {
	if o.decoded != "" {
		return []string{v, o.decoded}
	}
	return []string{v}
}

// envArgs parses env's options and assignments. It returns the (possibly
// rewritten, for -S) argument list and the index of the command in it, or -1.
func (a *analyzer) envArgs(inv *invocation, rest []xword) ([]xword, int) {
	spec := commands.Lookup("env")
	i := 0
	for guard := 0; i < len(rest) && guard < 64; guard++ {
		var split *opt
		k := scanOpts(rest[i:], spec, func(o opt) bool {
			switch {
			case o.short == 'C' || o.long == "chdir":
				if o.hasVal {
					d := o.val.Word
					inv.chdir = &d
				}
			case o.short == 'S' || o.long == "split-string":
				x := o
				split = &x
				return false
			}
			return true
		})
		if split != nil {
			// -S 'A=1 CMD ARGS': the string is split into words, which are
			// read again as options, assignments and the command.
			if !split.hasVal {
				return rest, -1
			}
			next := i + split.i + 1
			if split.valIdx >= 0 {
				next = i + split.valIdx + 1
			}
			var words []xword
			for _, f := range splitFields(split.val.Value) {
				words = append(words, xword{Word: f})
			}
			rest = append(words, rest[min(next, len(rest)):]...)
			i = 0
			continue
		}
		dashdash := k > 0 && rest[i+k-1].Value == "--" && !rest[i+k-1].Dynamic
		i += k
		if !dashdash && i < len(rest) && rest[i].Value == "-" && !rest[i].Dynamic {
			i++ // env - CMD: like -i
			continue
		}
		break
	}
	if i > len(rest) {
		return rest, -1
	}
	r := inv.takeAssigns(rest[i:])
	return rest, len(rest) - len(r)
}

// shellRun analyses what a shell runs: its -c string, a static script or
// its static stdin.
func (a *analyzer) shellRun(spec *commands.Spec, args []xword, in stdinInfo, c *ctx, sc *scope) {
	cflag, noexec, sflag := false, false, false
	i := scanOpts(args, spec, func(o opt) bool {
		switch o.short {
		case 'c':
			cflag = true
		case 'n':
			noexec = !o.plus // -n reads commands without running them
		case 's':
			sflag = true
		}
		return true
	})
	if i < len(args) && args[i].Value == "-" && !args[i].Dynamic {
		i++ // sh - ARGS: the options end, the script is stdin
	}
	// A script read on stdin (bash -s ARGS, sh - ARGS, bash /dev/stdin
	// ARGS) gets the arguments as $1 ...
	stdinArgs := func(args []xword) *scope {
		if len(args) == 0 {
			return sc
		}
		nsc := a.copyScope(sc)
		a.setPositional(nsc, args)
		return nsc
	}
	switch {
	case noexec:
	case sflag && in.known:
		a.nestedText(in.text, c, stdinArgs(args[i:]), stdinInfo{}, viaDecodedOut(in.kind, &outInfo{decoded: in.decoded})...)
	case cflag:
		if i < len(args) && !args[i].substOnly {
			// The arguments after the string are $0, $1 ... of the new shell.
			nsc := sc
			if rest := args[i+1:]; len(rest) > 0 {
				nsc = a.copyScope(sc)
				nsc.set("0", varVal{val: rest[0].Value, known: !rest[0].Dynamic, feeders: rest[0].feeders})
				a.setPositional(nsc, rest[1:])
			}
			a.nestedText(args[i].Value, c, nsc, in, viaDecoded("bash -c", args[i])...)
		}
	case i < len(args) && isStdinPath(args[i]) && in.known:
		a.nestedText(in.text, c, stdinArgs(args[i+1:]), stdinInfo{}, viaDecodedOut(in.kind, &outInfo{decoded: in.decoded})...)
	case i < len(args):
		if args[i].proc != nil {
			a.nestedText(args[i].proc.text, c, sc, stdinInfo{}, viaDecodedOut("bash script", args[i].proc)...)
		}
	case in.known:
		v := []string{in.kind}
		if in.decoded != "" {
			v = append(v, in.decoded)
		}
		a.nestedText(in.text, c, sc, stdinInfo{}, v...)
	}
}

// suRun analyses what su/runuser runs: the -c string, or a shell reading
// static stdin; runuser -u USER [--] CMD ARGS runs CMD directly.
func (a *analyzer) suRun(spec *commands.Spec, name string, args []xword, in stdinInfo, c *ctx, sc *scope) {
	user, done := false, false
	i := scanOpts(args, spec, func(o opt) bool {
		switch {
		case o.operand:
			if name == "runuser" && user {
				a.run(&invocation{argv: args[o.i:], via: []string{"runuser"}}, c, sc)
				done = true
				return false
			}
		case o.short == 'u' || o.long == "user":
			user = true
		case o.short == 'c' || o.long == "command":
			if o.hasVal && !o.val.substOnly {
				a.nestedText(o.val.Value, c, sc, in, viaDecoded(name+" -c", o.val)...)
			}
			done = true
			return false
		}
		return true
	})
	if done {
		return
	}
	if name == "runuser" && user && i < len(args) {
		// after --
		a.run(&invocation{argv: args[i:], via: []string{"runuser"}}, c, sc)
		return
	}
	if in.known {
		a.nestedText(in.text, c, sc, stdinInfo{}, append([]string{name}, viaDecodedOut(in.kind, &outInfo{decoded: in.decoded})...)...)
	}
}

func isStdinPath(w xword) bool {
	return !w.Dynamic && (w.Value == "/dev/stdin" || w.Value == "/proc/self/fd/0" || w.Value == "/dev/fd/0")
}

func isStdoutRedir(op string) bool {
	switch op {
	case ">", ">>", ">|", "1>", "1>>", "1>|", "&>", "&>>":
		return true
	}
	return false
}

// writes records static content written to files.
func (a *analyzer) writes(name string, args []xword, redirs []Redirect, in stdinInfo, out outInfo) {
	if len(a.res.Writes) >= maxCommands {
		return
	}
	if out.known && out.roots == nil {
		for _, r := range redirs {
			if r.Write && isStdoutRedir(r.Op) && r.Target.Value != "/dev/null" {
				a.res.Writes = append(a.res.Writes, FileWrite{Path: r.Target, Content: out.text,
					Append: strings.HasSuffix(r.Op, ">>"), By: name})
			}
		}
	}
	if name == "tee" && in.known {
		app := false
		var files []Word
		k := scanOpts(args, commands.Lookup("tee"), func(o opt) bool {
			switch {
			case o.operand:
				files = append(files, args[o.i].Word)
			case o.short == 'a' || o.long == "append":
				app = true
			}
			return true
		})
		for _, w := range args[k:] {
			files = append(files, w.Word)
		}
		for _, f := range files {
			if f.Value == "/dev/null" {
				continue
			}
			if len(a.res.Writes) >= maxCommands {
				break
			}
			a.res.Writes = append(a.res.Writes, FileWrite{Path: f, Content: in.text, Append: app, By: "tee"})
		}
	}
}

// xargs analyses the command xargs runs, with its input when known.
func (a *analyzer) xargs(spec *commands.Spec, args []xword, inv *invocation, c *ctx, sc *scope, via []string) {
	replace, delim := "", ""
	nul, lines, argFile := false, false, false
	i := scanOpts(args, spec, func(o opt) bool {
		switch {
		case o.short == 'I':
			replace = o.val.Value
		case o.short == 'i' || o.long == "replace":
			replace = "{}"
			if o.hasVal {
				replace = o.val.Value
			}
		case o.short == 'd' || o.long == "delimiter":
			delim = o.val.Value
		case o.short == 'a' || o.long == "arg-file":
			argFile = true
		case o.short == '0' || o.long == "null":
			nul = true
		case o.short == 'L' || o.short == 'l' || o.long == "max-lines":
			lines = true
		}
		return true
	})
	cmd := args[i:]
	if len(cmd) == 0 {
		cmd = []xword{{Word: Word{Value: "echo"}}}
	}
	in := inv.in
	var items []Word
	known := false
	switch {
	case argFile:
	case in.roots != nil:
		items, known = in.roots, true
	case in.known:
		known = true
		var parts []string
		switch {
		case nul:
			parts = strings.Split(in.text, "\x00")
		case delim != "":
			d := ansiC(delim)
			parts = strings.Split(in.text, d)
		case replace != "" || lines:
			parts = strings.Split(in.text, "\n")
		}
		if parts != nil {
			for _, p := range parts {
				if replace != "" {
					p = strings.TrimLeft(p, " \t")
				}
				if p != "" && p != "\n" {
					items = append(items, Word{Value: strings.TrimSuffix(p, "\n")})
				}
			}
		} else {
			items = splitFields(in.text)
		}
	}
	dyn := Word{Value: "<xargs input>", Dynamic: true}
	sub := func(item Word) {
		argv := make([]xword, len(cmd), len(cmd)+1)
		copy(argv, cmd)
		for j := range argv {
			if strings.Contains(argv[j].Value, replace) {
				argv[j].Value = strings.ReplaceAll(argv[j].Value, replace, item.Value)
				argv[j].Dynamic = argv[j].Dynamic || item.Dynamic
				argv[j].Glob = argv[j].Glob || item.Glob
			}
		}
		a.run(&invocation{argv: argv, via: via, in: stdinInfo{}}, c, sc)
	}
	switch {
	case !known || (replace != "" && len(items) > maxFanout):
		if replace != "" {
			sub(dyn)
			return
		}
		argv := append(append([]xword{}, cmd...), xword{Word: dyn, feeders: in.feeders})
		a.run(&invocation{argv: argv, via: via}, c, sc)
	case replace != "":
		for _, it := range items {
			sub(it)
		}
	default:
		argv := append([]xword{}, cmd...)
		for j, it := range items {
			if j >= 1024 {
				argv = append(argv, xword{Word: dyn})
				break
			}
			argv = append(argv, xword{Word: it})
		}
		a.run(&invocation{argv: argv, via: via}, c, sc)
	}
}

// findRestricting reports whether a find predicate restricts which files
// the actions apply to.
func findRestricting(p string) bool {
	switch p {
	case "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex",
		"-newer", "-anewer", "-cnewer", "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-size",
		"-empty", "-user", "-group", "-perm", "-links", "-inum", "-samefile", "-uid", "-gid", "-nouser",
		"-nogroup", "-lname", "-ilname", "-used", "-false", "-readable", "-writable", "-executable":
		return true
	}
	return strings.HasPrefix(p, "-newer")
}

// findArgCount is the number of arguments a find predicate takes.
func findArgCount(p string) int {
	switch p {
	case "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex",
		"-newer", "-anewer", "-cnewer", "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-size",
		"-user", "-group", "-perm", "-links", "-inum", "-samefile", "-uid", "-gid", "-type", "-xtype",
		"-maxdepth", "-mindepth", "-fstype", "-printf", "-fprint", "-fprint0", "-fls", "-context",
		"-regextype", "-used", "-lname", "-ilname", "-files0-from":
		return 1
	case "-fprintf":
		return 2
	}
	if strings.HasPrefix(p, "-newer") {
		return 1
	}
	return 0
}

// findRoots returns the roots of a find command (. when it names none) and
// the index of its first predicate.
func findRoots(args []xword) ([]Word, int) {
	start, expr := findSplit(len(args), func(i int) (string, bool) { return args[i].Value, args[i].Dynamic })
	var roots []Word
	for i := start; i < expr; i++ {
		roots = append(roots, args[i].Word)
	}
	if len(roots) == 0 {
		roots = []Word{{Value: "."}}
	}
	return roots, expr
}

// FindRoots returns the roots a find command's arguments name (. when they
// name none) and the index in args where its expression starts: find's
// grammar, for the guards that judge what a find deletes.
func FindRoots(args []Word) ([]Word, int) {
	start, expr := findSplit(len(args), func(i int) (string, bool) { return args[i].Value, args[i].Dynamic })
	roots := args[start:expr:expr]
	if len(roots) == 0 {
		roots = []Word{{Value: "."}}
	}
	return roots, expr
}

// findSplit reads find's command line of n arguments (arg returns one's
// value and whether it is dynamic): its own options come first (-H, -L,
// -P, -Olevel, -D debugopts), then the roots up to the first word that
// starts the expression (an option-like word, (, ! or ,).
func findSplit(n int, arg func(i int) (string, bool)) (start, expr int) {
	i := 0
	for i < n {
		v, _ := arg(i)
		if v == "-H" || v == "-L" || v == "-P" || strings.HasPrefix(v, "-O") {
			i++
			continue
		}
		if v == "-D" {
			i += 2
			continue
		}
		break
	}
	i = min(i, n)
	start = i
	for ; i < n; i++ {
		v, dynamic := arg(i)
		if len(v) > 1 && v[0] == '-' && !dynamic || v == "(" || v == "!" || v == "," {
			break
		}
	}
	return start, i
}

func rootJoin(r Word) Word {
	v := strings.TrimRight(r.Value, "/")
	return Word{Value: v + "/{}", Dynamic: r.Dynamic, Glob: r.Glob}
}

// findActions emits what find -exec/-ok and -delete run.
func (a *analyzer) findActions(args []xword, c *ctx, sc *scope) {
	roots, i := findRoots(args)
	restricted, orSeen := false, false
	for i < len(args) {
		v := args[i].Value
		switch {
		case v == "-o" || v == "-or" || v == ",":
			orSeen, restricted = true, false
			i++
		case findRestricting(v):
			if !orSeen {
				if !((v == "-name" || v == "-iname") && i+1 < len(args) && args[i+1].Value == "*" && !args[i+1].Dynamic) {
					restricted = true
				}
			}
			i += 1 + findArgCount(v)
		case v == "-exec" || v == "-execdir" || v == "-ok" || v == "-okdir":
			j := i + 1
			for j < len(args) && !(args[j].Value == ";" || (args[j].Value == "+" && j > i+1 && args[j-1].Value == "{}")) {
				j++
			}
			cmd := args[i+1 : min(j, len(args))]
			if len(cmd) > 0 {
				for k, r := range roots {
					if k >= maxFanout {
						break
					}
					repl := r
					if restricted {
						repl = rootJoin(r)
					}
					argv := make([]xword, len(cmd))
					copy(argv, cmd)
					for m := range argv {
						if strings.Contains(argv[m].Value, "{}") {
							argv[m].Value = strings.ReplaceAll(argv[m].Value, "{}", repl.Value)
							argv[m].Dynamic = argv[m].Dynamic || repl.Dynamic
							argv[m].Glob = argv[m].Glob || repl.Glob
						}
					}
					a.run(&invocation{argv: argv, via: []string{"find -exec"}}, c, sc)
				}
			}
			i = j + 1
		case v == "-delete":
			for k, r := range roots {
				if k >= maxFanout {
					break
				}
				var rmArgs []xword
				if restricted {
					rmArgs = []xword{{Word: Word{Value: "-f"}}, {Word: rootJoin(r)}}
				} else {
					rmArgs = []xword{{Word: Word{Value: "-r"}}, {Word: Word{Value: "-f"}}, {Word: r}}
				}
				cmd := a.newCommand(c, sc, "rm", false, rmArgs, nil, nil, stdinInfo{}, nil, []string{"find -delete"})
				cmd.Synthetic = true
				a.emit(cmd)
			}
			i++
		default:
			i += 1 + findArgCount(v)
		}
	}
}
