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
// is masked. Byte offsets are unchanged by masking.
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
	"slices"
	"strings"
	"sync"
)

// rule is one kind of secret.
type rule struct {
	kind     string
	keywords []string // lower-case; the rule runs only if one occurs (case-insensitively)
	// assign: a keyword counts only when an assignment follows it
	// (token=, "password": ...), so prose never runs the expression.
	assign bool
	expr   string
	// group is the submatch holding the value (0 = whole match); for rules
	// with alternative value groups, the first non-empty of groups.
	groups []int
	// keep returns how many leading bytes of the value stay visible.
	keep func(v string) int
	// ok, when set, rejects look-alikes (returns false to leave v alone).
	ok func(v string) bool
	// noCall leaves a value alone when a '(' follows it: code such as
	// password := getPassword(), not a secret.
	noCall bool
	// generic rules find a value by its context (password=, Bearer,
	// user:pass@); when a token rule finds the same value, the token rule's
	// mask (which keeps the token's prefix) wins.
	generic bool
	// wordStart: the match must not follow a word character (a \b that
	// the expression leaves out so that it keeps a literal prefix).
	wordStart bool

	re *regexp.Regexp
}

func keepN(n int) func(string) int { return func(string) int { return n } }

// keepPrefix keeps the longest of the given prefixes that v starts with.
func keepPrefix(ps ...string) func(string) int {
	return func(v string) int {
		best := 0
		for _, p := range ps {
			if len(p) > best && strings.HasPrefix(v, p) {
				best = len(p)
			}
		}
		return best
	}
}

func hasDigit(v string) bool { return strings.ContainsAny(v, "0123456789") }

// genericKeys are the key names whose assigned value is a secret.
const genericKeys = `(?:password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret)`

// notSecretValues are values after a secret-looking key that are code or
// placeholders, not secrets.
var notSecretValues = map[string]bool{
	"str": true, "string": true, "bool": true, "int": true, "none": true, "null": true,
	"nil": true, "true": true, "false": true, "undefined": true, "required": true,
	"optional": true, "any": true, "bytes": true, "[]byte": true, "secretstr": true,
}

// maskedPrefixes are the prefixes token rules keep visible.
var maskedPrefixes = []string{
	"AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-",
	"xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "xapp-", "sk_live_", "rk_live_", "sk_test_", "rk_test_",
	"sk-ant-", "sk-", "sk-proj-", "sk-svcacct-", "sk-admin-", "AIza", "npm_", "pypi-", "eyJ",
}

// alreadyMasked reports whether v is a token that Mask already masked
// (a kept prefix and then only '*'), so that a generic rule leaves its
// prefix alone.
func alreadyMasked(v string) bool {
	t := strings.TrimRight(v, "*")
	if t == v {
		return false
	}
	for _, p := range maskedPrefixes {
		if t == p {
			return true
		}
	}
	return false
}

func genericValueOK(v string) bool {
	if v == "" || alreadyMasked(v) {
		return false
	}
	switch v[0] {
	case '$', '%', '<', '{', '=':
		return false // a reference ($VAR, ${{ secrets.X }}, %VAR%, <placeholder>, {{tmpl}})
	}
	return !notSecretValues[strings.ToLower(v)]
}

