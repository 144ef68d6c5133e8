package shell

import (
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// Hostile command lines are built here, in Go: they are test data, never
// run by a shell.

// nestEval wraps cmd in n levels of eval, each quoting the level inside.
func nestEval(cmd string, n int) string {
	for range n {
		cmd = "eval '" + strings.ReplaceAll(cmd, "'", `'\''`) + "'"
	}
	return cmd
}

// nestBase64 wraps cmd in n levels of `echo B64 | base64 -d | sh`.
func nestBase64(cmd string, n int) string {
	for range n {
		cmd = "echo " + base64.StdEncoding.EncodeToString([]byte(cmd)) + " | base64 -d | sh"
	}
	return cmd
}

// nestShell wraps cmd in n levels of bash -c '...'.
func nestShell(cmd string, n int) string {
	for range n {
		cmd = "bash -c '" + strings.ReplaceAll(cmd, "'", `'\''`) + "'"
	}
	return cmd
}

// nestSubst wraps cmd in n levels of $(...).
func nestSubst(cmd string, n int) string {
	return "echo " + strings.Repeat("$(", n) + cmd + strings.Repeat(")", n)
}

// manyVars assigns n distinct variables.
func manyVars(n int) string {
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "V%d=%d; ", i, i)
	}
	return sb.String()
}

// doubling is X=~ doubled n times: 2^n copies of the home directory.
func doubling(n int) string {
	return "X=~; " + strings.Repeat(`X="$X $X"; `, n) + "rm -rf $X"
}

// TestLimitsListed checks that every analysis limit is reported in Limits,
// and that what was seen before the limit is kept; and that the harmless
// look-alikes just under the limits reach none.
func TestLimitsListed(t *testing.T) {
	hostile := map[string]string{
		"statements":      strings.Repeat("true; ", maxCommands+1) + "rm -rf ~",
		"nested $(":       nestSubst("rm -rf ~", MaxDepth+1),
		"nested eval":     nestEval("rm -rf ~", MaxDepth+2),
		"bare evals":      strings.Repeat("eval ", MaxDepth+2) + "rm -rf ~",
		"nested base64":   nestBase64("rm -rf ~", MaxDepth+2),
		"doubling":        doubling(40),
		"nested bash -c":  nestShell("rm -rf ~", MaxDepth+1),
		"python too deep": nestEval(`python3 -c 'import os; os.system("rm -rf ~")'`, MaxDepth),
	}
	for name, src := range hostile {
		t.Run(name, func(t *testing.T) {
			a := Analyze(src, testEnv)
			if len(a.Limits) == 0 {
				t.Fatalf("no limit reported for %.80q (%d commands)", src, len(a.Commands))
			}
			if len(a.Commands) == 0 {
				t.Errorf("the commands seen before the limit were dropped")
			}
		})
	}
	harmless := map[string]string{
		"statements":     strings.Repeat("true; ", 1000) + "ls",
		"nested $(":      nestSubst("ls", MaxDepth),
		"nested eval":    nestEval("ls", MaxDepth),
		"bare evals":     strings.Repeat("eval ", MaxDepth) + "ls",
		"nested base64":  nestBase64("ls", MaxDepth-1),
		"growing path":   "X=~; " + strings.Repeat(`X="$X/a"; `, 40) + "ls $X",
		"doubling a bit": doubling(10),
	}
	for name, src := range harmless {
		t.Run("lookalike/"+name, func(t *testing.T) {
			a := Analyze(src, testEnv)
			if len(a.Limits) > 0 || a.DepthExceeded {
				t.Fatalf("%.80q reached %q", src, a.Limits)
			}
		})
	}
}

// TestParseErrorKeepsWhatParsed: a command line that stops parsing
// part-way keeps the analysis of the statements before the error (here a
// decoded payload piped into a shell), and splits only the rest crudely.
func TestParseErrorKeepsWhatParsed(t *testing.T) {
	src := nestBase64("rm -rf ~", 1) + `; echo "unterminated`
	a := Analyze(src, testEnv)
	if a.ParseError == nil {
		t.Fatal("want a parse error")
	}
	found := false
	for _, c := range a.Commands {
		if c.Name == "rm" && strings.Join(argValues(&c), " ") == "-rf /home/u" {
			found = true
		}
	}
	if !found {
		t.Fatalf("the decoded rm before the parse error was lost:\n%s", render(a, false))
	}
	if c := findCmd(a, "echo"); c == nil {
		t.Fatalf("the statement after the error was not split crudely:\n%s", render(a, false))
	}
}

// TestMemoryBounded: whatever the input, the analysis allocates a bounded
// amount (the hook's budget is about 200 MiB in all). Values that double
// are cut at 1 MiB, and all expansions together at 16 MiB.
func TestMemoryBounded(t *testing.T) {
	big := strings.Repeat("x", 1<<19)
	inputs := map[string]string{
		"doubling":            doubling(40),
		"doubling quoted":     "X=/home/user/a; " + strings.Repeat(`X="$X$X"; `, 60) + "echo $X",
		"big value used":      "X=" + big + "; " + strings.Repeat("echo $X $X; ", 2000),
		"many words":          "X=" + big + "; " + "echo " + strings.Repeat("$X ", 5000),
		"append":              "X=ab; " + strings.Repeat(`X+="$X"; `, 60) + "echo $X",
		"pipes with vars":     manyVars(5000) + strings.Repeat("echo x | ", 5000) + "cat",
		"subshells with vars": manyVars(5000) + strings.Repeat("(true); ", 5000),
		"deep subshells":      manyVars(5000) + strings.Repeat("(V1=x; ", 150) + "echo $V1" + strings.Repeat(")", 150),
	}
	for name, src := range inputs {
		t.Run(name, func(t *testing.T) {
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			a := Analyze(src, testEnv)
			runtime.ReadMemStats(&m1)
			alloc := m1.TotalAlloc - m0.TotalAlloc
			t.Logf("%s: %d bytes in, %d MiB allocated, %d commands, limits %q", name, len(src), alloc>>20, len(a.Commands), a.Limits)
			if alloc > 200<<20 {
				t.Errorf("%s allocated %d MiB", name, alloc>>20)
			}
		})
	}
}
