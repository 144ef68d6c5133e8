// Package redact masks secret values (API keys, tokens, passwords, private
// keys) in text before bulwark shows it to anyone or writes it anywhere:
// verdict reasons, evidence, audit-log previews, golden test outputs.
//
// # Format
//
// Masking keeps the length of the text: every byte of a secret value after
// its recognisable, public prefix is replaced by '*' (spaces, tabs and line
// breaks inside a value stay). For example
//
//	AKIAIOSFODNN7EXAMPLE             -> AKIA****************
//	ghp_0123456789abcdefghijklmnopqrstuvwxyz -> ghp_************************************
//	password=hunter2                 -> password=*******
//	GITHUB_TOKEN=ghp_0123...wxyz     -> GITHUB_TOKEN=ghp_****...****
//	https://bob:s3cr3t@example.com   -> https://bob:******@example.com
//	Authorization: Bearer abc.def    -> Authorization: Bearer *******
//
// Only the value is masked: key names, quotes, separators and the public
// prefix of a token (AKIA, ghp_, sk-ant-, xoxb-, eyJ ...) stay, so a reader can
// tell what kind of secret was there and roughly how long it was. In private
// key blocks the BEGIN and END lines stay and every non-space byte of the body
// is masked. Byte offsets are unchanged by masking, so a Finding's Start/End
// index both the input and the output.
//
// Mask is idempotent (Mask(Mask(s)) == Mask(s)) and never makes text longer.
// A value that is already a kept prefix followed only by '*' (Mask's own
// output) is left as it is.
//
// # Cost
//
// A keyword prefilter runs before any regular expression; text with none of
// the keywords (most commands, paths and code) is returned as is without
// allocating. The expressions are compiled on first use (sync.Once), never at
// package init, and are Go regexp (RE2, linear time).
package redact

