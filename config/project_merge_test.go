package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestProjectMerge: every .bulwark.toml from the working directory up to the
// repository root applies; a nested repository (sub/.git) or a vendored
// package's own file does not end the walk or drop the root's tightening.
func TestProjectMerge(t *testing.T) {
	root := t.TempDir()
	home := filepath.Join(root, "home")
	repo := filepath.Join(home, "src", "repo")
	sub := filepath.Join(repo, "sub")
	vendor := filepath.Join(repo, "vendor", "pkg")
	for _, d := range []string{filepath.Join(repo, ".git"), filepath.Join(sub, ".git"), vendor} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(dir, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, ProjectFileName), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(repo, "[overrides]\n\"exfil.pipe-to-shell\" = \"deny\"\n\"git.force-push\" = \"ask\"\n")
	write(vendor, `[overrides]
"exfil.pipe-to-shell" = "warn"
"git.force-push" = "deny"

[[guards]]
id = "project.vendored"
title = "Vendored rule"
severity = "high"
on = "command"
commands = ["psql"]
args = 'prod\.db'
reason = "Production data."
instead = "Use staging."
match = ["psql -h prod.db"]
not_match = ["psql -h localhost"]
`)
	o := Options{Home: home, NoCache: true, Dir: filepath.Join(root, "cfg"), StateDir: filepath.Join(root, "state")}

	// mkdir -p sub/.git: the root's file still applies in sub.
	p := LoadProject(sub, o)
	if p == nil || p.Raise["exfil.pipe-to-shell"] != "deny" {
		t.Fatalf("in a nested repository: %+v", p)
	}
	// A vendored package's own file adds its guards and raises; it cannot
	// lower the root's (the stricter of the two wins).
	p = LoadProject(vendor, o)
	if p == nil {
		t.Fatal("no project in vendor/pkg")
	}
	want := []string{filepath.Join(vendor, ProjectFileName), filepath.Join(repo, ProjectFileName)}
	if !slices.Equal(p.Files, want) {
		t.Errorf("files %q, want %q", p.Files, want)
	}
	if p.Raise["exfil.pipe-to-shell"] != "deny" || p.Raise["git.force-push"] != "deny" {
		t.Errorf("raises %v: want the stricter of each", p.Raise)
	}
	if p.RaiseFile["exfil.pipe-to-shell"] != filepath.Join(repo, ProjectFileName) {
		t.Errorf("raise source %v", p.RaiseFile)
	}
	if p.Pack == nil || len(p.Pack.Guards) != 1 || p.Pack.Guards[0].ID != "project.vendored" {
		t.Errorf("pack %+v", p.Pack)
	}
	// Never past home: a file above home does not apply.
	write(root, "[overrides]\n\"git.force-push\" = \"deny\"\n")
	outside := filepath.Join(home, "notes")
	os.MkdirAll(outside, 0o755)
	if p := LoadProject(outside, o); p != nil {
		t.Errorf("above home: %+v", p)
	}
	// Above the repository root (inside home): not part of the project.
	write(filepath.Join(home, "src"), "[overrides]\n\"git.force-push\" = \"deny\"\n")
	if p := LoadProject(repo, o); p == nil || len(p.Files) != 1 {
		t.Errorf("above the repository root: %+v", p)
	}
}
