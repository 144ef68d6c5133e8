package interp

import "strings"

// args splits the call arguments starting after the '(' at open into token
// ranges; it returns them and the index of the closing ')'.
func (s *scanner) args(open int) ([][2]int, int) {
	var out [][2]int
	end := s.closeOf(open)
	start := open + 1
	for i := open + 1; i < end; i++ {
		s.steps--
		t := &s.toks[i]
		if t.isOpen() {
			i = s.closeOf(i) // skip nested groups
			continue
		}
		if t.kind == 'p' && t.text == "," {
			out = append(out, [2]int{start, i})
			start = i + 1
		}
	}
	if end > start {
		out = append(out, [2]int{start, min(end, len(s.toks))})
	}
	return out, end
}

func (s *scanner) raw(r [2]int) string {
	if r[0] >= r[1] || r[1] > len(s.toks) {
		return ""
	}
	return strings.TrimSpace(s.code[s.toks[r[0]].start:s.toks[r[1]-1].end])
}

// trim drops newline tokens at the ends of r.
func (s *scanner) trim(r [2]int) [2]int {
	for r[0] < r[1] && s.toks[r[0]].kind == 'p' && s.toks[r[0]].text == "\n" {
		r[0]++
	}
	for r[1] > r[0] && s.toks[r[1]-1].kind == 'p' && s.toks[r[1]-1].text == "\n" {
		r[1]--
	}
	return r
}

func isHomeName(v string) bool { return v == "HOME" || v == "USERPROFILE" }

// eval evaluates a path-like expression: string literals, home directory
// lookups, expanduser, joins and concatenation. Anything else is dynamic and
// keeps its source text.
func (s *scanner) eval(r [2]int) Value {
	r = s.trim(r)
	s.evalDepth++
	defer func() { s.evalDepth-- }()
	s.steps -= r[1] - r[0]
	if s.evalDepth > 32 || s.steps < 0 {
		return Value{Text: s.raw(r), Dynamic: true}
	}
	// keyword argument: name=value
	if r[1]-r[0] >= 2 && s.toks[r[0]].kind == 'i' && s.toks[r[0]+1].kind == 'p' && s.toks[r[0]+1].text == "=" &&
		!(r[1]-r[0] >= 3 && s.toks[r[0]+2].kind == 'p' && s.toks[r[0]+2].text == "=") {
		r[0] += 2
	}
	if r[0] >= r[1] {
		return Value{Text: "", Dynamic: true}
	}
	i := r[0]
	var sb strings.Builder
	dyn := false
	op := ""
	for i < r[1] {
		w, next := s.term(i, r[1])
		if next <= i {
			return Value{Text: s.raw(r), Dynamic: true}
		}
		dyn = dyn || w.Dynamic
		if op == "/" && sb.Len() > 0 {
			sb.WriteString("/" + strings.TrimPrefix(w.Text, "/"))
		} else {
			sb.WriteString(w.Text)
		}
		i = next
		if i >= r[1] {
			break
		}
		t := s.toks[i]
		if t.kind == 'p' && (t.text == "+" || t.text == "/" || (t.text == "." && (s.lang == Perl || s.lang == PHP))) {
			op = t.text
			i++
			continue
		}
		if s.lang == Lua && t.kind == 'p' && t.text == "." && i+1 < r[1] && s.toks[i+1].kind == 'p' && s.toks[i+1].text == "." {
			op = ".." // Lua's concatenation
			i += 2
			continue
		}
		return Value{Text: s.raw(r), Dynamic: true}
	}
	if dyn {
		return Value{Text: s.raw(r), Dynamic: true}
	}
	return Value{Text: sb.String()}
}

func expandTilde(v, home string) string {
	if v == "~" {
		return home
	}
	if strings.HasPrefix(v, "~/") {
		return home + v[1:]
	}
	return v
}

