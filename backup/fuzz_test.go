package backup

import (
	"strings"
	"testing"
)

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
