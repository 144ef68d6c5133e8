package redact

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestRuleExamples runs every rule's own examples through the real code: a
// TP is found by its rule (live unless the rule only masks) and masked by
// Mask; an FP is never found live by its rule.
func TestRuleExamples(t *testing.T) {
	for _, r := range Rules() {
		t.Run(r.ID, func(t *testing.T) {
			if len(r.TP) == 0 && !r.MaskOnly {
				t.Errorf("no true-positive example")
			}
			if len(r.FP) == 0 {
				t.Errorf("no false-positive example (a harmless look-alike)")
			}
			for _, tp := range r.TP {
				var got *Finding
				for _, f := range Secrets(tp) {
					if f.Kind == r.ID {
						got = &f
						break
					}
				}
				if got == nil {
					t.Errorf("TP not found: %q (found %v)", tp, Secrets(tp))
					continue
				}
				if got.Live == r.MaskOnly {
					t.Errorf("TP %q: Live = %v", tp, got.Live)
				}
				value := tp[got.Start:got.End]
				masked := Mask(tp)
				if strings.Contains(masked, value) {
					t.Errorf("TP %q: Mask left the value in %q", tp, masked)
				}
				// Whatever stays visible is the rule's public prefix.
				if vis := strings.TrimRight(masked[got.Start:got.End], "*\n\r\t "); vis != "" && vis != value[:r.keep(value)] {
					t.Errorf("TP %q: %q stays visible, want at most the prefix %q", tp, vis, value[:r.keep(value)])
				}
			}
			for _, fp := range r.FP {
				for _, f := range Secrets(fp) {
					if f.Kind == r.ID && f.Live {
						t.Errorf("FP found live: %q (%q)", fp, fp[f.Start:f.End])
					}
				}
			}
		})
	}
}

// Every expression of every rule compiles (they compile lazily on the hook
// path, so a broken one would only show when its keyword appears).
func TestRuleExpressionsCompile(t *testing.T) {
	for _, r := range Rules() {
		all := append([]string{r.Regex}, r.Live...)
		for _, a := range []*Allowlist{r.Allow, r.Examples} {
			if a != nil {
				all = append(append(all, a.Regexes...), a.MatchRegexes...)
			}
		}
		for _, e := range all {
			if _, err := regexp.Compile(e); err != nil {
				t.Errorf("%s: %v", r.ID, err)
			}
		}
		re := regexp.MustCompile(r.Regex)
		for _, g := range r.Groups {
			if g > re.NumSubexp() {
				t.Errorf("%s: group %d of %d", r.ID, g, re.NumSubexp())
			}
		}
	}
}

func TestLookup(t *testing.T) {
	if r, ok := Lookup("github-token"); !ok || r.ID != "github-token" || r.Generic {
		t.Errorf("Lookup(github-token) = %v, %v", r, ok)
	}
	if _, ok := Lookup("no-such-kind"); ok {
		t.Error("Lookup found an unknown kind")
	}
}

func spansString(sp []span) string {
	var b strings.Builder
	for _, x := range sp {
		fmt.Fprintf(&b, "%s[%d:%d:%d %v] ", rules[x.rule].ID, x.start, x.from, x.end, x.live)
	}
	return b.String()
}

// The keyword prefilter and the search starting at the first keyword's word
// never change what is found.
func checkPrefilter(t *testing.T, s string) {
	t.Helper()
	if a, b := spansString(findWith(s, false)), spansString(findWith(s, true)); a != b {
		t.Errorf("%q:\nprefiltered %s\n  reference %s", s, a, b)
	}
}

func TestPrefilterNeverChangesFindings(t *testing.T) {
	// (?i) also matches the Kelvin sign for k and the long s for s.
	for _, s := range []string{"api_\u212aey=abcdefghijklmnop x", "pa\u017f\u017fword=hunter2",
		"aw\u017f_\u017fecret_key = q1W2e3R4t5Y6u7I8o9P0q1W2e3R4t5Y6u7I8o9P0", "Authorization: Bearer \u212a1234567890abcdefghij"} {
		checkPrefilter(t, s)
		if m := Mask(s); m == s && s != "Authorization: Bearer \u212a1234567890abcdefghij" {
			t.Errorf("%q: nothing masked", s)
		}
	}
	for _, r := range Rules() {
		for _, s := range append(append([]string{}, r.TP...), r.FP...) {
			checkPrefilter(t, s)
			checkPrefilter(t, "x "+s+" y")
		}
	}
}

func FuzzFindPrefilter(f *testing.F) {
	for _, r := range Rules() {
		for _, s := range append(append([]string{}, r.TP...), r.FP...) {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) { checkPrefilter(t, s) })
}