// term evaluates one operand at i and returns it and the index after it.
func (s *scanner) term(i, end int) (Value, int) {
	t := s.toks[i]
	peek := func(k int, kind byte, text string) bool {
		return k < end && s.toks[k].kind == kind && (text == "" || s.toks[k].text == text)
	}
	switch t.kind {
	case 's':
		if t.cmd {
			return Value{Text: t.text, Dynamic: true}, i + 1
		}
		w := Value{Text: t.text, Dynamic: t.dyn}
		return s.methods(w, i+1, end)
	case 'p':
		if t.text == "(" {
			if k := s.closeOf(i); k < end {
				w := s.eval([2]int{i + 1, k})
				return s.methods(w, k+1, end)
			}
		}
		return Value{}, i
	case 'i':
		name := t.text
		switch name {
		case "process.env.HOME", "Dir.home", "$HOME", "process.env.USERPROFILE":
			return s.methods(Value{Text: s.home}, i+1, end)
		case "os.environ", "ENV", "$ENV", "$_ENV", "$_SERVER", "process.env":
			if (peek(i+1, 'p', "[") || peek(i+1, 'p', "{")) && i+3 < end && isHomeName(s.toks[i+2].text) &&
				(peek(i+3, 'p', "]") || peek(i+3, 'p', "}")) {
				return s.methods(Value{Text: s.home}, i+4, end)
			}
		}
		if peek(i+1, 'p', "(") {
			args, closeIdx := s.args(i + 1)
			if closeIdx >= end {
				return Value{}, i
			}
			next := closeIdx + 1
			bare := strings.TrimPrefix(name, ".")
			switch bare {
			case "os.getenv", "os.environ.get", "getenv", "ENV.fetch", "Deno.env.get", "environ.get":
				if len(args) > 0 && isHomeName(s.eval(args[0]).Text) {
					return s.methods(Value{Text: s.home}, next, end)
				}
			case "Path.home", "pathlib.Path.home", "os.homedir", "homedir", "Dir.home", "os.path.expanduser.home":
				return s.methods(Value{Text: s.home}, next, end)
			case "os.path.expanduser", "expanduser", "File.expand_path", "os.path.expandvars":
				if len(args) > 0 {
					w := s.eval(args[0])
					if !w.Dynamic {
						w.Text = expandTilde(w.Text, s.home)
					}
					return s.methods(w, next, end)
				}
			case "os.path.join", "path.join", "File.join", "path.resolve", "os.path.abspath", "os.path.realpath",
				"os.path.normpath", "str", "String", "Path", "pathlib.Path", "PurePath", "os.fspath", "joinpath":
				if len(args) == 0 {
					break
				}
				var parts []string
				dyn := false
				for _, a := range args {
					w := s.eval(a)
					if w.Dynamic {
						dyn = true
						break
					}
					parts = append(parts, w.Text)
				}
				if !dyn {
					v := parts[0]
					for _, p := range parts[1:] {
						if strings.HasPrefix(p, "/") {
							v = p
						} else {
							v = strings.TrimSuffix(v, "/") + "/" + p
						}
					}
					return s.methods(Value{Text: v}, next, end)
				}
			}
			if strings.HasSuffix(name, ".homedir") {
				return s.methods(Value{Text: s.home}, next, end)
			}
			// require('os').homedir()
			if name == "require" && next+2 < end && s.toks[next].kind == 'i' && s.toks[next].text == ".homedir" &&
				s.toks[next+1].text == "(" && s.toks[next+2].text == ")" {
				return s.methods(Value{Text: s.home}, next+3, end)
			}
			return Value{Text: s.code[t.start:s.toks[closeIdx].end], Dynamic: true}, next
		}
		if v, ok := s.vars[name]; ok {
			return s.methods(v, i+1, end)
		}
		return Value{Text: name, Dynamic: true}, i + 1
	}
	return Value{}, i
}

// methods applies path methods that keep a static path (.expanduser(),
// .resolve(), .joinpath(x)) following a term.
func (s *scanner) methods(w Value, i, end int) (Value, int) {
	for i+1 < end && s.toks[i].kind == 'i' && strings.HasPrefix(s.toks[i].text, ".") &&
		s.toks[i+1].kind == 'p' && s.toks[i+1].text == "(" {
		m := s.toks[i].text
		args, closeIdx := s.args(i + 1)
		if closeIdx >= end {
			return w, i
		}
		switch m {
		case ".expanduser":
			if !w.Dynamic {
				w.Text = expandTilde(w.Text, s.home)
			}
		case ".resolve", ".absolute", ".as_posix", ".__str__":
		case ".joinpath":
			for _, a := range args {
				p := s.eval(a)
				w.Dynamic = w.Dynamic || p.Dynamic
				w.Text = strings.TrimSuffix(w.Text, "/") + "/" + p.Text
			}
		default:
			return w, i
		}
		i = closeIdx + 1
	}
	return w, i
}

