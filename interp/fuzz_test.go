package interp

import (
	"strings"
	"testing"
)

var fuzzSeeds = []struct {
	lang Lang
	code string
}{
	{Python, ""},
	{Python, "'''"},
	{Python, `f"{`},
	{Python, `os.system(`},
	{Python, `Path(`},
	{Python, `(Path.home() / "x").unlink(`},
	{Python, `a = a = a = (`},
	{Node, "`${"},
	{Node, "/* "},
	{Node, `require('fs').rmSync(`},
	{Perl, "qx{"},
	{Perl, `open(F, ">>", `},
	{Perl, `$ENV{`},
	{Ruby, "%x("},
	{Ruby, `"#{`},
	{PHP, `file_put_contents(`},
	{PHP, `"\x`},
	{Lua, `[[`},
	{Lua, `--[==[`},
	{Lua, `os.execute [=[`},
	{Tcl, `exec {`},
	{Tcl, `set x [exec [exec "`},
	{Tcl, `file delete -force`},
	{Tcl, `eval {eval {eval {exec ls}}}`},
}

// FuzzScan checks that Scan never panics, is deterministic, reports only
// well-formed effects and stops when asked.
func FuzzScan(f *testing.F) {
	langs := []Lang{Python, Node, Perl, Ruby, PHP, Lua, Tcl}
	for _, s := range fuzzSeeds {
		for i, l := range langs {
			if l == s.lang {
				f.Add(s.code, uint8(i))
			}
		}
	}
	f.Fuzz(func(t *testing.T, code string, li uint8) {
		lang := langs[int(li)%len(langs)]
		r1 := render(code, lang, testEnv)
		if r2 := render(code, lang, testEnv); r1 != r2 {
			t.Fatalf("Scan(%q, %s) is not deterministic:\n%s\n---\n%s", code, lang, r1, r2)
		}
		if strings.Contains(r1, "unknown kind") {
			t.Fatalf("Scan(%q, %s): unknown effect kind:\n%s", code, lang, r1)
		}
		for e := range Scan(code, lang, testEnv) {
			switch {
			case e.Kind == Exec && len(e.Argv) == 0,
				e.Kind == FileOp && (len(e.Paths) == 0 || e.Op == 0),
				e.Kind == Shell && (e.Code.Text == "" || !e.Code.Dynamic && strings.TrimSpace(e.Code.Text) == ""):
				t.Fatalf("Scan(%q, %s): malformed effect %+v", code, lang, e)
			}
			break // stopping after the first effect must be safe
		}
		render(code, lang, Env{})
	})
}
