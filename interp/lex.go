package interp

import (
	"strings"

	"github.com/bulwark-guard/bulwark/internal/escape"
)

// itok is one token of interpreter code.
type itok struct {
	text       string
	start, end int32 // offsets in code
	kind       byte  // 'i' identifier (dotted), 's' string, 'p' punctuation
	dyn        bool  // string with interpolation
	cmd        bool  // command string: backticks, %x(), qx()
}

// maxTokens caps the tokens scanned in one piece of interpreter code.
const maxTokens = 1 << 18

// scanner is the state of one Scan.
type scanner struct {
	lang Lang
	code string
	home string
	toks []itok
	// match[i] is the index of the bracket closing the one opened at i,
	// or len(toks) when it is not closed.
	match     []int32
	vars      map[string]Value
	steps     int // remaining scanning work
	evalDepth int
	yield     func(Effect) bool
	stopped   bool // yield returned false: report nothing more
	at        int  // offset of the token the scan is at (Effect.Offset)
}

// isOpen and isClose report bracket punctuation.
func (t *itok) isOpen() bool {
	return t.kind == 'p' && (t.text == "(" || t.text == "[" || t.text == "{")
}

func (t *itok) isClose() bool {
	return t.kind == 'p' && (t.text == ")" || t.text == "]" || t.text == "}")
}

// matchBrackets fills s.match in one pass.
func (s *scanner) matchBrackets() {
	s.match = make([]int32, len(s.toks))
	var stack []int32
	for i := range s.toks {
		s.match[i] = int32(len(s.toks))
		t := &s.toks[i]
		switch {
		case t.isOpen():
			stack = append(stack, int32(i))
		case t.isClose():
			if len(stack) > 0 {
				s.match[stack[len(stack)-1]] = int32(i)
				stack = stack[:len(stack)-1]
			}
		}
	}
}

// closeOf returns the index of the bracket closing the opener at i.
func (s *scanner) closeOf(i int) int {
	if i < 0 || i >= len(s.match) {
		return len(s.toks)
	}
	return int(s.match[i])
}

func isIdentStart(ch byte) bool {
	return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
}

func isIdentChar(ch byte) bool {
	return isIdentStart(ch) || (ch >= '0' && ch <= '9')
}

func (s *scanner) tokenize() {
	code := s.code
	n := len(code)
	hashComment := s.lang == Python || s.lang == Ruby || s.lang == Perl || s.lang == PHP
	slashComment := s.lang == Node || s.lang == PHP
	s.toks = make([]itok, 0, min(n/4+16, maxTokens))
	for i := 0; i < n; {
		if len(s.toks) >= maxTokens {
			s.emit(Effect{Kind: Problem, Msg: "interpreter code: too many tokens; the rest was not scanned"})
			break
		}
		ch := code[i]
		switch {
		case ch == '\n' || ch == ';':
			s.toks = append(s.toks, itok{kind: 'p', text: string(ch), start: int32(i), end: int32(i + 1)})
			i++
		case ch == ' ' || ch == '\t' || ch == '\r':
			i++
		case ch == '#' && hashComment && !(s.lang == Perl && i > 0 && code[i-1] == '$'):
			for i < n && code[i] != '\n' {
				i++
			}
		case ch == '/' && slashComment && i+1 < n && code[i+1] == '/':
			for i < n && code[i] != '\n' {
				i++
			}
		case ch == '-' && s.lang == Lua && i+1 < n && code[i+1] == '-':
			// -- to the end of the line, or a --[[ long comment ]].
			if end, ok := luaLong(code, i+2); ok {
				i = end
			} else {
				for i < n && code[i] != '\n' {
					i++
				}
			}
		case ch == '[' && s.lang == Lua && i+1 < n && (code[i+1] == '[' || code[i+1] == '='):
			if end, ok := luaLong(code, i); ok {
				open := strings.IndexByte(code[i+1:], '[') + i + 2
				closeLen := open - i
				s.toks = append(s.toks, itok{kind: 's', text: strings.TrimPrefix(code[min(open, end):max(open, end-closeLen)], "\n"), start: int32(i), end: int32(end)})
				i = end
				continue
			}
			s.toks = append(s.toks, itok{kind: 'p', text: "[", start: int32(i), end: int32(i + 1)})
			i++
		case ch == '`' && s.lang == Lua:
			s.toks = append(s.toks, itok{kind: 'p', text: "`", start: int32(i), end: int32(i + 1)})
			i++
		case ch == '/' && slashComment && i+1 < n && code[i+1] == '*':
			j := strings.Index(code[i+2:], "*/")
			if j < 0 {
				i = n
			} else {
				i += j + 4
			}
		case ch == '\'' || ch == '"' || ch == '`':
			i = s.str(i, "", ch)
		case ch == '%' && s.lang == Ruby && i+2 < n && (code[i+1] == 'x' || code[i+1] == 'q' || code[i+1] == 'Q') && !isIdentChar(code[i+2]) && code[i+2] != ' ':
			i = s.delimited(i, i+2, code[i+1] == 'x', code[i+1] == 'Q')
		case isIdentStart(ch) || ch == '$' || ch == '@' || (ch == '.' && i+1 < n && isIdentStart(code[i+1])):
			j := i + 1
			for j < n {
				if isIdentChar(code[j]) {
					j++
				} else if code[j] == '.' && j+1 < n && isIdentStart(code[j+1]) {
					j++
				} else if code[j] == ':' && j+2 < n && code[j+1] == ':' && isIdentStart(code[j+2]) {
					j += 2
				} else {
					break
				}
			}
			word := code[i:j]
			// String prefixes (python r'', f"", b''), perl q() qq() qx().
			if j < n && (code[j] == '\'' || code[j] == '"') && s.lang == Python && len(word) <= 2 &&
				strings.Trim(strings.ToLower(word), "rbuf") == "" {
				i = s.str(j, strings.ToLower(word), code[j])
				continue
			}
			if s.lang == Perl && (word == "q" || word == "qq" || word == "qx" || word == "qw") && j < n &&
				strings.IndexByte("({[</|!#'\"", code[j]) >= 0 {
				i = s.delimited(i, j, word == "qx", word == "qq")
				continue
			}
			s.toks = append(s.toks, itok{kind: 'i', text: word, start: int32(i), end: int32(j)})
			i = j
		default:
			s.toks = append(s.toks, itok{kind: 'p', text: string(ch), start: int32(i), end: int32(i + 1)})
			i++
		}
	}
}