// list evaluates a list/array literal of strings: ['rm', '-rf', p].
func (s *scanner) list(r [2]int) ([]Value, bool) {
	r = s.trim(r)
	if r[1]-r[0] < 2 || s.toks[r[0]].kind != 'p' || (s.toks[r[0]].text != "[" && s.toks[r[0]].text != "(") {
		return nil, false
	}
	inner, closeIdx := s.args(r[0])
	if closeIdx != r[1]-1 {
		return nil, false
	}
	var out []Value
	for _, e := range inner {
		w := s.eval(e)
		out = append(out, w)
	}
	return out, true
}

// scan walks the tokens, tracks simple assignments and analyses calls.
func (s *scanner) scan() {
	toks := s.toks
	for i := 0; i < len(toks); i++ {
		if s.stopped || s.steps < 0 {
			return
		}
		t := toks[i]
		s.at = int(t.start)
		if t.kind == 's' && t.cmd {
			s.shell(t.text, "`...`")
			continue
		}
		if t.kind == 'p' && t.text == "(" && i > 0 && toks[i-1].kind != 'i' {
			// (expr).method(): pathlib on a parenthesised expression.
			k := s.closeOf(i)
			if s.lang == Python && k+2 < len(toks) && toks[k+1].kind == 'i' && toks[k+2].kind == 'p' && toks[k+2].text == "(" {
				if ck := pathMethod(toks[k+1].text); ck != ckNone {
					w := s.eval([2]int{i + 1, k})
					margs, _ := s.args(k + 2)
					s.act(ck, toks[k+1].text, []Value{w}, margs)
				}
			}
			continue
		}
		if t.kind != 'i' {
			continue
		}
		// Simple assignment: name = expr (to end of statement).
		if i+2 < len(toks) && toks[i+1].kind == 'p' && toks[i+1].text == "=" &&
			!(toks[i+2].kind == 'p' && toks[i+2].text == "=") && (i == 0 || toks[i-1].kind != 'p' ||
			(toks[i-1].text != "(" && toks[i-1].text != ",")) && !strings.HasPrefix(t.text, ".") {
			e := i + 2
			for e < len(toks) && s.steps > 0 {
				s.steps--
				if toks[e].isOpen() {
					e = s.closeOf(e) + 1
					continue
				}
				if toks[e].isClose() || (toks[e].kind == 'p' && (toks[e].text == ";" || toks[e].text == "\n")) {
					break
				}
				e++
			}
			e = min(e, len(toks))
			if s.vars == nil {
				s.vars = make(map[string]Value)
			}
			if len(s.vars) < 256 {
				s.vars[t.text] = s.eval([2]int{i + 2, e})
			}
			continue
		}
		name := t.text
		// pathlib: var.method() and Path(...).method().
		if s.lang == Python {
			if dot := strings.LastIndexByte(name, '.'); dot > 0 {
				if v, ok := s.vars[name[:dot]]; ok {
					if ck := pathMethod(name[dot:]); ck != ckNone && i+1 < len(toks) && toks[i+1].text == "(" {
						margs, _ := s.args(i + 1)
						s.act(ck, name[dot:], []Value{v}, margs)
						continue
					}
				}
			}
			if (name == "Path" || name == "pathlib.Path" || name == "PurePath") && i+1 < len(toks) && toks[i+1].text == "(" {
				pargs, closeIdx := s.args(i + 1)
				if closeIdx+2 < len(toks) && toks[closeIdx+1].kind == 'i' && toks[closeIdx+2].text == "(" {
					if ck := pathMethod(toks[closeIdx+1].text); ck != ckNone {
						w, _ := s.term(i, closeIdx+1)
						if len(pargs) == 0 {
							w = Value{Text: ".", Dynamic: false}
						}
						margs, _ := s.args(closeIdx + 2)
						s.act(ck, toks[closeIdx+1].text, []Value{w}, margs)
						continue
					}
				}
				continue
			}
			if name == "Path.home" || name == "pathlib.Path.home" {
				// Path.home().joinpath(..).read_text() etc.
				w, next := s.term(i, len(toks))
				if next+1 < len(toks) && toks[next].kind == 'i' && toks[next+1].text == "(" {
					if ck := pathMethod(toks[next].text); ck != ckNone {
						margs, _ := s.args(next + 1)
						s.act(ck, toks[next].text, []Value{w}, margs)
					}
				}
				continue
			}
		}
		ck := s.classify(name)
		if ck == ckNone {
			continue
		}
		var args [][2]int
		switch {
		case i+1 < len(toks) && toks[i+1].kind == 'p' && toks[i+1].text == "(":
			args, _ = s.args(i + 1)
		case s.lang == Lua && i+1 < len(toks) && toks[i+1].kind == 's':
			// os.execute "cmd", os.execute [[cmd]]: one string argument.
			args = [][2]int{{i + 1, i + 2}}
		case (s.lang == Perl || s.lang == Ruby) && i+1 < len(toks) && (toks[i+1].kind == 's' || toks[i+1].kind == 'i'):
			// Call without parentheses: system "cmd", unlink $f, "x".
			k := i + 1
			for k < len(toks) {
				e := k + 1
				args = append(args, [2]int{k, e})
				if e < len(toks) && toks[e].kind == 'p' && toks[e].text == "," && e+1 < len(toks) &&
					(toks[e+1].kind == 's' || toks[e+1].kind == 'i') {
					k = e + 1
					continue
				}
				break
			}
		case (s.lang == Perl || s.lang == Ruby) && (ck == ckChmod || ck == ckChown) && i+1 < len(toks) && isDigit(toks[i+1].text):
			// chmod 0700, $f; chown 0, 0, $f: the numbers are the
			// lexer's digits, one token each; an argument runs to its comma.
			args = s.bareArgs(i + 1)
		default:
			continue
		}
		if len(args) == 0 {
			continue
		}
		vals := make([]Value, len(args))
		for k, r := range args {
			vals[k] = s.eval(r)
		}
		s.actCall(ck, name, vals, args)
	}
}

