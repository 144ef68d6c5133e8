package shell

import (
	"path"
	"strings"
)

// This file is the lightweight static extraction for interpreter one-liners
// (python -c, perl -e, ruby -e, node -e, deno eval, php -r). It is a small
// linear tokenizer plus a table of calls, not a parser: it finds calls that
// run shell commands (os.system, subprocess.run, child_process.execSync,
// backticks ...) and destructive or sensitive library calls (shutil.rmtree,
// fs.rmSync, open(p).read() ...), and turns them into commands.

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
	s := &iscan{a: a, lang: lang, code: code, c: ic, sc: sc}
	s.tokenize()
	s.matchBrackets()
	s.steps = 8*len(s.toks) + 10000
	s.scan()
}

// itok is one token of interpreter code.
type itok struct {
	text       string
	start, end int32 // offsets in code
	kind       byte  // 'i' identifier (dotted), 's' string, 'p' punctuation
	dyn        bool  // string with interpolation
	cmd        bool  // command string: backticks, %x(), qx()
}

// maxTokens caps the tokens scanned in one piece of interpreter code.
const maxTokens = 1 << 18

type iscan struct {
	a    *analyzer
	lang string
	code string
	toks []itok
	// match[i] is the index of the bracket closing the one opened at i,
	// or len(toks) when it is not closed.
	match     []int32
	c         *ctx
	sc        *scope
	vars      map[string]Word
	steps     int // remaining scanning work
	evalDepth int
}

// isOpen and isClose report bracket punctuation.
func (t *itok) isOpen() bool {
	return t.kind == 'p' && (t.text == "(" || t.text == "[" || t.text == "{")
}

func (t *itok) isClose() bool {
	return t.kind == 'p' && (t.text == ")" || t.text == "]" || t.text == "}")
}

// matchBrackets fills s.match in one pass.
func (s *iscan) matchBrackets() {
	s.match = make([]int32, len(s.toks))
	var stack []int32
	for i := range s.toks {
		s.match[i] = int32(len(s.toks))
		t := &s.toks[i]
		switch {
		case t.isOpen():
			stack = append(stack, int32(i))
		case t.isClose():
			if len(stack) > 0 {
				s.match[stack[len(stack)-1]] = int32(i)
				stack = stack[:len(stack)-1]
			}
		}
	}
}

// closeOf returns the index of the bracket closing the opener at i.
func (s *iscan) closeOf(i int) int {
	if i < 0 || i >= len(s.match) {
		return len(s.toks)
	}
	return int(s.match[i])
}

func isIdentStart(ch byte) bool {
	return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
}

func isIdentChar(ch byte) bool {
	return isIdentStart(ch) || (ch >= '0' && ch <= '9')
}

func (s *iscan) tokenize() {
	code := s.code
	n := len(code)
	hashComment := s.lang == "python" || s.lang == "ruby" || s.lang == "perl" || s.lang == "php"
	slashComment := s.lang == "node" || s.lang == "php"
	s.toks = make([]itok, 0, min(n/4+16, maxTokens))
	for i := 0; i < n; {
		if len(s.toks) >= maxTokens {
			s.a.res.Problems = append(s.a.res.Problems, "interpreter code: too many tokens; the rest was not scanned")
			break
		}
		ch := code[i]
		switch {
		case ch == '\n' || ch == ';':
			s.toks = append(s.toks, itok{kind: 'p', text: string(ch), start: int32(i), end: int32(i + 1)})
			i++
		case ch == ' ' || ch == '\t' || ch == '\r':
			i++
		case ch == '#' && hashComment && !(s.lang == "perl" && i > 0 && code[i-1] == '$'):
			for i < n && code[i] != '\n' {
				i++
			}
		case ch == '/' && slashComment && i+1 < n && code[i+1] == '/':
			for i < n && code[i] != '\n' {
				i++
			}
		case ch == '/' && slashComment && i+1 < n && code[i+1] == '*':
			j := strings.Index(code[i+2:], "*/")
			if j < 0 {
				i = n
			} else {
				i += j + 4
			}
		case ch == '\'' || ch == '"' || ch == '`':
			i = s.str(i, "", ch)
		case ch == '%' && s.lang == "ruby" && i+2 < n && (code[i+1] == 'x' || code[i+1] == 'q' || code[i+1] == 'Q') && !isIdentChar(code[i+2]) && code[i+2] != ' ':
			i = s.delimited(i, i+2, code[i+1] == 'x', code[i+1] == 'Q')
		case isIdentStart(ch) || ch == '$' || ch == '@' || (ch == '.' && i+1 < n && isIdentStart(code[i+1])):
			j := i + 1
			for j < n {
				if isIdentChar(code[j]) {
					j++
				} else if code[j] == '.' && j+1 < n && isIdentStart(code[j+1]) {
					j++
				} else if code[j] == ':' && j+2 < n && code[j+1] == ':' && isIdentStart(code[j+2]) {
					j += 2
				} else {
					break
				}
			}
			word := code[i:j]
			// String prefixes (python r'', f"", b''), perl q() qq() qx().
			if j < n && (code[j] == '\'' || code[j] == '"') && s.lang == "python" && len(word) <= 2 &&
				strings.Trim(strings.ToLower(word), "rbuf") == "" {
				i = s.str(j, strings.ToLower(word), code[j])
				continue
			}
			if s.lang == "perl" && (word == "q" || word == "qq" || word == "qx" || word == "qw") && j < n &&
				strings.IndexByte("({[</|!#'\"", code[j]) >= 0 {
				i = s.delimited(i, j, word == "qx", word == "qq")
				continue
			}
			s.toks = append(s.toks, itok{kind: 'i', text: word, start: int32(i), end: int32(j)})
			i = j
		default:
			s.toks = append(s.toks, itok{kind: 'p', text: string(ch), start: int32(i), end: int32(i + 1)})
			i++
		}
	}
}

