package interp

import (
	"strconv"
	"strings"
)

// perm reports a change of permissions or of owner (os.chmod(p, 0),
// Path(p).chmod(0o700), fs.chmodSync(p, 0o000), File.chmod(0, p), chmod
// 0000, $f; os.chown(p, 0, 0) ...) as the chmod or chown command that
// does it, so that what guards know of chmod and chown (an owner locked out
// of bulwark's own files, a key opened to others) holds for the library
// call too. p holds the evaluated arguments (for a pathlib method, the
// path it is called on), args their token ranges.
func (s *scanner) perm(ck callKind, name string, p []Value, args [][2]int) {
	callName := strings.TrimPrefix(name, ".")
	method := s.lang == Python && strings.HasPrefix(name, ".") // Path(p).chmod(mode)
	if method {
		callName = "Path" + name
	}
	chmod := ck == ckChmod || ck == ckChmodR
	e := Effect{Kind: FileOp, Call: callName, Op: Chown, Recursive: ck == ckChmodR || ck == ckChownR}
	if chmod {
		e.Op = Chmod
	}
	switch {
	case method:
		// Path(p).chmod(mode)
		if len(p) == 0 || len(args) == 0 {
			return
		}
		e.Paths, e.Mode = p[:1], s.modeOf(args[0])
	case s.lang == Ruby || s.lang == Perl:
		// chmod(MODE, FILES...), chown(UID, GID, FILES...)
		n := 1
		if !chmod {
			n = 2
		}
		if len(args) <= n {
			return
		}
		if chmod {
			e.Mode = s.modeOf(args[0])
		} else {
			e.Owner = s.owner(args[0], args[1])
		}
		for _, r := range args[n:] {
			if lst, ok := s.list(r); ok {
				e.Paths = append(e.Paths, lst...)
			} else {
				e.Paths = append(e.Paths, s.eval(r))
			}
		}
	default:
		// chmod(PATH, MODE), chown(PATH, UID, GID), chgrp(PATH, GROUP)
		if len(p) == 0 || len(args) < 2 {
			return
		}
		e.Paths = p[:1]
		switch {
		case chmod:
			e.Mode = s.modeOf(args[1])
		case strings.HasSuffix(callName, "chgrp"):
			g := s.eval(args[1])
			e.Owner = Value{Text: ":" + g.Text, Dynamic: g.Dynamic}
		case len(args) >= 3:
			e.Owner = s.owner(args[1], args[2])
		default:
			e.Owner = s.owner(args[1], [2]int{})
		}
	}
	if len(e.Paths) == 0 {
		return
	}
	s.emit(e)
}

// owner is chown's OWNER for a user and a group argument (uids, names;
// -1, None and nil leave one unchanged).
func (s *scanner) owner(user, group [2]int) Value {
	u, g := s.ownerPart(user), Value{}
	if group[1] > group[0] {
		g = s.ownerPart(group)
	}
	keep := func(v Value) bool {
		t := strings.TrimSpace(v.Text)
		return t == "" || t == "-1" || t == "None" || t == "nil" || t == "undef" || t == "null"
	}
	out := Value{Dynamic: u.Dynamic || g.Dynamic}
	if !keep(u) {
		out.Text = u.Text
	}
	if !keep(g) {
		out.Text += ":" + g.Text
	}
	if out.Text == "" {
		out.Text = ":" // changes nothing
	}
	return out
}

// ownerPart is a uid (a number) or a user or group name.
func (s *scanner) ownerPart(r [2]int) Value {
	raw := s.raw(s.trim(r))
	if _, v, ok := strings.Cut(raw, "="); ok && !strings.ContainsAny(raw, "\"'") {
		raw = strings.TrimSpace(v) // uid=0
	}
	if _, err := strconv.Atoi(raw); err == nil {
		return Value{Text: raw}
	}
	return s.eval(r)
}

