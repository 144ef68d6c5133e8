package shell

import (
	"strings"

	"github.com/bulwark-guard/bulwark/internal/fnmatch"
)

// Static output of text filters on known input, so that a payload turned
// around before it reaches a shell (`echo '~ fr- mr' | rev | sh`,
// `tr 'a-z' 'n-za-m'` rot13) is seen: rev, tac and tr. Each reports false
// when it cannot compute the output (options it does not follow, input
// from files).

// revOut reverses each line, character by character.
func revOut(text string) string {
	var sb strings.Builder
	sb.Grow(len(text))
	for text != "" {
		line, rest, nl := strings.Cut(text, "\n")
		rs := []rune(line)
		for i := len(rs) - 1; i >= 0; i-- {
			sb.WriteRune(rs[i])
		}
		if nl {
			sb.WriteByte('\n')
		}
		text = rest
	}
	return sb.String()
}

// tacOut reverses the order of the lines.
func tacOut(text string) string {
	lines := strings.SplitAfter(text, "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
		lines[n-1] += "\n" // tac ends the last line
	}
	var sb strings.Builder
	for i := len(lines) - 1; i >= 0; i-- {
		sb.WriteString(lines[i])
	}
	return sb.String()
}

// trSet expands a tr character set: ranges (a-z), classes ([:lower:]),
// backslash escapes (\n, \\, \NNN). Bytes, as tr works on bytes.
func trSet(s string) ([]byte, bool) {
	var out []byte
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "[:") {
			j := strings.Index(s[i:], ":]")
			if j < 0 {
				return nil, false
			}
			cls := s[i+2 : i+j]
			for b := 0; b < 128; b++ {
				if fnmatch.Class(cls, rune(b)) {
					out = append(out, byte(b))
				}
			}
			i += j + 2
			continue
		}
		if strings.HasPrefix(s[i:], "[=") || (s[i] == '[' && strings.Contains(s[i:], "*")) {
			return nil, false // [=c=], [c*n]: not followed
		}
		b, n := trChar(s[i:])
		i += n
		if i+1 < len(s) && s[i] == '-' {
			hi, m := trChar(s[i+1:])
			if hi < b {
				return nil, false
			}
			for c := int(b); c <= int(hi); c++ {
				out = append(out, byte(c))
			}
			i += 1 + m
			continue
		}
		out = append(out, b)
		if len(out) > 4096 {
			return nil, false
		}
	}
	return out, true
}

// trChar reads one character of a tr set, with its escape.
func trChar(s string) (byte, int) {
	if s[0] != '\\' || len(s) < 2 {
		return s[0], 1
	}
	switch c := s[1]; c {
	case 'n':
		return '\n', 2
	case 't':
		return '\t', 2
	case 'r':
		return '\r', 2
	case '\\':
		return '\\', 2
	case '0', '1', '2', '3', '4', '5', '6', '7':
		n, j := 0, 1
		for j < len(s) && j < 4 && s[j] >= '0' && s[j] <= '7' {
			n = n*8 + int(s[j]-'0')
			j++
		}
		return byte(n), j
	default:
		return c, 2
	}
}

// trOut applies `tr [-d] [-s] SET1 [SET2]` to text.
func trOut(args []xword, text string) (string, bool) {
	del, squeeze := false, false
	var sets []string
	for _, w := range args {
		v := w.Value
		if w.Dynamic {
			return "", false
		}
		if len(sets) == 0 && len(v) > 1 && v[0] == '-' {
			for _, f := range v[1:] {
				switch f {
				case 'd':
					del = true
				case 's':
					squeeze = true
				default:
					return "", false // -c and the rest: not followed
				}
			}
			continue
		}
		sets = append(sets, v)
	}
	if len(sets) == 0 || len(sets) > 2 {
		return "", false
	}
	s1, ok := trSet(sets[0])
	if !ok {
		return "", false
	}
	var s2 []byte
	if len(sets) == 2 {
		if s2, ok = trSet(sets[1]); !ok {
			return "", false
		}
	}
	var m [256]int16 // byte -> replacement, -1 delete, 0 unchanged (stored +1)
	in1 := [256]bool{}
	for _, b := range s1 {
		in1[b] = true
	}
	switch {
	case del:
		for _, b := range s1 {
			m[b] = -1
		}
	case len(s2) > 0:
		for i, b := range s1 {
			r := s2[len(s2)-1]
			if i < len(s2) {
				r = s2[i]
			}
			m[b] = int16(r) + 1
		}
	case !squeeze:
		return "", false // tr SET1 alone, without -d or -s
	}
	squeezeSet := in1
	if len(s2) > 0 {
		squeezeSet = [256]bool{}
		for _, b := range s2 {
			squeezeSet[b] = true
		}
	}
	var sb strings.Builder
	sb.Grow(len(text))
	last := -1
	for i := 0; i < len(text); i++ {
		b := text[i]
		switch {
		case m[b] == -1:
			continue
		case m[b] > 0:
			b = byte(m[b] - 1)
		}
		if squeeze && squeezeSet[b] && last == int(b) {
			continue
		}
		sb.WriteByte(b)
		last = int(b)
	}
	return sb.String(), true
}
