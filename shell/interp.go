package shell

import (
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
	"github.com/bulwark-guard/bulwark/interp"
)

// Interpreter one-liners (python -c, perl -e, ruby -e, node -e, deno eval,
// php -r, or code on an interpreter's static stdin): this file finds the
// code on the command line, and package interp says what it does.

// interpCode finds the code an interpreter runs: the values of its code
// options (python -c, perl -e/-E, ruby -e, node -e/-p/--eval/--print, php
// -r, deno eval CODE), or its static stdin when it has neither code nor a
// script operand (python3 - <<EOF, echo ... | node). With a script
// operand the code is in a file and not visible here.
func interpCode(spec *commands.Spec, args []xword, in stdinInfo) (code string, form string, decoded string, ok bool) {
	lang := spec.Lang
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
	var codes []string
	module := false
	i := scanOpts(args, spec, func(o opt) bool {
		switch {
		case lang == "python" && o.short == 'm':
			module = true // -m module: see pythonModule
			return false
		case o.short != 0 && strings.IndexByte(spec.Code, o.short) >= 0 || o.long != "" && commands.HasWord(spec.CodeLong, o.long):
			if o.hasVal {
				codes = append(codes, o.val.Value)
				decoded = orDec(decoded, o.val.decoded)
			}
			// python -c CODE: the rest are sys.argv; perl -e may repeat.
			return lang != "python"
		}
		return true
	})
	switch {
	case module:
		return "", "", "", false
	case len(codes) > 0:
		return strings.Join(codes, "\n"), interpForm(lang), decoded, true
	case i < len(args) && !(args[i].Value == "-" && !args[i].Dynamic):
		// A script operand: its code is not visible here.
		return "", "", "", false
	case in.known:
		return in.text, lang + " stdin", in.decoded, true
	}
	return "", "", "", false
}

// interpForm is the Via entry of code given on an interpreter's command
// line.
func interpForm(lang string) string {
	switch lang {
	case "python":
		return "python -c"
	case "perl":
		return "perl -e"
	case "ruby":
		return "ruby -e"
	case "node":
		return "node -e"
	case "php":
		return "php -r"
	case "lua":
		return "lua -e"
	case "tcl":
		return "expect -c"
	}
	return lang
}

func (a *analyzer) interpRun(spec *commands.Spec, name string, args []xword, in stdinInfo, c *ctx, sc *scope) {
	lang := spec.Lang
	code, form, decoded, ok := interpCode(spec, args, in)
	if !ok || strings.TrimSpace(code) == "" {
		return
	}
	if c.depth+1 > MaxDepth {
		a.depthLimit()
		return
	}
	if len(code) > maxPayload {
		a.limit(form + ": code larger than 1 MiB; only the first 1 MiB was scanned")
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
	if !a.spend(len(code) / 16) { // scanning is linear in the code
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
// synthetic rm, rmdir, cat, tee, cp, mv, chmod or chown.
func (a *analyzer) interpEffect(e interp.Effect, c *ctx, sc *scope) {
	if e.Kind == interp.Problem {
		a.limit(e.Msg) // the scan was cut short
		return
	}
	if e.Kind == interp.Shell && !e.Code.Dynamic {
		a.nestedText(e.Code.Text, c, sc, stdinInfo{}, e.Call)
		return
	}
	if c.depth+1 > MaxDepth {
		a.depthLimit()
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
		a.run(&invocation{argv: argv, external: true}, nc, sc)
	case interp.FileOp:
		name, flags := fileOpCommand(e.Op, e.Recursive)
		if name == "" {
			return
		}
		xs := make([]xword, 0, len(flags)+len(e.Paths))
		for _, f := range flags {
			xs = append(xs, xword{Word: Word{Value: f}})
		}
		switch e.Op {
		case interp.Chmod:
			xs = append(xs, xword{Word: Word{Value: e.Mode.Text, Dynamic: e.Mode.Dynamic}})
		case interp.Chown:
			xs = append(xs, xword{Word: Word{Value: e.Owner.Text, Dynamic: e.Owner.Dynamic}})
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
	case interp.Chmod, interp.Chown:
		name := "chmod"
		if op == interp.Chown {
			name = "chown"
		}
		if recursive {
			return name, []string{"-R"}
		}
		return name, nil
	}
	return "", nil
}
