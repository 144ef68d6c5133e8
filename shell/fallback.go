package shell

import "strings"

// fallback is the crude analysis of text that does not parse: split on
// newlines, ;, &&, ||, |, & (outside quotes), tokenise each part on
// whitespace with simple quote removal, and run the usual wrapper removal
// and nesting on the result.
func (a *analyzer) fallback(text string, c *ctx, sc *scope) {
	type seg struct {
		words []xword
		pipe  bool // piped into the next segment
		bg    bool
	}
	var segs []seg
	var cur []xword
	var sb strings.Builder
	inWord, dyn, glob := false, false, false
	var q byte
	flushWord := func() {
		if inWord {
			cur = append(cur, xword{Word: Word{Value: sb.String(), Dynamic: dyn, Glob: glob}})
		}
		sb.Reset()
		inWord, dyn, glob = false, false, false
	}
	flushSeg := func(pipe, bg bool) {
		flushWord()
		if len(cur) > 0 || pipe {
			segs = append(segs, seg{words: cur, pipe: pipe, bg: bg})
		}
		cur = nil
	}
	for i := 0; i < len(text); i++ {
		ch := text[i]
		if q != 0 {
			switch {
			case ch == q:
				q = 0
			case ch == '\\' && q == '"' && i+1 < len(text):
				i++
				sb.WriteByte(text[i])
			default:
				if q == '"' && (ch == '$' || ch == '`') {
					dyn = true
				}
				sb.WriteByte(ch)
			}
			continue
		}
		switch ch {
		case '\'', '"':
			q = ch
			inWord = true
		case '\\':
			if i+1 < len(text) {
				i++
				if text[i] != '\n' {
					sb.WriteByte(text[i])
					inWord = true
				}
			}
		case ' ', '\t', '\r':
			flushWord()
		case '\n', ';':
			flushSeg(false, false)
		case '&':
			if i+1 < len(text) && text[i+1] == '&' {
				i++
				flushSeg(false, false)
			} else if i+1 < len(text) && text[i+1] == '>' {
				sb.WriteByte(ch)
				inWord = true
			} else if inWord || sb.Len() > 0 || i > 0 && (text[i-1] == '>' || text[i-1] == '<') {
				sb.WriteByte(ch)
				inWord = true
			} else {
				flushSeg(false, true)
			}
		case '|':
			if i+1 < len(text) && text[i+1] == '|' {
				i++
				flushSeg(false, false)
			} else {
				flushSeg(true, false)
			}
		case '(', ')', '{', '}':
			if !inWord {
				flushWord()
				continue
			}
			sb.WriteByte(ch)
		default:
			if ch == '$' || ch == '`' {
				dyn = true
			}
			if ch == '*' || ch == '?' || ch == '[' {
				glob = true
			}
			if ch == '~' && !inWord {
				if i+1 == len(text) || text[i+1] == '/' || text[i+1] == ' ' {
					sb.WriteString(sc.home())
					inWord = true
					continue
				}
			}
			sb.WriteByte(ch)
			inWord = true
		}
		if len(segs) > maxCommands {
			break
		}
	}
	flushSeg(false, false)
	var upstream []string
	for _, s := range segs {
		if !a.spend(1) {
			return
		}
		// Drop redirections crudely: a word starting with > or < and its
		// target when separate.
		argv := make([]xword, 0, len(s.words))
		var redirs []Redirect
		for j := 0; j < len(s.words); j++ {
			v := s.words[j].Value
			if op, target, ok := crudeRedirect(v); ok {
				if target == "" && j+1 < len(s.words) {
					j++
					target = s.words[j].Value
				}
				redirs = append(redirs, Redirect{Op: op, Target: Word{Value: target}, Write: strings.Contains(op, ">") && !strings.HasSuffix(op, "&")})
				continue
			}
			argv = append(argv, s.words[j])
		}
		inv := &invocation{redirs: redirs}
		inv.argv = inv.takeAssigns(argv)
		nc := c.with()
		if len(upstream) > 0 {
			nc.fedBy = addNames(append([]string{}, c.fedBy...), upstream)
		}
		nc.bg = c.bg || s.bg
		m := len(a.cmds)
		if len(inv.argv) > 0 {
			a.run(inv, nc, sc)
		}
		if s.pipe {
			if m <= len(a.cmds) {
				upstream = namesOf(upstream, a.cmds[m:])
			}
		} else {
			upstream = nil
		}
	}
}

// crudeRedirect recognises a redirection word of the fallback tokeniser.
func crudeRedirect(v string) (op, target string, ok bool) {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	j := i
	if j < len(v) && v[j] == '&' {
		j++
	}
	k := j
	for k < len(v) && (v[k] == '>' || v[k] == '<' || v[k] == '|' || v[k] == '&') && k-j < 3 {
		k++
	}
	if k == j || (v[j] == '&' && k == j+1) {
		return "", "", false
	}
	return v[:k], v[k:], true
}
