package guards

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// A Go regexp runs over text at a few MB/s when it has no literal prefix to
// skip ahead with (any case-insensitive pattern), so a guard over a tool's
// multi-megabyte output would take seconds. For a long text, a pattern whose
// every match starts with one of a few literals ("(?i)\b(?:ignore|disregard)
// ...", "<!--") is instead tried anchored only where one of them occurs, in
// order: the first success is the leftmost match, exactly as the whole-text
// search would find it, at a cost that grows with the occurrences.

// accelMin is the text length from which the anchored search is used; below
// it the plain search is fast enough. A variable for tests.
var accelMin = 32 << 10

// maxPrefixes bounds a pattern's set of starting literals.
const maxPrefixes = 64

// prefixLit is a literal every match of some pattern may start with.
type prefixLit struct {
	s    string // lower-cased when fold
	fold bool   // case-insensitive (ASCII only: see accel.usable)
}

// accel is a pattern's anchored search, built on first use over a long
// text; nil prefixes: the pattern has none (it always runs plainly).
type accel struct {
	prefixes  []prefixLit
	head, ctx *regexp.Regexp  // anchored at the text's start; after one context rune
	re2       *regexp2.Regexp // a regexp2 pattern anchored (\G) where a search starts
	foldsKS   bool            // a folded prefix holds k or s, which Unicode folds to non-ASCII runes too

	indexOnce sync.Once
	pairs     [2]pairSet // first two bytes of the exact and the folded prefixes
	single    [2]byteSet // one-byte prefixes (for the last byte of a text)
}

// byteSet is a set of bytes.
type byteSet [4]uint64

func (b *byteSet) add(c byte)      { b[c>>6] |= 1 << (c & 63) }
func (b *byteSet) has(c byte) bool { return b[c>>6]&(1<<(c&63)) != 0 }

func newAccel(expr string) *accel {
	a := &accel{prefixes: startsOf(expr)}
	if a.prefixes == nil {
		return a
	}
	a.head = regexp.MustCompile(`^(` + expr + `)`)
	a.ctx = regexp.MustCompile(`^(?s:.)(` + expr + `)`)
	a.setFolds()
	return a
}

// newAccel2 is newAccel for a regexp2 pattern: its starts are those of the
// pattern without its lookarounds (zero-width: they move no start), read by
// Go's parser where both engines read it alike; each start is tried with the
// pattern anchored there (\G) on the whole text, so lookbehinds see their
// real context.
func newAccel2(expr string) *accel {
	if !sameInBothEngines(expr) {
		return &accel{}
	}
	stripped, ok := withoutLookarounds(expr)
	if !ok {
		return &accel{}
	}
	a := &accel{prefixes: startsOf(stripped)}
	if a.prefixes == nil {
		return a
	}
	re, err := regexp2.Compile(`\G(?:`+expr+`)`, regexp2.RE2)
	if err != nil {
		return &accel{}
	}
	a.re2 = re
	a.setFolds()
	return a
}

// startsOf is the literals a match of the Go pattern expr starts with, nil
// when there is no such set.
func startsOf(expr string) []prefixLit {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	lits, ok := prefixesOf(re.Simplify())
	if !ok || len(lits) == 0 || len(lits) > maxPrefixes {
		return nil
	}
	for _, l := range lits {
		// A start at every space or letter is slower than the plain search.
		if c := l.s[0]; len(l.s) == 1 && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return nil
		}
	}
	return dedupePrefixes(lits)
}

func (a *accel) setFolds() {
	for _, p := range a.prefixes {
		if p.fold && strings.ContainsAny(p.s, "ks") {
			a.foldsKS = true
		}
	}
}

// usable reports whether the anchored search is exact for s: a folded
// prefix is searched for in ASCII, which misses the Kelvin sign and the
// long s that (?i)k and (?i)s also match.
func (a *accel) usable(s string) bool {
	return a.prefixes != nil && !(a.foldsKS && (strings.Contains(s, "\u212a") || strings.Contains(s, "\u017f")))
}