// str reads a string literal starting at the quote at i.
func (s *iscan) str(i int, prefix string, q byte) int {
	code := s.code
	n := len(code)
	start := i
	if prefix != "" {
		start = i - len(prefix)
	}
	triple := s.lang == "python" && i+2 < n && code[i+1] == q && code[i+2] == q
	j := i + 1
	if triple {
		j = i + 3
	}
	raw := strings.Contains(prefix, "r") || (q == '\'' && s.lang != "python" && s.lang != "node")
	var sb strings.Builder
	interp := ""
	switch {
	case s.lang == "ruby" && q == '"':
		interp = "#{"
	case s.lang == "node" && q == '`':
		interp = "${"
	case s.lang == "python" && strings.Contains(prefix, "f"):
		interp = "{"
	}
	idepth := 0
	for j < n {
		ch := code[j]
		if interp != "" {
			// Quotes inside an interpolation do not end the string.
			if strings.HasPrefix(code[j:], interp) && !(interp == "{" && strings.HasPrefix(code[j:], "{{")) {
				idepth++
				sb.WriteString(interp)
				j += len(interp)
				continue
			}
			if idepth > 0 {
				if ch == '}' {
					idepth--
				}
				sb.WriteByte(ch)
				j++
				continue
			}
		}
		if ch == '\\' && j+1 < n {
			if raw {
				if code[j+1] == q || code[j+1] == '\\' {
					if !strings.Contains(prefix, "r") {
						sb.WriteByte(code[j+1])
					} else {
						sb.WriteString(code[j : j+2])
					}
					j += 2
					continue
				}
				sb.WriteByte(ch)
				j++
				continue
			}
			k := j + 2
			if code[j+1] == 'x' {
				k = min(j+4, n)
			}
			sb.WriteString(ansiC(code[j:k]))
			j = k
			continue
		}
		if ch == q {
			if !triple {
				j++
				break
			}
			if j+2 < n && code[j+1] == q && code[j+2] == q {
				j += 3
				break
			}
		}
		sb.WriteByte(ch)
		j++
	}
	v := sb.String()
	t := itok{kind: 's', text: v, start: int32(start), end: int32(j)}
	switch {
	case q == '`' && s.lang == "node":
		t.dyn = strings.Contains(v, "${")
	case q == '`':
		t.cmd = true
		t.dyn = strings.Contains(v, "$") || strings.Contains(v, "#{")
	case strings.Contains(prefix, "f"):
		t.dyn = strings.Contains(v, "{")
	case q == '"' && (s.lang == "perl" || s.lang == "php"):
		t.text = s.interpolateHome(v)
		t.dyn = hasSigil(t.text)
	case q == '"' && s.lang == "ruby":
		t.text = s.interpolateHome(v)
		t.dyn = strings.Contains(t.text, "#{")
	}
	s.toks = append(s.toks, t)
	return j
}

