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
	last, ok := 0, true
	walk(expr, 0, func(i int) int {
		if expr[i] != '(' || !isLookaround(expr[i:]) {
			return i + 1
		}
		end, found := matchParen(expr, i)
		if !found {
			ok = false
			return len(expr)
		}
		b.WriteString(expr[last:i])
		last = end + 1
		return end + 1
	})
	b.WriteString(expr[min(last, len(expr)):])
	return b.String(), ok
}

// requiredBodies collects the bodies of the positive lookarounds in s that
// every match needs, descending into groups. required is false once an
// enclosing level has an alternation or is optional.
func requiredBodies(s string, required bool) ([]string, bool) {
	if !required || hasTopLevelAlt(s) {
		return nil, true // nothing below can be required
	}
	var out []string
	ok := true
	walk(s, 0, func(i int) int {
		if s[i] != '(' {
			return i + 1
		}
		end, found := matchParen(s, i)
		if !found {
			ok = false
			return len(s)
		}
		optional := optionalAfter(s, end+1)
		var sub []string
		switch head := lookaroundHead(s[i:]); head {
		case "(?=", "(?<=":
			if !optional {
				body := s[i+len(head) : end]
				out = append(out, body)
				sub, ok = requiredBodies(body, true)
			}
		case "(?!", "(?<!":
			// a negative condition requires nothing
		default:
			sub, ok = requiredBodies(groupContent(s[i+1:end]), !optional)
		}
		out = append(out, sub...)
		if !ok {
			return len(s)
		}
		return end + 1
	})
	return out, ok
}

// hasTopLevelAlt reports a '|' at the top level of s.
func hasTopLevelAlt(s string) bool {
	depth, found := 0, false
	walk(s, 0, func(i int) int {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case '|':
			if depth == 0 {
				found = true
				return len(s)
			}
		}
		return i + 1
	})
	return found
}

// walk calls visit for each index of s from `from` on that is neither inside
// an escape (\x) nor inside a character class ([...]), and continues at the
// index visit returns.
func walk(s string, from int, visit func(i int) int) {
	for i := from; i < len(s); {
		switch s[i] {
		case '\\':
			i += 2
		case '[':
			i = classEnd(s, i) + 1
		default:
			i = visit(i)
		}
	}
}

// classEnd returns the index of the ']' closing the class opened at s[i]
// (a ']' right after "[" or "[^" is a member), or len(s) when it is open.
func classEnd(s string, i int) int {
	j := i + 1
	if j < len(s) && s[j] == '^' {
		j++
	}
	if j < len(s) && s[j] == ']' {
		j++
	}
	for ; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case ']':
			return j
		}
	}
	return len(s)
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
	depth, at := 0, -1
	walk(expr, open, func(i int) int {
		switch expr[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				at = i
				return len(expr)
			}
		}
		return i + 1
	})
	return at, at >= 0
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