// modeOf reads a permission mode as the code writes it: an integer
// literal (0o700, 0700 where the language reads a leading 0 as octal, 448,
// 0x1c0), the stat module's constants joined with | or + (stat.S_IRUSR |
// stat.S_IWUSR), a string of octal digits (fs.chmodSync(p, "755")), Perl's
// oct("755") and PHP's octdec("755"). It returns the mode in octal digits,
// as chmod takes it; anything else is dynamic (and keeps its source text),
// which the guards read as a mode that may cut the owner's access.
func (s *scanner) modeOf(r [2]int) Value {
	raw := s.raw(s.trim(r))
	expr := raw
	if k, v, ok := strings.Cut(expr, "="); ok && strings.TrimSpace(k) == "mode" {
		expr = v // mode=0o700
	}
	mode := 0
	for _, term := range strings.FieldsFunc(expr, func(r rune) bool { return r == '|' || r == '+' }) {
		v, ok := modeTerm(strings.TrimSpace(term), s.lang)
		if !ok {
			return Value{Text: raw, Dynamic: true}
		}
		mode |= v
	}
	if strings.TrimSpace(expr) == "" {
		return Value{Text: raw, Dynamic: true}
	}
	m := strconv.FormatInt(int64(mode&0o7777), 8)
	for len(m) < 3 {
		m = "0" + m
	}
	return Value{Text: m}
}

// modeTerm reads one term of a mode expression.
func modeTerm(t string, lang Lang) (int, bool) {
	for len(t) >= 2 && t[0] == '(' && t[len(t)-1] == ')' {
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	if len(t) >= 2 && (t[0] == '"' || t[0] == '\'') && t[len(t)-1] == t[0] {
		return octalDigits(t[1 : len(t)-1]) // "755"
	}
	for _, fn := range []string{"oct(", "octdec("} {
		if inner, ok := strings.CutPrefix(t, fn); ok && strings.HasSuffix(inner, ")") {
			inner = strings.Trim(strings.TrimSpace(strings.TrimSuffix(inner, ")")), `"'`)
			return octalDigits(strings.TrimPrefix(strings.TrimPrefix(inner, "0o"), "0"))
		}
	}
	if v, ok := statConst(strings.TrimPrefix(strings.TrimPrefix(t, "stat."), "os.")); ok {
		return v, true
	}
	t = strings.ReplaceAll(t, "_", "") // 0o7_55
	base := 10
	switch {
	case len(t) > 2 && t[0] == '0' && (t[1] == 'o' || t[1] == 'O'):
		t, base = t[2:], 8
	case len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X'):
		t, base = t[2:], 16
	case len(t) > 2 && t[0] == '0' && (t[1] == 'b' || t[1] == 'B'):
		t, base = t[2:], 2
	case len(t) > 1 && t[0] == '0':
		base = 8 // 0755: octal in C-like languages (and Python 2)
	}
	v, err := strconv.ParseInt(t, base, 32)
	if err != nil || v < 0 {
		return 0, false
	}
	return int(v), true
}

// octalDigits reads a mode written as octal digits ("755", "0600").
func octalDigits(t string) (int, bool) {
	if t == "" || strings.Trim(t, "01234567") != "" || len(t) > 6 {
		return 0, false
	}
	v, err := strconv.ParseInt(t, 8, 32)
	return int(v), err == nil
}

// statConst is the value of one of the stat module's permission bits
// (Python's stat.S_IRWXU, Node's fs.constants.S_IRUSR ...).
func statConst(name string) (int, bool) {
	name = strings.TrimPrefix(name, "fs.constants.")
	name = strings.TrimPrefix(name, "constants.")
	switch name {
	case "S_ISUID":
		return 0o4000, true
	case "S_ISGID":
		return 0o2000, true
	case "S_ISVTX":
		return 0o1000, true
	case "S_IRWXU":
		return 0o700, true
	case "S_IRUSR", "S_IREAD":
		return 0o400, true
	case "S_IWUSR", "S_IWRITE":
		return 0o200, true
	case "S_IXUSR", "S_IEXEC":
		return 0o100, true
	case "S_IRWXG":
		return 0o70, true
	case "S_IRGRP":
		return 0o40, true
	case "S_IWGRP":
		return 0o20, true
	case "S_IXGRP":
		return 0o10, true
	case "S_IRWXO":
		return 0o7, true
	case "S_IROTH":
		return 0o4, true
	case "S_IWOTH":
		return 0o2, true
	case "S_IXOTH":
		return 0o1, true
	}
	return 0, false
}