func hasSigil(v string) bool {
	for i := 0; i+1 < len(v); i++ {
		if (v[i] == '$' || v[i] == '@') && (isIdentStart(v[i+1]) || v[i+1] == '{') {
			return true
		}
	}
	return false
}

// delimited reads q(...), qx{...}, %x(...): the delimiter is at j.
func (s *iscan) delimited(start, j int, cmd, interp bool) int {
	code := s.code
	n := len(code)
	open := code[j]
	closeCh := open
	switch open {
	case '(':
		closeCh = ')'
	case '{':
		closeCh = '}'
	case '[':
		closeCh = ']'
	case '<':
		closeCh = '>'
	}
	depth := 1
	k := j + 1
	for k < n {
		ch := code[k]
		if ch == '\\' && k+1 < n {
			k += 2
			continue
		}
		if ch == closeCh && open != closeCh {
			depth--
			if depth == 0 {
				break
			}
		} else if ch == open && open != closeCh {
			depth++
		} else if ch == closeCh {
			break
		}
		k++
	}
	end := min(k, n)
	v := code[j+1 : end]
	t := itok{kind: 's', text: v, start: int32(start), end: int32(min(k+1, n)), cmd: cmd}
	if cmd || interp {
		t.dyn = hasSigil(v) || strings.Contains(v, "#{")
	}
	s.toks = append(s.toks, t)
	return min(k+1, n)
}

// callKind is what a recognised call does.
type callKind int

const (
	ckNone     callKind = iota
	ckShell             // runs its argument as a shell command (or argv when several/list)
	ckArgv              // runs argv: cmd and a list/array of args
	ckRmRF              // rm -r -f P
	ckRmF               // rm -f P
	ckRmdir             // rmdir P
	ckRmOpt             // rm -f P, or -r -f with {recursive: true}
	ckRmdirOpt          // rmdir P, or rm -r -f with {recursive: true}
	ckRead              // cat P
	ckWrite             // tee P
	ckAppend            // tee -a P
	ckOpen              // cat/tee depending on the mode argument
	ckCopy              // cp A B
	ckCopyR             // cp -r A B
	ckCopyOpt           // cp A B, or cp -r A B with {recursive: true}
	ckMove              // mv A B
)

func lastComp(name string) string {
	name = strings.TrimPrefix(name, ".")
	if i := strings.LastIndexAny(name, ".:"); i >= 0 {
		return name[i+1:]
	}
	return name
}

