package scan

import (
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/redact"
)

// instructions judges an instruction, command, skill or agent file: the
// content guards that judge an agent's Write of it (injected instructions,
// downloads piped into a shell, exfiltration), and base64 blobs. Each hit
// is placed at the first line where its guard fires.
func (s *scanner) instructions(c *fileCtx) {
	text := string(c.data)
	// The file as the engine names it in evidence: relative to the
	// project, or from ~/.
	name := c.show
	for _, h := range s.contentHits(name, text) {
		line := s.firstLine(name, text, h.GuardID)
		if rest, ok := strings.CutPrefix(h.Evidence, c.path+": "); ok {
			h.Evidence = c.show + ": " + rest
		}
		s.hits(c, line, 0, []guards.Hit{h}, nil)
	}
	s.base64Blobs(c)
}

// contentHits are the hits of the content guards (secret formats aside:
// the secret check reports those, with their exact place) on a file's text
// written whole.
func (s *scanner) contentHits(path, text string) []guards.Hit {
	act := &guards.Action{Client: "audit", Event: guards.PreToolUse, Tool: "Write", Kind: guards.KindWrite,
		Cwd: s.o.Dir, Home: s.env.Home,
		Paths:    []guards.PathRef{{Path: path, Access: guards.AccessWrite}},
		Contents: []guards.Content{{Path: path, Text: text}}}
	v := s.e.Evaluate(act)
	var out []guards.Hit
	for _, h := range v.Hits {
		if !s.isContentGuard(h.GuardID) {
			continue // the write itself (a protected path), not what it holds
		}
		out = append(out, h)
	}
	return out
}

// isContentGuard: an on = "content" guard that is not made of secret
// formats.
func (s *scanner) isContentGuard(id string) bool {
	if s.contentIDs == nil {
		s.contentIDs = map[string]bool{}
		for _, p := range s.packs() {
			for _, g := range p.Guards {
				if g.On == guards.OnContent && len(g.Secrets) == 0 && !g.Secret {
					s.contentIDs[g.ID] = true
				}
			}
		}
	}
	return s.contentIDs[id]
}

// firstLine is the first line of text up to which the guard fires: the
// smallest prefix of whole lines (found by bisection) whose write fires it.
func (s *scanner) firstLine(path, text, id string) int {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' && i+1 < len(text) {
			starts = append(starts, i+1)
		}
	}
	fires := func(n int) bool { // the first n lines
		end := len(text)
		if n < len(starts) {
			end = starts[n]
		}
		for _, h := range s.contentHits(path, text[:end]) {
			if h.GuardID == id {
				return true
			}
		}
		return false
	}
	lo, hi := 1, len(starts)
	if !fires(hi) {
		return 1
	}
	for lo < hi {
		mid := (lo + hi) / 2
		if fires(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// unicode reports invisible characters that change what a model reads
// from what a person sees: Unicode tag characters (ASCII smuggling), bidi
// controls (text shown in another order than it is read), and runs of
// zero-width characters (or one inside a word, splitting it past filters).
// One finding per file and kind, with the first place and the count.
func (s *scanner) unicode(c *fileCtx) {
	text := string(c.data)
	var tagOff, bidiOff, zwOff = -1, -1, -1
	var tags []rune
	tagCount, bidiCount, zwCount := 0, 0, 0
	var prev rune
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r >= 0xE0000 && r <= 0xE007F:
			// An emoji tag sequence (a subdivision flag: U+1F3F4, tags,
			// U+E007F) is what tags are for.
			if prev == 0x1F3F4 || prev >= 0xE0000 && prev <= 0xE007F && inFlag(text, i) {
				break
			}
			tagCount++
			if tagOff < 0 {
				tagOff = i
			}
			if r >= 0xE0020 && r <= 0xE007E && len(tags) < 120 {
				tags = append(tags, r-0xE0000)
			}
		case r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069:
			bidiCount++
			if bidiOff < 0 {
				bidiOff = i
			}
		case isZeroWidth(r) && !(r == 0xFEFF && i == 0):
			next, _ := utf8.DecodeRuneInString(text[i+size:])
			if isZeroWidth(next) || isZeroWidth(prev) || isWordRune(prev) && isWordRune(next) {
				zwCount++
				if zwOff < 0 {
					zwOff = i
				}
			}
		}
		prev = r
		i += size
	}
	if tagCount > 0 {
		ev := fmt.Sprintf("%d invisible tag characters", tagCount)
		if len(tags) > 0 {
			ev += " spelling " + quote(redact.Mask(string(tags)))
		}
		s.fact(c, tagOff, guards.ConfigFact{Condition: guards.CondHiddenUnicode, Evidence: ev,
			Detail: "The file hides text in Unicode tag characters, which editors and diffs do not show but models read."})
	}
	if bidiCount > 0 {
		s.fact(c, bidiOff, guards.ConfigFact{Condition: guards.CondHiddenUnicode, Evidence: fmt.Sprintf("%d bidirectional control characters, the first: %s", bidiCount, visible(text, bidiOff)),
			Detail: "Bidirectional controls make text display in another order than it is read (the Trojan Source trick)."})
	}
	if zwCount > 0 {
		s.fact(c, zwOff, guards.ConfigFact{Condition: guards.CondZeroWidth, Evidence: fmt.Sprintf("%d zero-width characters, the first: %s", zwCount, visible(text, zwOff)),
			Detail: "Zero-width characters are invisible: inside a word they split it past keyword filters, and in runs they can encode hidden text."})
	}
}

