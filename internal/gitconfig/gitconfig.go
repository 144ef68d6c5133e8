// Package gitconfig reads git's config file format, as git does, for the
// values bulwark must know before git runs them: aliases (alias.NAME, whose
// "!CODE" runs as shell code), core.hooksPath, include paths. It reads text
// only; the callers (package runfile in the hook, package scan in `bulwark
// audit`) read the files.
package gitconfig

import "strings"

// Entry is one variable of a config file: the section (lower-cased, with
// its subsection after a space: "alias", `includeif "gitdir:~/w/"`), the
// key (lower-cased), the value (quotes, escapes and comments resolved),
// the line it is on and the byte offset of its key. File is left for a
// caller that reads several files (includes, the user's and the
// repository's config) to say which one.
type Entry struct {
	Section, Key, Value string
	Line, Offset        int
	File                string
}

// Parse reads git's config format: [section], [section "subsection"] and
// the old [section.subsection]; key = value, a key alone (true); values with
// "quoted" parts, \" \\ \n \t \b escapes, # and ; comments outside quotes,
// and backslash-newline continuations. What it cannot read is left out.
func Parse(text string) []Entry {
	var out []Entry
	section := ""
	lines := strings.Split(text, "\n")
	next := 0 // offset of line i
	for i := 0; i < len(lines) && i < 1<<16; i++ {
		raw := lines[i]
		l := strings.TrimLeft(raw, " \t\r\f\v")
		off := next + len(raw) - len(l) // where l starts
		next += len(raw) + 1
		l = strings.TrimRight(l, " \t\r\f\v")
		start := i + 1
		if l == "" || l[0] == '#' || l[0] == ';' {
			continue
		}
		if l[0] == '[' {
			end := strings.IndexByte(l, ']')
			if end < 0 {
				section = ""
				continue
			}
			name, sub, hasSub := strings.Cut(strings.TrimSpace(l[1:end]), " ")
			section = asciiLower(name)
			if hasSub {
				section += " " + strings.TrimSpace(sub) // the subsection keeps its case
			}
			rest := l[end+1:] // [alias] co = checkout
			l = strings.TrimLeft(rest, " \t\f\v")
			off += end + 1 + len(rest) - len(l)
			if l == "" {
				continue
			}
		}
		if section == "" {
			continue
		}
		key, rest, hasVal := strings.Cut(l, "=")
		key = strings.TrimRight(key, " \t\f\v")
		if !isName(key) {
			continue // git refuses such a key
		}
		key = asciiLower(key)
		if !hasVal {
			out = append(out, Entry{Section: section, Key: key, Value: "true", Line: start, Offset: off})
			continue
		}
		// A value continues on the next line after a backslash at its end
		// (outside quotes). White space outside quotes is kept inside the
		// value and dropped at its ends.
		var b strings.Builder
		keep := 0 // b's length up to the last byte that is not trailing white space
		quoted := false
		v := strings.TrimLeft(rest, " \t")
		for {
			cont := false
		scan:
			for j := 0; j < len(v); j++ {
				c := v[j]
				switch {
				case c == '\\' && j+1 < len(v):
					j++
					switch v[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'b':
						b.WriteByte('\b')
					default:
						b.WriteByte(v[j]) // \" \\
					}
					keep = b.Len()
				case c == '\\':
					cont = true // at the end of the line
				case c == '"':
					quoted = !quoted
					keep = b.Len()
				case (c == '#' || c == ';') && !quoted:
					break scan
				case (c == ' ' || c == '\t' || c == '\r') && !quoted:
					b.WriteByte(' ') // as git: one space each, dropped at the end
				default:
					b.WriteByte(c)
					keep = b.Len()
				}
			}
			if !cont || i+1 >= len(lines) {
				break
			}
			i++
			next += len(lines[i]) + 1
			v = strings.TrimSuffix(lines[i], "\r")
		}
		out = append(out, Entry{Section: section, Key: key, Value: b.String()[:keep], Line: start, Offset: off})
	}
	return out
}

// isName reports a key as git allows it: a letter, then letters, digits
// and dashes.
func isName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i] | 0x20
		if !(c >= 'a' && c <= 'z' || i > 0 && (k[i] >= '0' && k[i] <= '9' || k[i] == '-')) {
			return false
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters only (git's names are ASCII; other
// bytes are kept as they are).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Last is the value git uses for section.key: the last one set.
func Last(entries []Entry, section, key string) (Entry, bool) {
	for i := len(entries) - 1; i >= 0; i-- {
		if e := entries[i]; e.Section == section && e.Key == key {
			return e, true
		}
	}
	return Entry{}, false
}
