package interp

import "strings"

// Tcl (tclsh, wish, expect) is made of commands and words rather than
// expressions, so it has its own small reader. It follows:
//
//   - exec ARGS (and expect's spawn): a program run with its arguments; Tcl
//     passes | < > 2> ... as pipes and redirections, so the words become
//     shell code, each argument quoted (a Shell effect, Call "exec");
//   - open "|CMD ..." (a pipe to a program): Shell; open PATH MODE: a read
//     or a write;
//   - file delete ?-force? PATH... (Remove, recursive with -force),
//     file rename SRC DST (Move), file copy SRC DST (Copy, recursive);
//   - set NAME VALUE, then $NAME; $env(HOME) and ~ in file names are the
//     home directory;
//   - the scripts in braces of if, while, for, foreach, proc, catch, try,
//     eval, uplevel, after, time and namespace eval, and [command]
//     substitutions, which run.

// maxTclDepth bounds nested scripts.
const maxTclDepth = 8

// tclWord is one word of a Tcl command.
type tclWord struct {
	raw    string
	braced bool // {...}: no substitution
	start  int  // offset in the code
}

// scanTcl reads the commands of a script.
func (s *scanner) scanTcl(code string, base, depth int) {
	if depth > maxTclDepth {
		s.emit(Effect{Kind: Problem, Msg: "interpreter code: Tcl scripts nested too deep; the rest was not scanned"})
		return
	}
	i := 0
	for i < len(code) && !s.stopped {
		if s.steps--; s.steps < 0 {
			return
		}
		words, next := tclCommand(code, i)
		if next <= i {
			next = i + 1
		}
		if len(words) > 0 {
			s.at = base + words[0].start
			for k := range words {
				words[k].start += base
			}
			s.tclRun(words, depth)
		}
		i = next
	}
}

// tclCommand reads the command at code[i:]: its words and the offset after
// it. A # where a command starts is a comment to the end of the line.
func tclCommand(code string, i int) ([]tclWord, int) {
	var words []tclWord
	for i < len(code) {
		switch c := code[i]; {
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '\\' && i+1 < len(code) && code[i+1] == '\n':
			i += 2
			continue
		case c == '\n' || c == ';':
			if len(words) > 0 {
				return words, i + 1
			}
			i++
			continue
		case c == '#' && len(words) == 0:
			for i < len(code) && code[i] != '\n' {
				i++
			}
			continue
		}
		w, end := tclReadWord(code, i)
		words = append(words, w)
		i = end
	}
	return words, i
}

// tclReadWord reads one word at code[i:].
func tclReadWord(code string, i int) (tclWord, int) {
	start := i
	if strings.HasPrefix(code[i:], "{*}") {
		i += 3 // argument expansion
	}
	if i < len(code) && code[i] == '{' {
		level, j := 1, i+1
		for ; j < len(code) && level > 0; j++ {
			switch code[j] {
			case '\\':
				j++
			case '{':
				level++
			case '}':
				level--
			}
		}
		end := min(j, len(code))
		inner := code[i+1 : max(i+1, end-1)]
		if level > 0 {
			inner = code[i+1:]
		}
		return tclWord{raw: inner, braced: true, start: start}, end
	}
	if i < len(code) && code[i] == '"' {
		j := i + 1
		for j < len(code) && code[j] != '"' {
			switch code[j] {
			case '\\':
				j++
			case '[':
				j = tclBracketEnd(code, j)
				continue
			}
			j++
		}
		end := min(j+1, len(code))
		return tclWord{raw: code[i+1 : min(j, len(code))], start: start}, end
	}
	j := i
	for j < len(code) {
		c := code[j]
		if c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '\r' {
			break
		}
		switch c {
		case '\\':
			j += 2
			continue
		case '[':
			j = tclBracketEnd(code, j)
			continue
		}
		j++
	}
	j = min(j, len(code))
	return tclWord{raw: code[i:j], start: start}, j
}

// tclBracketEnd returns the offset after the ] closing the [ at i.
func tclBracketEnd(code string, i int) int {
	level := 0
	for j := i; j < len(code); j++ {
		switch code[j] {
		case '\\':
			j++
		case '[':
			level++
		case ']':
			level--
			if level == 0 {
				return j + 1
			}
		}
	}
	return len(code)
}