// bareArgs splits the arguments of a call written without parentheses,
// starting at token k, at top-level commas, up to the end of the statement
// (; or a new line).
func (s *scanner) bareArgs(k int) [][2]int {
	var out [][2]int
	start := k
	for ; k < len(s.toks); k++ {
		s.steps--
		t := &s.toks[k]
		if t.isOpen() {
			k = s.closeOf(k)
			continue
		}
		if t.isClose() || t.kind == 'p' && (t.text == ";" || t.text == "\n") {
			break
		}
		if t.kind == 'p' && t.text == "," {
			out = append(out, [2]int{start, k})
			start = k + 1
		}
	}
	if k > start {
		out = append(out, [2]int{start, k})
	}
	return out
}

func isDigit(t string) bool { return len(t) == 1 && t[0] >= '0' && t[0] <= '9' }

// actCall performs a call of kind ck with evaluated arguments vals.
func (s *scanner) actCall(ck callKind, name string, vals []Value, args [][2]int) {
	callName := strings.TrimPrefix(name, ".")
	switch ck {
	case ckShell:
		// A list literal is argv; several string arguments (perl/ruby
		// system LIST) are argv; otherwise the first argument is a shell string.
		if lst, ok := s.list(args[0]); ok {
			s.argv(lst, callName)
			return
		}
		if len(vals) > 1 && (s.lang == Perl || s.lang == Ruby) {
			var argv []Value
			for _, v := range vals {
				if strings.HasPrefix(v.Text, "{") || strings.Contains(v.Text, "=>") {
					continue
				}
				argv = append(argv, v)
			}
			s.argv(argv, callName)
			return
		}
		if r := s.trim(args[0]); r[1]-r[0] == 1 && s.toks[r[0]].kind == 's' && s.toks[r[0]].dyn {
			// An interpolated string (f"rm -rf {d}", `rm ${d}`): analyse it
			// with each interpolation as an unknown shell variable.
			s.shell(s.templateToShell(s.toks[r[0]].text), callName)
			return
		}
		s.shellWord(vals[0], callName)
	case ckArgv:
		if s.lang == Node && len(args) > 1 {
			last := strings.ReplaceAll(s.raw(args[len(args)-1]), " ", "")
			if strings.Contains(last, "shell:true") || strings.Contains(last, "shell:'") || strings.Contains(last, "shell:\"") {
				text := vals[0]
				if lst, ok := s.list(args[1]); ok && len(args) > 2 {
					for _, w := range lst {
						text.Text += " " + w.Text
						text.Dynamic = text.Dynamic || w.Dynamic
					}
				}
				s.shellWord(text, callName)
				return
			}
		}
		argv := []Value{vals[0]}
		if len(args) > 1 {
			if lst, ok := s.list(args[1]); ok {
				if s.lang == Python && len(lst) > 0 {
					lst = lst[1:] // os.execvp(file, [argv0, ...])
				}
				argv = append(argv, lst...)
			} else {
				argv = append(argv, vals[1])
			}
		}
		if len(args) == 1 && strings.ContainsAny(vals[0].Text, " \t") {
			s.shellWord(vals[0], callName)
			return
		}
		s.argv(argv, callName)
	case ckCopy, ckCopyR, ckCopyOpt, ckMove:
		s.act(ck, name, vals, args)
	case ckChmod, ckChmodR, ckChown, ckChownR:
		s.perm(ck, name, vals, args)
	default:
		s.act(ck, name, vals[:1], args)
	}
}

