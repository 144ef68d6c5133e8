package scan_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/packs"
	"github.com/bulwark-guard/bulwark/redact"
	"github.com/bulwark-guard/bulwark/scan"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// Fake secrets, built at run time so that no live-looking secret of a real
// format is committed (the fixtures hold {{fake:KIND}} placeholders).
var fakes = map[string]string{
	"github-token": "ghp_" + strings.Repeat("aB3x", 9),
	"stripe-key":   "sk_" + "live_" + "51Hq2w3E4r5T6y7U8i9O0p" + "AbCdEfGh",
}

// setup copies a fixture set-up into a temporary directory: placeholders
// expanded, dot-git renamed .git, git hooks made executable. It returns the
// project and home directories and the root of managed files.
func setup(t *testing.T, name string) (proj, home, root string) {
	t.Helper()
	tmp, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join("testdata", "setups", name)
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		rel = strings.ReplaceAll(filepath.ToSlash(rel), "dot-git/", ".git/")
		dst := filepath.Join(tmp, filepath.FromSlash(rel))
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for k, v := range fakes {
			data = bytes.ReplaceAll(data, []byte("{{fake:"+k+"}}"), []byte(v))
		}
		mode := os.FileMode(0o644)
		if strings.Contains(rel, ".git/hooks/") || strings.HasSuffix(rel, ".sh") {
			mode = 0o755
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, mode)
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(tmp, "project"), filepath.Join(tmp, "home"), filepath.Join(tmp, "root")
}

var engine = func() func(t *testing.T) *guards.Engine {
	var e *guards.Engine
	return func(t *testing.T) *guards.Engine {
		if e == nil {
			var err error
			if e, err = guards.NewEngine(packs.Builtin(), scan.AuditProfile()); err != nil {
				t.Fatal(err)
			}
		}
		return e
	}
}()

func audit(t *testing.T, name string, home bool) (*scan.Report, func(string) string) {
	t.Helper()
	proj, h, root := setup(t, name)
	t.Setenv("TMPDIR", "")
	rep := scan.Audit(scan.Options{Dir: proj, Home: home, Engine: engine(t), Packs: packs.Builtin(),
		Env: clients.Env{Home: h, GOOS: "linux", Root: root, Vars: map[string]string{}}})
	norm := strings.NewReplacer(proj, "$PROJECT", h, "$HOME", root, "$ROOT").Replace
	return rep, norm
}

// TestGolden audits the fixture set-ups and compares every format with its
// golden file (go test ./scan -update rewrites them).
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		setup string
		home  bool
	}{{"clean", false}, {"clean", true}, {"risky", false}, {"risky", true}} {
		name := tc.setup
		if tc.home {
			name += "-home"
		}
		t.Run(name, func(t *testing.T) {
			rep, norm := audit(t, tc.setup, tc.home)
			for _, format := range []string{"text", "json", "sarif", "html"} {
				var b bytes.Buffer
				if err := scan.Write(&b, rep, format, scan.Meta{Version: "test", FailOn: guards.Low}); err != nil {
					t.Fatal(err)
				}
				got := norm(b.String())
				for _, f := range redact.Secrets(got) {
					if f.Live {
						t.Errorf("%s: the output shows a live %s unmasked: %q", format, f.Kind, got[f.Start:f.End])
					}
				}
				for _, v := range fakes {
					if strings.Contains(got, v) || strings.Contains(got, v[4:]) {
						t.Errorf("%s: the output shows a fake secret's value", format)
					}
				}
				golden := filepath.Join("testdata", "golden", name+"."+format)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./scan -update)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from %s (go test ./scan -update rewrites it):\n%s", format, golden, got)
				}
			}
		})
	}
}

// TestCleanHasNoFindings and TestRiskyHasEveryRule: the clean set-up passes
// with and without --home; the risky one shows every audit rule but the
// ones only the pack examples exercise.
func TestCleanHasNoFindings(t *testing.T) {
	for _, home := range []bool{false, true} {
		rep, _ := audit(t, "clean", home)
		for _, f := range rep.Findings {
			t.Errorf("home=%v: %s:%d %s: %s", home, f.File, f.Line, f.Rule, f.Evidence)
		}
		if len(rep.Files) < 5 {
			t.Errorf("home=%v: read only %v", home, rep.Files)
		}
	}
}

func TestRiskyHasEveryRule(t *testing.T) {
	rep, _ := audit(t, "risky", true)
	got := map[string]bool{}
	for _, f := range rep.Findings {
		got[f.Rule] = true
		if f.Line <= 0 && f.Rule != "audit.guard-missing" {
			t.Errorf("%s in %s has no line", f.Rule, f.File)
		}
	}
	for _, p := range packs.Builtin() {
		if p.Family != "audit" {
			continue
		}
		for _, g := range p.Guards {
			switch g.ID {
			case "audit.hooks-path":
				continue // in the pack's examples: a repository has one hooks directory
			}
			if !got[g.ID] {
				t.Errorf("the risky set-up does not show %s", g.ID)
			}
		}
	}
	for _, id := range []string{"content.agent-instructions-injection", "exfil.pipe-to-shell", "filesystem.recursive-delete-root"} {
		if !got[id] {
			t.Errorf("the risky set-up does not show %s", id)
		}
	}
}

// TestJSONShape: the JSON report parses and its summary adds up.
func TestJSONShape(t *testing.T) {
	rep, _ := audit(t, "risky", true)
	var b bytes.Buffer
	if err := scan.WriteJSON(&b, rep, scan.Meta{FailOn: guards.High}); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Summary  map[string]int
		Failed   bool
		Findings []struct{ Rule, Severity, File string }
	}
	if err := json.Unmarshal(b.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Summary["total"] != len(out.Findings) || out.Summary["critical"]+out.Summary["high"]+out.Summary["medium"]+out.Summary["low"] != len(out.Findings) || !out.Failed {
		t.Errorf("summary %v for %d findings, failed %v", out.Summary, len(out.Findings), out.Failed)
	}
}