import (
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Finding is one secret found in a text.
type Finding struct {
	Kind  string // the rule's ID: "aws-access-key", "github-token", "password" ...
	Start int    // byte offset of the value in the input (prefix included)
	End   int    // byte offset just after the value
	// Live is false for an example, a placeholder or a partial form (see
	// the rules): masked all the same, but nothing for a guard to flag.
	Live bool
	// Generic: found by its context (password=, Authorization:, user:pass@),
	// not by a token format of its own.
	Generic bool
}

// compiled is a rule's expressions, compiled the first time its keywords
// occur in a text.
type compiled struct {
	once                                      sync.Once
	re                                        *regexp.Regexp // the rule's expression (the tests' reference search)
	head, ctx                                 *regexp.Regexp // anchored at the text's start; after one context rune
	first                                     byteSet        // the bytes a match can start with
	groups                                    []int
	allow, allowMatch, live, example, exMatch []*regexp.Regexp
}

var state [len(rules)]compiled

func compileAll(list []string) []*regexp.Regexp {
	if len(list) == 0 {
		return nil
	}
	out := make([]*regexp.Regexp, len(list))
	for i, e := range list {
		out[i] = regexp.MustCompile(e)
	}
	return out
}

func (c *compiled) get(r *Rule) *compiled {
	c.once.Do(func() {
		c.re = regexp.MustCompile(r.Regex)
		c.head = regexp.MustCompile(`^(` + r.Regex + `)`)
		c.ctx = regexp.MustCompile(`^(?s:.)(` + r.Regex + `)`)
		c.first = firstBytes(r.Regex)
		c.groups = r.Groups
		if c.groups == nil {
			c.groups = []int{0}
		}
		if r.Allow != nil {
			c.allow, c.allowMatch = compileAll(r.Allow.Regexes), compileAll(r.Allow.MatchRegexes)
		}
		c.live = compileAll(r.Live)
		if r.Examples != nil {
			c.example, c.exMatch = compileAll(r.Examples.Regexes), compileAll(r.Examples.MatchRegexes)
		}
	})
	return c
}

// Rules returns the secret formats, in the order they are tried. Callers
// must not modify them.
func Rules() []Rule { return rules[:] }

// Lookup returns the rule with this ID.
func Lookup(id string) (*Rule, bool) {
	for i := range rules {
		if rules[i].ID == id {
			return &rules[i], true
		}
	}
	return nil, false
}

// alreadyMasked reports whether v is a token that Mask already masked
// (a kept prefix and then only '*'), so that a generic rule leaves its
// prefix alone.
func alreadyMasked(v string) bool {
	t := strings.TrimRight(v, "*")
	if t == v {
		return false
	}
	for i := range rules {
		for _, p := range rules[i].Prefixes {
			if t == p {
				return true
			}
		}
	}
	return false
}

func anyMatch(list []*regexp.Regexp, s string) bool {
	for _, re := range list {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

func allMatch(list []*regexp.Regexp, s string) bool {
	for _, re := range list {
		if !re.MatchString(s) {
			return false
		}
	}
	return true
}

func (a *Allowlist) words(v string) bool {
	if a == nil {
		return false
	}
	for _, w := range a.Stopwords {
		if strings.Contains(v, w) {
			return true
		}
	}
	for _, w := range a.Values {
		if strings.EqualFold(v, w) {
			return true
		}
	}
	return false
}

// judge decides what a value the rule's expression found is: not a secret
// (ok false), an example (live false) or a live secret.
func (r *Rule) judge(c *compiled, v, match string) (ok, live bool) {
	if r.Generic && alreadyMasked(v) || r.Allow.words(v) || anyMatch(c.allow, v) || anyMatch(c.allowMatch, match) {
		return false, false
	}
	live = !r.MaskOnly && allMatch(c.live, v) && !r.Examples.words(v) &&
		!anyMatch(c.example, v) && !anyMatch(c.exMatch, match)
	return true, live
}

// keep returns how many leading bytes of v stay visible.
func (r *Rule) keep(v string) int {
	best := 0
	for _, p := range r.Prefixes {
		if len(p) > best && strings.HasPrefix(v, p) {
			best = len(p)
		}
	}
	return best
}

// span is a byte range of the input to mask.
type span struct {
	rule       int
	start, end int // the whole value
	from       int // first masked byte (start + kept prefix)
	live       bool
}

// kw is one prefilter keyword of a rule.
type kw struct {
	text   string // lower-case
	rule   int
	assign bool // must be followed by [word chars]["']?[ \t]*[:=]
}

var (
	indexOnce sync.Once
	byFirst   [256][]kw    // keywords by their first byte (both cases)
	pairs     [1024]uint64 // the first two bytes (lower-cased) of every keyword, as a bit set
	lowerTab  [256]byte    // ASCII lower-casing
)

func buildIndex() {
	for c := range lowerTab {
		lowerTab[c] = lower(byte(c))
	}
	for i := range rules {
		r := &rules[i]
		for _, k := range r.Keywords {
			e := kw{text: k, rule: i, assign: r.Assign}
			pair := int(k[0])<<8 | int(k[1])
			pairs[pair>>6] |= 1 << (pair & 63)
			byFirst[k[0]] = append(byFirst[k[0]], e)
			if c := k[0]; 'a' <= c && c <= 'z' {
				byFirst[c-'a'+'A'] = append(byFirst[c-'a'+'A'], e)
			}
		}
	}
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// keywordAt reports whether k occurs (case-insensitively) at s[i:].
func keywordAt(s string, i int, k kw) bool {
	if len(s)-i < len(k.text) {
		return false
	}
	for j := 1; j < len(k.text); j++ {
		if lower(s[i+j]) != k.text[j] {
			return false
		}
	}
	return !k.assign || assignAt(s, i+len(k.text))
}

// assignAt reports whether an assignment follows at s[j:]: more of the
// name, an optional quote, spaces, then ':' or '='.
func assignAt(s string, j int) bool {
	for j < len(s) && (isWord(s[j]) || s[j] == '-') {
		j++
	}
	if j+1 < len(s) && s[j] == '\\' && s[j+1] == '"' {
		j++ // {"k": "export TOKEN=\"v\""}: a quote escaped in JSON
	}
	if j < len(s) && (s[j] == '"' || s[j] == '\'') {
		j++
	}
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	return j < len(s) && (s[j] == ':' || s[j] == '=')
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isWord(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// ruleSet is a set of rule indexes.
type ruleSet uint64

func (s ruleSet) has(i int) bool { return s&(1<<uint(i)) != 0 }

// hits are where each rule's keywords occur in a text, in order.
type hits struct {
	set ruleSet
	at  [len(rules)][]int
}

// candidates runs the keyword prefilter: one pass over s, noting where each
// rule's keywords occur.
func candidates(s string, h *hits) {
	indexOnce.Do(buildIndex)
	// Keywords are at least two bytes long: a table of their first two
	// bytes rejects almost every position before any keyword is compared.
	for i := 0; i+1 < len(s); i++ {
		if pair := int(lowerTab[s[i]])<<8 | int(lowerTab[s[i+1]]); pairs[pair>>6]&(1<<(pair&63)) == 0 {
			continue
		}
		for _, k := range byFirst[s[i]] {
			if at := h.at[k.rule]; (len(at) == 0 || at[len(at)-1] != i) && keywordAt(s, i, k) {
				h.set |= 1 << uint(k.rule)
				h.at[k.rule] = append(at, i)
			}
		}
	}
}

// Case-insensitive expressions ((?i)key, (?i)secret) also match the Kelvin
// sign K (U+212A, for k) and the long s ſ (U+017F, for s), which the byte
// prefilter above does not read as letters. A text holding either takes the
// folding prefilter instead (rare, so its cost does not matter), and the
// anchored search looks further back for a start (each of those letters
// before a keyword may be three bytes instead of one).

// hasExoticFold reports whether s holds a rune that Unicode folds to an ASCII
// letter of a keyword.
func hasExoticFold(s string) bool {
	return strings.Contains(s, "\u212a") || strings.Contains(s, "\u017f")
}

// foldAt is the lower-cased ASCII letter at s[i] and its width in bytes,
// reading the Kelvin sign as k and the long s as s.
func foldAt(s string, i int) (byte, int) {
	switch {
	case strings.HasPrefix(s[i:], "\u212a"):
		return 'k', len("\u212a")
	case strings.HasPrefix(s[i:], "\u017f"):
		return 's', len("\u017f")
	}
	return lower(s[i]), 1
}

// candidatesFold is candidates for a text with such runes.
func candidatesFold(s string, h *hits) {
	indexOnce.Do(buildIndex)
	for i := 0; i < len(s); i++ {
		c, _ := foldAt(s, i)
		for _, k := range byFirst[c] {
			if at := h.at[k.rule]; (len(at) == 0 || at[len(at)-1] != i) && keywordAtFold(s, i, k) {
				h.set |= 1 << uint(k.rule)
				h.at[k.rule] = append(at, i)
			}
		}
	}
}

// keywordAtFold is keywordAt reading the Kelvin sign and the long s as k and s.
func keywordAtFold(s string, i int, k kw) bool {
	j := i
	for n := 0; n < len(k.text); n++ {
		if j >= len(s) {
			return false
		}
		c, w := foldAt(s, j)
		if c != k.text[n] {
			return false
		}
		j += w
	}
	return !k.assign || assignAt(s, j)
}

// find returns the secret spans of s (grouped by rule, not sorted).
func find(s string) []span { return findWith(s, false) }

// findWith is find; reference skips the keyword prefilter and searches the
// whole text with every rule's unanchored expression (for tests: the
// prefilter and the anchored search never change the result).
func findWith(s string, reference bool) []span {
	var h hits
	exotic := hasExoticFold(s)
	switch {
	case reference:
		h.set = 1<<uint(len(rules)) - 1
	case exotic:
		if candidatesFold(s, &h); h.set == 0 {
			return nil
		}
	default:
		if candidates(s, &h); h.set == 0 {
			return nil
		}
	}
	var spans []span
	for i := range rules {
		if !h.set.has(i) {
			continue
		}
		r := &rules[i]
		c := state[i].get(r)
		emit := func(m []int) {
			for _, g := range c.groups {
				a, b := m[2*g], m[2*g+1]
				if a < 0 || a == b {
					continue
				}
				if r.WordStart && m[0] > 0 && isWord(s[m[0]-1]) || r.NoCall && b < len(s) && s[b] == '(' {
					return
				}
				v := s[a:b]
				if ok, live := r.judge(c, v, s[m[0]:m[1]]); ok {
					spans = append(spans, span{rule: i, start: a, end: b, from: a + min(r.keep(v), b-a), live: live})
				}
				return
			}
		}
		if reference {
			for _, m := range c.re.FindAllStringSubmatchIndex(s, -1) {
				emit(m)
			}
			continue
		}
		// Every match starts at most r.Back bytes before one of its
		// keywords (or, for BackWord, just before the keyword's word).
		// Trying the expression anchored at those few starts, in order,
		// finds exactly the matches a search of the whole text finds, at
		// a cost that grows with the keywords, not with the text: a
		// case-insensitive expression runs at a few MB/s over text.
		next := 0 // the previous match's end: matches do not overlap
		back := r.Back
		if exotic && back > 0 {
			back = 3 * back // each letter before the keyword may be a 3-byte Kelvin sign
		}
		for _, o := range h.at[i] {
			lo, hi := o-back, o
			if r.Back == BackWord {
				lo = o
				for lo > 0 && !isSpace(s[lo-1]) {
					lo--
				}
				lo, hi = max(lo-1, 0), max(lo-1, 0)
			}
			for p := max(lo, next, 0); p <= hi; p++ {
				if !c.first.has(s[p]) {
					continue
				}
				if m := c.matchAt(s, p); m != nil {
					emit(m)
					next = max(m[1], p+1)
					p = next - 1
				}
			}
			next = max(next, hi+1)
		}
	}
	// A generic match whose value a token rule also matched from the same
	// start (GITHUB_TOKEN=ghp_...) gives way, so that the token's prefix
	// stays visible.
	tokenEnd := map[int]int{} // start -> the longest token span's end
	for _, t := range spans {
		if !rules[t.rule].Generic {
			tokenEnd[t.start] = max(tokenEnd[t.start], t.end)
		}
	}
	out := spans[:0]
	for _, g := range spans {
		if end, ok := tokenEnd[g.start]; ok && rules[g.rule].Generic && end >= g.end {
			continue
		}
		out = append(out, g)
	}
	return out
}

// matchAt returns the submatch offsets (into s) of the expression's match
// that starts at byte p, or nil. The anchored form is given the rune before
// p as context, so \b, ^ and [^...] at the start judge it as a search of the
// whole text would.
func (c *compiled) matchAt(s string, p int) []int {
	var m []int
	base := 0
	if p == 0 {
		m = c.head.FindStringSubmatchIndex(s)
	} else {
		_, size := utf8.DecodeLastRuneInString(s[:p])
		base = p - size
		m = c.ctx.FindStringSubmatchIndex(s[base:])
	}
	// Group 1 of the anchored form is the expression's whole match.
	if m == nil || base+m[2] != p {
		return nil
	}
	m = m[2:]
	for j := range m {
		if m[j] >= 0 {
			m[j] += base
		}
	}
	return m
}

// maskSpans writes s with the spans masked; it returns s itself when no
// byte changes. Bytes that are spaces inside a span (private key bodies) and
// bytes already '*' are left alone.
func maskSpans(s string, spans []span) string {
	var out []byte
	for _, sp := range spans {
		for i := sp.from; i < sp.end; i++ {
			switch s[i] {
			case '*', '\n', '\r', ' ', '\t':
				continue
			}
			if out == nil {
				out = []byte(s)
			}
			out[i] = '*'
		}
	}
	if out == nil {
		return s
	}
	return string(out)
}

// Mask returns s with every secret value masked (see the package comment for
// the format). Text without secrets is returned unchanged.
func Mask(s string) string {
	// Masking only turns bytes into '*', which no rule's value accepts as
	// a secret body, but removing a secret can expose a neighbour that a
	// rule's context had hidden; repeat until nothing changes (in practice
	// one pass, at most a few), which makes Mask idempotent.
	for range 8 {
		spans := find(s)
		if len(spans) == 0 {
			return s
		}
		m := maskSpans(s, spans)
		if m == s {
			return s
		}
		s = m
	}
	return s
}

// Secrets returns the secrets in s, ordered by position (the longer first
// where two start together). Overlapping findings of different kinds (an
// AKIA key inside password=...) are all reported.
func Secrets(s string) []Finding {
	spans := find(s)
	if len(spans) == 0 {
		return nil
	}
	sort.SliceStable(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end > spans[j].end
	})
	fs := make([]Finding, len(spans))
	for i, sp := range spans {
		r := &rules[sp.rule]
		fs[i] = Finding{Kind: r.ID, Start: sp.start, End: sp.end, Live: sp.live, Generic: r.Generic}
	}
	return fs
}

// Contains reports whether s holds a secret (live or not).
func Contains(s string) bool { return len(find(s)) > 0 }

// Margin is how far past a region MaskRegion looks: a secret that starts in
// the region and is longer than this may show in part (none of the formats
// comes near it; a private key cut off is masked to the cut).
const Margin = 16 << 10

// MaskRegion returns Mask(s)[lo:hi] (lo and hi moved back to rune starts)
// without masking all of s: it masks a window Margin bytes wider on each
// side, so a secret that straddles lo or hi is recognised whole and no part
// of it shows. Use it before cutting or reflowing text for display.
func MaskRegion(s string, lo, hi int) string {
	lo, hi = runeStart(s, max(0, lo)), runeStart(s, min(len(s), hi))
	if lo >= hi {
		return ""
	}
	wlo, whi := runeStart(s, max(0, lo-Margin)), runeStart(s, min(len(s), hi+Margin))
	return Mask(s[wlo:whi])[lo-wlo : hi-wlo]
}

// runeStart moves i back to the start of the rune it falls in.
func runeStart(s string, i int) int {
	for j := 0; j < utf8.UTFMax && i > 0 && i < len(s) && !utf8.RuneStart(s[i]); j++ {
		i--
	}
	return i
}
