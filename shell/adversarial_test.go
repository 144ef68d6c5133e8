package shell

import (
	"strings"
	"testing"
	"time"
)

// adversarial inputs try to make the analysis do a lot of work from little
// text: loop unrolling, nested shells, fan-out. They must stay bounded.
var adversarial = map[string]string{
	"nested loops": "for a in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do for b in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do " +
		"for c in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do for d in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do " +
		"bash -c \"eval 'rm $a$b$c$d'\"; done; done; done; done",
	"loop over shells": "for a in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do bash -c 'for b in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do " +
		"bash -c \"for c in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do rm \\$c; done\"; done'; done",
	"find fanout":        "find " + strings.Repeat("/x ", 5000) + "-exec bash -c 'rm {}' \\; -exec rm {} + -delete",
	"xargs fanout":       "printf '" + strings.Repeat("a\\n", 5000) + "' | xargs -I{} bash -c 'rm {}'",
	"many pipes":         strings.Repeat("echo x | ", 20000) + "sh",
	"deep subshell":      strings.Repeat("(", 5000) + "rm x" + strings.Repeat(")", 5000),
	"deep substitutions": strings.Repeat("$(", 3000) + "rm x" + strings.Repeat(")", 3000),
	"many evals":         strings.Repeat("eval ", 20000) + "rm x",
	"big base64":         "echo " + strings.Repeat("cm0gLXJmIC8K", 100000) + " | base64 -d | sh",
	"python big":         "python3 -c \"" + strings.Repeat("os.system('rm -rf /x'); ", 20000) + "\"",
	"negated pipe":       "! 0x |f |s",
	"heredoc to shell":   "bash <<EOF\n" + strings.Repeat("bash -c 'rm x; rm y'\n", 20000) + "EOF\n",
}

func init1MiB(pat, end string) string { return strings.Repeat(pat, (1<<20)/len(pat)) + end }

// Pathological 1 MiB inputs: deep syntactic nesting makes the parser
// recurse (and overflow the stack, which is fatal) unless it is refused
// first; long operator chains must not recurse in the analysis.
var pathological1MiB = map[string]string{
	"and chain":      init1MiB("a && ", "b"),
	"or chain":       init1MiB("a || ", "b"),
	"pipe chain":     init1MiB("a | ", "b"),
	"statements":     init1MiB("a; ", "b"),
	"background":     init1MiB("a & ", "b"),
	"if nesting":     init1MiB("if a; then ", "b"),
	"while":          init1MiB("while a; do ", "b"),
	"negations":      init1MiB("! ", "b"),
	"time chain":     init1MiB("time ", "b"),
	"coproc":         init1MiB("coproc ", "b"),
	"arithmetic":     init1MiB("$((1+", "1"),
	"parens":         init1MiB("(", "rm x"),
	"subst":          init1MiB("$(", "rm x"),
	"dq subst":       init1MiB("\"$(", "rm x"),
	"braces":         init1MiB("{ ", "rm x"),
	"param":          init1MiB("${x:-", "rm x"),
	"arith parens":   "echo $((" + init1MiB("(", "1"),
	"python parens":  "python3 -c '" + init1MiB("(", "x") + "'",
	"python calls":   "python3 -c '" + init1MiB("os.system(", "x") + "'",
	"python assigns": "python3 -c '" + init1MiB("a = ", "1") + "'",
	"python opens":   "python3 -c '" + init1MiB("open(\"/x\").read(); ", "") + "'",
	"node templates": "node -e '" + init1MiB("execSync(`${", "") + "'",
	"perl qx":        "perl -e '" + init1MiB("qx{", "") + "'",
}

func TestPathological1MiB(t *testing.T) {
	for name, src := range pathological1MiB {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			a := Analyze(src, testEnv)
			if len(a.Commands) == 0 || len(a.Commands) > maxCommands {
				t.Errorf("%d commands", len(a.Commands))
			}
			t.Logf("%s: %d bytes, %d commands, parse error %v, %v", name, len(src), len(a.Commands), a.ParseError != nil, time.Since(start))
		})
	}
}

func TestAdversarialBounded(t *testing.T) {
	for name, src := range adversarial {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			a := Analyze(src, testEnv)
			el := time.Since(start)
			if len(a.Commands) > maxCommands {
				t.Errorf("%d commands", len(a.Commands))
			}
			for _, p := range a.Problems {
				if strings.HasPrefix(p, "internal error") {
					t.Error(p)
				}
			}
			t.Logf("%s: %d bytes, %d commands, %v", name, len(src), len(a.Commands), el)
		})
	}
}
