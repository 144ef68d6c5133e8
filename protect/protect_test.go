package protect

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// testClients are client members as the clients' descriptions give them
// (a few, for the tests of the mechanism).
func testClients(home string) []Member {
	return []Member{
		{Path: home + "/.claude/settings.json", Owner: OwnerClient, What: "Claude Code user settings"},
		{Path: home + "/.claude/settings.local.json", Owner: OwnerClient, What: "Claude Code user settings (local)"},
		{Path: home + "/.claude/hooks", Tree: true, Root: home + "/.claude", Owner: OwnerClient, What: "Claude Code hooks"},
		{Path: home + "/.claude/skills/*/.claude-plugin", Tree: true, Owner: OwnerClient, What: "a skills-directory plugin"},
		{Path: home + "/.claude.json", Level: State, Owner: OwnerClient, What: "Claude Code state"},
		{Rel: ".claude/settings.json", Judged: true, Owner: OwnerClient, What: "Claude Code project settings"},
		{Path: "/etc/claude-code/managed-settings.json", Owner: OwnerClient, What: "managed settings"},
	}
}

func testSet(fs FS) *Set {
	env := Conventional("/home/dev")
	env.Clients = testClients("/home/dev")
	env.FS = fs
	return New(env)
}

func TestCheck(t *testing.T) {
	s := testSet(nil)
	cwd := "/home/dev/project"
	for _, c := range []struct {
		path string
		op   Op
		mode string
		glob bool
		dyn  bool
		want Class
	}{
		// Members written, removed, replaced.
		{"~/.config/bulwark/config.toml", Write, "", false, false, ClassWrite},
		{"/home/dev/.config/bulwark", Remove, "", false, false, ClassWrite},
		{"/home/dev/./.config//bulwark/../bulwark/packs.d/x.toml", Write, "", false, false, ClassWrite},
		{"/proc/self/root/home/dev/.local/state/bulwark/audit.jsonl", Write, "", false, false, ClassWrite},
		{"/proc/self/cwd/../.claude/settings.json", Write, "", false, false, ClassWrite},
		{"/proc/4242/cwd/.claude/settings.json", Write, "", false, false, ClassWrite},
		{"/proc/1/root/proc/self/root/home/dev/.local/bin/bulwark", Write, "", false, false, ClassWrite},
		{"~/.claude/settings.json", Remove, "", false, false, ClassWrite},
		{"~/.claude/hooks/guard.sh", Write, "", false, false, ClassWrite},
		{"~/.claude/skills/pdf/.claude-plugin/plugin.json", Write, "", false, false, ClassWrite},
		{"/etc/claude-code/managed-settings.json", Write, "", false, false, ClassWrite},
		{"sub/.bulwark.toml", Write, "", false, false, ClassWrite},
		{".claude/settings.json", Write, "", false, false, ClassWrite},
		// Globs that could match.
		{"~/.claude/setting?.json", Write, "", true, false, ClassWrite},
		{"/home/dev/.c*/settings.json", Remove, "", true, false, ClassWrite},
		{"~/.claude/settings.js[o]n", Write, "", true, false, ClassWrite},
		{"~/.con*", Remove, "", true, false, ClassBroad},
		// Ancestors: the owner's directory is denied, above it asked.
		{"~/.claude", Remove, "", false, false, ClassWrite},
		{"~/.local/bin", Remove, "", false, false, ClassWrite},
		{"~/.local", Remove, "", false, false, ClassBroad},
		{"~/.config", Remove, "", false, false, ClassBroad},
		{"~", Into, "", false, false, ClassBroad},
		{"~/.claude", Into, "", false, false, ClassWrite},
		{"/home/dev/project/.claude", Remove, "", false, false, ClassWrite},
		// Locking any directory on the way.
		{"~/.local", Chmod, "000", false, false, ClassWrite},
		{"~/.local/bin", Chmod, "a-x", false, false, ClassWrite},
		{"~/.local/bin/bulwark", Chmod, "-x", false, false, ClassWrite},
		{"~/.local", Chmod, "u=rw", false, false, ClassWrite},
		{"~/.local/bin", Chmod, "755", false, false, ClassNone},
		{"~/.config", Chmod, "go-rwx", false, false, ClassNone},
		{"~/.config/bulwark/config.toml", Chmod, "600", false, false, ClassNone},
		{"~/.config/bulwark/config.toml", Chmod, "000", false, false, ClassWrite},
		{"~/.config", Chown, "", false, false, ClassNone},
		{"~/.config/bulwark", Chown, "", false, false, ClassWrite},
		// Run-time parts.
		{"$CFG/.claude/settings.json", Write, "", false, true, ClassWrite},
		{"$OUT/config.toml", Write, "", false, true, ClassNone},
		{"~/$X/settings.json", Write, "", false, true, ClassWrite},
		// State.
		{"~/.claude.json", Write, "", false, false, ClassState},
		// Look-alikes.
		{"~/.config/bulwark/config.toml", Read, "", false, false, ClassNone},
		{"~/.claude/commands/review.md", Write, "", false, false, ClassNone},
		{"~/.claude/projects/x.jsonl", Remove, "", false, false, ClassNone},
		{"/home/dev/project/settings.json", Write, "", false, false, ClassNone},
		{"/home/dev/project/docs/claude-settings.md", Write, "", false, false, ClassNone},
		{"/home/dev/project", Remove, "", false, false, ClassNone},
		{"~/.config/nvim/init.lua", Write, "", false, false, ClassNone},
		{"~/.local/bin/other", Write, "", false, false, ClassNone},
		{"/tmp/x", Remove, "", false, false, ClassNone},
		{"*.json", Write, "", true, false, ClassNone},
	} {
		tc, _ := s.Check(Fact{Path: c.path, Cwd: cwd, Op: c.op, Mode: c.mode, Glob: c.glob, Dynamic: c.dyn})
		if tc.Class != c.want {
			what := ""
			if tc.Member != nil {
				what = tc.Member.What
			}
			t.Errorf("%s %s %s: class %d (%s), want %d", c.op, c.mode, c.path, tc.Class, what, c.want)
		}
	}
}

