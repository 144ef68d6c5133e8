package shell

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
)

// staticOut is the small static evaluator: what a command prints, when that
// follows from its literal arguments and static stdin (echo, printf, cat of a
// heredoc, base64 -d, xxd -r -p ...).
func (a *analyzer) staticOut(name string, args []xword, in stdinInfo) outInfo {
	for i := range args {
		if args[i].Dynamic || args[i].Glob {
			if name == "echo" || name == "printf" {
				return outInfo{}
			}
		}
	}
	decoded := ""
	for i := range args {
		decoded = orDec(decoded, args[i].decoded)
	}
	switch name {
	case "echo":
		return outInfo{text: echoOut(args), known: true, decoded: decoded}
	case "printf":
		if s, ok := printfOut(args); ok {
			return outInfo{text: s, known: true, decoded: decoded}
		}
	case "true", ":":
		return outInfo{known: true}
	case "cat", "tee":
		files := 0
		for _, w := range args {
			if w.Value == "-" || (name == "cat" && strings.HasPrefix(w.Value, "-") && !w.Dynamic) {
				continue
			}
			files++
		}
		if name == "tee" || files == 0 {
			return outInfo{text: in.text, known: in.known, decoded: in.decoded, file: in.file}
		}
		if files == 1 {
			// cat FILE: the output is the file's content.
			for i := range args {
				if w := args[i]; w.Value != "-" && (w.Dynamic || !strings.HasPrefix(w.Value, "-")) {
					f := w.Word
					return outInfo{file: &f}
				}
			}
		}
	case "rev", "tac":
		if len(args) == 0 && in.known {
			if name == "rev" {
				return outInfo{text: revOut(in.text), known: true, decoded: in.decoded}
			}
			return outInfo{text: tacOut(in.text), known: true, decoded: in.decoded}
		}
	case "tr":
		if in.known {
			if s, ok := trOut(args, in.text); ok {
				return outInfo{text: s, known: true, decoded: in.decoded}
			}
		}
	case "which":
		if len(args) == 1 && !args[0].Dynamic {
			return outInfo{text: args[0].Value + "\n", known: true}
		}
	case "command", "type":
		if len(args) == 2 && (args[0].Value == "-v" || args[0].Value == "-P" || args[0].Value == "-p") && !args[1].Dynamic {
			return outInfo{text: args[1].Value + "\n", known: true}
		}
	case "base64", "base32", "basenc":
		if !in.known {
			return outInfo{}
		}
		dec, files := false, false
		k := scanOpts(args, commands.Lookup(name), func(o opt) bool {
			switch {
			case o.operand:
				files = files || args[o.i].Value != "-" || args[o.i].Dynamic
			case o.short == 'd' || o.short == 'D' || o.long == "decode":
				dec = true
			}
			return true
		})
		if files || k < len(args) {
			return outInfo{} // it reads a file, not stdin
		}
		if dec {
			if s, ok := decodeBase(name, in.text); ok {
				kind := "base64"
				if name == "base32" {
					kind = "base32"
				}
				return outInfo{text: s, known: true, decoded: kind}
			}
			return outInfo{}
		}
		if name == "base64" && len(in.text) <= maxPayload/2 {
			return outInfo{text: base64.StdEncoding.EncodeToString([]byte(in.text)) + "\n", known: true, decoded: in.decoded}
		}
	case "openssl":
		if !in.known || len(args) == 0 {
			return outInfo{}
		}
		b64, dec := false, false
		for _, w := range args {
			switch w.Value {
			case "base64", "-base64", "-a":
				b64 = true
			case "-d":
				dec = true
			case "-in":
				return outInfo{}
			}
		}
		if b64 && dec {
			if s, ok := decodeBase("base64", in.text); ok {
				return outInfo{text: s, known: true, decoded: "base64"}
			}
		}
	case "xxd":
		if !in.known {
			return outInfo{}
		}
		rev, plain := false, false
		for _, w := range args {
			v := w.Value
			switch {
			case v == "-r" || v == "-revert":
				rev = true
			case v == "-p" || v == "-ps" || v == "-plain" || v == "-postscript":
				plain = true
			case v == "-rp" || v == "-pr" || v == "-r -p":
				rev, plain = true, true
			case !strings.HasPrefix(v, "-"):
				return outInfo{}
			}
		}
		if rev && plain {
			if s, ok := decodeHex(in.text); ok {
				return outInfo{text: s, known: true, decoded: "hex"}
			}
		}
	case "find":
		roots, i := findRoots(args)
		restricted := false
		for _, w := range args[i:] {
			if findRestricting(w.Value) || w.Value == "-exec" || w.Value == "-execdir" || w.Value == "-ok" ||
				w.Value == "-okdir" || w.Value == "-delete" || w.Value == "-o" {
				restricted = true
			}
		}
		if !restricted {
			return outInfo{known: true, roots: roots}
		}
	}
	return outInfo{}
}

