package packs

import (
	"path/filepath"
	"testing"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/specgen"
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