// find returns the leftmost match of the pattern in s; lower is s with ASCII
// letters lower-cased (same length). When spent says so it gives up,
// reporting timedOut.
func (a *accel) find(s, lower string, spent func() bool) (start, end int, found, timedOut bool) {
	at := a.starts(s, lower)
	for k, p := range at {
		if k&255 == 255 && spent() {
			return 0, 0, false, true
		}
		if e, ok := a.matchAt(s, p); ok {
			return p, e, true, false
		}
	}
	return 0, 0, false, false
}

// find2 is find for a regexp2 pattern. runes is []rune(s) (regexp2 reads
// runes); timeout bounds each attempt, and one that times out ends the
// search (timedOut).
func (a *accel) find2(s, lower string, runes []rune, timeout time.Duration, spent func() bool) (start, end int, found, timedOut bool) {
	a.re2.MatchTimeout = timeout
	ri, last := 0, 0 // rune index of byte offset last
	for k, p := range a.starts(s, lower) {
		if k&63 == 63 && spent() {
			return 0, 0, false, true
		}
		ri += utf8.RuneCountInString(s[last:p])
		last = p
		m, err := a.re2.FindRunesMatchStartingAt(runes, ri)
		if err != nil {
			return 0, 0, false, true
		}
		if m != nil && m.Index == ri {
			return p, runeToByte(s, p, m.Length), true, false
		}
	}
	return 0, 0, false, false
}

// starts is every offset of s where one of the prefixes occurs, in order:
// one pass, a table of the prefixes' first two bytes rejecting almost every
// offset before any prefix is compared.
func (a *accel) starts(s, lower string) []int {
	a.indexOnce.Do(a.index)
	var at []int
	for i := 0; i < len(s); i++ {
		c0, l0 := s[i], lower[i]
		var c1, l1 byte // past the end: only one-byte prefixes can start here
		if i+1 < len(s) {
			c1, l1 = s[i+1], lower[i+1]
		}
		exact := a.pairs[0].has(c0, c1) || i+1 == len(s) && a.single[0].has(c0)
		fold := a.pairs[1].has(l0, l1) || i+1 == len(s) && a.single[1].has(l0)
		if !exact && !fold {
			continue
		}
		for _, p := range a.prefixes {
			hay := s
			if p.fold {
				hay = lower
			}
			if strings.HasPrefix(hay[i:], p.s) {
				at = append(at, i)
				break
			}
		}
	}
	return at
}

// pairSet is a set of byte pairs.
type pairSet [1024]uint64

func (p *pairSet) add(a, b byte) { k := int(a)<<8 | int(b); p[k>>6] |= 1 << (k & 63) }
func (p *pairSet) has(a, b byte) bool {
	k := int(a)<<8 | int(b)
	return p[k>>6]&(1<<(k&63)) != 0
}

// index builds the pair tables: [0] for exact prefixes, [1] for folded ones
// (lower-cased). A one-byte prefix takes every pair it starts.
func (a *accel) index() {
	for _, p := range a.prefixes {
		k := 0
		if p.fold {
			k = 1
		}
		if len(p.s) >= 2 {
			a.pairs[k].add(p.s[0], p.s[1])
			continue
		}
		a.single[k].add(p.s[0])
		for c := 0; c < 256; c++ {
			a.pairs[k].add(p.s[0], byte(c))
		}
	}
}

// matchAt returns the end of the pattern's match that starts at byte p. The
// anchored form is given the rune before p as context, so that \b, ^ and
// classes at the start judge it as a search of the whole text would.
func (a *accel) matchAt(s string, p int) (end int, ok bool) {
	var m []int
	base := 0
	if p == 0 {
		m = a.head.FindStringSubmatchIndex(s)
	} else {
		_, size := utf8.DecodeLastRuneInString(s[:p])
		base = p - size
		m = a.ctx.FindStringSubmatchIndex(s[base:])
	}
	if m == nil || base+m[2] != p {
		return 0, false
	}
	return base + m[3], true
}

