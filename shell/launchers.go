package shell

import (
	"strconv"
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
)

// Launchers: programs that run shell code (or another command) given in
// their own arguments or environment. Their code is analysed one level
// deeper, with a Via naming the launcher:
//
//   - git: -c alias.NAME='!CODE' run by `git NAME` ("git alias NAME";
//     an alias without ! expands to git's own arguments), and -c KEY=CODE
//     for the keys git runs as shell code (core.pager, core.editor,
//     core.sshCommand, core.fsmonitor, credential.helper='!...',
//     diff.external, filter.*.clean ...: "git -c KEY");
//   - vim/nvim/vi/ex -c CMD, --cmd CMD, +CMD: the ex commands that run
//     the shell (:!CMD, :r !CMD, :w !CMD, :{range}!CMD, :call system(...),
//     :terminal CMD): "vim -c";
//   - less +!CMD ("less"); man -P CMD, --pager=CMD, -H BROWSER ("man -P");
//   - parallel CMD ::: ARGS (each combination of arguments, up to 16,
//     substituted into CMD as GNU parallel does): "parallel";
//   - entr CMD (argv) and entr -s CODE: "entr";
//   - fd -x/-X CMD: the command runs on what fd finds ("fd -x");
//   - make -f - / -f /dev/stdin with a makefile on known stdin: the
//     recipes of the targets asked for ("make recipe", see makefile.go);
//   - heroku run CMD and fly ssh console -C CMD run on another machine
//     ("heroku run", "fly ssh console"), like ssh;
//   - environment variables that programs run as shell code (PAGER,
//     EDITOR, GIT_SSH_COMMAND, LESSOPEN ...; commands.ShellEnv) given to a
//     command (VAR=CODE cmd, env VAR=CODE cmd): their value, Via the
//     variable's name. (An export runs nothing yet: it is the persistence
//     guards' to judge.)

// gitRun analyses the shell code of git's -c options and aliases.
func (a *analyzer) gitRun(spec *commands.Spec, args []xword, in stdinInfo, c *ctx, sc *scope) {
	var aliases map[string]string
	i := scanOpts(args, spec, func(o opt) bool {
		if o.short != 'c' || !o.hasVal {
			return true
		}
		key, val, ok := strings.Cut(o.val.Value, "=")
		if !ok {
			return true
		}
		lk := strings.ToLower(key)
		if name, ok := strings.CutPrefix(lk, "alias."); ok {
			if aliases == nil {
				aliases = make(map[string]string)
			}
			aliases[name] = val
			return true
		}
		if code, ok := gitShellValue(lk, val); ok {
			a.nestedText(code, c, sc, stdinInfo{}, "git -c "+lk)
		}
		return true
	})
	if i >= len(args) || args[i].Dynamic || aliases == nil {
		return
	}
	alias, ok := aliases[strings.ToLower(args[i].Value)]
	if !ok {
		return
	}
	via := "git alias " + args[i].Value
	if code, ok := strings.CutPrefix(alias, "!"); ok {
		// git runs `sh -c 'CODE "$@"' CODE ARGS...`.
		nsc := a.copyScope(sc)
		a.setPositional(nsc, args[i+1:])
		a.nestedText(code+` "$@"`, c, nsc, in, via)
		return
	}
	// An alias of git's own arguments: git ALIAS-WORDS ARGS.
	argv := []xword{{Word: Word{Value: "git"}}}
	for _, f := range splitFields(alias) {
		argv = append(argv, xword{Word: f})
	}
	argv = append(argv, args[i+1:]...)
	a.run(&invocation{argv: argv, via: []string{via}, in: in}, c, sc)
}

// gitShellValue reports whether git runs the value of config key as shell
// code, and the code.
func gitShellValue(key, val string) (string, bool) {
	v := strings.TrimSpace(val)
	switch strings.ToLower(v) {
	case "", "true", "false", "yes", "no", "on", "off", "0", "1":
		return "", false
	}
	switch key {
	case "core.pager", "core.editor", "core.sshcommand", "core.fsmonitor", "core.askpass", "core.gitproxy",
		"sequence.editor", "diff.external", "gpg.program", "interactive.difffilter", "uploadpack.packobjectshook",
		"sendemail.smtpserver", "web.browser":
		return v, true
	case "credential.helper":
		// A helper name runs git-credential-NAME; "!CODE" is shell code.
		return strings.CutPrefix(v, "!")
	}
	for _, suffix := range []string{".textconv", ".command", ".driver", ".clean", ".smudge", ".process", ".cmd", ".program"} {
		if strings.HasSuffix(key, suffix) {
			return v, true
		}
	}
	if strings.HasPrefix(key, "pager.") || strings.HasPrefix(key, "remote.") &&
		(strings.HasSuffix(key, ".receivepack") || strings.HasSuffix(key, ".uploadpack")) {
		return v, true
	}
	return "", false
}

