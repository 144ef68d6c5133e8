package scan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// node is one JSON value with where it starts in the file, so that every
// finding in a settings or MCP file can name its line and column.
type node struct {
	kind    nodeKind
	str     string // a string's value; a number's or literal's text
	off     int    // byte offset of the value's first byte
	members []member
	elems   []*node
}

type member struct {
	key    string
	keyOff int // offset of the key's opening quote
	val    *node
}

type nodeKind int

const (
	jObject nodeKind = iota
	jArray
	jString
	jNumber
	jBool
	jNull
)

// get returns an object's member (the last one of that name, as
// JSON.parse keeps), or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != jObject {
		return nil
	}
	for i := len(n.members) - 1; i >= 0; i-- {
		if n.members[i].key == key {
			return n.members[i].val
		}
	}
	return nil
}

// member returns the member called key (for its key's offset), or nil.
func (n *node) member(key string) *member {
	if n == nil || n.kind != jObject {
		return nil
	}
	for i := len(n.members) - 1; i >= 0; i-- {
		if n.members[i].key == key {
			return &n.members[i]
		}
	}
	return nil
}

// path follows keys from n.
func (n *node) path(keys ...string) *node {
	for _, k := range keys {
		n = n.get(k)
	}
	return n
}

func (n *node) isTrue() bool  { return n != nil && n.kind == jBool && n.str == "true" }
func (n *node) isFalse() bool { return n != nil && n.kind == jBool && n.str == "false" }

// text is a string's value ("" for anything else).
func (n *node) text() string {
	if n == nil || n.kind != jString {
		return ""
	}
	return n.str
}

// array returns an array's elements (nil for anything else).
func (n *node) array() []*node {
	if n == nil || n.kind != jArray {
		return nil
	}
	return n.elems
}

// object returns an object's members (nil for anything else).
func (n *node) object() []member {
	if n == nil || n.kind != jObject {
		return nil
	}
	return n.members
}

// Bounds of one JSON document: deeper or bigger documents are reported as
// broken rather than followed (no client writes such settings).
const (
	maxJSONDepth = 64
	maxJSONNodes = 200_000
)

// parseJSON reads a JSON document whose top level is an object. With jsonc,
// // and /* */ comments are allowed (Gemini CLI and Cursor read their
// settings that way); they are blanked out, keeping every offset.
func parseJSON(data []byte, jsonc bool) (*node, error) {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		data = append([]byte("   "), data[3:]...) // a BOM: same offsets
	}
	if jsonc {
		data = stripComments(data)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return &node{kind: jObject}, nil
	}
	p := &jparser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	n, err := p.value(0)
	if err != nil {
		return nil, p.wrap(err)
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, p.wrap(errors.New("data after the top-level value"))
	}
	if n.kind != jObject {
		return nil, &jsonError{line: 1, col: 1, msg: "the top level is not a JSON object"}
	}
	return n, nil
}

// jsonError is a file that is not the JSON it should be, with where.
type jsonError struct {
	line, col int
	msg       string
}

func (e *jsonError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.line, e.col, e.msg)
}

type jparser struct {
	data  []byte
	dec   *json.Decoder
	nodes int
}

func (p *jparser) wrap(err error) error {
	var je *jsonError
	if errors.As(err, &je) {
		return err
	}
	off := int(p.dec.InputOffset())
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = int(se.Offset) // the Token API stops before the offending byte
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err, off = errors.New("unexpected end of the file"), len(p.data)
	}
	line, col := lineCol(p.data, off)
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return &jsonError{line: line, col: col, msg: msg}
}

// start is the offset of the next token: the decoder's offset past
// whitespace, commas and colons.
func (p *jparser) start() int {
	i := int(p.dec.InputOffset())
	for i < len(p.data) {
		switch p.data[i] {
		case ' ', '\t', '\n', '\r', ',', ':':
			i++
			continue
		}
		break
	}
	return i
}

func (p *jparser) value(depth int) (*node, error) {
	if depth > maxJSONDepth {
		return nil, errors.New("nested deeper than bulwark reads")
	}
	if p.nodes++; p.nodes > maxJSONNodes {
		return nil, errors.New("more values than bulwark reads")
	}
	off := p.start()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	n := &node{off: off}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind = jObject
			for p.dec.More() {
				koff := p.start()
				kt, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, member{key: key, keyOff: koff, val: v})
			}
		case '[':
			n.kind = jArray
			for p.dec.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, v)
			}
		default:
			return nil, fmt.Errorf("unexpected %q", rune(t))
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.kind, n.str = jString, t
	case json.Number:
		n.kind, n.str = jNumber, t.String()
	case bool:
		n.kind, n.str = jBool, fmt.Sprint(t)
	case nil:
		n.kind, n.str = jNull, "null"
	}
	return n, nil
}

// stripComments blanks // and /* */ comments outside strings (newlines
// kept), so offsets and lines stay those of the file. Trailing commas are
// left alone: the clients that allow comments do not allow those either.
func stripComments(data []byte) []byte {
	out := bytes.Clone(data)
	inStr := false
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '/' && i+1 < len(out) && out[i+1] == '/':
			for ; i < len(out) && out[i] != '\n'; i++ {
				out[i] = ' '
			}
		case c == '/' && i+1 < len(out) && out[i+1] == '*':
			j := i
			for ; j < len(out) && !(out[j] == '*' && j+1 < len(out) && out[j+1] == '/' && j > i+1); j++ {
				if out[j] != '\n' {
					out[j] = ' '
				}
			}
			for k := j; k < len(out) && k <= j+1; k++ {
				out[k] = ' '
			}
			i = j + 1
		}
	}
	return out
}

// lineCol is the 1-based line and column (in characters) of a byte offset.
func lineCol(data []byte, off int) (int, int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return line, len([]rune(string(before[lineStart:]))) + 1
}
