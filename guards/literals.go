package guards

import (
	"regexp/syntax"
	"sort"
	"strings"
)

// maxLiterals bounds a required-literal set; a larger alternation is left
// without a prefilter rather than made slow to check.
const maxLiterals = 64

// RequiredLiterals returns strings, lower-cased, at least one of which occurs
// in the lower-cased form of any text the Go (RE2) regex expr matches; nil when
// no such set can be derived (then the regex must always run). Computed when a
// pack is built, it lets the engine skip compiling and running a guard's
// regexes for texts that cannot match, which is most of them.
//
// It is conservative by construction: a concatenation requires what any one
// of its parts requires, an alternation requires one of what each branch
// requires, and anything that can match without a literal (classes, stars,
// optional parts) requires nothing.
func RequiredLiterals(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil // not RE2 syntax (a regexp2 pattern): no prefilter
	}
	lits := required(re.Simplify())
	if len(lits) == 0 || shortest(lits) < 2 {
		return nil // nothing, or a literal too common to filter on ("-")
	}
	return minimal(dedupe(append([]string(nil), lits...)))
}

// minimal drops members that contain another member: a text containing
// " --force " contains "--force", so the shorter one alone says as much.
func minimal(set []string) []string {
	var out []string
	for i, x := range set {
		redundant := false
		for j, y := range set {
			if i != j && len(y) < len(x) && strings.Contains(x, y) {
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, x)
		}
	}
	return out
}

func required(re *syntax.Regexp) []string {
	ex := exact(re)
	if ex != nil && len(ex) <= 8 {
		return ex
	}
	// A large exact language (every name of a list) makes a poor filter and
	// overflows unions: look for a smaller requirement in its structure, and
	// keep the exact set only when there is none.
	if r := requiredStructure(re); r != nil {
		return r
	}
	return ex
}

func requiredStructure(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		// Runs of parts with an exact finite language combine into one set
		// (their cross product: "(^| )--force" gives "--force", " --force");
		// any run's or part's requirement holds for the whole, so take the
		// most selective: the set whose shortest literal is longest.
		// A big set (every name in a list) is scored low, so that a short
		// common prefix ("~/bin/", "~/.local/bin/") is preferred to it:
		// unions of big sets overflow maxLiterals and lose the filter.
		var best []string
		bestScore := -1
		consider := func(set []string) {
			if set == nil {
				return
			}
			score := shortest(set)
			if len(set) > 8 {
				score = min(score, 3)
			}
			if score > bestScore {
				best, bestScore = set, score
			}
		}
		var run []string
		for _, sub := range re.Sub {
			if ex := exact(sub); ex != nil {
				if run == nil {
					run = ex
				} else if run = cross(run, ex); run == nil {
					run = ex // too many combinations: start a new run here
				}
				consider(run)
				continue
			}
			run = nil
			consider(required(sub))
		}
		return best
	case syntax.OpAlternate:
		// A union of requirements may drop members implied by others
		// (" db:drop" by "db:drop"): unlike an exact language, a required
		// set stays valid when a member is replaced by a part of it.
		var out []string
		for _, sub := range re.Sub {
			s := required(sub)
			if s == nil {
				return nil
			}
			out = minimal(dedupe(append(out, s...)))
			if len(out) > maxLiterals {
				return nil
			}
		}
		return out
	}
	return nil
}

// exact returns the finite set of strings re matches, lower-cased, when it
// is small; zero-width assertions (^, $, \b) count as the empty string, which
// is conservative for "the text contains one of these". nil: not finite or
// too large.
func exact(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}
	case syntax.OpCapture:
		return exact(re.Sub[0])
	case syntax.OpQuest:
		if ex := exact(re.Sub[0]); ex != nil {
			return append([]string{""}, ex...)
		}
	case syntax.OpCharClass:
		// A small class of letters ([sS], [46]) is a few one-rune strings.
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				out = append(out, strings.ToLower(string(r)))
				if len(out) > 8 {
					return nil
				}
			}
		}
		return dedupe(out)
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			ex := exact(sub)
			if ex == nil {
				return nil
			}
			out = append(out, ex...)
			if len(out) > maxLiterals {
				return nil
			}
		}
		return dedupe(out)
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			ex := exact(sub)
			if ex == nil {
				return nil
			}
			if out = cross(out, ex); out == nil {
				return nil
			}
		}
		return out
	}
	return nil
}

// cross is every a+b, or nil when that would be more than maxLiterals.
func cross(a, b []string) []string {
	if len(a)*len(b) > maxLiterals {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return dedupe(out)
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func shortest(s []string) int {
	n := -1
	for _, l := range s {
		if n < 0 || len(l) < n {
			n = len(l)
		}
	}
	return n
}

// containsAnyLower reports whether lower (already lower-cased) contains one
// of lits.
func containsAnyLower(lower string, lits []string) bool {
	for _, l := range lits {
		if strings.Contains(lower, l) {
			return true
		}
	}
	return false
}

// lowerASCIIFast lower-cases s, returning s itself when it has no upper-case
// letters (the common case for paths and commands), so no allocation.
func lowerASCIIFast(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}
