package guards_test

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/packs"
	"github.com/bulwark-guard/bulwark/profiles"
)

// corpus is every input the repository knows: guard examples, family case
// tables and the everyday commands, each with the target it is judged as.
func corpus(t testing.TB) [][2]string {
	var out [][2]string
	for _, p := range packs.Builtin() {
		for _, g := range p.Guards {
			for _, ex := range append(append([]string{}, g.Match...), g.NotMatch...) {
				out = append(out, [2]string{g.On, ex})
			}
		}
	}
	files, _ := filepath.Glob("../packs/testdata/cases/*.txt")
	files = append(files, "../packs/testdata/everyday.txt")
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if _, in, ok := strings.Cut(line, "|"); ok && !strings.HasSuffix(f, "everyday.txt") {
				line = strings.TrimSpace(in)
			}
			if text, ok := strings.CutPrefix(line, "output: "); ok {
				out = append(out, [2]string{guards.OnOutput, strings.ReplaceAll(text, `\n`, "\n")})
				continue
			}
			out = append(out, [2]string{guards.OnCommand, line})
		}
		fh.Close()
	}
	return out
}

func enginePair(t testing.TB, profile string) (fast, ref *guards.Engine) {
	p, err := profiles.Get(profile)
	if err != nil {
		t.Fatal(err)
	}
	fast, err = guards.NewEngine(packs.Builtin(), p)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ = guards.NewEngine(packs.Builtin(), p)
	ref.SetNoPrefilter(true)
	return fast, ref
}

func hitIDs(v guards.Verdict) string {
	ids := make([]string, len(v.Hits))
	for i, h := range v.Hits {
		ids[i] = h.GuardID + "=" + h.Decision.String()
	}
	sort.Strings(ids)
	return v.Decision.String() + " " + strings.Join(ids, ",")
}

// TestPrefilterNeverChangesVerdict: the command-name and keyword prefilters
// (and lazy compilation) give exactly the hits of evaluating every guard.
func TestPrefilterNeverChangesVerdict(t *testing.T) {
	// regexp2's coarse clock can report false timeouts on a loaded machine;
	// they fail closed and would differ between the two engines.
	defer func(old time.Duration) { guards.RegexTimeout = old }(guards.RegexTimeout)
	guards.RegexTimeout = 10 * time.Second
	inputs := corpus(t)
	if len(inputs) < 100 {
		t.Fatalf("corpus too small: %d", len(inputs))
	}
	for _, profile := range profiles.Names() {
		fast, ref := enginePair(t, profile)
		for _, in := range inputs {
			act := guards.ExampleAction(in[0], in[1])
			act2 := act
			if a, b := hitIDs(fast.Evaluate(&act)), hitIDs(ref.Evaluate(&act2)); a != b {
				t.Errorf("%s: %q: prefiltered %s, reference %s", profile, in[1], a, b)
			}
		}
	}
	t.Logf("%d inputs x %d profiles", len(inputs), len(profiles.Names()))
}

func FuzzPrefilterEquivalence(f *testing.F) {
	for _, in := range corpus(f) {
		f.Add(in[0] == guards.OnOutput, in[1])
	}
	fast, ref := enginePair(f, "strict")
	// Under fuzzing load regexp2's coarse clock can report false timeouts,
	// which fail closed and would differ between the two engines.
	guards.RegexTimeout = 10 * time.Second
	f.Fuzz(func(t *testing.T, output bool, text string) {
		on := guards.OnCommand
		if output {
			on = guards.OnOutput
		}
		act := guards.ExampleAction(on, text)
		act2 := act
		done := make(chan [2]string, 1)
		go func() { done <- [2]string{hitIDs(fast.Evaluate(&act)), hitIDs(ref.Evaluate(&act2))} }()
		select {
		case r := <-done:
			if r[0] != r[1] {
				t.Fatalf("%q: prefiltered %s, reference %s", text, r[0], r[1])
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("evaluation of %q took over 30s", text)
		}
	})
}
