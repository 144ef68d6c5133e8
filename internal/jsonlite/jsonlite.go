// Package jsonlite reads and writes JSON on the hook's hot path without
// reflection: Parse turns an event into a tree of Values in one pass (strings
// without escapes are substrings of the input, not copies), and the Append
// functions write answers and log lines. encoding/json builds its per-type
// tables on first use, which in a process that lives for one event costs
// more than all of bulwark's own decoding and encoding.
//
// Parse reads what encoding/json reads, the same way: RFC 8259 JSON, invalid
// UTF-8 in strings and lone surrogate escapes replaced by U+FFFD, nesting
// bounded at 10000. It is stricter in one way: an object that has the same
// key twice, or two keys that differ only in case, is an error
// (*AmbiguousKeyError). encoding/json would keep the last duplicate and match
// struct fields without regard to case, while the client that sent the
// event reads its own keys exactly, so such an event would mean one thing to
// the client and another to the guard.
package jsonlite

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Kind is the kind of a JSON value.
type Kind uint8

const (
	Invalid Kind = iota // the zero Value: absent
	Null
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{"nothing", "null", "a boolean", "a number", "a string", "an array", "an object"}

// String names the kind as an error message would ("a string").
func (k Kind) String() string { return kindNames[k] }

// Value is one parsed JSON value. The zero Value is Invalid (a member that is
// not there).
type Value struct {
	kind Kind
	raw  string   // the value's source text
	str  string   // String: the decoded string
	keys []string // Object: member keys, decoded, in source order
	kids []Value  // Array: elements; Object: member values
}

// Kind is the value's kind (Invalid for the zero Value).
func (v Value) Kind() Kind { return v.kind }

// Raw is the value's source text.
func (v Value) Raw() string { return v.raw }

// Str returns a string value, and whether v is a string.
func (v Value) Str() (string, bool) { return v.str, v.kind == String }

// Get returns an object's member by exact key; the zero Value when v is not
// an object or has no such member.
func (v Value) Get(key string) Value {
	for i, k := range v.keys {
		if k == key {
			return v.kids[i]
		}
	}
	return Value{}
}

// Len is the number of an array's elements or an object's members.
func (v Value) Len() int { return len(v.kids) }

// Index is an array's element i or an object's member value i.
func (v Value) Index(i int) Value { return v.kids[i] }

// Key is an object's member key i.
func (v Value) Key(i int) string { return v.keys[i] }

// MaxDepth bounds nesting, as encoding/json does.
const MaxDepth = 10000

// SyntaxError is input that is not JSON.
type SyntaxError struct {
	Offset int // bytes read before the error
	msg    string
}

func (e *SyntaxError) Error() string { return e.msg }

// AmbiguousKeyError is an object with a key twice, or with two keys that
// differ only in case.
type AmbiguousKeyError struct{ Key, Other string }

func (e *AmbiguousKeyError) Error() string {
	if e.Key == e.Other {
		return fmt.Sprintf("the key %q appears twice in one object", e.Key)
	}
	return fmt.Sprintf("the keys %q and %q differ only in case", e.Other, e.Key)
}

// ErrTrailing is returned for data after the value (other than white space).
var ErrTrailing = errors.New("data after the JSON value")

// Parse reads one JSON value, which may be followed only by white space.
// The Values returned share data's memory.
func Parse(data string) (Value, error) { return parse(&parser{s: data}) }

// ParseData is Parse for JSON that is data, not a message read by field
// name (a tool's output): a key given twice is still refused, but keys
// that differ only in case are the data's own ({"Content-Type": …,
// "content-type": …}) and no reason to refuse it.
func ParseData(data string) (Value, error) { return parse(&parser{s: data, caseOK: true}) }

// ParseEvent is Parse for an event whose top-level member data holds such
// data (a hook event's tool_response): that member is read as ParseData
// reads, the rest as Parse does. Refusing the output's own keys would leave
// the output unjudged, which for a client that shows it anyway fails open.
func ParseEvent(event, data string) (Value, error) {
	return parse(&parser{s: event, dataMember: data})
}

func parse(p *parser) (Value, error) {
	p.space()
	v, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	p.space()
	if p.i < len(p.s) {
		return Value{}, ErrTrailing
	}
	return v, nil
}

type parser struct {
	s          string
	i          int
	caseOK     bool   // only exact duplicate keys are refused (ParseData)
	dataMember string // the top-level member read with caseOK (ParseEvent)
}

func (p *parser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) fail(format string, args ...any) error {
	return &SyntaxError{Offset: p.i, msg: fmt.Sprintf(format, args...)}
}

func (p *parser) unexpected(context string) error {
	if p.i >= len(p.s) {
		return p.fail("unexpected end of JSON input")
	}
	return p.fail("invalid character %s %s", quoteChar(p.s[p.i]), context)
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

func (p *parser) value(depth int) (Value, error) {
	if depth >= MaxDepth {
		return Value{}, p.fail("exceeded max depth")
	}
	if p.i >= len(p.s) {
		return Value{}, p.fail("unexpected end of JSON input")
	}
	start := p.i
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.string()
		return Value{kind: String, raw: p.s[start:p.i], str: s}, err
	case c == '-' || c >= '0' && c <= '9':
		if err := p.number(); err != nil {
			return Value{}, err
		}
		return Value{kind: Number, raw: p.s[start:p.i]}, nil
	case c == 't':
		return p.literal("true", Bool)
	case c == 'f':
		return p.literal("false", Bool)
	case c == 'n':
		return p.literal("null", Null)
	}
	return Value{}, p.unexpected("looking for beginning of value")
}

func (p *parser) literal(word string, k Kind) (Value, error) {
	start := p.i
	for j := 0; j < len(word); j++ {
		if p.i >= len(p.s) {
			return Value{}, p.fail("unexpected end of JSON input")
		}
		if p.s[p.i] != word[j] {
			return Value{}, p.unexpected(fmt.Sprintf("in literal %s (expecting %s)", word, quoteChar(word[j])))
		}
		p.i++
	}
	return Value{kind: k, raw: p.s[start:p.i]}, nil
}

func (p *parser) digits() int {
	n := 0
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

func (p *parser) number() error {
	if p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case p.digits() == 0:
		return p.unexpected("in numeric literal")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return p.unexpected("after decimal point in numeric literal")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return p.unexpected("in exponent of numeric literal")
		}
	}
	return nil
}

