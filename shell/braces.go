package shell

import (
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// maxBraceWords caps the words one brace expansion produces; a larger
// expansion is not done (the word stays one word, marked Glob).
const maxBraceWords = 64

// braceWord reports whether w is made only of unquoted literal text with
// no backslash escapes, so that its resolved value can be brace-expanded
// as written.
func braceWord(w *syntax.Word) bool {
	if w == nil || len(w.Parts) == 0 {
		return false
	}
	for _, p := range w.Parts {
		l, ok := p.(*syntax.Lit)
		if !ok || strings.IndexByte(l.Value, '\\') >= 0 {
			return false
		}
	}
	return true
}

// expandBraces returns the brace expansion of s (`a{b,c}d` -> abd acd,
// `{1..3}` -> 1 2 3, `{a..c}`), or nil when s has no expandable braces or
// the expansion would give more than maxBraceWords words.
func expandBraces(s string) []string {
	out, ok := braceExp(s, 0)
	if !ok || len(out) < 2 {
		return nil
	}
	return out
}

func braceExp(s string, depth int) ([]string, bool) {
	if depth > 8 {
		return []string{s}, true
	}
	// Find the first '{' that has a matching '}' with a top-level comma or
	// a sequence inside.
	for i := 0; i < len(s); i++ {
		if s[i] != '{' {
			continue
		}
		level, commas := 0, []int(nil)
		end := -1
		for j := i + 1; j < len(s) && end < 0; j++ {
			switch s[j] {
			case '{':
				level++
			case '}':
				if level == 0 {
					end = j
				} else {
					level--
				}
			case ',':
				if level == 0 {
					commas = append(commas, j)
				}
			}
		}
		if end < 0 {
			return []string{s}, true
		}
		pre, body, post := s[:i], s[i+1:end], s[end+1:]
		var alts []string
		if len(commas) > 0 {
			start := i + 1
			for _, c := range commas {
				alts = append(alts, s[start:c])
				start = c + 1
			}
			alts = append(alts, s[start:end])
		} else if seq, ok := braceSeq(body); ok {
			if seq == nil {
				return nil, false
			}
			alts = seq
		} else {
			// Not an expansion ({x} is literal): look for a later one.
			rest, ok := braceExp(post, depth+1)
			if !ok {
				return nil, false
			}
			out := make([]string, len(rest))
			for k, r := range rest {
				out[k] = s[:end+1] + r
			}
			return out, true
		}
		tails, ok := braceExp(post, depth+1)
		if !ok {
			return nil, false
		}
		var out []string
		for _, a := range alts {
			heads, ok := braceExp(pre+a, depth+1)
			if !ok {
				return nil, false
			}
			for _, h := range heads {
				for _, t := range tails {
					if len(out) >= maxBraceWords {
						return nil, false
					}
					out = append(out, h+t)
				}
			}
		}
		return out, true
	}
	return []string{s}, true
}

// braceSeq expands a sequence body "1..5", "a..e", "0..10..2". ok is false
// when body is not a sequence; the result is nil when it is one but too
// long (or uses zero padding, not handled).
func braceSeq(body string) ([]string, bool) {
	parts := strings.Split(body, "..")
	if len(parts) != 2 && len(parts) != 3 {
		return nil, false
	}
	step := 1
	if len(parts) == 3 {
		n, err := strconv.Atoi(parts[2])
		if err != nil {
			return nil, false
		}
		if n < 0 {
			n = -n
		}
		if n == 0 {
			n = 1
		}
		step = n
	}
	a, errA := strconv.Atoi(parts[0])
	b, errB := strconv.Atoi(parts[1])
	if errA == nil && errB == nil {
		if hasPad(parts[0]) || hasPad(parts[1]) {
			return nil, true
		}
		if a < -1<<20 || a > 1<<20 || b < -1<<20 || b > 1<<20 {
			return nil, true
		}
		n := (abs(b-a))/step + 1
		if n > maxBraceWords {
			return nil, true
		}
		out := make([]string, 0, n)
		for k := 0; k < n; k++ {
			v := a + k*step
			if b < a {
				v = a - k*step
			}
			out = append(out, strconv.Itoa(v))
		}
		return out, true
	}
	if len(parts[0]) == 1 && len(parts[1]) == 1 && isLetter(parts[0][0]) && isLetter(parts[1][0]) {
		x, y := int(parts[0][0]), int(parts[1][0])
		n := abs(y-x)/step + 1
		if n > maxBraceWords {
			return nil, true
		}
		out := make([]string, 0, n)
		for k := 0; k < n; k++ {
			v := x + k*step
			if y < x {
				v = x - k*step
			}
			out = append(out, string(rune(v)))
		}
		return out, true
	}
	return nil, false
}

func hasPad(s string) bool {
	s = strings.TrimPrefix(s, "-")
	return len(s) > 1 && s[0] == '0'
}

func isLetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// hasGlobChars reports whether an expanded literal word has glob characters.
func hasGlobChars(v string) bool {
	return strings.ContainsAny(v, "*?") || isBracketGlob(v)
}