// classify maps a called name (dotted, as written) to what it does.
func (s *iscan) classify(name string) callKind {
	last := lastComp(name)
	bare := strings.TrimPrefix(name, ".")
	switch s.lang {
	case "python":
		switch bare {
		case "os.system", "system", "os.popen", "popen", "subprocess.getoutput", "subprocess.getstatusoutput",
			"getoutput", "getstatusoutput", "commands.getoutput", "pty.spawn":
			return ckShell
		case "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
			"subprocess.Popen", "Popen", "check_output", "check_call", "sp.run", "sp.call", "sp.check_output", "sp.Popen":
			return ckShell
		case "os.execvp", "os.execv", "os.execvpe", "os.execve", "os.spawnvp", "os.spawnv":
			return ckArgv
		case "shutil.rmtree", "rmtree":
			return ckRmRF
		case "os.remove", "os.unlink":
			return ckRmF
		case "os.rmdir", "os.removedirs":
			return ckRmdir
		case "open", "io.open", "codecs.open":
			return ckOpen
		case "shutil.copy", "shutil.copy2", "shutil.copyfile", "copyfile", "copy2":
			return ckCopy
		case "shutil.copytree", "copytree", "distutils.dir_util.copy_tree":
			return ckCopyR
		case "shutil.move", "os.rename", "os.replace", "os.renames":
			return ckMove
		}
	case "node":
		prefix := strings.TrimSuffix(strings.TrimPrefix(name, "."), last)
		prefix = strings.TrimSuffix(prefix, ".")
		switch last {
		case "exec", "execSync":
			if prefix == "" || strings.Contains(strings.ToLower(prefix), "child") || prefix == "cp" || strings.HasPrefix(name, ".") {
				return ckShell
			}
		case "spawn", "spawnSync", "execFile", "execFileSync":
			return ckArgv
		case "rmSync", "rm":
			if prefix == "" || strings.Contains(prefix, "fs") || strings.HasPrefix(name, ".") {
				return ckRmOpt
			}
		case "rmdirSync", "rmdir":
			return ckRmdirOpt
		case "rimraf", "rimrafSync", "removeSync", "emptyDirSync", "deleteSync":
			return ckRmRF
		case "remove":
			if strings.Contains(prefix, "fs") || prefix == "Deno" {
				return ckRmOpt
			}
		case "sync":
			if strings.HasSuffix(prefix, "rimraf") {
				return ckRmRF
			}
		case "unlinkSync", "unlink":
			return ckRmF
		case "readFileSync", "readFile", "readTextFile", "readTextFileSync":
			return ckRead
		case "writeFileSync", "writeFile", "outputFileSync", "writeTextFile", "writeTextFileSync":
			return ckWrite
		case "appendFileSync", "appendFile":
			return ckAppend
		case "copyFileSync", "copyFile":
			return ckCopy
		case "cpSync", "cp", "copySync", "copy":
			if strings.Contains(prefix, "fs") || prefix == "Deno" {
				return ckCopyOpt
			}
		case "renameSync", "rename", "moveSync", "move":
			if strings.Contains(prefix, "fs") || prefix == "Deno" {
				return ckMove
			}
		}
	case "ruby":
		switch bare {
		case "system", "exec", "spawn", "IO.popen", "Open3.capture2", "Open3.capture2e", "Open3.capture3",
			"Open3.popen3", "Open3.popen2", "Kernel.system", "Kernel.exec", "Process.spawn":
			return ckShell
		case "FileUtils.rm_rf", "FileUtils.rm_r", "FileUtils.remove_dir", "FileUtils.remove_entry",
			"FileUtils.remove_entry_secure", "FileUtils.rmtree", "rm_rf", "rm_r":
			return ckRmRF
		case "FileUtils.rm", "FileUtils.rm_f", "FileUtils.remove", "File.delete", "File.unlink":
			return ckRmF
		case "Dir.rmdir", "Dir.delete", "Dir.unlink", "FileUtils.rmdir":
			return ckRmdir
		case "File.read", "IO.read", "File.readlines", "IO.readlines", "File.binread", "File.foreach", "IO.foreach":
			return ckRead
		case "File.write", "IO.write", "File.binwrite":
			return ckWrite
		case "File.open", "open":
			return ckOpen
		}
	case "perl":
		switch bare {
		case "system", "exec":
			return ckShell
		case "unlink":
			return ckRmF
		case "rmtree", "remove_tree", "File::Path::rmtree", "File::Path::remove_tree":
			return ckRmRF
		case "rmdir":
			return ckRmdir
		case "open":
			return ckOpen
		}
	case "php":
		switch bare {
		case "shell_exec", "system", "passthru", "exec", "popen", "proc_open", "pcntl_exec":
			return ckShell
		case "unlink":
			return ckRmF
		case "rmdir":
			return ckRmdir
		case "file_get_contents", "readfile", "file", "highlight_file", "show_source":
			return ckRead
		case "file_put_contents":
			return ckWrite
		case "fopen":
			return ckOpen
		}
	}
	return ckNone
}

// pathMethod maps a method called on a path object (python pathlib) to what
// it does.
func pathMethod(m string) callKind {
	switch m {
	case ".unlink":
		return ckRmF
	case ".rmdir":
		return ckRmdir
	case ".read_text", ".read_bytes":
		return ckRead
	case ".write_text", ".write_bytes":
		return ckWrite
	case ".open":
		return ckOpen
	}
	return ckNone
}