// prefixesOf returns literals one of which every match of re starts with
// (after zero-width assertions, which the anchored attempt judges in
// context), or false when a match could start otherwise. A superset of the
// real starts is fine (each is tried); a missing one is not.
func prefixesOf(re *syntax.Regexp) ([]prefixLit, bool) {
	lits, _, ok := prefixes(re)
	return lits, ok
}

// prefixes is prefixesOf, also reporting whether each literal is a whole
// match of re (so that what follows re in a concatenation extends it).
func prefixes(re *syntax.Regexp) (lits []prefixLit, whole, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		l, ok := literalPrefix(re.Rune, re.Flags&syntax.FoldCase != 0)
		return l, ok, ok
	case syntax.OpCharClass:
		// A small class of ASCII characters: each one a prefix.
		// A range of multi-byte runes: the bytes their encodings share.
		var out []prefixLit
		whole := true
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if lo >= utf8.RuneSelf {
				p := commonUTF8Prefix(lo, hi)
				if p == "" {
					return nil, false, false
				}
				out, whole = append(out, prefixLit{s: p}), false
				continue
			}
			if hi >= utf8.RuneSelf || hi-lo > 8 || len(out) > 8 {
				return nil, false, false
			}
			for r := lo; r <= hi; r++ {
				out = append(out, prefixLit{s: string(r)})
			}
		}
		return out, whole, len(out) > 0
	case syntax.OpCapture:
		return prefixes(re.Sub[0])
	case syntax.OpPlus:
		l, _, ok := prefixes(re.Sub[0])
		return l, false, ok
	case syntax.OpRepeat:
		if re.Min == 0 {
			return nil, false, false
		}
		l, _, ok := prefixes(re.Sub[0])
		return l, false, ok
	case syntax.OpAlternate:
		var out []prefixLit
		whole := true
		for _, sub := range re.Sub {
			l, w, ok := prefixes(sub)
			if !ok {
				return nil, false, false
			}
			out, whole = append(out, l...), whole && w
			if len(out) > maxPrefixes {
				return nil, false, false
			}
		}
		return out, whole, true
	case syntax.OpConcat:
		lits, whole, ok := concatPrefixes(re.Sub)
		if ok && shortestPrefix(lits) == 0 {
			return nil, false, false // a match can start anywhere
		}
		return lits, whole, ok
	}
	return nil, false, false
}

// commonUTF8Prefix is the bytes the UTF-8 encodings of every rune from lo
// to hi start with ("" when their lengths differ or nothing is shared).
func commonUTF8Prefix(lo, hi rune) string {
	a, b := string(lo), string(hi)
	if len(a) != len(b) || !utf8.ValidString(a) || !utf8.ValidString(b) {
		return ""
	}
	n := 0
	for n < len(a) && a[n] == b[n] {
		n++
	}
	return a[:n]
}

func shortestPrefix(lits []prefixLit) int {
	n := -1
	for _, l := range lits {
		if n < 0 || len(l.s) < n {
			n = len(l.s)
		}
	}
	return n
}

// startsWithLiteral reports whether the first part that consumes text is
// literals only.
func startsWithLiteral(parts []*syntax.Regexp) bool {
	for _, p := range parts {
		switch p.Op {
		case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
			continue
		}
		return literalOnly(p)
	}
	return false
}

// literalOnly reports whether re is literals only (an alternation of them).
func literalOnly(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return true
	case syntax.OpCapture, syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !literalOnly(sub) {
				return false
			}
		}
		return true
	}
	return false
}

