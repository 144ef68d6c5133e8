package shell

import (
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"",
	" ",
	"\x00",
	"rm -rf /",
	"echo 'unterminated",
	"$(",
	"`",
	"<<EOF",
	"cat <<EOF\n$(rm -rf /)\nEOF",
	"bash -c 'bash -c \"bash -c x\"'",
	"eval eval eval eval eval eval eval eval eval eval eval x",
	"for a in 1 2 3 4; do for b in 1 2 3 4; do for c in 1 2 3 4; do bash -c \"rm $a$b$c\"; done; done; done",
	"echo cm0gLXJmIC8= | base64 -d | sh",
	"echo 726d | xxd -r -p | sh",
	"find . -exec find . -exec rm {} \\; \\;",
	"xargs -I{} sh -c '{}' <<< 'rm x'",
	"python3 -c \"os.system('python3 -c \\\"os.system(1)\\\"')\"",
	"perl -e 'qx{'",
	"ruby -e '%x('",
	"node -e '`${'",
	"python3 -c \"'''\"",
	"env -S",
	"env -S -S -S",
	"sudo -u",
	"timeout",
	"xargs -I",
	"find -exec",
	"$'\\x'",
	"${x:-${y:-${z:-/}}}",
	"a=(1 2); ${a[@]:1:2}",
	"cat <<-EOF\n\t\tx\n\tEOF",
	"f() { f; }; f",
	"coproc x { rm y; }",
	"time",
	"! ! x",
	"[[ $(rm x) == y ]]",
	"echo $((1 + $(rm x)))",
	"declare -A m=([k]=$(rm x))",
	"printf '%'",
	"printf '%s%s%s' a",
	"echo -e '\\c'",
	"sh <<< $(echo x)",
	"watch",
	"busybox",
	"command -v",
	"find / -name",
	"cd; cd -; cd ''",
}

// FuzzAnalyze checks that Analyze never panics (internal errors are
// reported as a Problem, which the fuzzer treats as a failure), is
// deterministic and bounded.
func FuzzAnalyze(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, file := range []string{"testdata/analyze.golden", "testdata/cwd.golden", "testdata/exec.golden", "testdata/values.golden", "testdata/launchers.golden"} {
		for _, c := range readGolden(f, file) {
			f.Add(c.src)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		a := Analyze(src, testEnv)
		if a == nil {
			t.Fatal("nil analysis")
		}
		for _, p := range a.Problems {
			if strings.HasPrefix(p, "internal error") {
				t.Fatalf("Analyze(%q): %s", src, p)
			}
		}
		if len(a.Commands) > maxCommands || len(a.Writes) > maxCommands || len(a.Assignments) > maxCommands {
			t.Fatalf("Analyze(%q): %d commands, %d writes, %d assignments > %d", src, len(a.Commands),
				len(a.Writes), len(a.Assignments), maxCommands)
		}
		for _, c := range a.Commands {
			if c.Depth < 0 || c.Depth > MaxDepth {
				t.Fatalf("Analyze(%q): depth %d", src, c.Depth)
			}
			if e := c.Exec; e != nil {
				if e.Kind == "" || e.Path != "" && !strings.HasPrefix(e.Path, "/") && !strings.HasPrefix(e.Path, "~") ||
					e.Dir != "" && !strings.HasPrefix(e.Dir, "/") && !strings.HasPrefix(e.Dir, "~") {
					t.Fatalf("Analyze(%q): bad exec %+v", src, *e)
				}
			}
		}
		if r1, r2 := render(a, true), render(Analyze(src, testEnv), true); r1 != r2 {
			t.Fatalf("Analyze(%q) is not deterministic:\n%s\n---\n%s", src, r1, r2)
		}
		// The same input with no home directory must not panic either.
		Analyze(src, Env{})
	})
}
