package hooks

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unsafe"

	"github.com/bulwark-guard/bulwark/internal/jsonlite"
)

// event is a hook event as parsed JSON (internal/jsonlite: one pass, no
// reflection, and an object with a key twice or two keys that differ only in
// case is refused, since the client reads its keys exactly).
type event struct {
	v    jsonlite.Value
	data []byte // what v was parsed from
	err  error  // the first field of the wrong type
}

// parseEvent parses the event, which must be one JSON object.
//
// The strings of the parsed event, and so of the Action made from it, share
// data's memory (a 1 MiB Write is not copied again): data must not be
// changed afterwards, which the hook, reading it once from stdin, never does.
func parseEvent(data []byte) (*event, error) {
	v, err := jsonlite.ParseEvent(unsafe.String(unsafe.SliceData(data), len(data)), "tool_response")
	if err != nil {
		return nil, inputError(data, err)
	}
	if v.Kind() != jsonlite.Object {
		return nil, fmt.Errorf("hook input is not a JSON object (it is %s)", v.Kind())
	}
	return &event{v: v, data: data}, nil
}

// inputError words a parse error for the agent. Syntax errors are worded as
// encoding/json words them (the error path can afford to ask it).
func inputError(data []byte, err error) error {
	var amb *jsonlite.AmbiguousKeyError
	switch {
	case errors.As(err, &amb):
		return fmt.Errorf("hook input is ambiguous: %v", amb)
	case errors.Is(err, jsonlite.ErrTrailing):
		return errors.New("hook input has data after the JSON event")
	}
	if stdErr := json.Unmarshal(data, new(any)); stdErr != nil {
		err = stdErr
	}
	return fmt.Errorf("hook input is not valid JSON: %w", err)
}

// str returns a string member ("" when absent or null); any other kind is
// an error, kept for ok.
func (e *event) str(key string) string {
	m := e.v.Get(key)
	switch m.Kind() {
	case jsonlite.String:
		s, _ := m.Str()
		return s
	case jsonlite.Invalid, jsonlite.Null:
		return ""
	}
	if e.err == nil {
		e.err = fmt.Errorf("hook input: %q is %s, not a string", key, m.Kind())
	}
	return ""
}

// strs returns a member that must be an array of strings (nil when absent
// or null).
func (e *event) strs(key string) []string {
	m := e.v.Get(key)
	if m.Kind() == jsonlite.Invalid || m.Kind() == jsonlite.Null {
		return nil
	}
	list, ok := stringList(m)
	if !ok && e.err == nil {
		e.err = fmt.Errorf("hook input: %q is not an array of strings", key)
	}
	return list
}

func (e *event) get(key string) jsonlite.Value { return e.v.Get(key) }

