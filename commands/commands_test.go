package commands

import (
	"strings"
	"testing"
)

// TestTable checks that the table is sorted (Lookup is a binary search),
// has no duplicates, and that every entry is consistent.
func TestTable(t *testing.T) {
	for i, s := range table {
		if i > 0 && table[i-1].Name >= s.Name {
			t.Errorf("table not sorted or duplicated at %q (after %q)", s.Name, table[i-1].Name)
		}
		if s.Name == "" || strings.TrimSpace(s.Name) != s.Name || strings.Contains(s.Name, "  ") {
			t.Errorf("bad name %q", s.Name)
		}
		if tool, sub, ok := strings.Cut(s.Name, " "); ok {
			if p := Lookup(tool); p == nil {
				t.Errorf("%q: no entry for %q", s.Name, tool)
			} else if p.Kind == PkgTool || p.Subs != "" {
				first, _, _ := strings.Cut(sub, " ")
				if !HasWord(p.Subs, first) {
					t.Errorf("%q: %q does not list %q in Subs", s.Name, tool, first)
				}
			}
		}
		if s.Alias != "" && (find(s.Alias) == nil || find(s.Alias).Name != s.Alias || s.Kind != None || s.Short != "" || s.Access != ReadWrite) {
			t.Errorf("%q: an alias of %q must have no other fields, and its target must exist", s.Name, s.Alias)
		}
		for _, sub := range strings.Fields(s.Subs) {
			if find(s.Name+" "+sub) == nil {
				t.Errorf("%q lists sub %q without an entry", s.Name, sub)
			}
		}
		if s.Kind == Interp && s.Lang == "" {
			t.Errorf("%q: an interpreter without Lang", s.Name)
		}
		if s.Lang != "" && s.Kind != Interp {
			t.Errorf("%q: Lang on a non-interpreter", s.Name)
		}
		if s.Skip > 0 && s.Kind != Wrapper && s.Kind != Flock {
			t.Errorf("%q: Skip on kind %d", s.Name, s.Kind)
		}
		if (s.StdinShell != "" || s.Assigns) && s.Kind != Wrapper {
			t.Errorf("%q: wrapper fields on kind %d", s.Name, s.Kind)
		}
		if s.LongFlags != "" && !s.LongAll {
			t.Errorf("%q: LongFlags without LongAll", s.Name)
		}
		if s.PkgSpec && s.Kind != Runner {
			t.Errorf("%q: PkgSpec on a non-runner", s.Name)
		}
		if s.InPlace != "" && s.Access != Read {
			t.Errorf("%q: InPlace on a command that is not Read", s.Name)
		}
		for _, c := range s.Code {
			if strings.ContainsRune(s.Short, c) || strings.ContainsRune(s.ShortOpt, c) {
				t.Errorf("%q: -%c is both a code and a value option", s.Name, c)
			}
		}
		for _, f := range strings.Fields(s.Long + " " + s.LongOpt + " " + s.LongFlags + " " + s.CodeLong + " " + s.InPlace + " " + s.Subs) {
			if strings.HasPrefix(f, "--") && s.InPlace == "" {
				t.Errorf("%q: long option %q written with its dashes", s.Name, f)
			}
		}
	}
}

// TestIndex checks that index_gen.go is the table's (run `make generate`
// after editing table.go).
func TestIndex(t *testing.T) {
	for i, s := range table {
		if got := index(s.Name); got != i {
			t.Fatalf("index(%q) = %d, want %d: index_gen.go is stale, run `make generate`", s.Name, got, i)
		}
	}
	if index("no-such-command") != -1 || index("") != -1 {
		t.Fatal("index finds names the table does not have: run `make generate`")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name string
		want string // Name of the spec found, "" for nil
	}{
		{"sudo", "sudo"},
		{"python3", "python"},
		{"python3.12", "python"},
		{"pypy3", "pypy"},
		{"perl5.36", "perl"},
		{"php8.2", "php"},
		{"bash5", ""}, // shells are not versioned
		{"sha256sum", "sha256sum"},
		{"x11", ""},
		{"", ""},
		{"docker run", "docker run"},
		{"zzz", ""},
		{".", "."},
		{"[", "["},
		{"bundler", "bundle"},
	}
	for _, tt := range tests {
		got := ""
		if s := Lookup(tt.name); s != nil {
			got = s.Name
		}
		if got != tt.want {
			t.Errorf("Lookup(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if s := LookupSub("npm", "exec"); s == nil || s.Name != "npm exec" {
		t.Errorf("LookupSub(npm, exec) = %v", s)
	}
	if s := LookupSub("npm", "install"); s != nil {
		t.Errorf("LookupSub(npm, install) = %v", s.Name)
	}
	if s := LookupSub("cat", "x"); s != nil {
		t.Errorf("LookupSub(cat, x) = %v", s.Name)
	}
}

func TestTakesValue(t *testing.T) {
	git := Lookup("git")
	for opt, want := range map[string]bool{"-C": true, "-c": true, "--git-dir": true, "--git-dir=x": false,
		"-p": false, "--paginate": false, "-": false, "--": false, "C": false, "-Cx": false} {
		if got := git.TakesValue(opt); got != want {
			t.Errorf("git.TakesValue(%q) = %v", opt, got)
		}
	}
	run := Lookup("docker run")
	if !run.TakesValue("--name") || run.TakesValue("--rm") || !run.TakesValue("-e") {
		t.Error("docker run: --name takes a value, --rm does not, -e does")
	}
	var none *Spec
	if none.TakesValue("-C") {
		t.Error("nil spec takes no value")
	}
}

func TestHasWord(t *testing.T) {
	for _, tt := range []struct {
		list, w string
		want    bool
	}{{"a bc d", "bc", true}, {"a bc d", "b", false}, {"a bc d", "d", true}, {"a", "a", true}, {"", "", false}, {"a b", "", false}} {
		if got := HasWord(tt.list, tt.w); got != tt.want {
			t.Errorf("HasWord(%q, %q) = %v", tt.list, tt.w, got)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	names := []string{"git", "sudo", "python3", "unknown-tool", "rm"}
	for i := 0; b.Loop(); i++ {
		Lookup(names[i%len(names)])
	}
}
