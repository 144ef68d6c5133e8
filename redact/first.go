package redact

import (
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// byteSet is a set of bytes.
type byteSet [4]uint64

func (b *byteSet) add(c byte)      { b[c>>6] |= 1 << (c & 63) }
func (b *byteSet) has(c byte) bool { return b[c>>6]&(1<<(c&63)) != 0 }
func (b *byteSet) addRange(lo, hi int) {
	for c := lo; c <= hi; c++ {
		b.add(byte(c))
	}
}

// firstBytes returns the bytes a match of expr can start with: the
// anchored search skips every other start. When unsure (or when expr can
// match the empty string) it returns every byte.
func firstBytes(expr string) byteSet {
	var all byteSet
	all.addRange(0, 255)
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return all
	}
	var set byteSet
	if firstOf(re, &set) {
		return all // can match empty: anything may follow
	}
	return set
}

// firstOf adds to set the bytes a match of re can start with and reports
// whether re can match the empty string (so what follows it can start the
// match too).
func firstOf(re *syntax.Regexp, set *byteSet) (nullable bool) {
	switch re.Op {
	case syntax.OpNoMatch:
		return false
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return true
		}
		addRune(set, re.Rune[0], re.Flags&syntax.FoldCase != 0)
		return false
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if lo < utf8.RuneSelf {
				set.addRange(int(lo), int(min(hi, utf8.RuneSelf-1)))
			}
			if hi >= utf8.RuneSelf {
				set.addRange(0x80, 0xFF) // any multi-byte or invalid byte
			}
		}
		return false
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		set.addRange(0, 255)
		return false
	case syntax.OpCapture, syntax.OpPlus:
		return firstOf(re.Sub[0], set)
	case syntax.OpStar, syntax.OpQuest:
		firstOf(re.Sub[0], set)
		return true
	case syntax.OpRepeat:
		n := firstOf(re.Sub[0], set)
		return n || re.Min == 0
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !firstOf(sub, set) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		nullable := false
		for _, sub := range re.Sub {
			if firstOf(sub, set) {
				nullable = true
			}
		}
		return nullable
	}
	set.addRange(0, 255)
	return true
}

// addRune adds the first UTF-8 byte of r (and of its case variants).
func addRune(set *byteSet, r rune, fold bool) {
	add := func(r rune) {
		if r < utf8.RuneSelf {
			set.add(byte(r))
		} else {
			set.addRange(0x80, 0xFF)
		}
	}
	add(r)
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			add(f)
		}
	}
}
