package fnmatch

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"*.log", "a.log", true},
		{"*.log", "dir/a.log", true}, // no FNM_PATHNAME: * matches /
		{"a?c", "a/c", true},
		{"a?c", "abbc", false},
		{"a?c", "aéc", true}, // ? is one character, not one byte
		{"[a-c]x", "bx", true},
		{"[!a-c]x", "bx", false},
		{"[^a-c]x", "dx", true},
		{"[]]", "]", true},
		{"[[:digit:]]*", "7up", true},
		{"[[:digit:]]*", "up", false},
		{"[[:alpha:]_]", "_", true},
		{"[[:space:]]", "\t", true},
		{"[[:xdigit:]][[:xdigit:]]", "fF", true},
		{"[[:nope:]]", "a", false},
		{`\*`, "*", true},
		{`\*`, "a", false},
		{`a\`, `a\`, true}, // a trailing backslash is itself
		{"[a", "[a", true}, // no closing bracket: a literal [
		{"*a*a*b", "aaaaab", true},
		{"", "", true},
		{"", "x", false},
		{"*", "", true},
	}
	for _, tt := range tests {
		if got := Match(tt.p, tt.s); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

// TestWithin: a pathological pattern runs out of its budget instead of
// taking quadratic time, says so, and leaves the budget spent.
func TestWithin(t *testing.T) {
	s := strings.Repeat("a", 10000)
	steps := 1000
	ok, out := Within("*a*a*a*a*a*b", s, &steps)
	if ok || !out || steps >= 0 {
		t.Fatalf("Within = %v, out %v, steps left %d", ok, out, steps)
	}
	if ok, out := Within("a", "a", &steps); ok || !out {
		t.Fatalf("a spent budget still matched: %v %v", ok, out)
	}
	steps = 100
	if ok, out := Within("a*", "abc", &steps); !ok || out || steps != 100-4 {
		t.Fatalf("Within(a*, abc) = %v, out %v, %d steps left", ok, out, steps)
	}
}

// FuzzMatch checks Match against filepath.Match where the two agree by
// definition: names without "/" and patterns without "!" negation, escapes
// or POSIX classes.
func FuzzMatch(f *testing.F) {
	for _, s := range [][2]string{{"*.log", "a.log"}, {"a?c", "abc"}, {"[a-c]x", "bx"}, {"*", ""}, {"**", "x"}, {"a*b*c", "aXbYc"}, {"[]]", "]"}, {"[^a]", "b"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, name string) {
		if strings.ContainsAny(pat+name, "/\\!") || strings.Contains(pat, "[:") || len(pat) > 64 || len(name) > 64 {
			return
		}
		want, err := filepath.Match(pat, name)
		if err != nil {
			return
		}
		if got := Match(pat, name); got != want {
			t.Fatalf("Match(%q, %q) = %v, filepath.Match = %v", pat, name, got, want)
		}
	})
}