// act reports the file operation of a library call on path p[0] (and
// p[1], the destination of a copy or move).
func (s *scanner) act(ck callKind, name string, p []Value, args [][2]int) {
	callName := strings.TrimPrefix(name, ".")
	if s.lang == Python && strings.HasPrefix(name, ".") {
		callName = "Path" + name
	}
	if len(p) == 0 {
		return
	}
	if ck == ckChmod {
		s.perm(ck, name, p, args) // pathlib: Path(p).chmod(mode)
		return
	}
	e := Effect{Kind: FileOp, Call: callName, Paths: p[:1]}
	recursive := func() bool {
		for _, r := range args[min(1, len(args)):] {
			raw := s.raw(r)
			if strings.Contains(raw, "recursive") && !strings.Contains(strings.ReplaceAll(raw, " ", ""), "recursive:false") {
				return true
			}
		}
		return false
	}
	switch ck {
	case ckRmRF:
		e.Op, e.Recursive = Remove, true
	case ckRmF:
		e.Op = Remove
	case ckRmdir:
		e.Op = RemoveDir
	case ckRmOpt:
		e.Op, e.Recursive = Remove, recursive()
	case ckRmdirOpt:
		e.Op = RemoveDir
		if recursive() {
			e.Op, e.Recursive = Remove, true
		}
	case ckRead:
		e.Op = Read
	case ckWrite:
		e.Op = Write
		if s.lang == PHP && len(args) > 2 && strings.Contains(s.raw(args[2]), "FILE_APPEND") {
			e.Op = Append
		}
	case ckAppend:
		e.Op = Append
	case ckCopy, ckCopyR, ckCopyOpt, ckMove:
		// Two paths: source and destination.
		if len(p) < 2 {
			return
		}
		e.Paths = p[:2]
		e.Op = Copy
		switch {
		case ck == ckMove:
			e.Op = Move
		case ck == ckCopyR || (ck == ckCopyOpt && (recursive() || s.lang == Node && strings.HasSuffix(name, "copySync"))):
			e.Recursive = true
		}
	case ckOpen:
		mode, pathW := s.openMode(name, args, p[0])
		e.Paths = []Value{pathW}
		switch {
		case strings.ContainsAny(mode, "a"):
			e.Op = Append
		case strings.ContainsAny(mode, "wx+"):
			e.Op = Write
		case strings.Contains(mode, "|"):
			return
		default:
			e.Op = Read
		}
	default:
		return
	}
	s.emit(e)
}

