package guards

import (
	"regexp"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/dlclark/regexp2"
)

// RegexTimeout bounds one regexp2 match. Go's regexp (the default engine) is
// linear-time and needs no bound. regexp2 measures time with a clock that
// ticks every 100ms, so a scheduling stall of that order reads as a timeout;
// 200ms keeps such false timeouts rare while staying well inside the hook's
// evaluation deadline (which fails closed anyway). A variable so tests that
// compare two engines under fuzzing load can raise it.
var RegexTimeout = 200 * time.Millisecond

// limits is one evaluation's time budget (Action.CPUDeadline), shared by
// every pattern of an engine: regexp2 matches get at most what is left of
// it, long searches give up when it runs out. Whatever could not be decided
// in time counts against the call (a positive condition matches, a not_*
// condition does not excuse) and marks the evaluation incomplete.
type limits struct {
	deadline   time.Duration // process CPU time; zero: none
	incomplete bool          // a pattern timed out or the budget ran out

	// The ASCII-lower-cased form of the last long text searched (text
	// guards search the same one in turn).
	lowerOf  *byte
	lowerLen int
	lower    string
	runesOf  *byte
	runesLen int
	runes    []rune
}

// left is the time a pattern may take, and false when the budget is spent.
// Once something could not be decided the evaluation is incomplete and its
// verdict settled (limits.incomplete), so the rest is not worth waiting for.
func (l *limits) left() (time.Duration, bool) {
	if l != nil && l.incomplete {
		return 0, false
	}
	if l == nil || l.deadline == 0 {
		return RegexTimeout, true
	}
	d := l.deadline - cpuTime()
	return min(d, RegexTimeout), d > 0
}

// wallSinceStart is the monotonic time since the program started.
func wallSinceStart() time.Duration { return time.Since(programStart) }

var programStart = time.Now()

func (l *limits) timedOut() {
	if l != nil {
		l.incomplete = true
	}
}

// spent reports whether long searches should give up now.
func (l *limits) spent() bool {
	_, ok := l.left()
	return !ok
}

// lowerFor returns lowerASCII(s), once per text.
func (l *limits) lowerFor(s string) string {
	if l == nil {
		return lowerASCII(s)
	}
	if p := unsafe.StringData(s); p != l.lowerOf || len(s) != l.lowerLen {
		l.lowerOf, l.lowerLen, l.lower = p, len(s), lowerASCII(s)
	}
	return l.lower
}

// runesFor returns []rune(s), once per text (what regexp2 reads).
func (l *limits) runesFor(s string) []rune {
	if l == nil {
		return []rune(s)
	}
	if p := unsafe.StringData(s); p != l.runesOf || len(s) != l.runesLen {
		l.runesOf, l.runesLen, l.runes = p, len(s), []rune(s)
	}
	return l.runes
}

// outcome is what one search found.
type outcome uint8

const (
	noMatch outcome = iota
	matched
	undecided // timed out, out of budget, or a pattern that does not compile
)

// lazyRegex compiles on first use, so that a hook process pays only for the
// guards whose prefilter fired. Patterns were validated when the pack was
// built; a pattern that still fails to compile is undecided on every text,
// so a broken guard fails closed instead of silently never firing.
type lazyRegex struct {
	expr    string
	engine2 bool
	lits    litSet // required literals (lower-case): every group must have one present; "": always run
	lim     *limits
	once    sync.Once
	re      *regexp.Regexp
	re2     *regexp2.Regexp
	broken  bool
	accOnce sync.Once
	acc     *accel
}

func newLazy(re Regex, engine string, lits litSet, lim *limits) *lazyRegex {
	expr := string(re)
	if expr == "" {
		return nil
	}
	return &lazyRegex{expr: expr, engine2: engine == "regexp2", lits: lits, lim: lim}
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

// find returns the first match's byte offsets. What cannot be decided (a
// regexp2 timeout, the budget spent) counts as a match over the whole text
// (fail closed): input built to make a guard slow is itself suspicious.
func (l *lazyRegex) find(s string) (start, end int, ok bool) {
	start, end, o := l.search(s, "")
	return start, end, o != noMatch
}

// findLower is find for a text whose lower-cased form the caller has.
func (l *lazyRegex) findLower(s, lower string) (start, end int, ok bool) {
	start, end, o := l.search(s, lower)
	return start, end, o != noMatch
}

// search runs the pattern on s (lower: strings.ToLower(s), or "" to have it
// computed for the literal filter).
func (l *lazyRegex) search(s, lower string) (start, end int, o outcome) {
	if l.lits != "" {
		if lower == "" {
			lower = lowerASCIIFast(s)
		}
		if !l.lits.has(lower) {
			return 0, 0, noMatch // cannot match: no compile, no run
		}
	}
	l.once.Do(l.compile)
	if l.broken {
		return 0, len(s), undecided
	}
	if l.re != nil {
		return l.searchRE2(s)
	}
	timeout, ok := l.lim.left()
	if !ok {
		l.lim.timedOut()
		return 0, len(s), undecided
	}
	if len(s) >= accelMin {
		l.accOnce.Do(func() { l.acc = newAccel2(l.expr) })
		if l.acc.usable(s) {
			start, end, found, timedOut := l.acc.find2(s, l.lim.lowerFor(s), l.lim.runesFor(s), timeout, l.lim.spent)
			switch {
			case timedOut:
				l.lim.timedOut()
				return 0, len(s), undecided
			case found:
				return start, end, matched
			}
			return 0, 0, noMatch
		}
	}
	l.re2.MatchTimeout = timeout
	m, err := l.re2.FindStringMatch(s)
	if err != nil {
		l.lim.timedOut()
		return 0, len(s), undecided
	}
	if m == nil {
		return 0, 0, noMatch
	}
	// regexp2 indexes runes (an invalid byte counts as one rune).
	b0 := runeToByte(s, 0, m.Index)
	return b0, runeToByte(s, b0, m.Length), matched
}

// searchRE2 is search for a Go regexp: over a long text, the anchored search
// where the pattern allows it (it stops when the budget runs out), else the
// plain one (linear time, but not interruptible: refused once the budget is
// spent).
func (l *lazyRegex) searchRE2(s string) (start, end int, o outcome) {
	if len(s) >= accelMin {
		l.accOnce.Do(func() { l.acc = newAccel(l.expr) })
		if l.acc.usable(s) {
			start, end, found, timedOut := l.acc.find(s, l.lim.lowerFor(s), l.lim.spent)
			switch {
			case timedOut:
				l.lim.timedOut()
				return 0, len(s), undecided
			case found:
				return start, end, matched
			}
			return 0, 0, noMatch
		}
		if _, ok := l.lim.left(); !ok {
			l.lim.timedOut()
			return 0, len(s), undecided
		}
	}
	loc := l.re.FindStringIndex(s)
	if loc == nil {
		return 0, 0, noMatch
	}
	return loc[0], loc[1], matched
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

// match reports whether a positive condition holds: matched, or undecided
// (which counts against the call).
func (l *lazyRegex) match(s string) bool {
	_, _, ok := l.find(s)
	return ok
}

// excuses reports whether a not_* condition excuses s: only a match found
// for certain does; one that could not be decided does not.
func (l *lazyRegex) excuses(s string) bool {
	_, _, o := l.search(s, "")
	return o == matched
}

// excusesLower is excuses for a text whose lower-cased form the caller has.
func (l *lazyRegex) excusesLower(s, lower string) bool {
	_, _, o := l.search(s, lower)
	return o == matched
}
