package guards

import "strings"

// RequiredLiterals2 is RequiredLiterals for a regexp2 pattern, which may use
// lookaround that Go's parser rejects. It rests on two facts: the body of a
// positive lookahead or lookbehind matches somewhere in any text the pattern
// matches, so each body is a necessary condition of its own; and removing
// negative lookarounds only widens what the rest matches. So it splits the
// pattern into those parts, derives literals for each with the RE2 parser,
// and requires every set it can derive (each part must hold). nil when no
// part yields one.
func RequiredLiterals2(expr string) [][]string {
	if !sameInBothEngines(expr) {
		return nil
	}
	flags := leadingFlags(expr)
	parts, ok := splitLookarounds(expr)
	if !ok {
		return nil
	}
	var groups [][]string
	for _, p := range parts {
		if lits := RequiredLiterals(flags + p); lits != nil && len(groups) < 4 {
			groups = append(groups, lits)
		}
	}
	return groups
}

// sameInBothEngines reports whether Go's parser reads the pattern the way
// regexp2 does, as far as literals go: every escape is one both engines
// treat alike, and there are no POSIX classes ([[:alpha:]]), .NET class
// subtraction ([a-z-[aeiou]]), atomic or Python-named groups, or quoting
// (\Q...\E), which regexp2 reads differently. Otherwise no literals are
// derived and the pattern simply always runs.
func sameInBothEngines(expr string) bool {
	const safe = `.-/\sSdDwWbB()[]{}|*+?^$ntr"':=@#,&~%!<>` + "`"
	if strings.Contains(expr, "[:") || strings.Contains(expr, "-[") || strings.Contains(expr, "(?P") || strings.Contains(expr, "(?>") {
		return false
	}
	for i := 0; i < len(expr); i++ {
		if expr[i] != '\\' {
			continue
		}
		if i+1 >= len(expr) || !strings.ContainsRune(safe, rune(expr[i+1])) {
			return false
		}
		i++
	}
	return true
}

// leadingFlags returns an inline flag group at the very start, like "(?i)",
// so that parts split out of the pattern keep it.
func leadingFlags(expr string) string {
	if !strings.HasPrefix(expr, "(?") || len(expr) < 4 {
		return ""
	}
	end := strings.IndexByte(expr, ')')
	if end < 0 {
		return ""
	}
	for _, r := range expr[2:end] {
		if !strings.ContainsRune("imsU-", r) {
			return ""
		}
	}
	return expr[:end+1]
}

// splitLookarounds returns the pattern with every lookaround removed, then
// the body of each positive lookaround that must hold for any match: one
// not inside an alternation or an optional group (in `(?:(?=A)|(?=B))`
// neither A nor B is required). ok is false when the pattern cannot be
// scanned (unbalanced groups).
func splitLookarounds(expr string) (parts []string, ok bool) {
	main, ok := withoutLookarounds(expr)
	if !ok {
		return nil, false
	}
	bodies, ok := requiredBodies(expr, true)
	if !ok {
		return nil, false
	}
	return append([]string{main}, bodies...), true
}

// withoutLookarounds removes every lookaround group: what remains matches
// at least every text the pattern matches.
func withoutLookarounds(expr string) (string, bool) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '\\':
			b.WriteByte(c)
			if i+1 < len(expr) {
				i++
				b.WriteByte(expr[i])
			}
			continue
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '(' && isLookaround(expr[i:]):
			end, found := matchParen(expr, i)
			if !found {
				return "", false
			}
			i = end
			continue
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// requiredBodies collects the bodies of the positive lookarounds in s that
// every match needs, descending into groups. required is false once an
// enclosing level has an alternation or is optional.
func requiredBodies(s string, required bool) ([]string, bool) {
	if hasTopLevelAlt(s) {
		required = false
	}
	if !required {
		return nil, true // nothing below can be required any more
	}
	var out []string
	inClass := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '(':
			end, found := matchParen(s, i)
			if !found {
				return nil, false
			}
			optional := optionalAfter(s, end+1)
			inner := s[i+1 : end]
			switch head := lookaroundHead(s[i:]); head {
			case "(?=", "(?<=":
				if !optional {
					body := s[i+len(head) : end]
					out = append(out, body)
					sub, ok := requiredBodies(body, true)
					if !ok {
						return nil, false
					}
					out = append(out, sub...)
				}
			case "(?!", "(?<!":
				// a negative condition requires nothing
			default:
				sub, ok := requiredBodies(groupContent(inner), !optional)
				if !ok {
					return nil, false
				}
				out = append(out, sub...)
			}
			i = end
		}
	}
	return out, true
}

// hasTopLevelAlt reports a '|' at the top level of s.
func hasTopLevelAlt(s string) bool {
	depth := 0
	inClass := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '|' && depth == 0:
			return true
		}
	}
	return false
}

// optionalAfter reports a quantifier at s[i] that allows zero repetitions.
func optionalAfter(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	switch s[i] {
	case '?', '*':
		return true
	case '{':
		return strings.HasPrefix(s[i:], "{0") || strings.HasPrefix(s[i:], "{,")
	}
	return false
}

// groupContent strips a group's "?:", "?i:", "?<name>" or "?P<name>" head.
func groupContent(inner string) string {
	if !strings.HasPrefix(inner, "?") {
		return inner
	}
	if strings.HasPrefix(inner, "?<") || strings.HasPrefix(inner, "?P<") || strings.HasPrefix(inner, "?'") {
		if j := strings.IndexAny(inner, ">'"); j > 0 {
			return inner[j+1:]
		}
		return inner
	}
	if j := strings.IndexByte(inner, ':'); j > 0 {
		return inner[j+1:]
	}
	return "" // a bare flag group like (?i): no content
}

func isLookaround(s string) bool { return lookaroundHead(s) != "" }

func lookaroundHead(s string) string {
	for _, h := range []string{"(?<=", "(?<!", "(?=", "(?!"} {
		if strings.HasPrefix(s, h) {
			return h
		}
	}
	return ""
}

// matchParen returns the index of the ')' closing the group opened at
// expr[open], skipping escapes and character classes.
func matchParen(expr string, open int) (int, bool) {
	depth := 0
	inClass := false
	for i := open; i < len(expr); i++ {
		switch c := expr[i]; {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i, true
			}
		}
	}
	return 0, false
}
