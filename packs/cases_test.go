package packs

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/profiles"
)

// Case tables live in testdata/cases/FAMILY.txt, one case a line:
//
//	# comment
//	minimal balanced strict | input
//
// where each of the three is allow, warn, ask or deny (for tool output,
// deny/ask mean the output is flagged), and the input is a Bash command,
// "@Tool ARG[ :: TEXT]" (see guards.ExampleAction) or "output: TEXT" for a
// tool's output; in the last two, \n stands for a newline. testdata/everyday.txt lists harmless commands, one a line,
// which must never be asked or denied under balanced.

type tableCase struct {
	file  string
	line  int
	want  [3]guards.Decision
	input string
}

func (c tableCase) action() guards.Action {
	if text, ok := strings.CutPrefix(c.input, "output: "); ok {
		return guards.ExampleAction(guards.OnOutput, strings.ReplaceAll(text, `\n`, "\n"))
	}
	if strings.HasPrefix(c.input, "@") {
		// Tool calls may carry multi-line content (a shebang script, a
		// heredoc-like file); Bash lines keep \n as shell text.
		return guards.ExampleAction(guards.OnCommand, strings.ReplaceAll(c.input, `\n`, "\n"))
	}
	return guards.ExampleAction(guards.OnCommand, c.input)
}

var profileOrder = [3]string{"minimal", "balanced", "strict"}

func readCases(t testing.TB, file string) []tableCase {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []tableCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		head, input, ok := strings.Cut(line, "|")
		fields := strings.Fields(head)
		if !ok || len(fields) != 3 {
			t.Fatalf("%s:%d: want `minimal balanced strict | input`", file, n)
		}
		c := tableCase{file: filepath.Base(file), line: n, input: strings.TrimSpace(input)}
		for i, f := range fields {
			d, err := guards.ParseDecision(f)
			if err != nil {
				t.Fatalf("%s:%d: %v", file, n, err)
			}
			c.want[i] = d
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// diskEngines builds one engine per profile from the TOML on disk (not the
// generated code), so pack authors can test a pack before `make generate`.
func diskEngines(t testing.TB) [3]*guards.Engine {
	t.Helper()
	all := loadDiskPacks(t)
	var es [3]*guards.Engine
	for i, name := range profileOrder {
		p, err := profiles.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		e, err := guards.NewEngine(all, p)
		if err != nil {
			t.Fatal(err)
		}
		es[i] = e
	}
	return es
}

func loadDiskPacks(t testing.TB) []guards.PackSpec {
	t.Helper()
	files, _ := filepath.Glob("*.toml")
	sort.Strings(files)
	var all []guards.PackSpec
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := guards.ParsePack(f, data)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, p)
	}
	return all
}

func describe(v guards.Verdict) string {
	var ids []string
	for _, h := range v.Hits {
		ids = append(ids, fmt.Sprintf("%s(%s→%s)", h.GuardID, h.Severity, h.Decision))
	}
	if len(ids) == 0 {
		return "no guard fired"
	}
	return strings.Join(ids, ", ")
}

// TestFamilyCases checks every family's table of realistic commands against
// its expected verdict under each profile.
func TestFamilyCases(t *testing.T) {
	es := diskEngines(t)
	files, _ := filepath.Glob("testdata/cases/*.txt")
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			for _, c := range readCases(t, file) {
				act := c.action()
				for i, e := range es {
					v := e.Evaluate(&act)
					if v.Decision != c.want[i] {
						t.Errorf("%s:%d: %s: %q = %s, want %s (%s)", c.file, c.line, profileOrder[i], c.input, v.Decision, c.want[i], describe(v))
					}
				}
			}
		})
	}
}

// TestEveryday: harmless everyday commands are never asked or denied under
// balanced.
func TestEveryday(t *testing.T) {
	es := diskEngines(t)
	data, err := os.ReadFile("testdata/everyday.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		act := guards.ExampleAction(guards.OnCommand, line)
		if v := es[1].Evaluate(&act); v.Decision >= guards.Ask {
			t.Errorf("everyday.txt:%d: %q is %s under balanced (%s)", i+1, line, v.Decision, describe(v))
		}
	}
	t.Logf("%d everyday commands", n)
}

// TestPackFiles validates each TOML pack on its own and runs its examples,
// so a problem names its pack even before `make generate`.
func TestPackFiles(t *testing.T) {
	files, _ := filepath.Glob("*.toml")
	for _, f := range files {
		t.Run(strings.TrimSuffix(f, ".toml"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := guards.ParsePack(f, data)
			if err != nil {
				t.Fatal(err)
			}
			checked := []guards.PackSpec{p}
			if p.Family == "session" {
				// Session examples read credentials first: the credential
				// guards that recognise those reads, and the output and
				// content guards whose scan finds the secrets, must be there.
				for _, b := range Builtin() {
					if b.Family == "secrets" || b.Family == "output" || b.Family == "content" {
						checked = append(checked, b)
					}
				}
			}
			if err := guards.CheckExamples(checked); err != nil {
				t.Fatal(err)
			}
		})
	}
}