// editorRun analyses the ex commands vim (nvim, vi, ex, view ...) runs
// from -c, --cmd and +CMD.
func (a *analyzer) editorRun(spec *commands.Spec, args []xword, c *ctx, sc *scope) {
	scanOpts(args, spec, func(o opt) bool {
		var cmd string
		switch {
		case o.operand:
			w := args[o.i]
			if w.Dynamic || !strings.HasPrefix(w.Value, "+") {
				return true
			}
			cmd = w.Value[1:]
		case o.short == 'c' || o.long == "cmd":
			if !o.hasVal || o.val.Dynamic {
				return true
			}
			cmd = o.val.Value
		default:
			return true
		}
		a.exCommands(cmd, c, sc, 0)
		return true
	})
}

// exCommands analyses the shell code in a line of ex commands.
func (a *analyzer) exCommands(line string, c *ctx, sc *scope, depth int) {
	for line != "" && depth < 4 {
		cmd := line
		line = ""
		s := strings.TrimLeft(cmd, " \t:")
		for _, p := range []string{"silent!", "silent", "sil!", "sil", "keepalt", "noautocmd", "noa", "confirm"} {
			if rest, ok := strings.CutPrefix(s, p+" "); ok {
				s = strings.TrimLeft(rest, " \t:")
			}
		}
		// A range (%, 1,5, ., $, 'a): `:%!sort` filters through a command.
		r := strings.TrimLeft(s, "0123456789%.$,;'<> \t")
		if strings.HasPrefix(r, "!") && r != s {
			s = r
		}
		word, rest := exWord(s)
		switch {
		case strings.HasPrefix(s, "!"):
			// :!CMD takes the rest of the line, bars included.
			if code := strings.TrimPrefix(s[1:], "!"); strings.TrimSpace(code) != "" {
				a.nestedText(code, c, sc, stdinInfo{}, "vim -c")
			}
			return
		case word == "r" || word == "read" || word == "w" || word == "write" || word == "w!" || word == "write!":
			if code, ok := strings.CutPrefix(strings.TrimLeft(rest, " \t"), "!"); ok {
				a.nestedText(code, c, sc, stdinInfo{}, "vim -c")
				return
			}
		case word == "term" || word == "terminal" || word == "ter":
			a.nestedText(strings.TrimLeft(strings.TrimPrefix(strings.TrimLeft(rest, " "), "++close"), " "), c, sc, stdinInfo{}, "vim -c")
			return
		case word == "call" || word == "echo" || word == "let" || word == "exe" || word == "execute" || word == "eval":
			for _, fn := range []string{"system(", "systemlist(", "jobstart(", "job_start(", "termopen("} {
				if k := strings.Index(rest, fn); k >= 0 {
					if lit, ok := vimString(rest[k+len(fn):]); ok {
						a.nestedText(lit, c, sc, stdinInfo{}, "vim -c")
					}
				}
			}
			if word == "exe" || word == "execute" {
				if lit, ok := vimString(strings.TrimLeft(rest, " ")); ok {
					a.exCommands(lit, c, sc, depth+1)
				}
			}
		}
		// Commands separated by |: the next one.
		if k := strings.IndexByte(cmd, '|'); k >= 0 {
			line = cmd[k+1:]
		}
		depth++
	}
}

// exWord returns the ex command's name and what follows it.
func exWord(s string) (string, string) {
	i := 0
	for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	if i < len(s) && s[i] == '!' {
		i++
	}
	return s[:i], s[i:]
}

// vimString reads the string literal at the start of s ('...' or "...").
func vimString(s string) (string, bool) {
	s = strings.TrimLeft(s, " ")
	if s == "" || s[0] != '\'' && s[0] != '"' {
		return "", false
	}
	q := s[0]
	var sb strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			sb.WriteByte('\'')
			i++
		case s[i] == q:
			return sb.String(), true
		case s[i] == '\\' && q == '"' && i+1 < len(s):
			i++
			sb.WriteByte(s[i])
		default:
			sb.WriteByte(s[i])
		}
	}
	return "", false
}

// pagerRun analyses less +!CMD (less runs ! commands through the shell).
func (a *analyzer) pagerRun(args []xword, c *ctx, sc *scope) {
	for _, w := range args {
		if w.Dynamic || !strings.HasPrefix(w.Value, "+") {
			continue
		}
		cmd := strings.TrimPrefix(w.Value[1:], "+")
		if code, ok := strings.CutPrefix(cmd, "!"); ok && strings.TrimSpace(code) != "" {
			a.nestedText(code, c, sc, stdinInfo{}, "less")
		}
	}
}