// args splits the call arguments starting after the '(' at open into token
// ranges; it returns them and the index of the closing ')'.
func (s *iscan) args(open int) ([][2]int, int) {
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

func (s *iscan) raw(r [2]int) string {
	if r[0] >= r[1] || r[1] > len(s.toks) {
		return ""
	}
	return strings.TrimSpace(s.code[s.toks[r[0]].start:s.toks[r[1]-1].end])
}

// trim drops newline tokens at the ends of r.
func (s *iscan) trim(r [2]int) [2]int {
	for r[0] < r[1] && s.toks[r[0]].kind == 'p' && s.toks[r[0]].text == "\n" {
		r[0]++
	}
	for r[1] > r[0] && s.toks[r[1]-1].kind == 'p' && s.toks[r[1]-1].text == "\n" {
		r[1]--
	}
	return r
}

func (s *iscan) home() string { return s.sc.home() }

func isHomeName(v string) bool { return v == "HOME" || v == "USERPROFILE" }

// eval evaluates a path-like expression: string literals, home directory
// lookups, expanduser, joins and concatenation. Anything else is dynamic and
// keeps its source text.
func (s *iscan) eval(r [2]int) Word {
	r = s.trim(r)
	s.evalDepth++
	defer func() { s.evalDepth-- }()
	s.steps -= r[1] - r[0]
	if s.evalDepth > 32 || s.steps < 0 {
		return Word{Value: s.raw(r), Dynamic: true}
	}
	// keyword argument: name=value
	if r[1]-r[0] >= 2 && s.toks[r[0]].kind == 'i' && s.toks[r[0]+1].kind == 'p' && s.toks[r[0]+1].text == "=" &&
		!(r[1]-r[0] >= 3 && s.toks[r[0]+2].kind == 'p' && s.toks[r[0]+2].text == "=") {
		r[0] += 2
	}
	if r[0] >= r[1] {
		return Word{Value: "", Dynamic: true}
	}
	i := r[0]
	var sb strings.Builder
	dyn := false
	op := ""
	for i < r[1] {
		w, next := s.term(i, r[1])
		if next <= i {
			return Word{Value: s.raw(r), Dynamic: true}
		}
		dyn = dyn || w.Dynamic
		if op == "/" && sb.Len() > 0 {
			sb.WriteString("/" + strings.TrimPrefix(w.Value, "/"))
		} else {
			sb.WriteString(w.Value)
		}
		i = next
		if i >= r[1] {
			break
		}
		t := s.toks[i]
		if t.kind == 'p' && (t.text == "+" || t.text == "/" || (t.text == "." && (s.lang == "perl" || s.lang == "php"))) {
			op = t.text
			i++
			continue
		}
		return Word{Value: s.raw(r), Dynamic: true}
	}
	if dyn {
		return Word{Value: s.raw(r), Dynamic: true}
	}
	return Word{Value: sb.String()}
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
func (s *iscan) term(i, end int) (Word, int) {
	t := s.toks[i]
	peek := func(k int, kind byte, text string) bool {
		return k < end && s.toks[k].kind == kind && (text == "" || s.toks[k].text == text)
	}
	switch t.kind {
	case 's':
		if t.cmd {
			return Word{Value: t.text, Dynamic: true}, i + 1
		}
		w := Word{Value: t.text, Dynamic: t.dyn}
		return s.methods(w, i+1, end)
	case 'p':
		if t.text == "(" {
			if k := s.closeOf(i); k < end {
				w := s.eval([2]int{i + 1, k})
				return s.methods(w, k+1, end)
			}
		}
		return Word{}, i
	case 'i':
		name := t.text
		switch name {
		case "process.env.HOME", "Dir.home", "$HOME", "process.env.USERPROFILE":
			return s.methods(Word{Value: s.home()}, i+1, end)
		case "os.environ", "ENV", "$ENV", "$_ENV", "$_SERVER", "process.env":
			if (peek(i+1, 'p', "[") || peek(i+1, 'p', "{")) && i+3 < end && isHomeName(s.toks[i+2].text) &&
				(peek(i+3, 'p', "]") || peek(i+3, 'p', "}")) {
				return s.methods(Word{Value: s.home()}, i+4, end)
			}
		}
		if peek(i+1, 'p', "(") {
			args, closeIdx := s.args(i + 1)
			if closeIdx >= end {
				return Word{}, i
			}
			next := closeIdx + 1
			bare := strings.TrimPrefix(name, ".")
			switch bare {
			case "os.getenv", "os.environ.get", "getenv", "ENV.fetch", "Deno.env.get", "environ.get":
				if len(args) > 0 && isHomeName(s.eval(args[0]).Value) {
					return s.methods(Word{Value: s.home()}, next, end)
				}
			case "Path.home", "pathlib.Path.home", "os.homedir", "homedir", "Dir.home", "os.path.expanduser.home":
				return s.methods(Word{Value: s.home()}, next, end)
			case "os.path.expanduser", "expanduser", "File.expand_path", "os.path.expandvars":
				if len(args) > 0 {
					w := s.eval(args[0])
					if !w.Dynamic {
						w.Value = expandTilde(w.Value, s.home())
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
					parts = append(parts, w.Value)
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
					return s.methods(Word{Value: v}, next, end)
				}
			}
			if strings.HasSuffix(name, ".homedir") {
				return s.methods(Word{Value: s.home()}, next, end)
			}
			// require('os').homedir()
			if name == "require" && next+2 < end && s.toks[next].kind == 'i' && s.toks[next].text == ".homedir" &&
				s.toks[next+1].text == "(" && s.toks[next+2].text == ")" {
				return s.methods(Word{Value: s.home()}, next+3, end)
			}
			return Word{Value: s.code[t.start:s.toks[closeIdx].end], Dynamic: true}, next
		}
		if v, ok := s.vars[name]; ok {
			return s.methods(v, i+1, end)
		}
		return Word{Value: name, Dynamic: true}, i + 1
	}
	return Word{}, i
}

// methods applies path methods that keep a static path (.expanduser(),
// .resolve(), .joinpath(x)) following a term.
func (s *iscan) methods(w Word, i, end int) (Word, int) {
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
				w.Value = expandTilde(w.Value, s.home())
			}
		case ".resolve", ".absolute", ".as_posix", ".__str__":
		case ".joinpath":
			for _, a := range args {
				p := s.eval(a)
				w.Dynamic = w.Dynamic || p.Dynamic
				w.Value = strings.TrimSuffix(w.Value, "/") + "/" + p.Value
			}
		default:
			return w, i
		}
		i = closeIdx + 1
	}
	return w, i
}

