package installer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is a small order-preserving JSON document model for editing
// settings files without disturbing what we do not own.
//
// Guarantees:
//   - Every scalar keeps its exact source spelling: strings keep their escapes
//     ("\u00e9", "\/"), numbers keep their digits (1.0, 1e3), object keys keep
//     theirs. Object members keep their order, duplicate keys included.
//   - Encode writes the canonical layout Claude Code (JSON.stringify(v, null,
//     2)) writes: 2-space indentation, `"key": value`, empty containers as {}
//     and []. An edited file keeps its own indentation unit (tabs, 4 spaces
//     ...: render reads it), so a file in JSON.stringify's layout with any
//     indentation re-encodes byte-for-byte and a diff shows only the lines
//     bulwark adds; a file in any other layout (compact, aligned) comes back
//     semantically identical (same values, same key order, same literals)
//     but re-laid out.
//   - Whitespace between tokens is the only thing not preserved.

// Kind is the JSON type of a Value.
type Kind int

const (
	KindObject Kind = iota
	KindArray
	KindString
	KindNumber
	KindBool
	KindNull
)

// Value is one JSON value. Scalars carry their source text in Raw.
type Value struct {
	Kind    Kind
	Raw     string   // scalars: the literal exactly as written (strings with their quotes)
	Members []Member // objects, in source order
	Elems   []*Value // arrays
}

// Member is one key of an object. RawKey is the key's quoted source text.
type Member struct {
	Key    string
	RawKey string
	Value  *Value
}

// SyntaxError is a settings file that is not valid JSON (or not an object).
// Line and Col are 1-based; Col counts bytes.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// ParseDocument parses a settings file whose top level must be an object.
// Empty (or whitespace-only) input is an empty object. Errors are
// *SyntaxError with the position the decoder stopped at.
func ParseDocument(data []byte) (*Value, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return NewObject(), nil
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, &SyntaxError{1, 1, "file starts with a UTF-8 byte order mark; remove it"}
	}
	var probe any
	if err := json.Unmarshal(data, &probe); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			// The decoder's offset is just past the offending byte.
			off := se.Offset - 1
			if off < 0 {
				off = 0
			}
			l, c := lineCol(data, off)
			return nil, &SyntaxError{l, c, se.Error()}
		}
		l, c := lineCol(data, int64(len(data)))
		return nil, &SyntaxError{l, c, err.Error()}
	}
	p := &parser{data: data}
	p.skipWS()
	start := p.pos
	v := p.value()
	if v.Kind != KindObject {
		l, c := lineCol(data, int64(start))
		return nil, &SyntaxError{l, c, "top level is not a JSON object"}
	}
	return v, nil
}

// parser reads input already known to be valid JSON.
type parser struct {
	data []byte
	pos  int
}

func (p *parser) skipWS() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value() *Value {
	p.skipWS()
	switch c := p.data[p.pos]; {
	case c == '{':
		p.pos++
		v := &Value{Kind: KindObject}
		p.skipWS()
		if p.data[p.pos] == '}' {
			p.pos++
			return v
		}
		for {
			p.skipWS()
			raw := p.str()
			p.skipWS()
			p.pos++ // ':'
			val := p.value()
			v.Members = append(v.Members, Member{Key: unquote(raw), RawKey: raw, Value: val})
			p.skipWS()
			if p.data[p.pos] == ',' {
				p.pos++
				continue
			}
			p.pos++ // '}'
			return v
		}
	case c == '[':
		p.pos++
		v := &Value{Kind: KindArray}
		p.skipWS()
		if p.data[p.pos] == ']' {
			p.pos++
			return v
		}
		for {
			v.Elems = append(v.Elems, p.value())
			p.skipWS()
			if p.data[p.pos] == ',' {
				p.pos++
				continue
			}
			p.pos++ // ']'
			return v
		}
	case c == '"':
		return &Value{Kind: KindString, Raw: p.str()}
	case c == 't':
		p.pos += 4
		return &Value{Kind: KindBool, Raw: "true"}
	case c == 'f':
		p.pos += 5
		return &Value{Kind: KindBool, Raw: "false"}
	case c == 'n':
		p.pos += 4
		return &Value{Kind: KindNull, Raw: "null"}
	default:
		start := p.pos
		for p.pos < len(p.data) && strings.IndexByte("+-0123456789.eE", p.data[p.pos]) >= 0 {
			p.pos++
		}
		return &Value{Kind: KindNumber, Raw: string(p.data[start:p.pos])}
	}
}

// str returns the raw text of the string starting at p.pos.
func (p *parser) str() string {
	start := p.pos
	p.pos++
	for p.data[p.pos] != '"' {
		if p.data[p.pos] == '\\' {
			p.pos++
		}
		p.pos++
	}
	p.pos++
	return string(p.data[start:p.pos])
}

func unquote(raw string) string {
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return raw
	}
	return s
}

// Str returns a string value's decoded text ("" for other kinds).
func (v *Value) Str() string {
	if v == nil || v.Kind != KindString {
		return ""
	}
	return unquote(v.Raw)
}

// IsTrue reports whether v is the literal true.
func (v *Value) IsTrue() bool { return v != nil && v.Kind == KindBool && v.Raw == "true" }

// Get returns the value of key (the last one if the key is duplicated, as
// JSON.parse does), or nil.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != KindObject {
		return nil
	}
	for i := len(v.Members) - 1; i >= 0; i-- {
		if v.Members[i].Key == key {
			return v.Members[i].Value
		}
	}
	return nil
}

// Set replaces the value of key in place (the last occurrence) or appends it.
func (v *Value) Set(key string, val *Value) {
	for i := len(v.Members) - 1; i >= 0; i-- {
		if v.Members[i].Key == key {
			v.Members[i].Value = val
			return
		}
	}
	v.Members = append(v.Members, Member{Key: key, RawKey: Quote(key), Value: val})
}

