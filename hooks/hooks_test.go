package hooks_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
	"github.com/bulwark-guard/bulwark/packs"
	"github.com/bulwark-guard/bulwark/profiles"
)

// The clients' locations are members of the protected set here, as in the
// binary (clients registers them with package protect).
import _ "github.com/bulwark-guard/bulwark/clients"

var update = flag.Bool("update", false, "rewrite golden files")

var testEnv = hooks.Env{Home: "/home/dev", Cwd: "/home/dev/project"}

func engine(t testing.TB, profile string) *guards.Engine {
	t.Helper()
	p, err := profiles.Get(profile)
	if err != nil {
		t.Fatal(err)
	}
	e, err := guards.NewEngine(packs.Builtin(), p)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// answer runs one event through the client protocol and the engine, the way
// `bulwark hook` does.
func answer(e *guards.Engine, client string, data []byte) hooks.Result {
	if client == "" {
		client = hooks.Detect(data)
	}
	c, err := hooks.Lookup(client)
	if err != nil {
		return hooks.FailClosed(err)
	}
	in, err := hooks.ReadInput(bytes.NewReader(data))
	if err != nil {
		return hooks.FailClosed(err)
	}
	act, err := c.Decode(in, testEnv)
	if err != nil {
		return hooks.FailClosed(err)
	}
	v := e.Evaluate(&act)
	hooks.Replace(&act, &v, e.Evaluate)
	return c.Encode(&act, hooks.CarryCaution(&act, &v, e.Evaluate))
}

func render(r hooks.Result) string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.Exit, r.Stdout, r.Stderr)
}

// TestGolden: every testdata/golden/CLIENT-NAME.json event gives exactly the
// answer in CLIENT-NAME.golden under the balanced profile.
func TestGolden(t *testing.T) {
	e := engine(t, "balanced")
	files, _ := filepath.Glob("testdata/golden/*.json")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			client, _, _ := strings.Cut(name, "-")
			got := render(answer(e, client, data))
			goldenFile := strings.TrimSuffix(f, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(goldenFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenFile)
			if err != nil {
				t.Fatalf("%v (run go test ./hooks -update)", err)
			}
			if got != string(want) {
				t.Errorf("answer differs from %s\n--- got\n%s\n--- want\n%s", goldenFile, got, want)
			}
		})
	}
}

// The protocol invariants that matter most, checked directly rather than
// only through goldens.
func TestClaudeNeverEmitsAllow(t *testing.T) {
	e := engine(t, "strict")
	files, _ := filepath.Glob("testdata/golden/claude-*.json")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		r := answer(e, "claude", data)
		if bytes.Contains(r.Stdout, []byte(`"permissionDecision":"allow"`)) {
			t.Errorf("%s: emitted permissionDecision allow", f)
		}
		if r.Exit != hooks.ExitAllow && r.Exit != hooks.ExitBlock {
			t.Errorf("%s: exit %d: only 0 and 2 are allowed", f, r.Exit)
		}
		if r.Exit == hooks.ExitAllow && !bytes.HasPrefix(r.Stdout, []byte("{")) {
			t.Errorf("%s: exit 0 without JSON on stdout: %q", f, r.Stdout)
		}
	}
}

func TestBadInputFailsClosed(t *testing.T) {
	e := engine(t, "balanced")
	for _, in := range []string{"", " ", "{", "[]", "null", `{"hook_event_name":"PreToolUse"}`,
		`{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{}}`,
		`{"hook_event_name":"Nope","tool_name":"Bash","tool_input":{"command":"ls"}}`,
		`{"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"content":"x"}}`} {
		for _, client := range []string{"claude", "codex", "gemini", "cursor"} {
			r := answer(e, client, []byte(in))
			if r.Exit != hooks.ExitBlock || r.Stderr == "" || strings.Count(r.Stderr, "\n") != 1 {
				t.Errorf("%s %q: want exit 2 with a one-line reason, got %s", client, in, render(r))
			}
		}
	}
}

func TestOversizedInputRefused(t *testing.T) {
	big := bytes.Repeat([]byte("a"), hooks.MaxInput+1)
	if _, err := hooks.ReadInput(bytes.NewReader(big)); err == nil {
		t.Fatal("input over MaxInput accepted")
	}
}

func TestDetect(t *testing.T) {
	for file, want := range map[string]string{
		"claude-pre-bash-deny": "claude", "codex-bash-deny": "codex", "cursor-shell-deny": "cursor", "gemini-shell-deny": "gemini",
	} {
		data, _ := os.ReadFile("testdata/golden/" + file + ".json")
		if got := hooks.Detect(data); got != want {
			t.Errorf("Detect(%s) = %s, want %s", file, got, want)
		}
	}
}

// FuzzHookInput: no input panics, the answer is deterministic, and it is
// always either a JSON answer with exit 0 or a block with exit 2.
func FuzzHookInput(f *testing.F) {
	files, _ := filepath.Glob("testdata/golden/*.json")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add(data)
	}
	e := engine(f, "balanced")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, client := range []string{"claude", "codex", "cursor", "gemini"} {
			r1 := answer(e, client, data)
			r2 := answer(e, client, data)
			if render(r1) != render(r2) {
				t.Fatalf("%s: nondeterministic answer for %q", client, data)
			}
			switch r1.Exit {
			case hooks.ExitBlock:
			case hooks.ExitAllow:
				if client != "codex" && !bytes.HasPrefix(r1.Stdout, []byte("{")) {
					t.Fatalf("%s: exit 0 without JSON: %q", client, r1.Stdout)
				}
			default:
				t.Fatalf("%s: exit %d", client, r1.Exit)
			}
		}
	})
}
