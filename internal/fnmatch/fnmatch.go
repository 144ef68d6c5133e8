// Package fnmatch matches shell patterns against whole strings as the
// shell's pattern operators (case, [[ == ]], ${X#pat}, ${X/pat/rep}) and
// find's -name and -path do: fnmatch(3) without FNM_PATHNAME, so * and ?
// match "/" too. A bracket expression takes ranges, ! or ^ for negation,
// backslash escapes and the POSIX classes ([:alpha:], [:digit:] ...); a [
// with no closing ] is a literal. Shared by the shell analysis and the
// backup's reading of find.
package fnmatch

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Match reports whether pattern p matches all of s.
func Match(p, s string) bool {
	steps := math.MaxInt
	ok, _ := Within(p, s, &steps)
	return ok
}

// Within is Match on a budget: each step of the matcher takes one from
// *steps, and when it runs out (below zero) the match stops with out set
// and ok false. Patterns such as *a*a*a*a*b on a long value
// take time quadratic in its length; the budget bounds it.
func Within(p, s string, steps *int) (ok, out bool) {
	px, sx := 0, 0
	starP, starS := -1, -1
	for px < len(p) || sx < len(s) {
		if *steps--; *steps < 0 {
			return false, true
		}
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				if sx < len(s) {
					_, w := utf8.DecodeRuneInString(s[sx:])
					px, sx = px+1, sx+w
					continue
				}
			case '[':
				if n, ok, w := matchBracket(p[px:], s[sx:]); n > 0 {
					if ok {
						px, sx = px+n, sx+w
						continue
					}
				} else if sx < len(s) && s[sx] == '[' {
					px, sx = px+1, sx+1
					continue
				}
			case '\\':
				if px+1 < len(p) {
					if sx < len(s) && s[sx] == p[px+1] {
						px, sx = px+2, sx+1
						continue
					}
				} else if sx < len(s) && s[sx] == '\\' {
					px, sx = px+1, sx+1
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px, sx = px+1, sx+1
					continue
				}
			}
		}
		if starP >= 0 && starS < len(s) {
			starS++
			px, sx = starP+1, starS
			continue
		}
		return false, false
	}
	return true, false
}

// matchBracket matches the bracket expression at the start of p against
// the first character of s. n is the expression's length (0 when p has no
// closing bracket: '[' is then a literal), w the character's.
func matchBracket(p, s string) (n int, ok bool, w int) {
	i := 1
	neg := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		neg = true
		i++
	}
	if len(s) == 0 {
		// Find the end to report the length; nothing matches.
		for j := i + 1; j < len(p); j++ {
			if p[j] == ']' {
				return j + 1, false, 0
			}
		}
		return 0, false, 0
	}
	r, w := utf8.DecodeRuneInString(s)
	matched := false
	first := true
	for i < len(p) {
		if p[i] == ']' && !first {
			return i + 1, matched != neg, w
		}
		first = false
		if strings.HasPrefix(p[i:], "[:") {
			if j := strings.Index(p[i+2:], ":]"); j >= 0 {
				if Class(p[i+2:i+2+j], r) {
					matched = true
				}
				i += j + 4
				continue
			}
		}
		lo, lw := utf8.DecodeRuneInString(p[i:])
		if lo == '\\' && i+1 < len(p) {
			lo, lw = utf8.DecodeRuneInString(p[i+1:])
			lw++
		}
		i += lw
		hi := lo
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			var hw int
			hi, hw = utf8.DecodeRuneInString(p[i+1:])
			i += 1 + hw
		}
		if r >= lo && r <= hi {
			matched = true
		}
	}
	return 0, false, 0
}

// Class reports whether r is in the POSIX character class named class
// ("alpha", "digit", "space" ...; bash's "word" too). An unknown class
// has no members.
func Class(class string, r rune) bool {
	switch class {
	case "alpha":
		return unicode.IsLetter(r)
	case "digit":
		return r >= '0' && r <= '9'
	case "alnum":
		return unicode.IsLetter(r) || unicode.IsDigit(r)
	case "upper":
		return unicode.IsUpper(r)
	case "lower":
		return unicode.IsLower(r)
	case "space":
		return unicode.IsSpace(r)
	case "blank":
		return r == ' ' || r == '\t'
	case "punct":
		return unicode.IsPunct(r) || unicode.IsSymbol(r)
	case "xdigit":
		return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'
	case "word":
		return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	return false
}