// concatPrefixes is prefixes for a concatenation. Zero-width assertions are
// judged by the anchored attempt. An optional part gives the starts of both
// ways (taken, left out); a part that is only literals extends the
// prefixes, and so does a small class while they are shorter than three
// bytes. "" among the result means the rest can match empty.
func concatPrefixes(parts []*syntax.Regexp) (lits []prefixLit, whole, ok bool) {
	for len(parts) > 0 {
		switch parts[0].Op {
		case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpEmptyMatch:
			parts = parts[1:]
			continue
		}
		break
	}
	if len(parts) == 0 {
		return []prefixLit{{}}, true, true
	}
	first, rest := parts[0], parts[1:]
	switch {
	case first.Op == syntax.OpQuest:
		taken, tw, ok1 := concatPrefixes(append([]*syntax.Regexp{first.Sub[0]}, rest...))
		skipped, sw, ok2 := concatPrefixes(rest)
		if ok1 && ok2 && len(taken)+len(skipped) > maxPrefixes {
			// Too many once extended: the optional part's own starts.
			taken, tw, ok1 = prefixes(first.Sub[0])
			tw = false
		}
		if !ok1 || !ok2 || len(taken)+len(skipped) > maxPrefixes {
			return nil, false, false
		}
		return append(taken, skipped...), tw && sw, true
	case first.Op == syntax.OpStar || first.Op == syntax.OpRepeat && first.Min == 0:
		taken, _, ok1 := prefixes(first.Sub[0])
		skipped, _, ok2 := concatPrefixes(rest)
		if !ok1 || !ok2 || len(taken)+len(skipped) > maxPrefixes {
			return nil, false, false
		}
		return append(taken, skipped...), false, true
	}
	l, w, ok := prefixes(first)
	if !ok {
		return nil, false, false
	}
	if !w || len(rest) == 0 {
		return l, w, true
	}
	if shortestPrefix(l) >= 3 && !startsWithLiteral(rest) {
		return l, false, true // long enough: a class would only multiply the searches
	}
	more, mw, ok := concatPrefixes(rest)
	if !ok {
		return l, false, true
	}
	longer := crossPrefixes(l, more)
	if longer == nil {
		return l, false, true
	}
	return longer, mw, true
}

// crossPrefixes is every a followed by every b; a case-folded part makes the
// whole one folded (lower-cased: a superset of the exact starts), nil past
// maxPrefixes.
func crossPrefixes(a, b []prefixLit) []prefixLit {
	if len(a)*len(b) > maxPrefixes {
		return nil
	}
	var out []prefixLit
	for _, x := range a {
		for _, y := range b {
			if x.fold || y.fold {
				out = append(out, prefixLit{s: lowerASCII(x.s) + lowerASCII(y.s), fold: true})
			} else {
				out = append(out, prefixLit{s: x.s + y.s})
			}
		}
	}
	return out
}

// literalPrefix is a literal as a prefix: case-folded only over ASCII
// letters (other runes that fold would need a search the ASCII-lowered text
// cannot do).
func literalPrefix(runes []rune, fold bool) ([]prefixLit, bool) {
	if len(runes) == 0 {
		return nil, false
	}
	var b strings.Builder
	for _, r := range runes {
		if fold {
			if r >= utf8.RuneSelf && unicode.SimpleFold(r) != r {
				return nil, false
			}
			r = unicode.ToLower(r)
			if r >= utf8.RuneSelf {
				return nil, false
			}
		}
		b.WriteRune(r)
	}
	return []prefixLit{{s: b.String(), fold: fold}}, true
}

// dedupePrefixes drops repeated prefixes and those another one is a prefix
// of (every occurrence of "forget everything" is one of "forget").
func dedupePrefixes(lits []prefixLit) []prefixLit {
	var out []prefixLit
	for i, x := range lits {
		redundant := false
		for j, y := range lits {
			if i == j {
				continue
			}
			covers := y.fold == x.fold && strings.HasPrefix(x.s, y.s) || y.fold && !x.fold && strings.HasPrefix(lowerASCII(x.s), y.s)
			if covers && (len(y.s) < len(x.s) || y.fold && !x.fold || j < i && y == x) {
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

// lowerASCII lower-cases ASCII letters and nothing else, so that offsets
// in the result are offsets in s.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
