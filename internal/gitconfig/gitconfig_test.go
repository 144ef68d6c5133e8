package gitconfig

import (
	"fmt"
	"strings"
	"testing"
)

func ExampleParse() {
	cfg := "[core]\n\thooksPath = .githooks\n[alias]\n\tco = checkout\n\tnuke = \"!rm -rf \\\"$1\\\"\" ; remove\n"
	for _, e := range Parse(cfg) {
		fmt.Printf("%d %s.%s = %s\n", e.Line, e.Section, e.Key, e.Value)
	}
	// Output:
	// 2 core.hookspath = .githooks
	// 4 alias.co = checkout
	// 5 alias.nuke = !rm -rf "$1"
}

func TestParse(t *testing.T) {
	tests := []struct{ cfg, want string }{
		{"[alias]\n  st = status -sb\n", "alias.st=status -sb@2"},
		{"[Alias]\nST = status\n", "alias.st=status@2"}, // sections and keys are case-insensitive
		{"[alias] co = checkout", "alias.co=checkout@1"},
		{"[alias]\nx = !echo a # comment\n", "alias.x=!echo a@2"},
		{"[alias]\nx = \"!echo a # not a comment\"\n", "alias.x=!echo a # not a comment@2"},
		{"[alias]\nx = \"  padded  \"   \n", "alias.x=  padded  @2"},
		{"[alias]\nx = a\\tb\\nc \\\\ \\\"q\\\"\n", "alias.x=a\tb\nc \\ \"q\"@2"},
		{"[alias]\nx = !rm -rf \\\n   /srv\ny = z\n", "alias.x=!rm -rf    /srv@2 alias.y=z@4"}, // a continuation
		{"[alias]\nflag\n", "alias.flag=true@2"},
		{"[includeIf \"gitdir:~/Work/\"]\npath = work.inc\n", "includeif \"gitdir:~/Work/\".path=work.inc@2"},
		{"x = outside any section\n[\nbad\n[ok]\na=1\n", "ok.a=1@5"},
		{"; comment\n# comment\n[a]\n\n", ""},
	}
	for _, tt := range tests {
		var got []string
		for _, e := range Parse(tt.cfg) {
			got = append(got, fmt.Sprintf("%s.%s=%s@%d", e.Section, e.Key, e.Value, e.Line))
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.cfg, g, tt.want)
		}
	}
}

func TestLastAndOffset(t *testing.T) {
	cfg := "[core]\n\thooksPath = a\n[core]\n  hooksPath = b\n"
	e, ok := Last(Parse(cfg), "core", "hookspath")
	if !ok || e.Value != "b" || e.Line != 4 || cfg[e.Offset:e.Offset+9] != "hooksPath" {
		t.Fatalf("Last = %+v, %v", e, ok)
	}
	if _, ok := Last(Parse(cfg), "core", "pager"); ok {
		t.Fatal("found a key that is not set")
	}
}

// FuzzParse: any text parses without panicking, and each entry's offset
// points at its key.
func FuzzParse(f *testing.F) {
	f.Add("[alias]\n\tx = \"!a\\\"b\" ; c\n[include]\npath = ~/x\n")
	f.Add("[a \"b\"]\nk = v \\\n w\n[c.d]e=f")
	f.Fuzz(func(t *testing.T, cfg string) {
		for _, e := range Parse(cfg) {
			if e.Offset < 0 || e.Offset+len(e.Key) > len(cfg) || !strings.EqualFold(cfg[e.Offset:e.Offset+len(e.Key)], e.Key) {
				t.Fatalf("entry %+v: offset does not point at its key", e)
			}
		}
	})
}
