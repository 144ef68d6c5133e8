package shell

import (
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/syntax"
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

// skipOpts skips the options of a wrapper. valShort lists the short options
// that take a value, valLong the long ones. It returns the index of the first
// operand and the short flags seen.
func skipOpts(args []xword, valShort string, valLong ...string) (int, string) {
	var flags []byte
	i := 0
	for i < len(args) {
		w := args[i]
		v := w.Value
		if w.Dynamic || len(v) < 2 || v[0] != '-' {
			return i, string(flags)
		}
		if v == "--" {
			return i + 1, string(flags)
		}
		if strings.HasPrefix(v, "--") {
			name := v[2:]
			i++
			if strings.IndexByte(name, '=') < 0 {
				for _, l := range valLong {
					if l == name {
						i++
						break
					}
				}
			}
			continue
		}
		i++
		for j := 1; j < len(v); j++ {
			flags = append(flags, v[j])
			if strings.IndexByte(valShort, v[j]) >= 0 {
				if j == len(v)-1 {
					i++
				}
				break
			}
		}
	}
	if i > len(args) {
		i = len(args)
	}
	return i, string(flags)
}

// isShell reports whether name is a shell whose -c string, script or stdin
// is shell code.
func isShell(name string) bool {
	switch name {
	case "bash", "sh", "zsh", "dash", "ksh", "fish", "ash", "mksh", "yash", "rbash", "pdksh":
		return true
	}
	return false
}

// run unwraps wrappers, emits the command and analyses what it runs.
func (a *analyzer) run(inv *invocation, c *ctx, sc *scope) outInfo {
	if !a.spend(1) {
		return outInfo{}
	}
	argv := inv.argv
	via := inv.via
	emitted := false
	stdinShell := "" // a wrapper that runs a shell reading stdin (sudo -s)
	defer func() {
		if !emitted {
			a.appendCmds(inv.nested)
		}
	}()
	// Unwrap wrappers. Each iteration strips one wrapper.
	for steps := 0; len(argv) > 0 && steps < 64; steps++ {
		if argv[0].Dynamic {
			break
		}
		name := baseName(argv[0].Value)
		rest := argv[1:]
		n := -1 // index in rest of the wrapped command, -1: not a wrapper here
		switch name {
		case "sudo":
			i, flags := skipOpts(rest, "ughpCDrtUTR", "user", "group", "host", "prompt", "close-from", "chdir",
				"role", "type", "other-user", "command-timeout", "chroot")
			if !strings.ContainsAny(flags, "elvV") {
				n = i
			}
			if i >= len(rest) && strings.ContainsAny(flags, "si") {
				stdinShell = "sudo"
			}
			if n >= 0 {
				r := inv.takeAssigns(rest[n:])
				n = len(rest) - len(r)
			}
		case "doas":
			i, flags := skipOpts(rest, "uC")
			if !strings.ContainsAny(flags, "C") {
				n = i
			}
			if i >= len(rest) && strings.ContainsAny(flags, "s") {
				stdinShell = "doas"
			}
		case "env":
			var r []xword
			r, n = a.envArgs(inv, rest)
			if n >= 0 {
				rest = r
			}
		case "command":
			i, flags := skipOpts(rest, "")
			if !strings.ContainsAny(flags, "vV") {
				n = i
			}
		case "builtin", "nohup", "noglob", "setsid", "fakeroot", "unbuffer", "torsocks", "proxychains", "proxychains4", "caffeinate":
			n, _ = skipOpts(rest, "")
		case "flock":
			// flock [opts] FILE CMD...   or   flock [opts] FILE -c 'CMD'
			i, _ := skipOpts(rest, "wE", "timeout", "conflict-exit-code")
			if i+1 < len(rest) {
				if v := rest[i+1].Value; (v == "-c" || v == "--command") && i+2 < len(rest) {
					emitted = true
					a.appendCmds(inv.nested)
					nc := c.with()
					nc.via = appendVia(c.via, via...)
					a.nestedText(rest[i+2].Value, nc, sc, stdinInfo{}, "flock -c")
					return outInfo{}
				}
				n = i + 1 // skip FILE
			}
		case "exec":
			n, _ = skipOpts(rest, "a")
		case "nice":
			n, _ = skipOpts(rest, "n", "adjustment")
		case "time":
			n, _ = skipOpts(rest, "fo", "format", "output")
		case "timeout":
			i, _ := skipOpts(rest, "sk", "signal", "kill-after")
			if i < len(rest) {
				n = i + 1 // skip DURATION
			}
		case "stdbuf":
			n, _ = skipOpts(rest, "ioe", "input", "output", "error")
		case "ionice":
			i, flags := skipOpts(rest, "cnpPu", "class", "classdata", "pid", "pgid", "uid")
			if !strings.ContainsAny(flags, "pPu") {
				n = i
			}
		case "chroot":
			i, _ := skipOpts(rest, "", "userspec", "groups")
			if i < len(rest) {
				n = i + 1 // skip NEWROOT
			}
		case "busybox", "toybox":
			if len(rest) > 0 && !strings.HasPrefix(rest[0].Value, "-") {
				n = 0
			}
		case "watch":
			i, flags := skipOpts(rest, "nq", "interval", "equexit")
			if i < len(rest) {
				emitted = true
				a.appendCmds(inv.nested)
				if strings.IndexByte(flags, 'x') >= 0 {
					sub := *inv
					sub.argv, sub.via, sub.nested = rest[i:], appendVia(via, "watch"), nil
					return a.run(&sub, c, sc)
				}
				parts := make([]string, 0, len(rest)-i)
				for _, w := range rest[i:] {
					parts = append(parts, w.Value)
				}
				nc := c.with()
				nc.via = appendVia(c.via, via...)
				a.nestedText(strings.Join(parts, " "), nc, sc, stdinInfo{}, "watch")
				return outInfo{}
			}
		case "xargs":
			emitted = true
			a.appendCmds(inv.nested)
			a.xargs(rest, inv, c, sc, appendVia(via, "xargs"))
			return outInfo{}
		}
		if n < 0 || n >= len(rest) {
			break
		}
		via = appendVia(via, name)
		argv = rest[n:]
	}
	if len(argv) == 0 {
		return outInfo{known: true}
	}
	// Emit the command itself.
	head := argv[0]
	name := head.Value
	if !head.Dynamic {
		name = baseName(name)
	}
	args := argv[1:]
	tarCwd := ""
	tarHas := false
	if name == "tar" && !head.Dynamic {
		var dir string
		var known bool
		cwd := sc.cwd
		if sc.lost {
			cwd = ""
		}
		args, dir, tarHas, known = tarDir(args, cwd)
		if tarHas && known {
			tmp := sc.copy()
			tmp.cdTo([]xword{{Word: Word{Value: dir}}})
			tarCwd = tmp.cwd
		}
	}
	cmd := a.newCommand(c, sc, name, head.Dynamic, args, inv.assigns, inv.redirs, inv.in, inv.feeders, via)
	cmd.Synthetic = inv.synthetic
	if inv.chdir != nil {
		tmp := sc.copy()
		tmp.cdTo([]xword{{Word: *inv.chdir}})
		cmd.Cwd = tmp.cwd
	}
	if tarHas {
		cmd.Cwd = tarCwd
	}
	a.emit(cmd)
	emitted = true
	a.appendCmds(inv.nested)
	if head.Dynamic {
		return outInfo{}
	}
	cc := c
	if len(via) > 0 {
		cc = c.with()
		cc.via = appendVia(c.via, via...)
	}
	in := inv.in
	switch {
	case stdinShell != "" && len(argv) > 0 && baseName(argv[0].Value) == stdinShell:
		if in.known {
			a.nestedText(in.text, cc, sc, stdinInfo{}, append([]string{stdinShell}, viaDecodedOut(in.kind, &outInfo{decoded: in.decoded})...)...)
		}
	case isShell(name):
		a.shellRun(name, args, in, cc, sc)
	case name == "su" || name == "runuser":
		a.suRun(name, args, in, cc, sc)
	case name == "at" || name == "batch":
		// at reads the commands to schedule from stdin unless -f FILE.
		file := false
		for _, w := range args {
			if w.Value == "-f" || strings.HasPrefix(w.Value, "-f") {
				file = true
			}
		}
		if !file && in.known {
			a.nestedText(in.text, cc, sc, stdinInfo{}, viaDecodedOut(name, &outInfo{decoded: in.decoded})...)
		}
	case name == "trap":
		// trap 'CMD' SIGNAL...: CMD is shell code run later (on exit, on a
		// signal); `trap - SIG`, `trap -p`, `trap -l` run nothing.
		if len(args) >= 2 && args[0].Value != "-" && !strings.HasPrefix(args[0].Value, "-") {
			a.nestedText(args[0].Value, cc, sc, stdinInfo{}, "trap")
		}
	case name == "script":
		// script [-q] -c 'CMD' [file]: runs CMD in a new shell.
		for i := 0; i+1 < len(args); i++ {
			if v := args[i].Value; v == "-c" || v == "--command" || strings.HasPrefix(v, "-") && !strings.HasPrefix(v, "--") && strings.HasSuffix(v, "c") {
				a.nestedText(args[i+1].Value, cc, sc, stdinInfo{}, "script -c")
				break
			}
		}
	case name == "awk" || name == "gawk" || name == "mawk" || name == "nawk":
		if prog, ok := awkProgram(args); ok {
			for _, cmd := range awkShellStrings(prog) {
				a.nestedText(cmd, cc, sc, stdinInfo{}, "awk system")
			}
		}
	case name == "eval":
		if len(args) > 0 && !(len(args) == 1 && args[0].substOnly) {
			parts := make([]string, len(args))
			for i, w := range args {
				parts[i] = w.Value
			}
			a.nestedText(strings.Join(parts, " "), cc, sc, in, viaDecoded("eval", args...)...)
		}
	case name == "source" || name == ".":
		switch {
		case len(args) > 0 && args[0].proc != nil:
			a.nestedText(args[0].proc.text, cc, sc, stdinInfo{}, viaDecodedOut("source", args[0].proc)...)
		case len(args) > 0 && isStdinPath(args[0]) && in.known:
			a.nestedText(in.text, cc, sc, stdinInfo{}, viaDecodedOut("source", &outInfo{decoded: in.decoded})...)
		}
	case name == "find":
		a.findActions(args, cc, sc)
	case name == "cd" || name == "pushd":
		sc.cdTo(args)
	case name == "popd":
		sc.cwd, sc.lost = "", true
	case name == "read" || name == "mapfile" || name == "readarray" || name == "getopts" || name == "unset":
		// Variables set from input become unknown; unset removes them.
		for k, w := range args {
			v := w.Value
			if w.Dynamic || strings.HasPrefix(v, "-") || v == "" {
				continue
			}
			if k > 0 && (args[k-1].Value == "-p" || args[k-1].Value == "-t" || args[k-1].Value == "-n" ||
				args[k-1].Value == "-N" || args[k-1].Value == "-d" || args[k-1].Value == "-u" ||
				args[k-1].Value == "-C" || args[k-1].Value == "-c" || args[k-1].Value == "-s" || args[k-1].Value == "-O") {
				continue
			}
			if name == "unset" {
				sc.set(v, varVal{unset: true})
			} else {
				sc.set(v, varVal{feeders: in.feeders})
			}
		}
	case name == "alias":
		// alias NAME=VALUE: VALUE is shell code run when NAME is used.
		for _, w := range args {
			if _, v, ok := strings.Cut(w.Value, "="); ok && !w.Dynamic && strings.TrimSpace(v) != "" {
				a.nestedText(v, cc, sc, stdinInfo{}, "alias")
			}
		}
	default:
		if a.runnerRun(name, args, in, cc, sc) {
			break
		}
		if lang := interpLang(name); lang != "" {
			a.interpRun(lang, name, args, in, cc, sc)
		}
	}
	out := a.staticOut(name, args, in)
	a.writes(name, args, inv.redirs, in, out)
	for _, r := range inv.redirs {
		if r.Write && isStdoutRedir(r.Op) {
			return outInfo{known: true}
		}
	}
	return out
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
	i := 0
	for guard := 0; i < len(rest) && guard < 64; guard++ {
		w := rest[i]
		v := w.Value
		if w.Dynamic {
			break
		}
		switch {
		case v == "--":
			i++
			goto assigns
		case v == "-" || v == "-i" || v == "--ignore-environment" || v == "-0" || v == "--null" || v == "-v" || v == "--debug":
			i++
		case v == "-C" || v == "--chdir":
			if i+1 < len(rest) {
				d := rest[i+1].Word
				inv.chdir = &d
			}
			i += 2
		case strings.HasPrefix(v, "--chdir=") || (len(v) > 2 && strings.HasPrefix(v, "-C")):
			d := Word{Value: strings.TrimPrefix(strings.TrimPrefix(v, "--chdir="), "-C")}
			inv.chdir = &d
			i++
		case v == "-u" || v == "--unset":
			i += 2
		case strings.HasPrefix(v, "--unset=") || (len(v) > 2 && strings.HasPrefix(v, "-u")):
			i++
		case v == "-S" || v == "--split-string" || strings.HasPrefix(v, "-S") || strings.HasPrefix(v, "--split-string="):
			var s string
			next := i + 1
			switch {
			case v == "-S" || v == "--split-string":
				if i+1 >= len(rest) {
					return rest, -1
				}
				s, next = rest[i+1].Value, i+2
			case strings.HasPrefix(v, "--split-string="):
				s = v[len("--split-string="):]
			default:
				s = v[2:]
			}
			var split []xword
			for _, f := range splitFields(s) {
				split = append(split, xword{Word: f})
			}
			rest = append(split, rest[next:]...)
			i = 0
		case strings.HasPrefix(v, "-") && len(v) > 1:
			i++
		default:
			goto assigns
		}
	}
assigns:
	if i > len(rest) {
		return rest, -1
	}
	r := inv.takeAssigns(rest[i:])
	return rest, len(rest) - len(r)
}

// shellRun analyses what a shell runs: its -c string, a static script or
// its static stdin.
func (a *analyzer) shellRun(name string, args []xword, in stdinInfo, c *ctx, sc *scope) {
	i := 0
	cflag, noexec := false, false
	for i < len(args) {
		w := args[i]
		v := w.Value
		if w.Dynamic {
			break
		}
		if v == "--" || v == "-" {
			i++
			break
		}
		if strings.HasPrefix(v, "--") {
			if v == "--rcfile" || v == "--init-file" {
				i++
			}
			i++
			continue
		}
		if len(v) > 1 && (v[0] == '-' || v[0] == '+') {
			takeVal := false
			for j := 1; j < len(v); j++ {
				switch v[j] {
				case 'c':
					cflag = true
				case 'n':
					noexec = v[0] == '-' // -n reads commands without running them
				case 'o', 'O':
					takeVal = true
				}
			}
			i++
			if takeVal {
				i++
			}
			continue
		}
		break
	}
	switch {
	case noexec:
	case cflag:
		if i < len(args) && !args[i].substOnly {
			// The arguments after the string are $0, $1 ... of the new shell.
			nsc := sc
			if rest := args[i+1:]; len(rest) > 0 {
				nsc = sc.copy()
				var all []string
				for k, w := range rest {
					if k < 10 {
						nsc.set(strconv.Itoa(k), varVal{val: w.Value, known: !w.Dynamic, feeders: w.feeders})
					}
					if k > 0 {
						all = append(all, w.Value)
					}
				}
				joined := varVal{val: strings.Join(all, " "), known: true}
				for _, w := range rest[1:] {
					joined.known = joined.known && !w.Dynamic
				}
				nsc.set("@", joined)
				nsc.set("*", joined)
			}
			a.nestedText(args[i].Value, c, nsc, in, viaDecoded("bash -c", args[i])...)
		}
	case i < len(args) && isStdinPath(args[i]) && in.known:
		a.nestedText(in.text, c, sc, stdinInfo{}, viaDecodedOut(in.kind, &outInfo{decoded: in.decoded})...)
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
// static stdin.
func (a *analyzer) suRun(name string, args []xword, in stdinInfo, c *ctx, sc *scope) {
	user := false
	for i := 0; i < len(args); i++ {
		w := args[i]
		v := w.Value
		if name == "runuser" && user && (v == "--" || !strings.HasPrefix(v, "-")) {
			// runuser -u USER [--] COMMAND ARGS runs the command directly.
			if v == "--" {
				i++
			}
			if i < len(args) {
				a.run(&invocation{argv: args[i:], via: []string{"runuser"}}, c, sc)
			}
			return
		}
		switch {
		case w.Dynamic:
		case v == "-u" || v == "--user":
			user = true
			i++
		case v == "-c" || v == "--command":
			if i+1 < len(args) && !args[i+1].substOnly {
				a.nestedText(args[i+1].Value, c, sc, in, viaDecoded(name+" -c", args[i+1])...)
			}
			return
		case strings.HasPrefix(v, "--command="):
			a.nestedText(v[len("--command="):], c, sc, in, name+" -c")
			return
		case v == "-s" || v == "--shell" || v == "-g" || v == "--group" || v == "-G" || v == "--supp-group" ||
			v == "-w" || v == "--whitelist-environment":
			i++
		case len(v) > 2 && v[0] == '-' && v[1] != '-' && v[len(v)-1] == 'c':
			// clustered flags ending in c: -lc CMD
			if i+1 < len(args) && !args[i+1].substOnly {
				a.nestedText(args[i+1].Value, c, sc, in, viaDecoded(name+" -c", args[i+1])...)
			}
			return
		}
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
		opts := true
		for _, w := range args {
			v := w.Value
			if opts && !w.Dynamic && len(v) > 1 && v[0] == '-' {
				if v == "--" {
					opts = false
				} else if v == "--append" || (v[1] != '-' && strings.IndexByte(v, 'a') > 0) {
					app = true
				}
				continue
			}
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
func (a *analyzer) xargs(args []xword, inv *invocation, c *ctx, sc *scope, via []string) {
	i := 0
	replace, delim := "", ""
	nul, lines, argFile := false, false, false
	next := func() string {
		if i+1 < len(args) {
			return args[i+1].Value
		}
		return ""
	}
	for i < len(args) {
		w := args[i]
		v := w.Value
		if w.Dynamic || len(v) < 2 || v[0] != '-' {
			break
		}
		if v == "--" {
			i++
			break
		}
		switch {
		case v == "-I":
			replace = next()
			i += 2
		case strings.HasPrefix(v, "-I"):
			replace = v[2:]
			i++
		case v == "-i" || v == "--replace":
			replace = "{}"
			i++
		case strings.HasPrefix(v, "--replace="):
			replace = v[len("--replace="):]
			i++
		case strings.HasPrefix(v, "-i"):
			replace = v[2:]
			i++
		case v == "-d":
			delim = next()
			i += 2
		case strings.HasPrefix(v, "--delimiter="):
			delim = v[len("--delimiter="):]
			i++
		case v == "--delimiter":
			delim = next()
			i += 2
		case strings.HasPrefix(v, "-d"):
			delim = v[2:]
			i++
		case v == "-a" || v == "--arg-file":
			argFile = true
			i += 2
		case strings.HasPrefix(v, "--arg-file=") || strings.HasPrefix(v, "-a"):
			argFile = true
			i++
		case v == "-0" || v == "--null":
			nul = true
			i++
		case v == "-L" || v == "--max-lines":
			lines = true
			i += 2
		case strings.HasPrefix(v, "-L") || strings.HasPrefix(v, "-l") || strings.HasPrefix(v, "--max-lines="):
			lines = true
			i++
		case v == "-n" || v == "-P" || v == "-s" || v == "-E" ||
			v == "--max-args" || v == "--max-procs" || v == "--max-chars" || v == "--eof":
			i += 2
		case strings.HasPrefix(v, "--"):
			i++
		default:
			if len(v) > 2 && strings.IndexByte("nPsE", v[1]) >= 0 {
				i++
				continue
			}
			if strings.IndexByte(v, '0') > 0 {
				nul = true
			}
			i++
		}
	}
	if i > len(args) {
		i = len(args)
	}
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

// findRoots returns the roots of a find command and the index of its
// first predicate.
func findRoots(args []xword) ([]Word, int) {
	i := 0
	for i < len(args) {
		v := args[i].Value
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
	var roots []Word
	for i < len(args) {
		v := args[i].Value
		if (len(v) > 1 && v[0] == '-' && !args[i].Dynamic) || v == "(" || v == "!" || v == "," {
			break
		}
		roots = append(roots, args[i].Word)
		i++
	}
	if len(roots) == 0 {
		roots = []Word{{Value: "."}}
	}
	if i > len(args) {
		i = len(args)
	}
	return roots, i
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
