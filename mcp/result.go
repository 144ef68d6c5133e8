package mcp

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
	"github.com/bulwark-guard/bulwark/redact"
	"github.com/bulwark-guard/bulwark/report"
)

// A tools/call result (CallToolResult) is an object with "content" (an
// array of text, image, audio, resource_link and embedded resource items),
// optionally "structuredContent" (any JSON) and "isError". bulwark judges
// the text the model will read, masks secrets in every string in place, and
// withholds text without touching the shape the client checks: types, URIs,
// MIME types, isError and _meta stay as they are.

// resultText is the text of a result the guards examine, as the hook
// flattens a tool's response: every key and string in it (text items,
// embedded resource text, structuredContent, annotations, whatever a
// server adds), one per line, however large or deep, but the base64
// bodies of images, audio and binary resources. A result that is not JSON
// is taken as it is.
func resultText(raw json.RawMessage) string {
	v, ok := decodeAny(raw)
	if !ok {
		return string(raw)
	}
	var b strings.Builder
	collect(&b, v)
	return b.String()
}

func line(b *strings.Builder, s string) {
	if s != "" {
		b.WriteString(s)
		b.WriteByte('\n')
	}
}

func collect(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		line(b, x)
	case []any:
		for _, e := range x {
			collect(b, e)
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			line(b, k) // a key can hold a value too ({"ghp_…": 1})
			if !binary(x, k) {
				collect(b, x[k])
			}
		}
	}
}

// binary reports whether m[k] is base64 data: an image or audio item's
// "data", a binary resource's "blob".
func binary(m map[string]any, k string) bool {
	switch k {
	case "data":
		t, _ := m["type"].(string)
		return t == "image" || t == "audio"
	case "blob":
		_, uri := m["uri"]
		return uri
	}
	return false
}

func decodeAny(raw json.RawMessage) (any, bool) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false
	}
	return v, true
}

func encodeAny(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// withhold replaces the text of a result with notice: every string but
// the protocol's own (each item's type, MIME type and URI, and _meta), with
// images, audio and binary resources replaced by a text item. The result
// stays a valid CallToolResult.
func withhold(raw json.RawMessage, notice string) json.RawMessage {
	v, ok := decodeAny(raw)
	m, isObj := v.(map[string]any)
	if !ok || !isObj {
		return toolError(notice, false)
	}
	items, _ := m["content"].([]any)
	for i, it := range items {
		im, ok := it.(map[string]any)
		if !ok {
			items[i] = textItem(notice)
			continue
		}
		switch im["type"] {
		case "text", "resource_link":
		case "resource":
			if r, ok := im["resource"].(map[string]any); ok {
				delete(r, "blob")
				r["text"] = notice
			}
		default: // image, audio, and kinds this build does not know
			items[i] = textItem(notice)
		}
	}
	if len(items) == 0 {
		items = []any{textItem(notice)}
	}
	m["content"] = items
	return encodeAny(withholdStrings(m, notice, 0))
}

// protocolKeys hold the protocol's own strings, which a withheld result
// keeps so that the client still accepts it.
var protocolKeys = map[string]bool{"type": true, "mimeType": true, "uri": true, "_meta": true}

func withholdStrings(v any, notice string, depth int) any {
	if depth > 64 {
		return nil
	}
	switch x := v.(type) {
	case string:
		if x == "" {
			return x
		}
		return notice
	case []any:
		for i := range x {
			x[i] = withholdStrings(x[i], notice, depth+1)
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if protocolKeys[k] {
				out[k] = e
				continue
			}
			// A key can hold a secret too: it keeps its place, masked.
			out[redact.Mask(k)] = withholdStrings(e, notice, depth+1)
		}
		return out
	}
	return v
}

func textItem(s string) map[string]any { return map[string]any{"type": "text", "text": s} }

// withNote appends a text item to a result's content (the way bulwark
// speaks to the agent next to a tool's output, as the hook's
// additionalContext does). A result that is not an object is left alone.
func withNote(raw json.RawMessage, note string) json.RawMessage {
	if note == "" {
		return raw
	}
	v, ok := decodeAny(raw)
	m, isObj := v.(map[string]any)
	if !ok || !isObj {
		return raw
	}
	items, _ := m["content"].([]any)
	m["content"] = append(items, textItem(note))
	return encodeAny(m)
}

// toolError is a CallToolResult that reports text as a tool error (isError:
// the model reads it as the tool's answer, and no client treats it as a
// broken connection).
func toolError(text string, isError bool) json.RawMessage {
	m := map[string]any{"content": []any{textItem(text)}}
	if isError {
		m["isError"] = true
	}
	return encodeAny(m)
}

// screen decides what the model sees of a judged result, as the hook does
// for PostToolUse (hooks.Replace): a flagged result with its secrets
// masked in place when that is enough (judged again, the masked result is
// no longer flagged), else withheld; either way with bulwark's note next to
// it. A warning adds a caution. It returns the result to send (raw itself
// when nothing changes).
func screen(act *guards.Action, v *guards.Verdict, eval func(*guards.Action) guards.Verdict) json.RawMessage {
	raw := act.Response
	switch {
	case v.Flag:
		masked, changed := hooks.MaskResponse(raw)
		if changed {
			again := *act
			again.Response, again.Output = masked, resultText(masked)
			if mv := eval(&again); !mv.Flag {
				return withNote(masked, report.PostContext(v))
			}
		}
		return withNote(withhold(masked, report.Withheld(v)), report.PostContext(v))
	case v.Decision == guards.Warn:
		return withNote(raw, report.Caution(v))
	}
	return raw
}

func sortedNames[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