// str reads a string literal starting at the quote at i.
func (s *scanner) str(i int, prefix string, q byte) int {
	code := s.code
	n := len(code)
	start := i
	if prefix != "" {
		start = i - len(prefix)
	}
	triple := s.lang == Python && i+2 < n && code[i+1] == q && code[i+2] == q
	j := i + 1
	if triple {
		j = i + 3
	}
	raw := strings.Contains(prefix, "r") || (q == '\'' && s.lang != Python && s.lang != Node && s.lang != Lua)
	var sb strings.Builder
	interp := ""
	switch {
	case s.lang == Ruby && q == '"':
		interp = "#{"
	case s.lang == Node && q == '`':
		interp = "${"
	case s.lang == Python && strings.Contains(prefix, "f"):
		interp = "{"
	}
	idepth := 0
	for j < n {
		ch := code[j]
		if interp != "" {
			// Quotes inside an interpolation do not end the string.
			if strings.HasPrefix(code[j:], interp) && !(interp == "{" && strings.HasPrefix(code[j:], "{{")) {
				idepth++
				sb.WriteString(interp)
				j += len(interp)
				continue
			}
			if idepth > 0 {
				if ch == '}' {
					idepth--
				}
				sb.WriteByte(ch)
				j++
				continue
			}
		}
		if ch == '\\' && j+1 < n {
			if raw {
				if code[j+1] == q || code[j+1] == '\\' {
					if !strings.Contains(prefix, "r") {
						sb.WriteByte(code[j+1])
					} else {
						sb.WriteString(code[j : j+2])
					}
					j += 2
					continue
				}
				sb.WriteByte(ch)
				j++
				continue
			}
			k := j + 2
			if code[j+1] == 'x' {
				k = min(j+4, n)
			}
			sb.WriteString(escape.Backslash(code[j:k]))
			j = k
			continue
		}
		if ch == q {
			if !triple {
				j++
				break
			}
			if j+2 < n && code[j+1] == q && code[j+2] == q {
				j += 3
				break
			}
		}
		sb.WriteByte(ch)
		j++
	}
	v := sb.String()
	t := itok{kind: 's', text: v, start: int32(start), end: int32(j)}
	switch {
	case q == '`' && s.lang == Node:
		t.dyn = strings.Contains(v, "${")
	case q == '`':
		t.cmd = true
		t.dyn = strings.Contains(v, "$") || strings.Contains(v, "#{")
	case strings.Contains(prefix, "f"):
		t.dyn = strings.Contains(v, "{")
	case q == '"' && (s.lang == Perl || s.lang == PHP):
		t.text = s.interpolateHome(v)
		t.dyn = hasSigil(t.text)
	case q == '"' && s.lang == Ruby:
		t.text = s.interpolateHome(v)
		t.dyn = strings.Contains(t.text, "#{")
	}
	s.toks = append(s.toks, t)
	return j
}

func hasSigil(v string) bool {
	for i := 0; i+1 < len(v); i++ {
		if (v[i] == '$' || v[i] == '@') && (isIdentStart(v[i+1]) || v[i+1] == '{') {
			return true
		}
	}
	return false
}

// delimited reads q(...), qx{...}, %x(...): the delimiter is at j.
func (s *scanner) delimited(start, j int, cmd, interp bool) int {
	code := s.code
	n := len(code)
	open := code[j]
	closeCh := open
	switch open {
	case '(':
		closeCh = ')'
	case '{':
		closeCh = '}'
	case '[':
		closeCh = ']'
	case '<':
		closeCh = '>'
	}
	depth := 1
	k := j + 1
	for k < n {
		ch := code[k]
		if ch == '\\' && k+1 < n {
			k += 2
			continue
		}
		if ch == closeCh && open != closeCh {
			depth--
			if depth == 0 {
				break
			}
		} else if ch == open && open != closeCh {
			depth++
		} else if ch == closeCh {
			break
		}
		k++
	}
	end := min(k, n)
	v := code[j+1 : end]
	t := itok{kind: 's', text: v, start: int32(start), end: int32(min(k+1, n)), cmd: cmd}
	if cmd || interp {
		t.dyn = hasSigil(v) || strings.Contains(v, "#{")
	}
	s.toks = append(s.toks, t)
	return min(k+1, n)
}

// luaLong reads a Lua long bracket [[...]] or [==[...]==] whose '[' is at
// i, and returns the offset after its closing bracket.
func luaLong(code string, i int) (int, bool) {
	if i >= len(code) || code[i] != '[' {
		return 0, false
	}
	j := i + 1
	for j < len(code) && code[j] == '=' {
		j++
	}
	if j >= len(code) || code[j] != '[' {
		return 0, false
	}
	closing := "]" + strings.Repeat("=", j-i-1) + "]"
	k := strings.Index(code[j+1:], closing)
	if k < 0 {
		return len(code), true
	}
	return j + 1 + k + len(closing), true
}
