// Package escape decodes backslash escapes, shared by the shell analysis
// ($'...', echo -e, printf) and the interpreter scanner (string literals).
package escape

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Backslash decodes backslash escapes as bash does in $'...': \n \t \r
// \a \b \e \f \v \\ \' \" \?, \xHH, \uHHHH, \UHHHHHHHH and octal \NNN.
// Unknown escapes are kept as written.
func Backslash(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch != '\\' || i+1 >= len(s) {
			sb.WriteByte(ch)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			sb.WriteByte('\n')
		case 't':
			sb.WriteByte('\t')
		case 'r':
			sb.WriteByte('\r')
		case 'a':
			sb.WriteByte(7)
		case 'b':
			sb.WriteByte(8)
		case 'e', 'E':
			sb.WriteByte(27)
		case 'f':
			sb.WriteByte('\f')
		case 'v':
			sb.WriteByte('\v')
		case '\\', '\'', '"', '?':
			sb.WriteByte(s[i])
		case 'x':
			j := i + 1
			for j < len(s) && j < i+3 && IsHex(s[j]) {
				j++
			}
			if j > i+1 {
				n, _ := strconv.ParseUint(s[i+1:j], 16, 8)
				sb.WriteByte(byte(n))
				i = j - 1
			} else {
				sb.WriteString("\\x")
			}
		case 'u', 'U':
			max := 4
			if s[i] == 'U' {
				max = 8
			}
			j := i + 1
			for j < len(s) && j < i+1+max && IsHex(s[j]) {
				j++
			}
			if j > i+1 {
				n, _ := strconv.ParseUint(s[i+1:j], 16, 32)
				if n <= utf8.MaxRune {
					sb.WriteRune(rune(n))
				}
				i = j - 1
			} else {
				sb.WriteByte('\\')
				sb.WriteByte(s[i])
			}
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint(s[i:j], 8, 16)
			sb.WriteByte(byte(n))
			i = j - 1
		default:
			sb.WriteByte('\\')
			sb.WriteByte(s[i])
		}
	}
	return sb.String()
}

// IsHex reports whether b is a hexadecimal digit.
func IsHex(b byte) bool {
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F')
}