// manRun analyses man -P CMD / --pager=CMD and -H BROWSER.
func (a *analyzer) manRun(spec *commands.Spec, args []xword, c *ctx, sc *scope) {
	scanOpts(args, spec, func(o opt) bool {
		if o.hasVal && !o.val.Dynamic && (o.short == 'P' || o.long == "pager" || o.short == 'H' || o.long == "html") {
			a.nestedText(o.val.Value, c, sc, stdinInfo{}, "man -P")
		}
		return true
	})
}

// entrRun analyses entr [-opts] CMD ARGS (argv) and entr -s CODE.
func (a *analyzer) entrRun(spec *commands.Spec, args []xword, in stdinInfo, c *ctx, sc *scope) {
	shell := false
	i := scanOpts(args, spec, func(o opt) bool {
		shell = shell || o.short == 's'
		return true
	})
	if i >= len(args) {
		return
	}
	if shell {
		a.nestedText(joinWords(args[i:]), c, sc, stdinInfo{}, "entr")
		return
	}
	a.run(&invocation{argv: args[i:], via: []string{"entr"}}, c, sc)
}

// maxParallelRuns bounds the argument combinations of parallel analysed.
const maxParallelRuns = maxFanout

// parallelRun analyses GNU parallel: CMD with each combination of the
// argument groups after :::, or each argument as a command when there is
// no CMD; arguments from files (::::, -a) or unknown stdin are unknown.
func (a *analyzer) parallelRun(spec *commands.Spec, args []xword, in stdinInfo, c *ctx, sc *scope) {
	dry, remote := false, false
	repl := "{}"
	i := scanOpts(args, spec, func(o opt) bool {
		switch {
		case o.long == "dry-run" || o.long == "dryrun":
			dry = true
		case o.short == 'S' || o.long == "sshlogin" || o.long == "sshloginfile":
			remote = true
		case o.short == 'I' && o.hasVal:
			repl = o.val.Value
		}
		return true
	})
	if dry {
		return
	}
	var cmd []xword
	var groups [][]xword
	unknown := false
	j := i
	for ; j < len(args) && !isParallelSep(args[j]); j++ {
		cmd = append(cmd, args[j])
	}
	for j < len(args) {
		sep := args[j].Value
		j++
		var g []xword
		for ; j < len(args) && !isParallelSep(args[j]); j++ {
			g = append(g, args[j])
		}
		if strings.HasPrefix(sep, "::::") {
			unknown = true // arguments read from files
			continue
		}
		groups = append(groups, g)
	}
	if len(groups) == 0 && !unknown {
		switch {
		case in.known:
			var g []xword
			for _, l := range strings.Split(strings.TrimSuffix(in.text, "\n"), "\n") {
				g = append(g, xword{Word: Word{Value: l}})
			}
			groups = append(groups, g)
		default:
			unknown = true
		}
	}
	via := "parallel"
	cc := c
	if remote {
		via = "parallel -S"
	}
	run := func(vals []xword) {
		code := parallelCode(cmd, vals, repl)
		if remote {
			a.nestedText(code, cc, remoteScope(), stdinInfo{}, via)
			return
		}
		a.nestedText(code, cc, sc, stdinInfo{}, via)
	}
	if unknown {
		run([]xword{{Word: Word{Value: "$PARALLEL_ARG", Dynamic: true}}})
		return
	}
	// Each combination, in order, up to the bound.
	idx := make([]int, len(groups))
	for n := 0; n < maxParallelRuns; n++ {
		vals := make([]xword, len(groups))
		for k, g := range groups {
			if len(g) == 0 {
				return
			}
			vals[k] = g[idx[k]]
		}
		run(vals)
		k := len(groups) - 1
		for k >= 0 {
			idx[k]++
			if idx[k] < len(groups[k]) {
				break
			}
			idx[k] = 0
			k--
		}
		if k < 0 {
			return
		}
	}
}

func isParallelSep(w xword) bool {
	switch w.Value {
	case ":::", "::::", ":::+", "::::+":
		return !w.Dynamic
	}
	return false
}

// parallelCode substitutes one combination of arguments into parallel's
// command: {} (or -I's string), {N}, {.}, {/}, {//}, {/.}; with no
// placeholder the arguments are appended. Each argument is shell-quoted,
// as parallel does; an unknown one stays an unknown variable.
func parallelCode(cmd, vals []xword, repl string) string {
	quote := func(w xword) string {
		if w.Dynamic {
			return `"$PARALLEL_ARG"`
		}
		return shellQuote(w.Value)
	}
	if len(cmd) == 0 {
		// Each argument is a command.
		parts := make([]string, len(vals))
		for k, v := range vals {
			parts[k] = v.Value
			if v.Dynamic {
				parts[k] = `"$PARALLEL_ARG"`
			}
		}
		return strings.Join(parts, " ")
	}
	text := joinWords(cmd)
	used := false
	all := make([]string, len(vals))
	for k, v := range vals {
		all[k] = quote(v)
	}
	if strings.Contains(text, repl) {
		text = strings.ReplaceAll(text, repl, strings.Join(all, " "))
		used = true
	}
	for k, v := range vals {
		p := "{" + strconv.Itoa(k+1) + "}"
		if strings.Contains(text, p) {
			text = strings.ReplaceAll(text, p, quote(v))
			used = true
		}
	}
	for _, p := range []string{"{.}", "{/}", "{//}", "{/.}"} {
		if strings.Contains(text, p) && len(vals) > 0 {
			text = strings.ReplaceAll(text, p, quote(vals[0]))
			used = true
		}
	}
	if !used {
		text += " " + strings.Join(all, " ")
	}
	return text
}

