package shell

import (
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
)

// awkProgram returns the program text of an awk command line: the value
// of gawk's -e/--source, or the first operand after the options (-F fs,
// -v var=val). A program in a file (-f FILE) is not visible: ok is false,
// as when there is no inline program.
func awkProgram(spec *commands.Spec, args []xword) (prog string, ok bool) {
	file := false
	var code *xword
	i := scanOpts(args, spec, func(o opt) bool {
		switch {
		case o.short == 'f' || o.long == "file":
			file = true
			return false
		case o.hasVal && (o.short == 'e' || o.long == "source"):
			v := o.val
			code = &v
			return false
		}
		return true
	})
	switch {
	case file:
		return "", false
	case code != nil:
		return code.Value, !code.Dynamic
	case i < len(args) && !args[i].Dynamic:
		return args[i].Value, true
	}
	return "", false
}

// awkShellStrings finds the shell commands an awk program runs: string
// literals given to system(...), piped to with `print ... | "cmd"`, or
// read from with `"cmd" | getline`. Only literal strings are seen; a
// command built from variables is not.
func awkShellStrings(prog string) []string {
	var out []string
	for i := 0; i < len(prog) && len(out) < 32; i++ {
		switch {
		case strings.HasPrefix(prog[i:], "system"):
			j := skipSpace(prog, i+len("system"))
			if j < len(prog) && prog[j] == '(' {
				if s, ok := awkString(prog, skipSpace(prog, j+1)); ok {
					out = append(out, s)
				}
			}
		case prog[i] == '|':
			// print ... | "cmd"
			if s, ok := awkString(prog, skipSpace(prog, i+1)); ok {
				out = append(out, s)
			}
		case prog[i] == '"':
			// "cmd" | getline
			s, end, ok := awkStringEnd(prog, i)
			if !ok {
				continue
			}
			j := skipSpace(prog, end)
			if j < len(prog) && prog[j] == '|' && strings.HasPrefix(strings.TrimLeft(prog[j+1:], " \t"), "getline") {
				out = append(out, s)
			}
			i = end - 1
		}
	}
	return out
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func awkString(s string, i int) (string, bool) {
	v, _, ok := awkStringEnd(s, i)
	return v, ok
}

// awkStringEnd reads the double-quoted awk string at s[i] and returns its
// value and the index after the closing quote.
func awkStringEnd(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", i, false
	}
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; c {
		case '\\':
			if j+1 < len(s) {
				j++
				switch s[j] {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				default:
					b.WriteByte(s[j])
				}
			}
		case '"':
			return b.String(), j + 1, true
		default:
			b.WriteByte(c)
		}
	}
	return "", len(s), false
}