var rules = []*rule{
	{kind: "private-key", keywords: []string{"-----begin"},
		// The body runs to the END line, or to the end of the text when it
		// was cut off.
		expr:   `-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----((?s:.*?))(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)`,
		groups: []int{1}, keep: keepN(0)},
	{wordStart: true, kind: "aws-access-key", keywords: []string{"akia", "asia"},
		expr: `(?:AKIA|ASIA)[A-Z0-9]{16}\b`, keep: keepN(4)},
	{kind: "aws-secret-key", keywords: []string{"aws"},
		expr:   `(?i)aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)`,
		groups: []int{1}, keep: keepN(0)},
	{wordStart: true, kind: "github-token", keywords: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"},
		expr: `(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b`,
		keep: keepPrefix("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")},
	{wordStart: true, kind: "gitlab-token", keywords: []string{"glpat-"},
		expr: `glpat-[A-Za-z0-9_-]{20,}`, keep: keepN(6)},
	{wordStart: true, kind: "slack-token", keywords: []string{"xox", "xapp-"},
		expr: `(?:xox[abprs]|xapp)-[A-Za-z0-9-]{10,}`, keep: keepN(5)},
	{kind: "slack-webhook", keywords: []string{"hooks.slack.com"},
		expr: `hooks\.slack\.com/services/[A-Za-z0-9/_-]+`, keep: keepN(len("hooks.slack.com/services/"))},
	{wordStart: true, kind: "stripe-key", keywords: []string{"_live_", "_test_"},
		expr: `[rs]k_(?:live|test)_[A-Za-z0-9]{10,}`, keep: keepN(8)},
	{wordStart: true, kind: "anthropic-key", keywords: []string{"sk-ant-"},
		expr: `sk-ant-[A-Za-z0-9_-]{20,}`, keep: keepN(7)},
	{wordStart: true, kind: "openai-key", keywords: []string{"sk-"},
		expr: `sk-[A-Za-z0-9_-]{20,}`,
		keep: keepPrefix("sk-", "sk-proj-", "sk-svcacct-", "sk-admin-"),
		ok: func(v string) bool {
			// Anthropic keys have their own rule; a kebab-case word such
			// as sk-some-long-package-name has no digit.
			return !strings.HasPrefix(v, "sk-ant-") && hasDigit(v)
		}},
	{wordStart: true, kind: "google-api-key", keywords: []string{"aiza"},
		expr: `AIza[0-9A-Za-z_-]{35}`, keep: keepN(4)},
	{wordStart: true, kind: "npm-token", keywords: []string{"npm_"},
		expr: `npm_[A-Za-z0-9]{36}\b`, keep: keepN(4)},
	{wordStart: true, kind: "pypi-token", keywords: []string{"pypi-"},
		expr: `pypi-[A-Za-z0-9_-]{50,}`, keep: keepN(5)},
	{wordStart: true, kind: "jwt", keywords: []string{"eyj"},
		expr: `eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`, keep: keepN(3)},
	{generic: true, kind: "url-credentials", keywords: []string{"://"},
		expr:   `://[^\s:/@"'<>]+:([^\s@/"'<>]+)@`,
		groups: []int{1}, keep: keepN(0), ok: genericValueOK},
	{generic: true, kind: "authorization", keywords: []string{"authorization"},
		expr:   `(?i)\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:bearer|basic|token|bot|digest)\s+)?([A-Za-z0-9._~+/=*-]+)`,
		groups: []int{1}, keep: keepN(0), ok: genericValueOK},
	{generic: true, kind: "bearer", keywords: []string{"bearer"},
		expr:   `(?i)\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)`,
		groups: []int{1}, keep: keepN(0), ok: hasDigit},
	{generic: true, kind: "password", keywords: []string{"pass", "secret", "token", "key"}, assign: true,
		// key=value, key: value, "key": "value", export KEY=value, key := "v".
		// Also inside a JSON string: {"command": "export TOKEN=\"v\""}.
		expr: `(?i)` + genericKeys + `(?:\\?["'])?[ \t]*(?::=|[:=])[ \t]*(?:` +
			`"((?:[^"\\\n]|\\.)*)"` + // "v", with \" inside
			`|'([^'\n]*)'` + // 'v'
			`|\\"((?:[^\\\n]|\\[^"])*)\\"` + // \"v\" (in a JSON string)
			`|((?:[^\s"'` + "`" + `,;&|(){}<>\[\]\\]|\\[^"nrt])+))`, // v; stops at a JSON \" or \n
		groups: []int{1, 2, 3, 4}, keep: keepN(0), ok: genericValueOK, noCall: true},
	{generic: true, kind: "password", keywords: []string{"-pass", "-token", "-api"},
		// Command-line flags with the value as the next word.
		expr:   `(?i)(?:^|\s)--?[a-z0-9-]*(?:password|passwd|token|api-?key|apikey)[ \t]+(?:"([^"\n]*)"|'([^'\n]*)'|([^\s"'<>|&;-][^\s"'<>|&;]*))`,
		groups: []int{1, 2, 3}, keep: keepN(0), ok: genericValueOK},
}