// string reads a string at p.i (on its opening quote). A string with no
// escapes and valid UTF-8 is a substring of the input.
func (p *parser) string() (string, error) {
	p.i++
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			s := p.s[start:p.i]
			p.i++
			return s, nil
		case c == '\\':
			return p.slowString(start)
		case c < 0x20:
			return "", p.unexpected("in string literal")
		case c < utf8.RuneSelf:
			p.i++
			for p.i < len(p.s) && plain[p.s[p.i]] {
				p.i++
			}
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				return p.slowString(start)
			}
			p.i += size
		}
	}
	return "", p.fail("unexpected end of JSON input")
}

// slowString decodes a string with escapes or invalid UTF-8, from start
// (just after the opening quote); p.i is where the fast path stopped.
func (p *parser) slowString(start int) (string, error) {
	// The decoded string is never longer than its source text: find where
	// that ends (the first quote no backslash escapes) to allocate once.
	end := p.i
	for end < len(p.s) && p.s[end] != '"' {
		if p.s[end] == '\\' {
			end++
		}
		end++
	}
	b := make([]byte, 0, min(end, len(p.s))-start)
	b = append(b, p.s[start:p.i]...)
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return string(b), nil
		case c == '\\':
			p.i++
			if p.i >= len(p.s) {
				return "", p.fail("unexpected end of JSON input")
			}
			switch e := p.s[p.i]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := p.hex4(p.i + 1)
				if !ok {
					return "", p.badHex()
				}
				p.i += 4
				if utf16.IsSurrogate(r) {
					r2, ok := rune(-1), false
					if p.i+2 < len(p.s) && p.s[p.i+1] == '\\' && p.s[p.i+2] == 'u' {
						r2, ok = p.hex4(p.i + 3)
					}
					if dec := utf16.DecodeRune(r, r2); ok && dec != unicode.ReplacementChar {
						r = dec
						p.i += 6
					} else {
						r = unicode.ReplacementChar
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", p.unexpected("in string escape code")
			}
			p.i++
		case c < 0x20:
			return "", p.unexpected("in string literal")
		case c < utf8.RuneSelf:
			// A run of plain bytes is copied at once.
			j := p.i + 1
			for j < len(p.s) && plain[p.s[j]] {
				j++
			}
			b = append(b, p.s[p.i:j]...)
			p.i = j
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, p.s[p.i:p.i+size]...)
			}
			p.i += size
		}
	}
	return "", p.fail("unexpected end of JSON input")
}