// shellQuote quotes s for a shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// fdRun analyses fd/fdfind -x CMD / -X CMD: the command runs on what fd
// finds under its search paths.
func (a *analyzer) fdRun(spec *commands.Spec, args []xword, c *ctx, sc *scope) {
	for k := 0; k < len(args); k++ {
		v := args[k].Value
		if args[k].Dynamic || v != "-x" && v != "--exec" && v != "-X" && v != "--exec-batch" {
			continue
		}
		end := k + 1
		for end < len(args) && !(args[end].Value == ";" && !args[end].Dynamic) {
			end++
		}
		cmd := args[k+1 : end]
		if len(cmd) == 0 {
			return
		}
		// What fd finds: entries under its search paths. With no pattern
		// (or one matching everything) and no filter, that is all of them,
		// judged as the path itself; otherwise each is path/{}.
		ops := operands(spec, args[:k])
		pattern, roots := "", []Word{{Value: "."}}
		if len(ops) > 0 {
			pattern = ops[0].Value
		}
		if len(ops) > 1 {
			roots = roots[:0]
			for _, w := range ops[1:] {
				roots = append(roots, w.Word)
			}
		}
		filtered := pattern != "" && pattern != "." && pattern != "^" && pattern != ".*"
		scanOpts(args[:k], spec, func(o opt) bool {
			switch o.short {
			case 'e', 't', 'E', 'g', 'S':
				filtered = true
			}
			return true
		})
		for r, root := range roots {
			if r >= maxFanout {
				break
			}
			item := root
			if filtered {
				item = rootJoin(root)
			}
			argv := make([]xword, len(cmd))
			copy(argv, cmd)
			placed := false
			for m := range argv {
				for _, p := range []string{"{//}", "{/.}", "{/}", "{.}", "{}"} {
					if strings.Contains(argv[m].Value, p) {
						argv[m].Value = strings.ReplaceAll(argv[m].Value, p, item.Value)
						argv[m].Dynamic = argv[m].Dynamic || item.Dynamic || filtered
						placed = true
					}
				}
			}
			if !placed {
				argv = append(argv, xword{Word: Word{Value: item.Value, Dynamic: item.Dynamic || filtered}})
			}
			a.run(&invocation{argv: argv, via: []string{"fd -x"}}, c, sc)
		}
		return
	}
}

// herokuRun analyses heroku run CMD...: the words, joined, run as shell
// code on a dyno.
func (a *analyzer) herokuRun(args []xword, in stdinInfo, c *ctx, sc *scope) {
	if len(args) == 0 || args[0].Dynamic || args[0].Value != "run" && args[0].Value != "run:detached" {
		return
	}
	rest := args[1:]
	i := scanOpts(rest, commands.Lookup("heroku run"), nil)
	if i < len(rest) {
		a.remoteShell(rest[i:], in, c, sc, "heroku run")
	}
}

// flyRun analyses fly ssh console -C CMD: CMD runs on a Fly machine.
func (a *analyzer) flyRun(args []xword, in stdinInfo, c *ctx, sc *scope) {
	if len(args) < 2 || args[0].Value != "ssh" || args[1].Value != "console" || args[0].Dynamic || args[1].Dynamic {
		return
	}
	if code := codeOption(args[2:], commands.Lookup("fly ssh console")); code != nil {
		a.remoteShell([]xword{*code}, in, c, sc, "fly ssh console")
	}
}

// shellEnv analyses the environment a command is given (VAR=x cmd, env
// VAR=x cmd), for the variables whose value programs run as shell code.
func (a *analyzer) shellEnv(name, value string, c *ctx, sc *scope) {
	if !commands.ShellEnv(name) || strings.TrimSpace(value) == "" {
		return
	}
	code := value
	if name == "LESSOPEN" || name == "LESSCLOSE" {
		code = strings.TrimLeft(code, "|-")
		code = strings.ReplaceAll(code, "%s", "FILE")
	}
	a.nestedText(code, c, sc, stdinInfo{}, name)
}