func TestCutsAccess(t *testing.T) {
	for _, c := range []struct {
		mode string
		need int
		want bool
	}{
		{"000", bitR | bitX, true}, {"0", bitR, true}, {"0755", bitR | bitX, false}, {"644", bitR | bitX, true},
		{"644", bitR, false}, {"4755", bitR | bitX, false}, {"u-x", bitR | bitX, true}, {"-r", bitR, true},
		{"go-rwx", bitR | bitX, false}, {"a=", bitR, true}, {"u=rwx,go=", bitR | bitX, false}, {"+x", bitX, false},
		{"$M", bitR, true}, {"--reference=/tmp/x", bitR, true}, {"o-w", bitR, false}, {"ug-w", bitR, false},
	} {
		if got := cutsAccess(c.mode, c.need); got != c.want {
			t.Errorf("cutsAccess(%q, %d) = %v, want %v", c.mode, c.need, got, c.want)
		}
	}
}

// TestSymlinks makes real links in a temporary home: a link made in one
// call and written through in the next is caught, and so is a member
// replaced by a link to it and a home reached through a link.
func TestSymlinks(t *testing.T) {
	root := t.TempDir()
	home := filepath.Join(root, "home")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(home, ".claude"), 0o700))
	must(os.MkdirAll(filepath.Join(home, "project"), 0o700))
	must(os.MkdirAll(filepath.Join(home, ".config", "bulwark"), 0o700))
	must(os.WriteFile(filepath.Join(home, ".claude", "settings.json"), []byte("{}"), 0o600))
	proj := filepath.Join(home, "project")
	must(os.Symlink(filepath.Join(home, ".claude"), filepath.Join(proj, "cfg")))
	must(os.Symlink("../.config/bulwark", filepath.Join(proj, "rel")))
	must(os.Symlink(filepath.Join(home, ".claude", "settings.json"), filepath.Join(proj, "notes.txt")))
	must(os.Symlink("loop2", filepath.Join(proj, "loop1")))
	must(os.Symlink("loop1", filepath.Join(proj, "loop2")))
	alias := filepath.Join(root, "alias")
	must(os.Symlink(home, alias))

	env := Conventional(home)
	env.Clients = testClients(home)
	env.FS = OS
	s := New(env)
	for _, c := range []struct {
		path string
		op   Op
		want Class
	}{
		{"cfg/settings.json", Write, ClassWrite},
		{"cfg", Remove, ClassNone}, // removing the link itself leaves the member alone
		{"rel/config.toml", Write, ClassWrite},
		{"notes.txt", Write, ClassWrite},
		{alias + "/.config/bulwark/config.toml", Write, ClassWrite},
		{"cfg/../project/readme.md", Write, ClassNone},
		{"loop1/x", Write, ClassNone},
		{"plain.txt", Write, ClassNone},
	} {
		tc, _ := s.Check(Fact{Path: c.path, Cwd: proj, Op: c.op})
		if tc.Class != c.want {
			t.Errorf("%s %s: class %d, want %d (touch %+v)", c.op, c.path, tc.Class, c.want, tc)
		}
	}
}