// list evaluates a list/array literal of strings: ['rm', '-rf', p].
func (s *iscan) list(r [2]int) ([]xword, bool) {
	r = s.trim(r)
	if r[1]-r[0] < 2 || s.toks[r[0]].kind != 'p' || (s.toks[r[0]].text != "[" && s.toks[r[0]].text != "(") {
		return nil, false
	}
	inner, closeIdx := s.args(r[0])
	if closeIdx != r[1]-1 {
		return nil, false
	}
	var out []xword
	for _, e := range inner {
		w := s.eval(e)
		out = append(out, xword{Word: w})
	}
	return out, true
}

// scan walks the tokens, tracks simple assignments and analyses calls.
func (s *iscan) scan() {
	toks := s.toks
	for i := 0; i < len(toks); i++ {
		if !s.a.spend(0) || s.a.capped || s.steps < 0 {
			return
		}
		t := toks[i]
		if t.kind == 's' && t.cmd {
			s.shell(t.text, "`...`")
			continue
		}
		if t.kind == 'p' && t.text == "(" && i > 0 && toks[i-1].kind != 'i' {
			// (expr).method(): pathlib on a parenthesised expression.
			k := s.closeOf(i)
			if s.lang == "python" && k+2 < len(toks) && toks[k+1].kind == 'i' && toks[k+2].kind == 'p' && toks[k+2].text == "(" {
				if ck := pathMethod(toks[k+1].text); ck != ckNone {
					w := s.eval([2]int{i + 1, k})
					margs, _ := s.args(k + 2)
					s.act(ck, toks[k+1].text, []Word{w}, margs, k+2)
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
				s.vars = make(map[string]Word)
			}
			if len(s.vars) < 256 {
				s.vars[t.text] = s.eval([2]int{i + 2, e})
			}
			continue
		}
		name := t.text
		// pathlib: var.method() and Path(...).method().
		if s.lang == "python" {
			if dot := strings.LastIndexByte(name, '.'); dot > 0 {
				if v, ok := s.vars[name[:dot]]; ok {
					if ck := pathMethod(name[dot:]); ck != ckNone && i+1 < len(toks) && toks[i+1].text == "(" {
						margs, _ := s.args(i + 1)
						s.act(ck, name[dot:], []Word{v}, margs, i+1)
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
							w = Word{Value: ".", Dynamic: false}
						}
						margs, _ := s.args(closeIdx + 2)
						s.act(ck, toks[closeIdx+1].text, []Word{w}, margs, closeIdx+2)
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
						s.act(ck, toks[next].text, []Word{w}, margs, next+1)
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
		case (s.lang == "perl" || s.lang == "ruby") && i+1 < len(toks) && (toks[i+1].kind == 's' || toks[i+1].kind == 'i'):
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
		default:
			continue
		}
		if len(args) == 0 {
			continue
		}
		vals := make([]Word, len(args))
		for k, r := range args {
			vals[k] = s.eval(r)
		}
		s.actCall(ck, name, vals, args)
	}
}

// actCall performs a call of kind ck with evaluated arguments vals.
func (s *iscan) actCall(ck callKind, name string, vals []Word, args [][2]int) {
	callName := strings.TrimPrefix(name, ".")
	switch ck {
	case ckShell:
		// A list literal is argv; several string arguments (perl/ruby
		// system LIST) are argv; otherwise the first argument is a shell string.
		if lst, ok := s.list(args[0]); ok {
			s.argv(lst, callName)
			return
		}
		if len(vals) > 1 && (s.lang == "perl" || s.lang == "ruby") {
			var argv []xword
			for _, v := range vals {
				if strings.HasPrefix(v.Value, "{") || strings.Contains(v.Value, "=>") {
					continue
				}
				argv = append(argv, xword{Word: v})
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
		if s.lang == "node" && len(args) > 1 {
			last := strings.ReplaceAll(s.raw(args[len(args)-1]), " ", "")
			if strings.Contains(last, "shell:true") || strings.Contains(last, "shell:'") || strings.Contains(last, "shell:\"") {
				text := vals[0]
				if lst, ok := s.list(args[1]); ok && len(args) > 2 {
					for _, w := range lst {
						text.Value += " " + w.Value
						text.Dynamic = text.Dynamic || w.Dynamic
					}
				}
				s.shellWord(text, callName)
				return
			}
		}
		argv := []xword{{Word: vals[0]}}
		if len(args) > 1 {
			if lst, ok := s.list(args[1]); ok {
				if s.lang == "python" && len(lst) > 0 {
					lst = lst[1:] // os.execvp(file, [argv0, ...])
				}
				argv = append(argv, lst...)
			} else {
				argv = append(argv, xword{Word: vals[1]})
			}
		}
		if len(args) == 1 && strings.ContainsAny(vals[0].Value, " \t") {
			s.shellWord(vals[0], callName)
			return
		}
		s.argv(argv, callName)
	case ckCopy, ckCopyR, ckCopyOpt, ckMove:
		s.act(ck, name, vals, args, -1)
	default:
		s.act(ck, name, vals[:1], args, -1)
	}
}

// act emits the synthetic command of a library call on path p[0].
func (s *iscan) act(ck callKind, name string, p []Word, args [][2]int, _ int) {
	callName := strings.TrimPrefix(name, ".")
	if s.lang == "python" && strings.HasPrefix(name, ".") {
		callName = "Path" + name
	}
	if len(p) == 0 {
		return
	}
	target := p[0]
	var cmd string
	var flags []string
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
		cmd, flags = "rm", []string{"-r", "-f"}
	case ckRmF:
		cmd, flags = "rm", []string{"-f"}
	case ckRmdir:
		cmd = "rmdir"
	case ckRmOpt:
		cmd, flags = "rm", []string{"-f"}
		if recursive() {
			flags = []string{"-r", "-f"}
		}
	case ckRmdirOpt:
		cmd = "rmdir"
		if recursive() {
			cmd, flags = "rm", []string{"-r", "-f"}
		}
	case ckRead:
		cmd = "cat"
	case ckWrite:
		cmd = "tee"
		if s.lang == "php" && len(args) > 2 && strings.Contains(s.raw(args[2]), "FILE_APPEND") {
			flags = []string{"-a"}
		}
	case ckAppend:
		cmd, flags = "tee", []string{"-a"}
	case ckCopy, ckCopyR, ckCopyOpt, ckMove:
		// Two paths: source and destination.
		if len(p) < 2 {
			return
		}
		cmd = "cp"
		switch {
		case ck == ckMove:
			cmd = "mv"
		case ck == ckCopyR || (ck == ckCopyOpt && (recursive() || s.lang == "node" && strings.HasSuffix(name, "copySync"))):
			flags = []string{"-r"}
		}
		argv := make([]Word, 0, 3)
		for _, f := range flags {
			argv = append(argv, Word{Value: f})
		}
		argv = append(argv, p[0], p[1])
		s.synthetic(cmd, argv, callName)
		return
	case ckOpen:
		mode, pathW := s.openMode(name, args, target)
		target = pathW
		switch {
		case strings.ContainsAny(mode, "a"):
			cmd, flags = "tee", []string{"-a"}
		case strings.ContainsAny(mode, "wx+"):
			cmd = "tee"
		case strings.Contains(mode, "|"):
			return
		default:
			cmd = "cat"
		}
	default:
		return
	}
	argv := make([]Word, 0, len(flags)+1)
	for _, f := range flags {
		argv = append(argv, Word{Value: f})
	}
	argv = append(argv, target)
	s.synthetic(cmd, argv, callName)
}

// openMode works out the mode and path of open(...) calls.
func (s *iscan) openMode(name string, args [][2]int, first Word) (string, Word) {
	bare := strings.TrimPrefix(name, ".")
	if s.lang == "perl" && bare == "open" {
		if len(args) >= 3 {
			m := strings.TrimSpace(s.eval(args[1]).Value)
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
			v := strings.TrimSpace(w.Value)
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
			w.Value = v
			return mode, w
		}
		return "", first
	}
	if bare == ".open" || bare == "open" && s.lang == "python" && len(args) == 0 {
		// Path(p).open(mode): args are the method's.
		if len(args) > 0 {
			return s.eval(args[0]).Value, first
		}
		return "r", first
	}
	for _, r := range args[min(1, len(args)):] {
		raw := s.raw(r)
		if strings.HasPrefix(raw, "mode") || (len(args) > 1 && r == args[1]) {
			w := s.eval(r)
			if !w.Dynamic {
				v := w.Value
				if s.lang == "perl" {
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

func (s *iscan) synthetic(name string, args []Word, callName string) {
	c := s.c
	if c.depth+1 > MaxDepth {
		s.a.res.DepthExceeded = true
		return
	}
	nc := c.with()
	nc.depth = c.depth + 1
	xs := make([]xword, len(args))
	for i := range args {
		xs[i] = xword{Word: args[i]}
	}
	cmd := s.a.newCommand(nc, s.sc, name, false, xs, nil, nil, stdinInfo{}, nil, []string{callName})
	cmd.Synthetic = true
	s.a.emit(cmd)
}

func (s *iscan) shell(text, callName string) {
	s.a.nestedText(text, s.c, s.sc, stdinInfo{}, callName)
}

func (s *iscan) shellWord(w Word, callName string) {
	if w.Value == "" {
		return
	}
	if w.Dynamic {
		// Keep a dynamic command so guards know something runs.
		if s.c.depth+1 > MaxDepth {
			s.a.res.DepthExceeded = true
			return
		}
		nc := s.c.with()
		nc.depth = s.c.depth + 1
		cmd := s.a.newCommand(nc, s.sc, w.Value, true, nil, nil, nil, stdinInfo{}, nil, []string{callName})
		s.a.emit(cmd)
		return
	}
	s.shell(w.Value, callName)
}

func (s *iscan) argv(argv []xword, callName string) {
	if len(argv) == 0 {
		return
	}
	if s.c.depth+1 > MaxDepth {
		s.a.res.DepthExceeded = true
		return
	}
	nc := s.c.with()
	nc.depth = s.c.depth + 1
	nc.via = appendVia(s.c.via, callName)
	if argv[0].Dynamic {
		argv[0].Value = strings.TrimSpace(argv[0].Value)
	} else {
		argv[0].Value = path.Clean(argv[0].Value)
	}
	s.a.run(&invocation{argv: argv}, nc, s.sc)
}

// homeInterpolations are the spellings of the home directory inside
// interpolated perl, php and ruby strings.
var homeInterpolations = []string{
	"${ENV{HOME}}", "$ENV{HOME}", "$ENV{'HOME'}", `$ENV{"HOME"}`, "$_SERVER['HOME']", "$_ENV['HOME']",
	"#{ENV['HOME']}", `#{ENV["HOME"]}`, "#{Dir.home}", "$HOME",
}

func (s *iscan) interpolateHome(v string) string {
	if !strings.ContainsAny(v, "$#") {
		return v
	}
	for _, h := range homeInterpolations {
		if strings.Contains(v, h) {
			v = strings.ReplaceAll(v, h, s.home())
		}
	}
	return v
}

// templateToShell turns an interpolated string into shell text where each
// interpolation is an unknown variable: f"rm {d}" -> rm ${d}.
func (s *iscan) templateToShell(v string) string {
	var open, close string
	switch s.lang {
	case "python":
		open, close = "{", "}"
	case "node":
		open, close = "${", "}"
	case "ruby":
		open, close = "#{", "}"
	default: // perl, php: $var is already shell syntax; backticks too
		return v
	}
	lit := func(t string) string {
		if s.lang == "python" {
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
		if s.lang == "python" && strings.HasPrefix(v[i:], "{{") {
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
		if w, ok := s.vars[strings.TrimSpace(expr)]; ok && !w.Dynamic && !strings.ContainsAny(w.Value, "'\\") {
			// A variable assigned a literal earlier in the code.
			sb.WriteString("'" + w.Value + "'")
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
