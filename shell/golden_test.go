package shell

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenCase is one case of a golden file: a name, the command line and the
// rendered analysis (see render).
type goldenCase struct {
	name, src, want string
}

// readGolden parses a golden file:
//
//	=== name
//	command line (any number of lines)
//	---
//	rendered analysis
func readGolden(t testing.TB, file string) []goldenCase {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	for _, block := range strings.Split("\n"+string(data), "\n=== ")[1:] {
		name, rest, _ := strings.Cut(block, "\n")
		src, want, ok := strings.Cut(rest, "\n---\n")
		if !ok {
			src, want = strings.TrimSuffix(rest, "\n---"), ""
			src = strings.TrimSuffix(src, "\n")
		}
		cases = append(cases, goldenCase{name: name, src: src, want: strings.TrimRight(want, "\n")})
	}
	return cases
}

func writeGolden(t *testing.T, file string, cases []goldenCase) {
	var sb strings.Builder
	for _, c := range cases {
		sb.WriteString("=== " + c.name + "\n" + c.src + "\n---\n")
		if c.want != "" {
			sb.WriteString(c.want + "\n")
		}
	}
	if err := os.WriteFile(file, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runGolden(t *testing.T, file string, showCwd bool) {
	cases := readGolden(t, file)
	if len(cases) == 0 {
		t.Fatalf("%s: no cases", file)
	}
	for i, c := range cases {
		got := render(Analyze(c.src, testEnv), showCwd)
		if *update {
			cases[i].want = got
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			if got != c.want {
				t.Errorf("Analyze(%q):\ngot:\n%s\nwant:\n%s", c.src, got, c.want)
			}
		})
	}
	if *update {
		writeGolden(t, file, cases)
	}
}

// TestGolden runs the cases of testdata/analyze.golden: every construct the
// analysis sees through, each next to its harmless look-alike.
func TestGolden(t *testing.T) { runGolden(t, "testdata/analyze.golden", false) }

// TestGoldenCwd runs testdata/cwd.golden, which also shows Command.Cwd.
func TestGoldenCwd(t *testing.T) { runGolden(t, "testdata/cwd.golden", true) }

// TestGoldenValues runs testdata/values.golden: values the shell knows
// before running (IFS splitting, read from here-strings, arrays, printf -v,
// functions with arguments, positional parameters, ${X%...} operators,
// filters into a shell), each next to a harmless look-alike.
func TestGoldenValues(t *testing.T) { runGolden(t, "testdata/values.golden", false) }

// TestGoldenLaunchers runs testdata/launchers.golden: programs that run
// shell code from their own arguments or environment (git aliases and
// config, vim -c, make -f - on stdin, parallel, less/man, EDITOR/PAGER,
// entr, fd -x, lua, tcl, heroku run, fly ssh console), each next to a
// harmless look-alike.
func TestGoldenLaunchers(t *testing.T) { runGolden(t, "testdata/launchers.golden", false) }

// TestGoldenExec runs testdata/exec.golden: the files commands run
// (Command.Exec), each next to a look-alike that runs no file.
func TestGoldenExec(t *testing.T) { runGolden(t, "testdata/exec.golden", true) }