func TestIsProgram(t *testing.T) {
	dir := t.TempDir()
	prog := filepath.Join(dir, "bin", "bulwark")
	os.MkdirAll(filepath.Dir(prog), 0o755)
	os.WriteFile(prog, []byte("#!/bin/sh\necho bulwark\n"), 0o755)
	cp := filepath.Join(dir, "bw2")
	os.WriteFile(cp, []byte("#!/bin/sh\necho bulwark\n"), 0o755)
	hard := filepath.Join(dir, "hard")
	os.Link(prog, hard)
	link := filepath.Join(dir, "link")
	os.Symlink(prog, link)
	other := filepath.Join(dir, "other")
	os.WriteFile(other, []byte("#!/bin/sh\necho othrwrk\n"), 0o755)
	s := New(Env{Home: dir, Program: []string{prog}, FS: OS})
	for p, want := range map[string]bool{prog: true, cp: true, hard: true, link: true, other: false, filepath.Join(dir, "missing"): false} {
		if got := s.IsProgram(p); got != want {
			t.Errorf("IsProgram(%s) = %v, want %v", p, got, want)
		}
	}
}

func TestRelocates(t *testing.T) {
	env := Conventional("/home/dev")
	env.Locate = func(getenv func(string) string) (string, string) {
		cfg, st := getenv("HOME")+"/.config/bulwark", getenv("HOME")+"/.local/state/bulwark"
		if d := getenv("BULWARK_HOME"); d != "" {
			return d, d
		}
		if d := getenv("XDG_CONFIG_HOME"); d != "" {
			cfg = d + "/bulwark"
		}
		if d := getenv("XDG_STATE_HOME"); d != "" {
			st = d + "/bulwark"
		}
		return cfg, st
	}
	s := New(env)
	for _, c := range []struct {
		name, value string
		want        bool
	}{
		{"BULWARK_HOME", "/tmp/empty", true},
		{"BULWARK_PROFILE", "minimal", true},
		{"BULWARK_PROFILE", "strict", false},
		{"BULWARK_PROFILE", "balanced", false},
		{"XDG_CONFIG_HOME", "/tmp/x", true},
		{"XDG_CONFIG_HOME", "$HOME/.config", false},
		{"XDG_CONFIG_HOME", "~/.config", false},
		{"XDG_CONFIG_HOME", `"/home/dev/.config"`, false},
		{"XDG_STATE_HOME", "/tmp/s", true},
		{"XDG_STATE_HOME", "$(mktemp -d)", true},
		{"XDG_RUNTIME_DIR", "/tmp/run", false},
		{"XDG_CACHE_HOME", "/tmp/c", false},
		{"HOME", "/tmp/h", true},
		{"HOME", "/home/dev", false},
		{"CLAUDE_CONFIG_DIR", "/tmp/c", true},
		{"CLAUDE_CODE_SIMPLE", "1", true},
		{"CLAUDE_CODE_SIMPLE", "0", false},
		{"EDITOR", "vim", false},
	} {
		if got, why := s.Relocates(c.name, c.value, false); got != c.want {
			t.Errorf("Relocates(%s=%s) = %v (%s), want %v", c.name, c.value, got, why, c.want)
		}
	}
}

