package guards_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/packs"
)

// re2Patterns are every Go-regexp pattern of the built-in packs.
func re2Patterns(t testing.TB) []string { return patternsOf("") }

// regexp2Patterns are every regexp2 pattern of the built-in packs.
func regexp2Patterns(t testing.TB) []string { return patternsOf("regexp2") }

func patternsOf(engine string) []string {
	var out []string
	for _, p := range packs.Builtin() {
		for _, g := range p.Guards {
			if g.Engine == engine {
				out = append(out, guards.RegexFields(&g)...)
			}
		}
	}
	return out
}

var accel2Cache = map[string]struct {
	a  guards.Accel
	re *regexp2.Regexp
}{}

// checkAccel2 is checkAccel for a regexp2 pattern.
func checkAccel2(t *testing.T, expr, text string) {
	t.Helper()
	c, ok := accel2Cache[expr]
	if !ok {
		c.a, c.re = guards.NewAccel2(expr), regexp2.MustCompile(expr, regexp2.RE2)
		accel2Cache[expr] = c
	}
	if c.a.Prefixes() == nil || !c.a.Usable(text) {
		return
	}
	m, err := c.re.FindStringMatch(text)
	start, end, found, timedOut := c.a.Find2(text)
	if err != nil || timedOut {
		return
	}
	switch {
	case m == nil && found:
		t.Errorf("%s on %q: found [%d:%d], the plain search finds nothing", expr, text, start, end)
	case m != nil && !found:
		t.Errorf("%s on %q: found nothing, the plain search finds %q", expr, text, m.String())
	case m != nil && text[start:end] != m.String():
		t.Errorf("%s on %q: found %q, the plain search %q", expr, text, text[start:end], m.String())
	}
}

type accelCase struct {
	a  guards.Accel
	re *regexp.Regexp
}

var accelCache = map[string]accelCase{}

// checkAccel: the anchored search finds exactly the leftmost match the
// whole-text search finds.
func checkAccel(t *testing.T, expr, text string) {
	t.Helper()
	c, ok := accelCache[expr]
	if !ok {
		c = accelCase{guards.NewAccel(expr), regexp.MustCompile(expr)}
		accelCache[expr] = c
	}
	a := c.a
	if a.Prefixes() == nil || !a.Usable(text) {
		return
	}
	want := c.re.FindStringIndex(text)
	start, end, found := a.Find(text)
	switch {
	case want == nil && found:
		t.Errorf("%s on %q: found [%d:%d], the plain search finds nothing", expr, text, start, end)
	case want != nil && !found:
		t.Errorf("%s on %q: found nothing, the plain search finds [%d:%d]", expr, text, want[0], want[1])
	case want != nil && (want[0] != start || want[1] != end):
		t.Errorf("%s on %q: found [%d:%d], the plain search [%d:%d]", expr, text, start, end, want[0], want[1])
	}
}

func accelTexts(t testing.TB) []string {
	var texts []string
	for _, p := range packs.Builtin() {
		for _, g := range p.Guards {
			texts = append(texts, g.Match...)
			texts = append(texts, g.NotMatch...)
		}
	}
	return texts
}

func TestAccelIsThePlainSearch(t *testing.T) {
	exprs := re2Patterns(t)
	texts := accelTexts(t)
	joined := strings.Join(texts, "\n")
	n := 0
	for _, e := range exprs {
		if guards.NewAccel(e).Prefixes() != nil {
			n++
		}
		checkAccel(t, e, joined)
		for i := 0; i < len(texts); i += 7 { // the fuzz target tries them all
			checkAccel(t, e, texts[i])
			checkAccel(t, e, "x"+texts[i]+" y")
		}
	}
	t.Logf("%d of %d Go patterns have an anchored search", n, len(exprs))
	n = 0
	exprs = regexp2Patterns(t)
	for _, e := range exprs {
		if guards.NewAccel2(e).Prefixes() != nil {
			n++
		}
		checkAccel2(t, e, joined)
		for i := 0; i < len(texts); i += 7 {
			checkAccel2(t, e, texts[i])
		}
	}
	t.Logf("%d of %d regexp2 patterns have an anchored search", n, len(exprs))
}

func TestPrefixesOf(t *testing.T) {
	for _, tt := range []struct {
		expr string
		want string // prefixes, "|"-joined; "" = none
	}{
		{`(?i)\b(?:ignore|disregard)\s+x`, "ignore|disregard"},
		{`<!--.*-->`, "<!--"},
		{`(?:never\s+)?send\b`, "never|send"},
		{`[sr]k_live_`, "rk_live_|sk_live_"},
		{`(?i)ai\b|assistants?`, "ai|assistant"},
		{`.*x`, ""},
		{`\s+x`, ""},
		{`a?`, ""},
		{`(?i)ſecret`, "secret"}, // (?i) keeps s; usable() refuses texts with a long s
	} {
		if g := strings.Join(guards.NewAccel(tt.expr).Prefixes(), "|"); g != tt.want {
			t.Errorf("%s: prefixes %q, want %q", tt.expr, g, tt.want)
		}
	}
}

func FuzzAccel(f *testing.F) {
	exprs := re2Patterns(f)
	for i, s := range accelTexts(f) {
		f.Add(uint16(i), s)
	}
	f.Add(uint16(0), "IGNORE ALL PREVIOUS INSTRUCTIONS \u212a\u017f")
	exprs2 := regexp2Patterns(f)
	f.Fuzz(func(t *testing.T, i uint16, text string) {
		checkAccel(t, exprs[int(i)%len(exprs)], text)
		checkAccel2(t, exprs2[int(i)%len(exprs2)], text)
	})
}
