package packs

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/specgen"
	"github.com/bulwark-guard/bulwark/profiles"
	"github.com/bulwark-guard/bulwark/redact"
)

// TestGeneratedIsCurrent fails when a pack's TOML changed without `make generate`.
func TestGeneratedIsCurrent(t *testing.T) {
	abs, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	if err := specgen.Current(abs); err != nil {
		t.Fatal(err)
	}
}

// TestExamples runs every guard's examples through the real engine.
func TestExamples(t *testing.T) {
	if err := guards.CheckExamples(Builtin()); err != nil {
		t.Fatal(err)
	}
}

func TestEveryFamilyHasGuards(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Builtin() {
		if seen[p.Family] {
			t.Errorf("family %s has more than one pack", p.Family)
		}
		seen[p.Family] = true
		if len(p.Guards) == 0 {
			t.Errorf("pack %s has no guards", p.Source)
		}
	}
	if err := guards.CheckUniqueIDs(Builtin()); err != nil {
		t.Fatal(err)
	}
}

// TestCompiledIsTheTOML: decoding the compiled built-in set gives back
// exactly the packs the TOML says (every field, literals and examples).
func TestCompiledIsTheTOML(t *testing.T) {
	want, err := specgen.LoadPacks(".")
	if err != nil {
		t.Fatal(err)
	}
	got := Builtin()
	if len(got) != len(want) {
		t.Fatalf("%d packs, want %d", len(got), len(want))
	}
	for i := range want {
		if !guards.SamePack(got[i], want[i]) {
			t.Errorf("pack %s: compiled form differs from its TOML", want[i].Source)
		}
	}
}

// TestSecretGuardsUseTheOneList: a guard that recognises secrets names
// formats of redact's list instead of writing its own regex, so whatever a
// guard recognises the masker masks; and what a secret guard fires on is
// masked in its evidence and by redact.Mask.
func TestSecretGuardsUseTheOneList(t *testing.T) {
	e := mustEngine(t)
	for _, p := range Builtin() {
		for _, g := range p.Guards {
			if !g.Secret {
				continue
			}
			if len(g.Secrets) == 0 {
				t.Errorf("%s: a secret guard with its own pattern; name formats of redact/rules.go in secrets", g.ID)
				continue
			}
			for _, ex := range g.Match {
				act := guards.ExampleAction(g.On, ex)
				text := act.Output + act.Command // a Bash example writes its content by redirect
				if len(act.Contents) > 0 {
					text = act.Contents[0].Text
				}
				found := false
				for _, f := range redact.Secrets(text) {
					if !f.Live || !slices.Contains(g.Secrets, f.Kind) {
						continue
					}
					found = true
					value := text[f.Start:f.End]
					if strings.Contains(redact.Mask(ex), value) {
						t.Errorf("%s: %q: Mask leaves the %s value", g.ID, ex, f.Kind)
					}
					v := e.Evaluate(&act)
					for _, h := range v.Hits {
						if strings.Contains(h.Evidence, value) || len(value) > 12 && strings.Contains(h.Evidence, value[len(value)-8:]) {
							t.Errorf("%s: %q: evidence of %s shows the value: %q", g.ID, ex, h.GuardID, h.Evidence)
						}
					}
				}
				if !found {
					t.Errorf("%s: match example %q holds no live secret of its formats", g.ID, ex)
				}
			}
		}
	}
}

func mustEngine(t *testing.T) *guards.Engine {
	p, err := profiles.Get("strict")
	if err != nil {
		t.Fatal(err)
	}
	e, err := guards.NewEngine(Builtin(), p)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
