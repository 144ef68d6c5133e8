package jsonlite

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// toAny turns a Value into what encoding/json (with UseNumber) decodes.
func toAny(v Value) any {
	switch v.Kind() {
	case Null:
		return nil
	case Bool:
		return v.Raw() == "true"
	case Number:
		return json.Number(v.Raw())
	case String:
		s, _ := v.Str()
		return s
	case Array:
		out := []any{}
		for i := range v.Len() {
			out = append(out, toAny(v.Index(i)))
		}
		return out
	case Object:
		out := map[string]any{}
		for i := range v.Len() {
			out[v.Key(i)] = toAny(v.Index(i))
		}
		return out
	}
	return "invalid"
}

func stdDecode(data string) (any, error) {
	d := json.NewDecoder(strings.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if strings.Trim(data[d.InputOffset():], " \t\r\n") != "" {
		return nil, errors.New("trailing")
	}
	return v, nil
}

// same checks Parse against encoding/json on one input: both refuse it, or
// both read the same tree, or Parse refuses an ambiguous object.
func same(t *testing.T, data string) {
	t.Helper()
	got, err := Parse(data)
	want, stdErr := stdDecode(data)
	var amb *AmbiguousKeyError
	switch {
	case err != nil && errors.As(err, &amb):
		// Refused as ambiguous: encoding/json reads it, or refuses it for
		// a reason found later in the input.
	case (err == nil) != (stdErr == nil):
		t.Errorf("%q: Parse error %v, encoding/json error %v", data, err, stdErr)
	case err == nil && !reflect.DeepEqual(toAny(got), want):
		t.Errorf("%q: Parse read %#v, encoding/json %#v", data, toAny(got), want)
	}
	if err == nil && got.Raw() != strings.Trim(data, " \t\r\n") {
		t.Errorf("%q: Raw = %q", data, got.Raw())
	}
}

var corpus = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1.5e-3`, `-12E+7`, `true`, `false`, `null`, ` {"a" : [1, "x", {"b": null}] } `,
	`{"session_id":"s","tool_input":{"command":"rm -rf ~","description":"d"},"n":1}`,
	`"a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"`, `"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800"`, "\"\xff\xfe\"", "\"caf\xc3\xa9\"",
	`{"a":1,"a":2}`, `{"tool_name":"Bash","Tool_Name":"Read"}`, `{"k":1,"\u212a":2}`, `{"s":1,"\u017f":2}`,
	`{"a":{"b":1,"B":2}}`, `[{"x":1},{"x":2}]`,
	``, ` `, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,}`, `[1,]`, `[1 2]`, `01`, `1.`, `.5`, `-`, `1e`, `+1`, `"abc`, "\"a\nb\"",
	`"\x"`, `"\u12"`, `"\u12G4"`, `tru`, `nul`, `falsy`, `{} {}`, `{}x`, `nan`, `'a'`, `{1:2}`, `{"a" 1}`,
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001), strings.Repeat("[", 100) + strings.Repeat("]", 100),
}

func TestParseAgreesWithEncodingJSON(t *testing.T) {
	for _, data := range corpus {
		same(t, data)
	}
	// Many keys: the map path of the ambiguity check.
	var b strings.Builder
	b.WriteString("{")
	for i := range 40 {
		b.WriteString(`"key` + strings.Repeat("x", i) + `":1,`)
	}
	b.WriteString(`"KEY":2}`)
	same(t, b.String())
	if _, err := Parse(strings.Replace(b.String(), `"KEY"`, `"KEYxxx"`, 1)); err == nil {
		t.Error("case variant among many keys accepted")
	}
}

func TestAmbiguousKeys(t *testing.T) {
	for data, want := range map[string]string{
		`{"a":1,"a":2}`: `the key "a" appears twice in one object`,
		`{"tool_name":"Bash","Tool_Name":"Read"}`: `the keys "tool_name" and "Tool_Name" differ only in case`,
		`{"x":{"k":1,"\u212a":2}}`:                "the keys \"k\" and \"\u212a\" differ only in case",
	} {
		_, err := Parse(data)
		if err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %s", data, err, want)
		}
	}
	if _, err := Parse(`{"a":1,"b":{"a":2}}`); err != nil {
		t.Errorf("the same key in two objects is not ambiguous: %v", err)
	}
}

func TestSubstringsShareInput(t *testing.T) {
	v, err := Parse(`{"command":"git status"}`)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := v.Get("command").Str(); !ok || s != "git status" {
		t.Fatalf("command = %q, %v", s, ok)
	}
	if v.Get("nope").Kind() != Invalid || v.Get("command").Get("x").Kind() != Invalid {
		t.Error("absent members must be Invalid")
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range corpus {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, data string) { same(t, data) })
}

// TestAppendStringAgreesWithEncodingJSON: byte for byte what encoding/json
// writes with SetEscapeHTML(false).
func TestAppendStringAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `a"b\c`, "<a&b>", "\x00\x01\x1f\x7f", "\b\f\n\r\t", "é😀", "\xff\xfe", "a\u2028b\u2029c", "\xe2\x80"} {
		checkString(t, s)
	}
}

func checkString(t *testing.T, s string) {
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	if got := string(AppendString(nil, s)) + "\n"; got != want.String() {
		t.Errorf("%q: AppendString %s, encoding/json %s", s, got, want.String())
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("a\"\\\x00\u2028\xff")
	f.Fuzz(checkString)
}

func TestWriter(t *testing.T) {
	var w Writer
	w.Begin()
	w.StringMember("a", "x")
	w.OmitEmpty("skip", "")
	w.Key("list")
	w.BeginArray()
	for _, n := range []int64{1, 2} {
		w.Elem()
		w.Int(n)
	}
	w.Elem()
	w.Begin()
	w.Key("ok")
	w.Bool(true)
	w.End()
	w.EndArray()
	w.Key("empty")
	w.Begin()
	w.End()
	w.End()
	if got, want := string(w.B), `{"a":"x","list":[1,2,{"ok":true}],"empty":{}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// A tool's output is data: keys that differ only in case are its own, and
// refusing them would leave the output unjudged. A key given twice is still
// refused, and so is a case variant anywhere else in the event.
func TestParseEventData(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{`{"tool_name":"x","tool_response":{"Content-Type":"a","content-type":"b"}}`, true},
		{`{"tool_name":"x","tool_response":[{"deep":{"A":1,"a":2}}]}`, true},
		{`{"tool_name":"x","tool_response":{"a":1,"a":2}}`, false},
		{`{"tool_name":"x","tool_input":{"A":1,"a":2},"tool_response":{}}`, false},
		{`{"tool_name":"x","TOOL_NAME":"y","tool_response":{}}`, false},
		{`{"x":{"tool_response":{"A":1,"a":2}}}`, false}, // only the top-level member is data
	} {
		if _, err := ParseEvent(tt.in, "tool_response"); (err == nil) != tt.ok {
			t.Errorf("ParseEvent(%s): %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
	if _, err := ParseData(`{"A":1,"a":2}`); err != nil {
		t.Errorf("ParseData: %v", err)
	}
	if _, err := ParseData(`{"a":1,"a":2}`); err == nil {
		t.Error("ParseData accepted a key given twice")
	}
}