// openMode works out the mode and path of open(...) calls.
func (s *scanner) openMode(name string, args [][2]int, first Value) (string, Value) {
	bare := strings.TrimPrefix(name, ".")
	if s.lang == Perl && bare == "open" {
		if len(args) >= 3 {
			m := strings.TrimSpace(s.eval(args[1]).Text)
			switch {
			case strings.Contains(m, "|"):
				m = "|"
			case strings.HasPrefix(m, ">>"):
				m = "a"
			case strings.Contains(m, ">") || strings.HasPrefix(m, "+<"):
				m = "w"
			default:
				m = "r"
			}
			return m, s.eval(args[2])
		}
		if len(args) == 2 {
			w := s.eval(args[1])
			v := strings.TrimSpace(w.Text)
			mode := ""
			for len(v) > 0 && strings.IndexByte("<>+|", v[0]) >= 0 {
				mode += v[:1]
				v = strings.TrimSpace(v[1:])
			}
			if strings.HasSuffix(v, "|") {
				mode = "|"
			}
			if strings.Contains(mode, ">>") {
				mode = "a"
			} else if strings.Contains(mode, ">") {
				mode = "w"
			}
			w.Text = v
			return mode, w
		}
		return "", first
	}
	if bare == ".open" || bare == "open" && s.lang == Python && len(args) == 0 {
		// Path(p).open(mode): args are the method's.
		if len(args) > 0 {
			return s.eval(args[0]).Text, first
		}
		return "r", first
	}
	for _, r := range args[min(1, len(args)):] {
		raw := s.raw(r)
		if strings.HasPrefix(raw, "mode") || (len(args) > 1 && r == args[1]) {
			w := s.eval(r)
			if !w.Dynamic {
				v := w.Text
				if s.lang == Perl {
					if strings.Contains(v, ">>") {
						v = "a"
					} else if strings.Contains(v, ">") {
						v = "w"
					}
				}
				return v, first
			}
		}
	}
	return "r", first
}

// homeInterpolations are the spellings of the home directory inside
// interpolated perl, php and ruby strings.
var homeInterpolations = []string{
	"${ENV{HOME}}", "$ENV{HOME}", "$ENV{'HOME'}", `$ENV{"HOME"}`, "$_SERVER['HOME']", "$_ENV['HOME']",
	"#{ENV['HOME']}", `#{ENV["HOME"]}`, "#{Dir.home}", "$HOME",
}

func (s *scanner) interpolateHome(v string) string {
	if !strings.ContainsAny(v, "$#") {
		return v
	}
	for _, h := range homeInterpolations {
		if strings.Contains(v, h) {
			v = strings.ReplaceAll(v, h, s.home)
		}
	}
	return v
}

// templateToShell turns an interpolated string into shell text where each
// interpolation is an unknown variable: f"rm {d}" -> rm ${d}.
func (s *scanner) templateToShell(v string) string {
	var open, close string
	switch s.lang {
	case Python:
		open, close = "{", "}"
	case Node:
		open, close = "${", "}"
	case Ruby:
		open, close = "#{", "}"
	default: // perl, php: $var is already shell syntax; backticks too
		return v
	}
	lit := func(t string) string {
		if s.lang == Python {
			return strings.ReplaceAll(t, "}}", "}")
		}
		return t
	}
	var sb strings.Builder
	for {
		i := strings.Index(v, open)
		if i < 0 {
			sb.WriteString(lit(v))
			break
		}
		if s.lang == Python && strings.HasPrefix(v[i:], "{{") {
			sb.WriteString(lit(v[:i]) + "{")
			v = v[i+2:]
			continue
		}
		j := strings.Index(v[i+len(open):], close)
		if j < 0 {
			sb.WriteString(lit(v))
			break
		}
		expr := v[i+len(open) : i+len(open)+j]
		sb.WriteString(lit(v[:i]))
		if w, ok := s.vars[strings.TrimSpace(expr)]; ok && !w.Dynamic && !strings.ContainsAny(w.Text, "'\\") {
			// A variable assigned a literal earlier in the code.
			sb.WriteString("'" + w.Text + "'")
			v = v[i+len(open)+j+len(close):]
			continue
		}
		sb.WriteString("${")
		n := 0
		for k := 0; k < len(expr) && n < 40; k++ {
			if isIdentChar(expr[k]) {
				sb.WriteByte(expr[k])
				n++
			} else if n > 0 && expr[k] != ' ' {
				sb.WriteByte('_')
				n++
			}
		}
		if n == 0 {
			sb.WriteString("expr")
		}
		sb.WriteString("}")
		v = v[i+len(open)+j+len(close):]
	}
	return sb.String()
}