// FuzzCheck: any path, mode and operation is judged without a panic, and
// Normalize gives a clean absolute path or a clean relative tail.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"~/.claude/settings.json", "/proc/self/cwd/../x", "/proc/1/root/proc/self/root/etc", "$X/.claude/settings.json",
		"~/.c*/settings.js[o]n", "C:\\Users\\dev\\.claude\\settings.json", "../../..", "", "/", "~", "`x`/a", "${A:-/}/b", "a/{}/b"} {
		f.Add(s, "u-x", uint8(1), true)
	}
	s := testSet(nil)
	f.Fuzz(func(t *testing.T, p, mode string, op uint8, glob bool) {
		// A set that learns the clients only when a question needs them
		// answers as the one that had them from the start.
		fact := Fact{Path: p, Cwd: "/home/dev/project", Op: Op(op % 6), Mode: mode, Glob: glob, Dynamic: !glob}
		sameTouch(t, fact, lazySet(), s)
		abs, tail := Normalize(p, "/home/dev/project", "/home/dev")
		if abs != "" && (abs[0] != '/' || path.Clean(abs) != abs) {
			t.Fatalf("Normalize(%q) = %q: not clean and absolute", p, abs)
		}
		if tail != "" && (tail[0] == '/' || path.Clean(tail) != tail) {
			t.Fatalf("Normalize(%q) tail %q: not clean and relative", p, tail)
		}
		_, _ = s.Check(Fact{Path: p, Cwd: "/home/dev/project", Op: Op(op % 6), Mode: mode, Glob: glob, Dynamic: !glob})
		_, _ = s.Check(Fact{Path: p, Cwd: "/home/dev/project", Op: Remove, Deep: mode})
		_, _ = s.Relocates("XDG_CONFIG_HOME", p, glob)
		_ = cutsAccess(mode, bitR|bitX)
	})
}

// BenchmarkCheckWrite is one write in a project, judged against a set with
// the disk (the set built once, as in a hook process).
func BenchmarkCheckWrite(b *testing.B) {
	dir := b.TempDir()
	os.MkdirAll(filepath.Join(dir, "project", "src"), 0o755)
	env := Conventional(dir)
	env.Clients = testClients(dir)
	env.FS = OS
	s := New(env)
	f := Fact{Path: "src/main.go", Cwd: filepath.Join(dir, "project"), Op: Write}
	s.Check(f)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.cache = nil // a new call: nothing known about the directories yet
		s.Check(f)
	}
}

// BenchmarkBuild is the set's first question in a hook process.
func BenchmarkBuild(b *testing.B) {
	env := Conventional("/home/dev")
	env.Clients = testClients("/home/dev")
	for i := 0; i < b.N; i++ {
		s := New(env)
		s.Check(Fact{Path: "/home/dev/project/x", Op: Write})
	}
}

// The backup store is private: reading what is in it (or the state
// directory that holds it) counts, reading above it or beside it does not;
// writing it is a write to bulwark's state like any other.
func TestBackupStoreIsPrivate(t *testing.T) {
	s := testSet(nil)
	for _, c := range []struct {
		path string
		op   Op
		glob bool
		want Class
	}{
		{"~/.local/state/bulwark/backup/entries/1-abcd-5/f/0", Read, false, ClassRead},
		{"/home/dev/.local/state/bulwark/backup", Read, false, ClassRead},
		{"~/.local/state/bulwark", Read, false, ClassRead},
		{"~/.local/state/bulwark/backup/entries/*/f/0", Read, true, ClassRead},
		{"~/.local/state", Read, false, ClassNone},
		{"~", Read, false, ClassNone},
		{"~/.local/state/bulwark/audit.jsonl", Read, false, ClassNone},
		{"~/project/backup/notes.md", Read, false, ClassNone},
		{"~/.local/state/bulwark/backup/entries/1-abcd-5/manifest.json", Write, false, ClassWrite},
		{"~/.local/state/bulwark/backup", Remove, false, ClassWrite},
	} {
		got, _ := s.Check(Fact{Path: c.path, Cwd: "/home/dev/project", Op: c.op, Glob: c.glob})
		if got.Class != c.want {
			t.Errorf("%s %s: class %d, want %d", c.op, c.path, got.Class, c.want)
		}
	}
	// Relocated: the store follows the state directory.
	env := Conventional("/home/dev")
	env.StateDir = "/srv/bulwark-state"
	rs := New(env)
	if got, _ := rs.Check(Fact{Path: "/srv/bulwark-state/backup/entries/x/f/1", Op: Read}); got.Class != ClassRead {
		t.Errorf("relocated store read: class %d", got.Class)
	}
}