// Delete removes every occurrence of key.
func (v *Value) Delete(key string) {
	out := v.Members[:0]
	for _, m := range v.Members {
		if m.Key != key {
			out = append(out, m)
		}
	}
	v.Members = out
}

// Empty reports whether an object or array has no members.
func (v *Value) Empty() bool { return len(v.Members) == 0 && len(v.Elems) == 0 }

// NewObject builds an object from alternating key, value pairs.
func NewObject(kv ...any) *Value {
	v := &Value{Kind: KindObject}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i].(string), kv[i+1].(*Value))
	}
	return v
}

// NewArray builds an array.
func NewArray(elems ...*Value) *Value { return &Value{Kind: KindArray, Elems: elems} }

// NewString builds a string value, escaped as JSON.stringify does.
func NewString(s string) *Value { return &Value{Kind: KindString, Raw: Quote(s)} }

// NewInt builds a number value.
func NewInt(n int) *Value { return &Value{Kind: KindNumber, Raw: strconv.Itoa(n)} }

// NewBool builds true or false.
func NewBool(b bool) *Value { return &Value{Kind: KindBool, Raw: strconv.FormatBool(b)} }

// Quote escapes s the way JavaScript's JSON.stringify does: only '"', '\\'
// and control characters are escaped; no HTML escaping, non-ASCII kept as is.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else if r == utf8.RuneError {
				b.WriteString(`\ufffd`)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Encode writes v in the canonical 2-space layout, without a trailing newline.
func (v *Value) Encode() []byte { return v.EncodeIndent("  ") }

// EncodeIndent is Encode with another indentation unit (a tab, four
// spaces ...).
func (v *Value) EncodeIndent(unit string) []byte {
	var b bytes.Buffer
	v.encode(&b, 0, unit)
	return b.Bytes()
}

func (v *Value) encode(b *bytes.Buffer, depth int, unit string) {
	switch v.Kind {
	case KindObject:
		if len(v.Members) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, m := range v.Members {
			indent(b, depth+1, unit)
			b.WriteString(m.RawKey)
			b.WriteString(": ")
			m.Value.encode(b, depth+1, unit)
			if i < len(v.Members)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		indent(b, depth, unit)
		b.WriteByte('}')
	case KindArray:
		if len(v.Elems) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range v.Elems {
			indent(b, depth+1, unit)
			e.encode(b, depth+1, unit)
			if i < len(v.Elems)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		indent(b, depth, unit)
		b.WriteByte(']')
	default:
		b.WriteString(v.Raw)
	}
}

func indent(b *bytes.Buffer, depth int, unit string) {
	for range depth {
		b.WriteString(unit)
	}
}

// indentUnit is the indentation a file uses, read from its first indented
// line (the members of the top-level object are one level deep): a tab, or
// that many spaces; two spaces when no line is indented.
func indentUnit(data []byte) string {
	for _, line := range bytes.Split(data, []byte("\n")) {
		n := 0
		for n < len(line) && (line[n] == ' ' || line[n] == '\t') {
			n++
		}
		if n == 0 || n == len(line) || bytes.TrimSpace(line)[0] == '}' || bytes.TrimSpace(line)[0] == ']' {
			continue
		}
		ws := string(line[:n])
		if strings.Trim(ws, "\t") == "" {
			return "\t"
		}
		if strings.Trim(ws, " ") == "" && n <= 8 {
			return ws
		}
		break
	}
	return "  "
}

// Equal reports whether a and b are the same document, literal for literal.
func Equal(a, b *Value) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind || a.Raw != b.Raw || len(a.Members) != len(b.Members) || len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Members {
		if a.Members[i].RawKey != b.Members[i].RawKey || !Equal(a.Members[i].Value, b.Members[i].Value) {
			return false
		}
	}
	for i := range a.Elems {
		if !Equal(a.Elems[i], b.Elems[i]) {
			return false
		}
	}
	return true
}

// Clone returns a deep copy of v.
func (v *Value) Clone() *Value {
	if v == nil {
		return nil
	}
	c := &Value{Kind: v.Kind, Raw: v.Raw}
	for _, m := range v.Members {
		c.Members = append(c.Members, Member{m.Key, m.RawKey, m.Value.Clone()})
	}
	for _, e := range v.Elems {
		c.Elems = append(c.Elems, e.Clone())
	}
	return c
}

// render encodes the edited document. When it equals the original, the
// original bytes come back untouched (so a no-op edit never reformats a
// file); otherwise the canonical layout, with a trailing newline when the
// original had one (or there was no original), and CRLF line ends when the
// original used them.
func render(old []byte, orig, edited *Value) []byte {
	if Equal(orig, edited) && len(bytes.TrimSpace(old)) > 0 {
		return old
	}
	out := edited.EncodeIndent(indentUnit(old))
	if len(old) == 0 || bytes.HasSuffix(old, []byte("\n")) {
		out = append(out, '\n')
	}
	if bytes.Contains(old, []byte("\r\n")) {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	return out
}

// Literal builds a scalar from its JSON source text (as kept in Raw), e.g.
// a value recorded before install changed it.
func Literal(raw string) *Value {
	k := KindNumber
	switch {
	case raw == "true" || raw == "false":
		k = KindBool
	case raw == "null":
		k = KindNull
	case len(raw) > 0 && raw[0] == '"':
		k = KindString
	}
	return &Value{Kind: k, Raw: raw}
}

// ArrayElemsOrNil returns an array's elements, or nil for anything else
// (including a nil Value).
func (v *Value) ArrayElemsOrNil() []*Value { return v.arrayElems() }