// inFlag reports whether the tag at i continues a sequence that began with
// the black flag U+1F3F4.
func inFlag(text string, i int) bool {
	for j := i; j > 0; {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		if r == 0x1F3F4 {
			return true
		}
		if r < 0xE0000 || r > 0xE007F {
			return false
		}
		j -= size
	}
	return false
}

func isZeroWidth(r rune) bool {
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E, 0x2061, 0x2062, 0x2063, 0x2064:
		return true
	}
	return false
}

// isWordRune: an ASCII letter or digit (a zero-width joiner between emoji
// or a non-joiner in Persian is not hiding anything).
func isWordRune(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// visible shows the text around an offset with invisible characters
// spelled out (<U+200B>), secrets masked.
func visible(text string, off int) string {
	lo, hi := max(0, off-16), min(len(text), off+24)
	for lo > 0 && !utf8.RuneStart(text[lo]) {
		lo--
	}
	for hi < len(text) && !utf8.RuneStart(text[hi]) {
		hi++
	}
	var b strings.Builder
	for _, r := range redact.MaskRegion(text, lo, hi) {
		switch {
		case r >= 0xE0000 && r <= 0xE007F, r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, isZeroWidth(r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		case r == '\n' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return quote(strings.TrimSpace(b.String()))
}

// minBlob is the length from which a base64 run is a blob worth a look.
const minBlob = 80

// base64Blobs reports long base64 runs that decode to text: instructions
// hidden from a reviewer but plain to a model asked to decode them. Runs
// that decode to binary (an embedded image) are left alone.
func (s *scanner) base64Blobs(c *fileCtx) {
	text := string(c.data)
	for i := 0; i < len(text); {
		if !isB64(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isB64(text[j]) {
			j++
		}
		k := j
		for k < len(text) && k-j < 2 && text[k] == '=' {
			k++
		}
		run := text[i:k]
		if len(run) >= minBlob && mixed(run) && !urlBefore(text, i) {
			if dec, ok := decodeB64(run); ok && mostlyText(dec) {
				preview := strings.Join(strings.Fields(string(dec)), " ")
				if utf8.RuneCountInString(preview) > 80 {
					preview = string([]rune(preview)[:80]) + "…"
				}
				s.fact(c, i, guards.ConfigFact{Condition: guards.CondBase64Blob,
					Evidence: fmt.Sprintf("%d base64 characters decoding to %s", len(run), quote(redact.Mask(preview))),
					Detail:   "The file carries text in base64, which a reviewer cannot read but a model can decode and follow."})
				return // one per file
			}
		}
		i = k + 1
	}
}

func isB64(b byte) bool {
	return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '+' || b == '/' || b == '-' || b == '_'
}

// mixed: upper case, lower case and digits all occur (words and paths do
// not look like that for 80 characters).
func mixed(s string) bool {
	var up, low, dig bool
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= 'A' && b <= 'Z':
			up = true
		case b >= 'a' && b <= 'z':
			low = true
		case b >= '0' && b <= '9':
			dig = true
		}
	}
	return up && low && dig
}

// urlBefore: the run is part of a URL or a data: URI of an image.
func urlBefore(text string, i int) bool {
	lo := max(0, i-40)
	before := strings.ToLower(text[lo:i])
	return strings.HasSuffix(before, "data:image/png;base64,") || strings.HasSuffix(before, "data:image/jpeg;base64,") ||
		strings.HasSuffix(before, "data:image/gif;base64,") || strings.HasSuffix(before, "data:image/svg+xml;base64,") ||
		strings.Contains(before[max(0, len(before)-12):], "://")
}

func decodeB64(s string) ([]byte, bool) {
	t := strings.TrimRight(s, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(t[:len(t)-len(t)%4+min(len(t)%4, 0)]); err == nil {
			return b, true
		}
		if b, err := enc.DecodeString(t); err == nil {
			return b, true
		}
	}
	return nil, false
}

// mostlyText: valid UTF-8, nearly all printable.
func mostlyText(b []byte) bool {
	if len(b) < 20 || !utf8.Valid(b) {
		return false
	}
	bad := 0
	n := 0
	for _, r := range string(b) {
		n++
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			bad++
		}
	}
	return bad*20 <= n
}

// secrets reports every live secret of redact's list in a file, masked,
// at its line and column.
func (s *scanner) secrets(c *fileCtx) {
	text := string(c.data)
	for _, f := range redact.Secrets(text) {
		if !f.Live {
			continue
		}
		ev := redact.MaskRegion(text, f.Start, f.End)
		s.fact(c, f.Start, guards.ConfigFact{Condition: guards.CondSecret, Evidence: f.Kind + ": " + ev,
			Detail: "The file holds a live " + f.Kind + "."})
	}
}

// isScriptFile: a file a skill, plugin or hook directory ships to be run.
func isScriptFile(base string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(base)) {
	case ".sh", ".bash", ".zsh", ".py", ".js", ".mjs", ".cjs", ".rb", ".pl":
		return true
	}
	return len(data) > 2 && data[0] == '#' && data[1] == '!'
}

// script judges a script shipped in a skill, plugin or hooks directory as
// the hook would judge running it.
func (s *scanner) script(c *fileCtx) {
	s.runFile(c, c.path, filepath.Dir(c.path))
}

// runFile judges running a file by its path (its interpreter from the
// shebang or extension, read by package runfile), with the hits placed at
// the script's lines.
func (s *scanner) runFile(c *fileCtx, p, dir string) {
	cmd := shellJoin([]string{p})
	switch strings.ToLower(filepath.Ext(p)) {
	case ".py":
		cmd = "python3 " + cmd
	case ".js", ".mjs", ".cjs":
		cmd = "node " + cmd
	case ".rb":
		cmd = "ruby " + cmd
	case ".pl":
		cmd = "perl " + cmd
	case ".sh", ".bash", ".zsh":
		if !(len(c.data) > 2 && c.data[0] == '#' && c.data[1] == '!') {
			cmd = "sh " + cmd
		}
	}
	s.scriptHits(c, cmd, dir)
}

// scriptHits judges a command that runs files, keeping only what the files
// do (the command itself is the audit's), each at the file and line runfile
// names.
func (s *scanner) scriptHits(c *fileCtx, cmd, dir string) {
	act := &guards.Action{Client: "audit", Event: guards.PreToolUse, Tool: "Bash", Kind: guards.KindShell,
		Command: cmd, Cwd: dir, Home: s.env.Home, Scripts: &runfileSource{Home: s.env.Home}}
	v := s.e.Evaluate(act)
	for _, h := range v.Hits {
		if len(h.Via) == 0 {
			continue
		}
		line := viaLine(h.Via, c.path, dir, s.env.Home)
		h.Via = nil
		s.hits(c, line, 0, []guards.Hit{h}, nil)
	}
}
