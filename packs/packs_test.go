package packs

import (
	"bytes"
	"os"
	"testing"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/specgen"
)

// TestGeneratedIsCurrent fails when a pack's TOML changed without `make generate`.
func TestGeneratedIsCurrent(t *testing.T) {
	fromTOML, err := specgen.LoadPacks(".")
	if err != nil {
		t.Fatal(err)
	}
	want, err := specgen.Render("packs", "builtin", fromTOML)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("builtin_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("builtin_gen.go is out of date with the TOML packs: run `make generate`")
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