var compileOnce sync.Once

func compile() {
	for _, r := range rules {
		r.re = regexp.MustCompile(r.expr)
		if r.groups == nil {
			r.groups = []int{0}
		}
	}
}

// span is a byte range of the input to mask.
type span struct {
	kind       string
	start, end int // the whole value
	from       int // first masked byte (start + kept prefix)
	generic    bool
}

// kw is one prefilter keyword of a rule.
type kw struct {
	text   string // lower-case
	rule   uint
	assign bool // must be followed by [word chars]["']?[ \t]*[:=]
}

var (
	indexOnce sync.Once
	byFirst   [256][]kw // keywords by their first byte (both cases)
)

func buildIndex() {
	for i, r := range rules {
		for _, k := range r.keywords {
			e := kw{text: k, rule: uint(i), assign: r.assign}
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
	if !k.assign {
		return true
	}
	j := i + len(k.text)
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

// candidates runs the keyword prefilter: one pass over s, returning the set
// of rules whose keyword occurs and where each one's first keyword starts.
func candidates(s string, first *[64]int) uint64 {
	indexOnce.Do(buildIndex)
	var set uint64
	for i := 0; i < len(s); i++ {
		for _, k := range byFirst[s[i]] {
			if set&(1<<k.rule) == 0 && keywordAt(s, i, k) {
				set |= 1 << k.rule
				first[k.rule] = i
			}
		}
	}
	return set
}

// find returns the secret spans of s (grouped by rule, not sorted).
func find(s string) []span {
	var first [64]int
	set := candidates(s, &first)
	if set == 0 {
		return nil
	}
	compileOnce.Do(compile)
	var spans []span
	for i, r := range rules {
		if set&(1<<uint(i)) == 0 {
			continue
		}
		// Every match holds one of the rule's keywords, so the search
		// starts at the first one, backed off to the start of its
		// whitespace-separated word (and the space before it).
		off := first[i]
		for off > 0 && !isSpace(s[off-1]) {
			off--
		}
		if off > 0 {
			off--
		}
		for _, m := range r.re.FindAllStringSubmatchIndex(s[off:], -1) {
			for j := range m {
				if m[j] >= 0 {
					m[j] += off
				}
			}
			for _, g := range r.groups {
				a, b := m[2*g], m[2*g+1]
				if a < 0 || a == b {
					continue
				}
				v := s[a:b]
				if r.wordStart && m[0] > 0 && isWord(s[m[0]-1]) ||
					r.ok != nil && !r.ok(v) || r.noCall && b < len(s) && s[b] == '(' {
					break
				}
				spans = append(spans, span{kind: r.kind, start: a, end: b, from: a + min(r.keep(v), b-a), generic: r.generic})
				break
			}
		}
	}
	// A generic match whose value a token rule also matched from the same
	// start (GITHUB_TOKEN=ghp_...) gives way, so that the token's prefix
	// stays visible.
	out := spans[:0]
	for _, g := range spans {
		if g.generic && coveredByToken(spans, g) {
			continue
		}
		out = append(out, g)
	}
	return out
}

func coveredByToken(spans []span, g span) bool {
	for _, t := range spans {
		if !t.generic && t.start == g.start && t.end >= g.end {
			return true
		}
	}
	return false
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

// Finding is one secret found in a text.
type Finding struct {
	Kind  string // e.g. "aws-access-key", "github-token", "password"
	Start int    // byte offset of the value in the input (prefix included)
	End   int    // byte offset just after the value
}

// Secrets returns the secrets found in s, ordered by position; overlapping
// findings of different kinds are all reported. Session memory uses it to
// keep (as hashes) the values a tool's output showed, and to recognise them
// when a later call sends them.
func Secrets(s string) []Finding {
	spans := find(s)
	if len(spans) == 0 {
		return nil
	}
	fs := make([]Finding, 0, len(spans))
	for _, sp := range spans {
		fs = append(fs, Finding{Kind: sp.kind, Start: sp.start, End: sp.end})
	}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return b.End - a.End
	})
	return fs
}

// Contains reports whether s holds at least one secret.
func Contains(s string) bool { return len(find(s)) > 0 }
