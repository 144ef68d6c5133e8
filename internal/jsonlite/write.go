package jsonlite

import (
	"strconv"
	"unicode/utf8"
)

// Writer builds JSON text, writing what encoding/json writes with
// SetEscapeHTML(false) for the same values. Objects and arrays nest; inside
// an object each value follows a Key, inside an array each follows Elem
// (which write the commas).
type Writer struct {
	B     []byte
	first []bool // per open object or array: no member yet
}

// Begin opens an object.
func (w *Writer) Begin() { w.B = append(w.B, '{'); w.first = append(w.first, true) }

// End closes the innermost object.
func (w *Writer) End() { w.B = append(w.B, '}'); w.first = w.first[:len(w.first)-1] }

// BeginArray opens an array.
func (w *Writer) BeginArray() { w.B = append(w.B, '['); w.first = append(w.first, true) }

// EndArray closes the innermost array.
func (w *Writer) EndArray() { w.B = append(w.B, ']'); w.first = w.first[:len(w.first)-1] }

func (w *Writer) comma() {
	if n := len(w.first) - 1; w.first[n] {
		w.first[n] = false
	} else {
		w.B = append(w.B, ',')
	}
}

// Key starts an object member; its value follows.
func (w *Writer) Key(k string) {
	w.comma()
	w.B = AppendString(w.B, k)
	w.B = append(w.B, ':')
}

// Elem starts an array element; its value follows.
func (w *Writer) Elem() { w.comma() }

// String writes a string value.
func (w *Writer) String(s string) { w.B = AppendString(w.B, s) }

// Int writes an integer value.
func (w *Writer) Int(n int64) { w.B = strconv.AppendInt(w.B, n, 10) }

// Bool writes a boolean value.
func (w *Writer) Bool(v bool) { w.B = strconv.AppendBool(w.B, v) }

// StringMember writes "k":"s".
func (w *Writer) StringMember(k, s string) {
	w.Key(k)
	w.String(s)
}

// OmitEmpty writes "k":"s" unless s is empty (encoding/json's omitempty).
func (w *Writer) OmitEmpty(k, s string) {
	if s != "" {
		w.StringMember(k, s)
	}
}

const hex = "0123456789abcdef"

// AppendString appends s as a JSON string exactly as encoding/json does
// without HTML escaping: \" \\ \b \f \n \r \t, other control characters as
// \u00XX, invalid UTF-8 as \ufffd, and U+2028, U+2029 escaped.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Raw writes JSON text (which must be valid: see Valid) as a value,
// compacted, as encoding/json writes a json.RawMessage.
func (w *Writer) Raw(text []byte) { w.B = appendCompact(w.B, text) }

// Valid reports whether text is one JSON value ParseData accepts (what
// Raw needs: a value, whatever its keys' case).
func Valid(text []byte) bool {
	_, err := ParseData(string(text))
	return err == nil
}

// appendCompact appends valid JSON text without the white space between
// tokens (json.Compact without its error path).
func appendCompact(b, text []byte) []byte {
	in := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case in:
			b = append(b, c)
			if c == '\\' && i+1 < len(text) {
				i++
				b = append(b, text[i])
			} else if c == '"' {
				in = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			b = append(b, c)
			in = c == '"'
		}
	}
	return b
}