// stringList reads an array of strings (null elements read as "").
func stringList(v jsonlite.Value) ([]string, bool) {
	if v.Kind() != jsonlite.Array {
		return nil, false
	}
	out := make([]string, 0, v.Len())
	for i := range v.Len() {
		el := v.Index(i)
		s, ok := el.Str()
		if !ok && el.Kind() != jsonlite.Null {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// toolInput is a tool's arguments: a JSON object (the zero value: none).
type toolInput struct {
	v   jsonlite.Value
	bad *error // the first argument of the wrong type (see opt)
}

func parseToolInput(v jsonlite.Value) (toolInput, error) {
	switch v.Kind() {
	case jsonlite.Invalid, jsonlite.Null:
		return toolInput{}, nil
	case jsonlite.Object:
		return toolInput{v: v, bad: new(error)}, nil
	}
	return toolInput{}, fmt.Errorf("tool_input is not a JSON object (it is %s)", v.Kind())
}

// str returns a string argument ("" when absent or not a string), for
// arguments of tools bulwark does not know (MCP), whose types it cannot
// expect.
func (in toolInput) str(key string) string {
	s, _ := in.v.Get(key).Str()
	return s
}

// opt returns an argument that must be a string when present (a path, a
// pattern, a query): "" when absent or null. Any other kind is remembered
// and fails the call closed (typeErr): the tool would read it as something
// bulwark did not judge.
func (in toolInput) opt(tool, key string) string {
	m := in.v.Get(key)
	switch m.Kind() {
	case jsonlite.String:
		s, _ := m.Str()
		return s
	case jsonlite.Invalid, jsonlite.Null:
		return ""
	}
	if in.bad != nil && *in.bad == nil {
		*in.bad = fmt.Errorf("%s tool_input %q is %s, not a string", tool, key, m.Kind())
	}
	return ""
}

// text returns an argument that is written somewhere (a file's content, an
// edit's new text): a string as it is, any other value as its JSON text, which
// is what the tool would write if it writes anything, and is judged in its
// place ({"disableAllHooks": true} as an object is still that text).
func (in toolInput) text(key string) string {
	return textOf(in.v.Get(key))
}

func textOf(m jsonlite.Value) string {
	switch m.Kind() {
	case jsonlite.String:
		s, _ := m.Str()
		return s
	case jsonlite.Invalid, jsonlite.Null:
		return ""
	}
	return m.Raw()
}

// optList is opt for an argument that must be an array of strings.
func (in toolInput) optList(tool, key string) []string {
	m := in.v.Get(key)
	if m.Kind() == jsonlite.Invalid || m.Kind() == jsonlite.Null {
		return nil
	}
	l, ok := stringList(m)
	if !ok && in.bad != nil && *in.bad == nil {
		*in.bad = fmt.Errorf("%s tool_input %q is not an array of strings", tool, key)
	}
	return l
}

// typeErr is the first argument opt found of the wrong type, or nil.
func (in toolInput) typeErr() error {
	if in.bad == nil {
		return nil
	}
	return *in.bad
}

// list returns an argument that is an array of strings (nil otherwise).
func (in toolInput) list(key string) []string {
	l, _ := stringList(in.v.Get(key))
	return l
}

// need returns a required string argument.
func (in toolInput) need(tool, key string) (string, error) {
	s := in.opt(tool, key)
	if err := in.typeErr(); err != nil {
		return "", err
	}
	if s == "" {
		return "", fmt.Errorf("%s tool_input has no %q string", tool, key)
	}
	return s, nil
}

// raw is the tool input's JSON text, for the audit preview.
func (e *event) raw(v jsonlite.Value) json.RawMessage {
	if v.Kind() == jsonlite.Invalid {
		return nil
	}
	// The value's text lies in e.data: slice it there rather than copy.
	r := v.Raw()
	if off := int(uintptr(unsafe.Pointer(unsafe.StringData(r))) - uintptr(unsafe.Pointer(unsafe.SliceData(e.data)))); off >= 0 && off+len(r) <= len(e.data) {
		return e.data[off : off+len(r) : off+len(r)]
	}
	return json.RawMessage(r)
}

// outputText flattens a tool's response into the text guards examine: a
// string as it is, an object's or array's keys and string values joined by
// newlines (stdout, stderr, file contents ...; an object's in key order). All
// of it, however large or deep (the event is bounded by MaxInput and its
// nesting by the parser): what guards do not see is what a secret or an
// injection would hide behind. The engine judges it within the call's time
// budget, and what it cannot judge in time counts against it.
func outputText(v jsonlite.Value) string {
	var b strings.Builder
	collectStrings(&b, v)
	return b.String()
}

// outputTextOf is outputText for a response as JSON text; text that is not
// JSON is the output as it is.
func outputTextOf(text json.RawMessage) string {
	v, err := jsonlite.ParseData(string(text))
	if err != nil {
		return string(text)
	}
	return outputText(v)
}

func collectStrings(b *strings.Builder, v jsonlite.Value) {
	switch v.Kind() {
	case jsonlite.String:
		if s, _ := v.Str(); s != "" {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	case jsonlite.Array:
		for i := range v.Len() {
			collectStrings(b, v.Index(i))
		}
	case jsonlite.Object:
		order := make([]int, v.Len())
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(i, j int) bool { return v.Key(order[i]) < v.Key(order[j]) })
		for _, i := range order {
			if k := v.Key(i); k != "" {
				b.WriteString(k) // a key can hold a value too ({"ghp_…": 1})
				b.WriteByte('\n')
			}
			collectStrings(b, v.Index(i))
		}
	}
}

// answer encodes an answer object, one line: members (key, value pairs) in
// order, empty ones left out as omitempty does, then, when nested is not
// nil, the object nested under nestedKey, whose first required members are
// written even when empty. An empty answer is `{}`.
func answer(members []string, nestedKey string, required int, nested []string) []byte {
	w := jsonlite.Writer{B: make([]byte, 0, 256)}
	w.Begin()
	for i := 0; i+1 < len(members); i += 2 {
		w.OmitEmpty(members[i], members[i+1])
	}
	if nested != nil {
		w.Key(nestedKey)
		w.Begin()
		for i := 0; i+1 < len(nested); i += 2 {
			if i < 2*required {
				w.StringMember(nested[i], nested[i+1])
			} else {
				w.OmitEmpty(nested[i], nested[i+1])
			}
		}
		w.End()
	}
	w.End()
	return append(w.B, '\n')
}
