package packs

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/runfile"
)

// everydayProject copies testdata/everyday-project (an ordinary project:
// Makefile, package.json with a node-gyp postinstall, justfile, Taskfile,
// build and setup scripts, git hooks; dot-git becomes .git) into a
// temporary home and returns the home and the project directory.
func everydayProject(t *testing.T) (home, proj string) {
	t.Helper()
	home = t.TempDir()
	proj = filepath.Join(home, "project")
	src := "testdata/everyday-project"
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		rel = strings.Replace(rel, "dot-git", ".git", 1)
		dst := filepath.Join(proj, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, _ := d.Info()
		return os.WriteFile(dst, data, fi.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return home, proj
}

// TestEverydayInProject: the everyday commands stay allowed when they run
// in a real project whose files bulwark reads (make recipes, package.json
// scripts and lifecycle, justfile, Taskfile, scripts, git hooks).
func TestEverydayInProject(t *testing.T) {
	es := diskEngines(t)
	home, proj := everydayProject(t)
	data, err := os.ReadFile("testdata/everyday.txt")
	if err != nil {
		t.Fatal(err)
	}
	src := &runfile.Source{Home: home}
	n := 0
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		act := guards.ExampleAction(guards.OnCommand, line)
		act.Cwd, act.Home, act.Scripts = proj, home, src
		if v := es[1].Evaluate(&act); v.Decision >= guards.Ask {
			t.Errorf("everyday.txt:%d: %q in the everyday project is %s under balanced (%s)", i+1, line, v.Decision, describe(v))
		}
	}
	t.Logf("%d everyday commands in a project", n)
}

// TestEverydaySessions: harmless sessions (testdata/everyday-sessions.txt,
// calls separated by " >>> ") never end in an ask or a deny under balanced.
func TestEverydaySessions(t *testing.T) {
	es := diskEngines(t)
	data, err := os.ReadFile("testdata/everyday-sessions.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		acts := guards.ExampleSession(guards.OnSession, line)
		var v guards.Verdict
		for k := range acts {
			v = es[1].Evaluate(&acts[k])
			if m, ok := acts[k].Memory.(*guards.MapMemory); ok {
				m.Remember(v.Effects)
			}
		}
		if v.Decision >= guards.Ask {
			t.Errorf("everyday-sessions.txt:%d: the last call of %q is %s under balanced (%s)", i+1, line, v.Decision, describe(v))
		}
	}
	t.Logf("%d everyday sessions", n)
}