func echoOut(args []xword) string {
	nl, esc := true, false
	i := 0
	for i < len(args) {
		v := args[i].Value
		if len(v) < 2 || v[0] != '-' || strings.Trim(v[1:], "neE") != "" {
			break
		}
		for _, ch := range v[1:] {
			switch ch {
			case 'n':
				nl = false
			case 'e':
				esc = true
			case 'E':
				esc = false
			}
		}
		i++
	}
	var sb strings.Builder
	for j, w := range args[i:] {
		if j > 0 {
			sb.WriteByte(' ')
		}
		if esc {
			s, stop := backslashEsc(w.Value)
			sb.WriteString(s)
			if stop {
				return sb.String()
			}
		} else {
			sb.WriteString(w.Value)
		}
		if sb.Len() > maxPayload {
			break
		}
	}
	if nl {
		sb.WriteByte('\n')
	}
	return sb.String()
}

// backslashEsc interprets echo -e / printf %b escapes. stop is true after \c.
func backslashEsc(s string) (string, bool) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, false
	}
	if i := strings.Index(s, `\c`); i >= 0 {
		return ansiC(s[:i]), true
	}
	return ansiC(s), false
}

// printfOut formats printf FORMAT ARGS with %s, %b, %d, %c, %q (simply) and
// backslash escapes in the format.
func printfOut(args []xword) (string, bool) {
	if len(args) == 0 {
		return "", false
	}
	if args[0].Value == "--" {
		args = args[1:]
	}
	if len(args) == 0 || args[0].Value == "-v" {
		return "", false
	}
	format := args[0].Value
	rest := args[1:]
	var sb strings.Builder
	for iter := 0; iter < 1000; iter++ {
		used := 0
		for i := 0; i < len(format); i++ {
			ch := format[i]
			if ch == '\\' && i+1 < len(format) {
				j := i + 1
				if format[j] == 'x' || (format[j] >= '0' && format[j] <= '7') {
					k := j + 1
					for k < len(format) && k < j+4 && isHex(format[k]) {
						k++
					}
					sb.WriteString(ansiC(format[i:k]))
					i = k - 1
				} else {
					sb.WriteString(ansiC(format[i : j+1]))
					i = j
				}
				continue
			}
			if ch != '%' || i+1 >= len(format) {
				sb.WriteByte(ch)
				continue
			}
			j := i + 1
			for j < len(format) && strings.IndexByte("-+ #0123456789.", format[j]) >= 0 {
				j++
			}
			if j >= len(format) {
				return "", false
			}
			verb := format[j]
			i = j
			if verb == '%' {
				sb.WriteByte('%')
				continue
			}
			arg := ""
			if used < len(rest) {
				arg = rest[used].Value
			}
			used++
			switch verb {
			case 's', 'q':
				sb.WriteString(arg)
			case 'b':
				s, stop := backslashEsc(arg)
				sb.WriteString(s)
				if stop {
					return sb.String(), true
				}
			case 'd', 'i', 'u':
				if arg == "" {
					arg = "0"
				}
				sb.WriteString(arg)
			case 'c':
				if arg != "" {
					sb.WriteByte(arg[0])
				}
			default:
				return "", false
			}
			if sb.Len() > maxPayload {
				return "", false
			}
		}
		if used == 0 || used >= len(rest) {
			break
		}
		rest = rest[used:]
	}
	return sb.String(), true
}

func decodeBase(name, text string) (string, bool) {
	if len(text) > 2*maxPayload {
		return "", false
	}
	clean := dropSpace(text)
	if name == "base32" {
		b, err := base32.StdEncoding.DecodeString(clean)
		if err != nil {
			b, err = base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(clean, "="))
			if err != nil {
				return "", false
			}
		}
		return string(b), true
	}
	trimmed := strings.TrimRight(clean, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(trimmed); err == nil {
			return string(b), true
		}
	}
	return "", false
}

// dropSpace removes the white space base64, base32 and hex decoders are
// given between groups (wrapped lines, spaced bytes).
func dropSpace(text string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, text)
}

func decodeHex(text string) (string, bool) {
	if len(text) > 2*maxPayload {
		return "", false
	}
	clean := dropSpace(text)
	b, err := hex.DecodeString(clean)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// splitFields splits text into words like xargs and `env -S` do: on
// whitespace, with simple '...', "..." and backslash quoting.
func splitFields(s string) []Word {
	var out []Word
	var sb strings.Builder
	in := false
	var q byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case q != 0:
			if ch == q {
				q = 0
			} else if ch == '\\' && q == '"' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
				i++
				sb.WriteByte(s[i])
			} else {
				sb.WriteByte(ch)
			}
		case ch == '\'' || ch == '"':
			q = ch
			in = true
		case ch == '\\' && i+1 < len(s):
			i++
			sb.WriteByte(s[i])
			in = true
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			if in {
				out = append(out, Word{Value: sb.String()})
				sb.Reset()
				in = false
			}
		default:
			sb.WriteByte(ch)
			in = true
		}
	}
	if in {
		out = append(out, Word{Value: sb.String()})
	}
	return out
}

// orDec combines decoding kinds: the first non-empty wins.
func orDec(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