// plain marks the bytes a string holds as they are: ASCII but for the
// quote, the backslash and control characters.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (p *parser) badHex() error {
	for j := p.i + 1; j < p.i+5; j++ {
		if j >= len(p.s) {
			p.i = j
			return p.fail("unexpected end of JSON input")
		}
		if !isHex(p.s[j]) {
			p.i = j
			return p.unexpected("in \\u hexadecimal character escape")
		}
	}
	return p.fail("invalid \\u escape")
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func (p *parser) hex4(at int) (rune, bool) {
	if at+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[at : at+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

func (p *parser) array(depth int) (Value, error) {
	start := p.i
	p.i++
	var kids []Value
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return Value{kind: Array, raw: p.s[start:p.i]}, nil
	}
	for {
		v, err := p.value(depth + 1)
		if err != nil {
			return Value{}, err
		}
		kids = append(kids, v)
		p.space()
		if p.i >= len(p.s) {
			return Value{}, p.fail("unexpected end of JSON input")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.space()
		case ']':
			p.i++
			return Value{kind: Array, raw: p.s[start:p.i], kids: kids}, nil
		default:
			return Value{}, p.unexpected("after array element")
		}
	}
}

func (p *parser) object(depth int) (Value, error) {
	start := p.i
	p.i++
	var keys []string
	var kids []Value
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return Value{kind: Object, raw: p.s[start:p.i]}, nil
	}
	for {
		if p.i >= len(p.s) {
			return Value{}, p.fail("unexpected end of JSON input")
		}
		if p.s[p.i] != '"' {
			return Value{}, p.unexpected("looking for beginning of object key string")
		}
		k, err := p.string()
		if err != nil {
			return Value{}, err
		}
		p.space()
		if p.i >= len(p.s) {
			return Value{}, p.fail("unexpected end of JSON input")
		}
		if p.s[p.i] != ':' {
			return Value{}, p.unexpected("after object key")
		}
		p.i++
		p.space()
		caseOK := p.caseOK
		if depth == 0 && p.dataMember != "" && k == p.dataMember {
			p.caseOK = true
		}
		v, err := p.value(depth + 1)
		p.caseOK = caseOK
		if err != nil {
			return Value{}, err
		}
		keys, kids = append(keys, k), append(kids, v)
		p.space()
		if p.i >= len(p.s) {
			return Value{}, p.fail("unexpected end of JSON input")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.space()
		case '}':
			p.i++
			if err := checkKeys(keys, p.caseOK); err != nil {
				return Value{}, err
			}
			return Value{kind: Object, raw: p.s[start:p.i], keys: keys, kids: kids}, nil
		default:
			return Value{}, p.unexpected("after object key:value pair")
		}
	}
}

// checkKeys refuses an object with a key twice or two keys equal under
// Unicode case folding (the matching encoding/json does for struct fields).
func checkKeys(keys []string, caseOK bool) error {
	if len(keys) <= 16 {
		for i := 1; i < len(keys); i++ {
			for j := 0; j < i; j++ {
				if keys[i] == keys[j] || !caseOK && sameKey(keys[i], keys[j]) {
					return &AmbiguousKeyError{Key: keys[i], Other: keys[j]}
				}
			}
		}
		return nil
	}
	seen := make(map[string]string, len(keys))
	for _, k := range keys {
		f := k
		if !caseOK {
			f = fold(k)
		}
		if other, ok := seen[f]; ok {
			return &AmbiguousKeyError{Key: k, Other: other}
		}
		seen[f] = k
	}
	return nil
}

func sameKey(a, b string) bool {
	if len(a) == len(b) && a == b {
		return true
	}
	return foldEqual(a, b)
}

// foldEqual is strings.EqualFold (Unicode simple folding).
func foldEqual(a, b string) bool {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb && foldRune(ra) != foldRune(rb) {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return a == b
}

// foldRune is the smallest rune of r's case-folding orbit, the same for
// every rune that folds to another.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A' // an orbit's smallest rune is the upper case one
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return m
}

func fold(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = utf8.AppendRune(b, foldRune(r))
	}
	return string(b)
}
