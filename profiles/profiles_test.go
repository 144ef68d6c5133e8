package profiles

import (
	"path/filepath"
	"testing"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/specgen"
	"github.com/bulwark-guard/bulwark/packs"
)

func TestGeneratedIsCurrent(t *testing.T) {
	abs, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	if err := specgen.Current(abs); err != nil {
		t.Fatal(err)
	}
}

// Every built-in profile builds an engine over the built-in packs (so its
// overrides name real guards), and the profiles are ordered in strictness.
func TestProfilesBuild(t *testing.T) {
	for _, want := range []string{"minimal", "balanced", "strict"} {
		p, err := Get(want)
		if err != nil {
			t.Fatalf("%s: %v", want, err)
		}
		if _, err := guards.NewEngine(packs.Builtin(), p); err != nil {
			t.Fatalf("%s: %v", want, err)
		}
	}
	if _, err := Get("lenient"); err == nil {
		t.Fatal("unknown profile accepted")
	}
	min, _ := Get("minimal")
	bal, _ := Get("balanced")
	str, _ := Get("strict")
	for _, pk := range packs.Builtin() {
		for _, g := range pk.Guards {
			sev, _ := guards.ParseSeverity(g.Severity)
			a, b, c := min.Decide(g.ID, sev), bal.Decide(g.ID, sev), str.Decide(g.ID, sev)
			if !(a <= b && b <= c) {
				t.Errorf("%s: minimal %s, balanced %s, strict %s: profiles must only tighten", g.ID, a, b, c)
			}
		}
	}
}

func TestDefaultExists(t *testing.T) {
	if _, err := Get(Default); err != nil {
		t.Fatal(err)
	}
}