// tclValue is the value of a word: braces keep their text; otherwise
// backslashes, $VAR, $env(HOME) and [command] are substituted (a command
// runs, its output is only known at run time).
func (s *scanner) tclValue(w tclWord, depth int) Value {
	if w.braced {
		return Value{Text: w.raw}
	}
	var sb strings.Builder
	dyn := false
	raw := w.raw
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\\' && i+1 < len(raw):
			i++
			switch raw[i] {
			case 'n':
				sb.WriteByte('\n')
			case 't':
				sb.WriteByte('\t')
			default:
				sb.WriteByte(raw[i])
			}
		case c == '[':
			end := tclBracketEnd(raw, i)
			inner := raw[i+1 : max(i+1, end-1)]
			s.scanTcl(inner, w.start+i+1, depth+1)
			sb.WriteString("[" + inner + "]")
			dyn = true
			i = end - 1
		case c == '$' && i+1 < len(raw):
			j := i + 1
			if raw[j] == '{' {
				k := strings.IndexByte(raw[j:], '}')
				if k < 0 {
					sb.WriteString(raw[i:])
					return Value{Text: sb.String(), Dynamic: true}
				}
				name := raw[j+1 : j+k]
				s.tclVar(&sb, &dyn, name)
				i = j + k
				continue
			}
			for j < len(raw) && (isIdentChar(raw[j]) || raw[j] == ':') {
				j++
			}
			name := raw[i+1 : j]
			if j < len(raw) && raw[j] == '(' {
				k := strings.IndexByte(raw[j:], ')')
				if k > 0 {
					key := raw[j+1 : j+k]
					if (name == "env" || name == "::env") && isHomeName(key) {
						sb.WriteString(s.home)
					} else {
						sb.WriteString(raw[i : j+k+1])
						dyn = true
					}
					i = j + k
					continue
				}
			}
			if name == "" {
				sb.WriteByte('$')
				continue
			}
			s.tclVar(&sb, &dyn, name)
			i = j - 1
		default:
			sb.WriteByte(c)
		}
	}
	return Value{Text: sb.String(), Dynamic: dyn}
}

func (s *scanner) tclVar(sb *strings.Builder, dyn *bool, name string) {
	if v, ok := s.vars[strings.TrimPrefix(name, "::")]; ok {
		sb.WriteString(v.Text)
		*dyn = *dyn || v.Dynamic
		return
	}
	sb.WriteString("$" + name)
	*dyn = true
}

// tclPath is a file name for Tcl's file and open commands: ~ is the home
// directory there.
func (s *scanner) tclPath(v Value) Value {
	if !v.Dynamic {
		v.Text = expandTilde(v.Text, s.home)
	}
	return v
}

// tclScripts are the commands whose braced arguments are scripts that run.
func tclScripts(name string) bool {
	switch name {
	case "if", "elseif", "else", "while", "for", "foreach", "proc", "catch", "try", "finally", "eval",
		"uplevel", "after", "time", "namespace", "switch", "lmap", "dict", "then":
		return true
	}
	return false
}