// lazySet is testSet(nil) with the clients learnt on the first question
// that needs them (as the hook's runtime does).
func lazySet() *Set {
	env := Conventional("/home/dev")
	env.LoadClients = func(*Env) []Member { return testClients("/home/dev") }
	return New(env)
}

// sameTouch fails unless two sets answer a fact alike.
func sameTouch(t *testing.T, f Fact, a, b *Set) {
	t.Helper()
	ta, oka := a.Check(f)
	tb, okb := b.Check(f)
	var ma, mb Member
	if ta.Member != nil {
		ma = *ta.Member
	}
	if tb.Member != nil {
		mb = *tb.Member
	}
	ta.Member, tb.Member = nil, nil
	if oka != okb || ta != tb || ma.Path != mb.Path || ma.Rel != mb.Rel || ma.What != mb.What {
		t.Fatalf("%+v: lazily loaded clients answer %v %+v (%s), the full set %v %+v (%s)", f, oka, ta, ma.What, okb, tb, mb.What)
	}
}

// The clients' members are learnt only for a question that needs them: a
// read (no client member is private), the program and the variables never
// do; and whenever they are learnt, the answers are the same.
func TestClientsLoadedOnlyWhenNeeded(t *testing.T) {
	loads := 0
	env := Conventional("/home/dev")
	env.LoadClients = func(*Env) []Member { loads++; return testClients("/home/dev") }
	s := New(env)
	for _, p := range []string{"~/.claude/settings.json", "~/.local/state/bulwark/backup/x", "status", "/etc/claude-code/managed-settings.json"} {
		s.Check(Fact{Path: p, Cwd: "/home/dev/project", Op: Read})
	}
	s.IsProgram("/home/dev/.local/bin/bulwark")
	s.ProgramNames()
	s.Relocates("CLAUDE_CONFIG_DIR", "/tmp/x", false)
	_ = s.Env().Vars
	if loads != 0 {
		t.Fatalf("reads and program questions loaded the clients %d times", loads)
	}
	if got, _ := s.Check(Fact{Path: "~/.claude/settings.json", Cwd: "/home/dev/project", Op: Write}); got.Class != ClassWrite {
		t.Errorf("write of a client's settings after reads: class %d", got.Class)
	}
	s.Members()
	if loads != 1 {
		t.Fatalf("clients loaded %d times, want once", loads)
	}
	for _, m := range testClients("/home/dev") {
		if m.Private {
			t.Fatalf("a client member is private: %+v (reads would not see it before the clients load)", m)
		}
	}

	full := testSet(nil)
	paths := []string{"~/.claude/settings.json", "~/.claude", "~/.local/state/bulwark/backup/entries/1/f/0", "~/.local/state/bulwark",
		"/home/dev/project/.claude/settings.json", ".bulwark.toml", "~/.c*", "$X/.claude/settings.json", "~/.claude.json", "~/.local/bin/bulwark", "/", "~"}
	for _, p := range paths {
		for op := Read; op <= Chown; op++ {
			f := Fact{Path: p, Cwd: "/home/dev/project", Op: op, Mode: "000", Glob: strings.ContainsAny(p, "*?["), Dynamic: strings.Contains(p, "$")}
			sameTouch(t, f, lazySet(), full) // the first question
			shared := lazySet()
			shared.Check(Fact{Path: p, Cwd: "/home/dev/project", Op: Read})
			sameTouch(t, f, shared, full) // after a read
		}
	}
}
