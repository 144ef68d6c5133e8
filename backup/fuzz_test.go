package backup

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzGlobMatch checks find's fnmatch against filepath.Match where the two
// agree by definition: names without "/" and patterns without "!" classes
// or escapes.
func FuzzGlobMatch(f *testing.F) {
	for _, s := range [][2]string{{"*.log", "a.log"}, {"a?c", "abc"}, {"[a-c]x", "bx"}, {"*", ""}, {"**", "x"}, {"a*b*c", "aXbYc"}, {"[]]", "]"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pat, name string) {
		if strings.ContainsAny(pat+name, "/\\!") || len(pat) > 64 || len(name) > 64 {
			return
		}
		want, err := filepath.Match(pat, name)
		if err != nil {
			return
		}
		if got := globMatch(pat, name, false); got != want {
			t.Fatalf("globMatch(%q, %q) = %v, filepath.Match = %v", pat, name, got, want)
		}
	})
}

// FuzzGitOutput feeds arbitrary text to the parsers of git's output: they
// must never panic, and what they return must come from the input.
func FuzzGitOutput(f *testing.F) {
	f.Add(":100644 100644 aaa bbb M\x00a.txt\x00")
	f.Add("\"a\\tb\\303\\251\"")
	f.Add("abc blob 3\nxyz\ndef missing\n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, d := range parseDiffTree(s) {
			if !strings.Contains(s, d.path) {
				t.Fatalf("path %q not in input", d.path)
			}
		}
		unquoteC(s)
		m := map[string][]byte{}
		parseBatch(s, m)
		for k, v := range m {
			if !strings.Contains(s, k) || !strings.Contains(s, string(v)) {
				t.Fatalf("batch %q=%q not in input", k, v)
			}
		}
		_ = cleanDryRunArgs(strings.Fields(s))
		_ = parseFind(strings.Fields(s))
	})
}