// tclRun performs one command.
func (s *scanner) tclRun(words []tclWord, depth int) {
	vals := make([]Value, len(words))
	for k, w := range words {
		if k == 0 || !(w.braced && tclScripts(s.tclName(words))) {
			vals[k] = s.tclValue(w, depth)
		}
	}
	name := vals[0].Text
	if vals[0].Dynamic {
		return
	}
	args := vals[1:]
	switch name {
	case "set":
		if len(words) == 3 && !args[0].Dynamic {
			if s.vars == nil {
				s.vars = make(map[string]Value)
			}
			if len(s.vars) < 256 {
				s.vars[strings.TrimPrefix(args[0].Text, "::")] = args[1]
			}
		}
	case "exec", "spawn":
		s.tclExec(name, args)
	case "open":
		if len(args) == 0 {
			return
		}
		if cmd, ok := strings.CutPrefix(args[0].Text, "|"); ok {
			s.emit(Effect{Kind: Shell, Call: "open", Code: Value{Text: cmd, Dynamic: args[0].Dynamic}})
			return
		}
		op := Read
		if len(args) > 1 && strings.ContainsAny(args[1].Text, "wa+") || len(args) > 1 && strings.Contains(args[1].Text, "WRONLY") {
			op = Write
			if strings.Contains(args[1].Text, "a") || strings.Contains(args[1].Text, "APPEND") {
				op = Append
			}
		}
		s.emit(Effect{Kind: FileOp, Call: "open", Op: op, Paths: []Value{s.tclPath(args[0])}})
	case "file":
		if len(args) < 2 {
			return
		}
		sub, rest := args[0].Text, args[1:]
		force := false
		for len(rest) > 0 && strings.HasPrefix(rest[0].Text, "-") {
			if rest[0].Text == "-force" {
				force = true
			}
			if rest[0].Text == "--" {
				rest = rest[1:]
				break
			}
			rest = rest[1:]
		}
		switch sub {
		case "delete":
			for _, p := range rest {
				s.emit(Effect{Kind: FileOp, Call: "file delete", Op: Remove, Recursive: force, Paths: []Value{s.tclPath(p)}})
			}
		case "rename", "copy":
			if len(rest) >= 2 {
				op, rec := Move, false
				if sub == "copy" {
					op, rec = Copy, true
				}
				dst := s.tclPath(rest[len(rest)-1])
				for _, p := range rest[:len(rest)-1] {
					s.emit(Effect{Kind: FileOp, Call: "file " + sub, Op: op, Recursive: rec, Paths: []Value{s.tclPath(p), dst}})
				}
			}
		}
	case "eval", "uplevel":
		if len(words) < 2 {
			return
		}
		parts := make([]string, 0, len(words)-1)
		for _, w := range words[1:] {
			if name == "uplevel" && len(parts) == 0 && len(words) > 2 && !w.braced && strings.Trim(w.raw, "#0123456789") == "" {
				continue // the level
			}
			parts = append(parts, w.raw)
		}
		s.scanTcl(strings.Join(parts, " "), words[1].start, depth+1)
		return
	}
	if tclScripts(name) {
		for _, w := range words[1:] {
			if w.braced {
				s.scanTcl(w.raw, w.start+1, depth+1)
			}
		}
	}
}

// tclName is the name of a command's first word (for scripts in braces).
func (s *scanner) tclName(words []tclWord) string {
	if len(words) == 0 {
		return ""
	}
	return words[0].raw
}

// tclRedirect reports the words Tcl's exec reads as pipes or
// redirections rather than arguments.
func tclRedirect(v string) bool {
	if v == "|" || v == "|&" || v == "&" {
		return true
	}
	for _, p := range []string{"2>@1", ">@", "<@", "2>@", ">>&", ">&", "2>>", "2>", ">>", "<<", ">", "<"} {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}

// tclExec turns exec's (or spawn's) words into the shell code they amount
// to: the arguments quoted, pipes and redirections as written.
func (s *scanner) tclExec(name string, args []Value) {
	for len(args) > 0 && strings.HasPrefix(args[0].Text, "-") && !args[0].Dynamic {
		if args[0].Text == "--" {
			args = args[1:]
			break
		}
		args = args[1:] // -ignorestderr, -keepnewline; spawn's -noecho ...
	}
	if len(args) == 0 {
		return
	}
	parts := make([]string, 0, len(args))
	dyn := false
	for k, a := range args {
		switch {
		case a.Dynamic:
			parts = append(parts, `"${TCL_ARG}"`)
			dyn = dyn || k == 0
		case tclRedirect(a.Text):
			parts = append(parts, a.Text)
		case k == 0 || args[k-1].Text == "|" || args[k-1].Text == "|&":
			// A program name gets Tcl's tilde substitution.
			parts = append(parts, shellWordQuote(expandTilde(a.Text, s.home)))
		default:
			parts = append(parts, shellWordQuote(a.Text))
		}
	}
	if dyn {
		s.emit(Effect{Kind: Shell, Call: name, Code: Value{Text: strings.Join(parts, " "), Dynamic: true}})
		return
	}
	s.emit(Effect{Kind: Shell, Call: name, Code: Value{Text: strings.Join(parts, " ")}})
}

// shellWordQuote quotes s as one shell word when it needs it. A ~ is left
// as it is: Tcl passes it to the program as written, but judging it as the
// home directory (as the shell reads it) fails safe.
func shellWordQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%~") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
