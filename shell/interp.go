package shell

import (
	"strings"

	"github.com/bulwark-guard/bulwark/interp"
)

// Interpreter one-liners (python -c, perl -e, ruby -e, node -e, deno eval,
// php -r, or code on an interpreter's static stdin): this file finds the
// code on the command line, and package interp says what it does.

// interpLang maps an interpreter command name to its language.
func interpLang(name string) string {
	trim := func(s, prefix string) (string, bool) {
		if !strings.HasPrefix(s, prefix) {
			return "", false
		}
		rest := s[len(prefix):]
		for i := 0; i < len(rest); i++ {
			if (rest[i] < '0' || rest[i] > '9') && rest[i] != '.' {
				return "", false
			}
		}
		return rest, true
	}
	if _, ok := trim(name, "python"); ok {
		return "python"
	}
	if _, ok := trim(name, "pypy"); ok {
		return "python"
	}
	if _, ok := trim(name, "perl"); ok {
		return "perl"
	}
	if _, ok := trim(name, "php"); ok {
		return "php"
	}
	switch name {
	case "ruby", "jruby", "truffleruby":
		return "ruby"
	case "node", "nodejs", "bun":
		return "node"
	case "deno":
		return "deno"
	}
	return ""
}

// interpCode finds the code an interpreter runs from its arguments or stdin.
func interpCode(lang string, args []xword, in stdinInfo) (code string, form string, decoded string, ok bool) {
	label := lang
	if lang == "deno" {
		if len(args) > 0 && args[0].Value == "eval" {
			for _, w := range args[1:] {
				if !strings.HasPrefix(w.Value, "-") || w.Dynamic {
					return w.Value, "deno eval", w.decoded, true
				}
			}
		}
		return "", "", "", false
	}
	codeFlags, valFlags, formName := interpFlags(lang)
	var codes []string
	for i := 0; i < len(args); i++ {
		w := args[i]
		v := w.Value
		if w.Dynamic && len(codes) == 0 {
			return "", "", "", false
		}
		if v == "-" || v == "--" {
			break
		}
		if lang == "node" && (v == "--eval" || v == "--print") {
			if i+1 < len(args) {
				codes = append(codes, args[i+1].Value)
				decoded = orDec(decoded, args[i+1].decoded)
				i++
			}
			continue
		}
		if lang == "node" && (strings.HasPrefix(v, "--eval=") || strings.HasPrefix(v, "--print=")) {
			_, c, _ := strings.Cut(v, "=")
			codes = append(codes, c)
			continue
		}
		if strings.HasPrefix(v, "--") {
			continue
		}
		if len(v) > 1 && v[0] == '-' {
			last := v[len(v)-1]
			if lang == "python" && strings.IndexByte(v, 'm') > 0 {
				return "", "", "", false // -m module
			}
			if strings.IndexByte(codeFlags, last) >= 0 {
				if i+1 < len(args) {
					codes = append(codes, args[i+1].Value)
					decoded = orDec(decoded, args[i+1].decoded)
					i++
				}
				if lang == "python" {
					break // the rest are sys.argv
				}
				continue
			}
			if len(v) == 2 && strings.IndexByte(valFlags, last) >= 0 {
				i++
			}
			continue
		}
		// A script operand: its code is not visible; with -c/-e the rest are
		// arguments.
		if len(codes) == 0 {
			return "", "", "", false
		}
		break
	}
	if len(codes) > 0 {
		return strings.Join(codes, "\n"), formName, decoded, true
	}
	if in.known {
		return in.text, label + " stdin", in.decoded, true
	}
	return "", "", "", false
}

// interpFlags returns, for a language, the short flags that take the code
// as their value, the short flags that take another value, and the Via form.
func interpFlags(lang string) (code, val, form string) {
	switch lang {
	case "python":
		return "c", "WXm", "python -c"
	case "perl":
		return "eE", "IMmx", "perl -e"
	case "ruby":
		return "e", "IrCE", "ruby -e"
	case "node":
		return "ep", "r", "node -e"
	case "php":
		return "r", "cdzRBEF", "php -r"
	}
	return "", "", ""
}

