package guards

import (
	"regexp"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// RegexTimeout bounds one regexp2 match. Go's regexp (the default engine) is
// linear-time and needs no bound. regexp2 measures time with a clock that
// ticks every 100ms, so a scheduling stall of that order reads as a timeout;
// 200ms keeps such false timeouts rare while staying well inside the hook's
// evaluation deadline (which fails closed anyway). A variable so tests that
// compare two engines under fuzzing load can raise it.
var RegexTimeout = 200 * time.Millisecond

// lazyRegex compiles on first use, so that a hook process pays only for the
// guards whose prefilter fired. Patterns were validated when the pack was
// built; a pattern that still fails to compile matches everything, so a
// broken guard fails closed instead of silently never firing.
type lazyRegex struct {
	expr    string
	engine2 bool
	lits    litSet // required literals (lower-case): every group must have one present; "": always run
	once    sync.Once
	re      *regexp.Regexp
	re2     *regexp2.Regexp
	broken  bool
}

func newLazy(re Regex, engine string, lits litSet) *lazyRegex {
	expr := string(re)
	if expr == "" {
		return nil
	}
	return &lazyRegex{expr: expr, engine2: engine == "regexp2", lits: lits}
}

func (l *lazyRegex) compile() {
	var err error
	if l.engine2 {
		l.re2, err = regexp2.Compile(l.expr, regexp2.RE2)
		if l.re2 != nil {
			l.re2.MatchTimeout = RegexTimeout
		}
	} else {
		l.re, err = regexp.Compile(l.expr)
	}
	l.broken = err != nil
}

// find returns the first match's byte offsets. A regexp2 timeout counts as a
// match (fail closed): input built to make a guard slow is itself suspicious.
func (l *lazyRegex) find(s string) (start, end int, ok bool) {
	if l.lits != "" && !l.lits.has(lowerASCIIFast(s)) {
		return 0, 0, false // cannot match: no compile, no run
	}
	return l.findNoFilter(s)
}

// findLower is find for a text whose lower-cased form the caller has.
func (l *lazyRegex) findLower(s, lower string) (start, end int, ok bool) {
	if l.lits != "" && !l.lits.has(lower) {
		return 0, 0, false
	}
	return l.findNoFilter(s)
}

func (l *lazyRegex) findNoFilter(s string) (start, end int, ok bool) {
	l.once.Do(l.compile)
	switch {
	case l.broken:
		return 0, 0, true
	case l.re != nil:
		loc := l.re.FindStringIndex(s)
		if loc == nil {
			return 0, 0, false
		}
		return loc[0], loc[1], true
	default:
		m, err := l.re2.FindStringMatch(s)
		if err != nil {
			return 0, len(s), true
		}
		if m == nil {
			return 0, 0, false
		}
		// regexp2 indexes runes (an invalid byte counts as one rune).
		b0 := runeToByte(s, 0, m.Index)
		return b0, runeToByte(s, b0, m.Length), true
	}
}

// hasLiterals reports whether lower has, for every group, one of its
// strings.
func hasLiterals(lower string, groups [][]string) bool {
	for _, g := range groups {
		if !containsAnyLower(lower, g) {
			return false
		}
	}
	return true
}

// runeToByte returns the byte offset reached by advancing n runes from byte
// offset from, decoding the way []rune(s) does: an invalid byte is one rune.
// Converting through []rune would not do: each invalid byte becomes a 3-byte
// U+FFFD there, and the offsets would run past the string.
func runeToByte(s string, from, n int) int {
	i := from
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// matchLower is match for a text whose lower-cased form the caller has.
func (l *lazyRegex) matchLower(s, lower string) bool {
	_, _, ok := l.findLower(s, lower)
	return ok
}

func (l *lazyRegex) match(s string) bool {
	_, _, ok := l.find(s)
	return ok
}
