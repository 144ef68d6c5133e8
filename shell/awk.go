package shell

import "strings"

// awkProgram returns the program text of an awk command line: the first
// operand after the options (-F fs, -v var=val, -f file: a program in a
// file is not visible). ok is false when there is no inline program.
func awkProgram(args []xword) (prog string, ok bool) {
	for i := 0; i < len(args); i++ {
		v := args[i].Value
		switch {
		case v == "--":
			if i+1 < len(args) && !args[i+1].Dynamic {
				return args[i+1].Value, true
			}
			return "", false
		case v == "-f" || strings.HasPrefix(v, "-f") && len(v) > 2 || strings.HasPrefix(v, "--file"):
			return "", false
		case v == "-F" || v == "-v" || v == "--assign" || v == "--field-separator":
			i++ // the option's value
		case strings.HasPrefix(v, "-") && len(v) > 1:
			// -F: / -vX=1 / --posix: options with attached values or none.
		default:
			if args[i].Dynamic {
				return "", false
			}
			return v, true
		}
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
