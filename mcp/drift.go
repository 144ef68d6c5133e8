package mcp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// Drift says why a tool as listed now (p) must wait for the user's approval
// when base is what was approved: a changed title or description (the text
// the model reads, and the way a "rug pull" server changes what the agent
// does), or an input schema that accepts more than before or whose own
// texts changed. A schema that only got narrower (a property dropped, a
// bound tightened, a field now required) is no reason to hold the tool.
func Drift(base, p Print) []string {
	var out []string
	if base.Title != p.Title {
		out = append(out, "its title changed")
	}
	if base.Description != p.Description {
		out = append(out, "its description changed")
	}
	if base.SchemaSHA256 != p.SchemaSHA256 {
		if base.Schema == nil || p.Schema == nil {
			out = append(out, "its input schema changed")
		} else {
			var old, now any
			if decode(base.Schema, &old) != nil || decode(p.Schema, &now) != nil {
				out = append(out, "its input schema changed")
			} else if ws := widened(old, now, "arguments"); len(ws) > 0 {
				out = append(out, "its input schema "+strings.Join(clipList(ws, 5), "; "))
			}
		}
	}
	return out
}

func decode(raw json.RawMessage, v *any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

func clipList(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(slices.Clip(s[:n]), fmt.Sprintf("and %d more changes", len(s)-n))
}

// Keywords of JSON Schema by how a change to them is judged.
var (
	// upper bounds: larger or gone accepts more
	upperBounds = []string{"maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum", "maxContains"}
	// lower bounds: smaller or gone accepts more
	lowerBounds = []string{"minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum", "minContains"}
	// texts the model reads: any change counts
	texts = []string{"description", "title", "examples", "default", "deprecated"}
	// not looked at
	ignored = []string{"$schema", "$comment", "$id"}
)

// widened lists how schema now accepts more than old (or says something new
// to the model), at path. It knows the keywords tool schemas use (type,
// properties, required, additionalProperties, items, enum, const, bounds,
// pattern, format); a change to any other keyword counts as widening,
// since bulwark cannot tell.
func widened(old, now any, path string) []string {
	if reflect.DeepEqual(old, now) {
		return nil
	}
	om, ok1 := old.(map[string]any)
	nm, ok2 := now.(map[string]any)
	if !ok1 || !ok2 {
		// Boolean schemas, or a schema that is not an object.
		if b, ok := now.(bool); ok && !b {
			return nil // false accepts nothing
		}
		return []string{path + " changed shape"}
	}
	var out []string
	add := func(format string, a ...any) { out = append(out, path+": "+fmt.Sprintf(format, a...)) }

	// type: a new type accepted, or no type any more.
	if ot, ok := om["type"]; ok {
		os, ns := typeSet(ot), typeSet(nm["type"])
		if _, has := nm["type"]; !has {
			add("takes any type (was %s)", strings.Join(os, ", "))
		} else {
			for _, t := range ns {
				// integer is a kind of number: number -> integer narrows.
				if !slices.Contains(os, t) && !(t == "integer" && slices.Contains(os, "number")) {
					add("now also takes %s", t)
				}
			}
		}
	}
	// properties: new ones are new inputs; common ones are compared.
	op, _ := om["properties"].(map[string]any)
	np, _ := nm["properties"].(map[string]any)
	for _, k := range sortedKeys(np) {
		sub := path + "." + k
		if _, ok := op[k]; !ok {
			out = append(out, sub+": new parameter")
			continue
		}
		out = append(out, widened(op[k], np[k], sub)...)
	}
	// required: a field no longer required.
	nreq := strList(nm["required"])
	for _, r := range strList(om["required"]) {
		if !slices.Contains(nreq, r) {
			add("%q no longer required", r)
		}
	}
	// additionalProperties: from closed to open, or a looser schema.
	if oa, ok := om["additionalProperties"]; ok {
		na, has := nm["additionalProperties"]
		switch {
		case !has:
			if b, isBool := oa.(bool); !isBool || !b {
				add("takes any other properties")
			}
		default:
			if b, isBool := oa.(bool); isBool && b {
				break // was open already
			}
			out = append(out, widened(oa, na, path+"{other}")...)
		}
	}
	if _, has := om["items"]; has {
		if _, still := nm["items"]; !still {
			add("items take anything")
		} else {
			out = append(out, widened(om["items"], nm["items"], path+"[]")...)
		}
	}
	// enum and const: new values, or no list any more.
	if oe, ok := om["enum"].([]any); ok {
		ne, has := nm["enum"].([]any)
		if !has {
			add("takes any value (was one of %d)", len(oe))
		} else {
			for _, v := range ne {
				if !slices.ContainsFunc(oe, func(x any) bool { return reflect.DeepEqual(x, v) }) {
					add("now also takes %s", short(v))
				}
			}
		}
	}
	if oc, ok := om["const"]; ok && !reflect.DeepEqual(oc, nm["const"]) {
		add("const changed")
	}
	for _, k := range upperBounds {
		if ov, ok := num(om[k]); ok {
			if nv, has := num(nm[k]); !has || nv > ov {
				add("%s raised or removed", k)
			}
		}
	}
	for _, k := range lowerBounds {
		if ov, ok := num(om[k]); ok {
			if nv, has := num(nm[k]); !has || nv < ov {
				add("%s lowered or removed", k)
			}
		}
	}
	for _, k := range []string{"pattern", "format"} {
		if ov, ok := om[k]; ok && !reflect.DeepEqual(ov, nm[k]) {
			add("%s changed or removed", k)
		}
	}
	for _, k := range texts {
		if !reflect.DeepEqual(om[k], nm[k]) {
			add("%s changed", k)
		}
	}
	// Every other keyword: any change counts.
	handled := append(append(append(append([]string{"type", "properties", "required", "additionalProperties", "items", "enum", "const", "pattern", "format"},
		upperBounds...), lowerBounds...), texts...), ignored...)
	for _, k := range sortedKeys(union(om, nm)) {
		if slices.Contains(handled, k) {
			continue
		}
		if !reflect.DeepEqual(om[k], nm[k]) {
			add("%s changed", k)
		}
	}
	return out
}

func typeSet(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		return strList(t)
	}
	return nil
}

func strList(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func num(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func union(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