func (a *analyzer) interpRun(lang, name string, args []xword, in stdinInfo, c *ctx, sc *scope) {
	code, form, decoded, ok := interpCode(lang, args, in)
	if !ok || strings.TrimSpace(code) == "" {
		return
	}
	if c.depth+1 > MaxDepth {
		a.res.DepthExceeded = true
		return
	}
	if len(code) > maxPayload {
		a.res.Problems = append(a.res.Problems, form+": code larger than 1 MiB; only the first 1 MiB was scanned")
		code = code[:maxPayload]
	}
	if lang == "deno" {
		lang = "node"
	}
	ic := c.with()
	ic.via = appendVia(c.via, form)
	if decoded != "" {
		ic.via = append(ic.via, decoded)
	}
	ic.redirs, ic.fedBy = nil, nil
	if !a.spend(0) {
		return
	}
	for e := range interp.Scan(code, interp.Lang(lang), interp.Env{Home: sc.env.Home}) {
		a.interpEffect(e, ic, sc)
		if !a.spend(0) {
			break
		}
	}
}

// interpEffect turns one effect of interpreter code run in c into the
// commands it runs, one level deeper: shell code is analysed as shell, a
// program run without a shell is a command, a library call on files is a
// synthetic rm, rmdir, cat, tee, cp or mv.
func (a *analyzer) interpEffect(e interp.Effect, c *ctx, sc *scope) {
	if e.Kind == interp.Problem {
		a.res.Problems = append(a.res.Problems, e.Msg)
		return
	}
	if e.Kind == interp.Shell && !e.Code.Dynamic {
		a.nestedText(e.Code.Text, c, sc, stdinInfo{}, e.Call)
		return
	}
	if c.depth+1 > MaxDepth {
		a.res.DepthExceeded = true
		return
	}
	nc := c.with()
	nc.depth = c.depth + 1
	switch e.Kind {
	case interp.Shell:
		// A command computed at run time: keep it, dynamic, so that
		// guards know something runs.
		a.emit(a.newCommand(nc, sc, e.Code.Text, true, nil, nil, nil, stdinInfo{}, nil, []string{e.Call}))
	case interp.Exec:
		nc.via = appendVia(c.via, e.Call)
		argv := make([]xword, len(e.Argv))
		for i, v := range e.Argv {
			argv[i] = xword{Word: Word{Value: v.Text, Dynamic: v.Dynamic}}
		}
		a.run(&invocation{argv: argv}, nc, sc)
	case interp.FileOp:
		name, flags := fileOpCommand(e.Op, e.Recursive)
		if name == "" {
			return
		}
		xs := make([]xword, 0, len(flags)+len(e.Paths))
		for _, f := range flags {
			xs = append(xs, xword{Word: Word{Value: f}})
		}
		for _, p := range e.Paths {
			xs = append(xs, xword{Word: Word{Value: p.Text, Dynamic: p.Dynamic}})
		}
		cmd := a.newCommand(nc, sc, name, false, xs, nil, nil, stdinInfo{}, nil, []string{e.Call})
		cmd.Synthetic = true
		a.emit(cmd)
	}
}

// fileOpCommand is the command that does what a library file operation
// does: what guards judge for shutil.rmtree(p) is `rm -r -f p`.
func fileOpCommand(op interp.Op, recursive bool) (string, []string) {
	switch op {
	case interp.Remove:
		if recursive {
			return "rm", []string{"-r", "-f"}
		}
		return "rm", []string{"-f"}
	case interp.RemoveDir:
		return "rmdir", nil
	case interp.Read:
		return "cat", nil
	case interp.Write:
		return "tee", nil
	case interp.Append:
		return "tee", []string{"-a"}
	case interp.Copy:
		if recursive {
			return "cp", []string{"-r"}
		}
		return "cp", nil
	case interp.Move:
		return "mv", nil
	}
	return "", nil
}
