package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/protect"
)

// realHome lays out a home on disk the way a user with bulwark installed
// has it, and returns a runtime judging there with its real protected set
// (symlinks read from disk, the clients' locations, this program).
func realHome(t *testing.T) (r *Runtime, home, proj string) {
	t.Helper()
	home = t.TempDir()
	proj = filepath.Join(home, "project")
	cfg := filepath.Join(home, ".config", "bulwark")
	for _, d := range []string{filepath.Join(proj, ".git"), filepath.Join(proj, "src"), cfg,
		filepath.Join(home, ".claude"), filepath.Join(home, ".local", "state", "bulwark")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(home, ".claude", "settings.json"), []byte(`{"hooks":{}}`), 0o644)
	os.WriteFile(filepath.Join(cfg, "config.toml"), []byte("# mine\n"), 0o644)
	os.Symlink(filepath.Join(home, ".claude"), filepath.Join(proj, "cfg"))
	r, err := Load("balanced", Options{Config: config.Options{Dir: cfg, StateDir: filepath.Join(home, ".local", "state", "bulwark"), Home: home, NoCache: true}})
	if err != nil {
		t.Fatal(err)
	}
	return r, home, proj
}

// TestEverydayWithRealProtectedSet: the everyday list stays allowed when the
// protected set reads the disk (symlinks resolved, the clients' locations,
// the program's own path), not only with the conventional set of the pack
// tests.
func TestEverydayWithRealProtectedSet(t *testing.T) {
	r, home, proj := realHome(t)
	data, err := os.ReadFile("../packs/testdata/everyday.txt")
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
		act := guards.ExampleAction(guards.OnCommand, line)
		act.Home, act.Cwd = home, proj
		if v := r.Evaluate(&act); v.Decision >= guards.Ask {
			var ids []string
			for _, h := range v.Hits {
				ids = append(ids, h.GuardID)
			}
			t.Errorf("everyday.txt:%d: %q is %s (%v)", i+1, line, v.Decision, ids)
		}
	}
	if n < 1000 {
		t.Fatalf("only %d everyday commands", n)
	}
}

// TestRuntimeProtectedSet: the runtime's set holds what is in force here.
func TestRuntimeProtectedSet(t *testing.T) {
	r, home, proj := realHome(t)
	set := r.Protected()
	for _, c := range []struct {
		path string
		op   protect.Op
		want protect.Class
	}{
		{filepath.Join(home, ".config", "bulwark", "config.toml"), protect.Write, protect.ClassWrite},
		{filepath.Join(proj, "cfg", "settings.json"), protect.Write, protect.ClassWrite}, // through the symlink
		{filepath.Join(home, ".claude", "settings.json"), protect.Write, protect.ClassWrite},
		{filepath.Join(home, ".claude.json"), protect.Write, protect.ClassState},
		{filepath.Join(proj, ".claude", "settings.json"), protect.Write, protect.ClassWrite},
		{filepath.Join(proj, "src", "main.go"), protect.Write, protect.ClassNone},
		{filepath.Join(home, ".claude", "commands", "x.md"), protect.Write, protect.ClassNone},
	} {
		if tc, _ := set.Check(protect.Fact{Path: c.path, Cwd: proj, Op: c.op}); tc.Class != c.want {
			t.Errorf("%s %s: class %d, want %d", c.op, c.path, tc.Class, c.want)
		}
	}
	exe, _ := os.Executable()
	if !set.IsProgram(exe) {
		t.Errorf("the running program %s is not in the set", exe)
	}
}
