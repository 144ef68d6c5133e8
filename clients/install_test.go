package clients

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/installer"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var testOpts = installer.Options{
	Binary:  "/opt/bulwark/bin/bulwark",
	Profile: "balanced",
}

func optsFor(c *Client) installer.Options {
	o := testOpts
	if c == Claude {
		o.DenyRules = DefaultDenyRules(DenyPaths{Home: "/home/u", BulwarkDir: "/home/u/.config/bulwark", Binary: o.Binary}, false)
	}
	return o
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing golden (run go test ./installer -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n%s", path, installer.Diff("want", "got", want, got))
	}
}

// TestGolden runs install, install again, and uninstall over every
// testdata/<client>/*.json input (plus a missing file, "new") and compares
// with the .golden files next to them:
//   - NAME.installed.golden: after install
//   - NAME.uninstalled.golden: after uninstall, only when that differs from
//     the input (else the test demands the input back byte for byte)
//   - NAME.err.golden: the error, for inputs install must refuse; the input
//     must then come back untouched.
func TestGolden(t *testing.T) {
	for _, c := range All() {
		inputs, _ := filepath.Glob(filepath.Join("testdata", c.Name, "*.json"))
		inputs = append([]string{""}, inputs...)
		for _, in := range inputs {
			name := "new"
			var old []byte
			if in != "" {
				name = strings.TrimSuffix(filepath.Base(in), ".json")
				var err error
				if old, err = os.ReadFile(in); err != nil {
					t.Fatal(err)
				}
			}
			base := filepath.Join(c.Name, name)
			t.Run(base, func(t *testing.T) {
				o := optsFor(c)
				// An earlier install's record lists its commands: the
				// bulwark-looking handlers in the inputs named older (any
				// other look-alike is the user's and must stay).
				if strings.HasPrefix(name, "older") || name == "noversion" {
					if doc, err := installer.ParseDocument(old); err == nil {
						for _, hs := range installer.FindHandlers(c.Spec, doc) {
							for _, h := range hs {
								o.Known = append(o.Known, h.Get("command").Str())
							}
						}
					}
				}
				got, rec, err := installer.Install(c.Spec, old, o, nil)
				if err != nil {
					golden(t, base+".err.golden", []byte(err.Error()+"\n"))
					if _, uerr := installer.Uninstall(c.Spec, old, nil); uerr == nil && strings.HasPrefix(name, "broken") {
						t.Errorf("installer.Uninstall accepted a broken file")
					}
					return
				}
				golden(t, base+".installed.golden", got)
				if _, err := installer.ParseDocument(got); err != nil {
					t.Fatalf("install produced invalid JSON: %v", err)
				}

				// installer.Install twice = install once, with or without the record.
				again, rec2, err := installer.Install(c.Spec, got, o, rec)
				if err != nil || !bytes.Equal(again, got) {
					t.Errorf("second install changed the file (err %v):\n%s", err, installer.Diff("once", "twice", got, again))
				}
				if again2, _, _ := installer.Install(c.Spec, got, o, nil); !bytes.Equal(again2, got) {
					t.Errorf("second install without record changed the file")
				}
				if !slices.Equal(rec.Created, rec2.Created) || !slices.Equal(rec.DenyAdded, rec2.DenyAdded) {
					t.Errorf("second install changed the record: %+v vs %+v", rec, rec2)
				}

				back, err := installer.Uninstall(c.Spec, got, rec2)
				if err != nil {
					t.Fatal(err)
				}
				ugold := filepath.Join("testdata", base+".uninstalled.golden")
				if *update && bytes.Equal(back, old) {
					os.Remove(ugold) // the input itself is the expectation
				}
				if _, statErr := os.Stat(ugold); statErr == nil || (*update && !bytes.Equal(back, old)) {
					golden(t, base+".uninstalled.golden", back)
				} else if old == nil {
					if doc, err := installer.ParseDocument(back); err != nil || !doc.Empty() {
						t.Errorf("uninstall of a new file left %q", back)
					}
				} else if !bytes.Equal(back, old) {
					t.Errorf("install+uninstall did not restore the original:\n%s", installer.Diff("original", "restored", old, back))
				}
				// Whatever the layout: the same document as the input, less
				// any older bulwark entries.
				if name != "older" && name != "noversion" && old != nil {
					a, _ := installer.ParseDocument(old)
					b, _ := installer.ParseDocument(back)
					if !installer.Equal(a, b) {
						t.Errorf("uninstall result is not semantically the original")
					}
				}
				// installer.Uninstall twice changes nothing more.
				if back2, err := installer.Uninstall(c.Spec, back, nil); err != nil || !bytes.Equal(back2, back) {
					t.Errorf("second uninstall changed the file (err %v)", err)
				}
			})
		}
	}
}

func TestBrokenErrorPosition(t *testing.T) {
	old, err := os.ReadFile("testdata/claude/broken.json")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = installer.Install(Claude.Spec, old, optsFor(Claude), nil)
	var se *installer.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("want *installer.SyntaxError, got %v", err)
	}
	// `"env"` on line 6 follows "}" without a comma.
	if se.Line != 6 || se.Col != 3 {
		t.Errorf("position = %d:%d, want 6:3 (%v)", se.Line, se.Col, err)
	}
}

func TestProfileAndPathUpgradeInPlace(t *testing.T) {
	o := optsFor(Claude)
	first, rec, err := installer.Install(Claude.Spec, []byte("{\n  \"model\": \"x\"\n}\n"), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	o2 := o
	o2.Binary, o2.Profile = "/usr/bin/bulwark", "strict"
	o2.DenyRules = DefaultDenyRules(DenyPaths{Home: "/home/u", Binary: o2.Binary}, false)
	second, rec2, err := installer.Install(Claude.Spec, first, o2, rec)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(second), "hook --client claude") != len(Claude.Spec.Events) {
		t.Errorf("want exactly one handler per event:\n%s", second)
	}
	if !strings.Contains(string(second), installer.Quote(Claude.Spec.Command("/usr/bin/bulwark", "strict"))) || strings.Contains(string(second), "/opt/bulwark") {
		t.Errorf("not upgraded:\n%s", second)
	}
	back, err := installer.Uninstall(Claude.Spec, second, rec2)
	if err != nil {
		t.Fatal(err)
	}
	if string(back) != "{\n  \"model\": \"x\"\n}\n" {
		t.Errorf("uninstall after upgrade: %q", back)
	}
}

func TestDenyNativeToggle(t *testing.T) {
	o := optsFor(Claude)
	o.DenyRules = DefaultDenyRules(DenyPaths{Home: "/home/u"}, true)
	orig := []byte("{\n  \"permissions\": {\n    \"deny\": [\n      \"Write\"\n    ]\n  }\n}\n")
	withNative, rec, err := installer.Install(Claude.Spec, orig, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rec.DenyPreexisting, "Write") || slices.Contains(rec.DenyAdded, "Write") {
		t.Errorf("Write was the user's: added %v, preexisting %v", rec.DenyAdded, rec.DenyPreexisting)
	}
	if !slices.Contains(rec.DenyAdded, "Bash") {
		t.Errorf("Bash not recorded as added: %v", rec.DenyAdded)
	}
	// Re-install without --deny-native: Bash and Edit go, the user's Write stays.
	o.DenyRules = DefaultDenyRules(DenyPaths{Home: "/home/u"}, false)
	without, rec2, err := installer.Install(Claude.Spec, withNative, o, rec)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := installer.ParseDocument(without)
	var deny []string
	for _, e := range doc.Get("permissions").Get("deny").Elems {
		deny = append(deny, e.Str())
	}
	if slices.Contains(deny, "Bash") || slices.Contains(deny, "Edit") || !slices.Contains(deny, "Write") {
		t.Errorf("deny after dropping --deny-native: %v", deny)
	}
	back, err := installer.Uninstall(Claude.Spec, without, rec2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, orig) {
		t.Errorf("uninstall:\n%s", installer.Diff("orig", "back", orig, back))
	}
}

func TestUninstallWithoutRecordKeepsDenyRules(t *testing.T) {
	got, _, err := installer.Install(Claude.Spec, nil, optsFor(Claude), nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := installer.Uninstall(Claude.Spec, got, nil, installer.CommandForms(testOpts.Binary, "claude", testOpts.Profile)...)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := installer.ParseDocument(back)
	if doc.Get("hooks") != nil {
		t.Errorf("hooks left: %s", back)
	}
	if len(doc.Get("permissions").Get("deny").Elems) == 0 {
		t.Errorf("deny rules removed without a record of adding them")
	}
}

func TestUserAddedRuleAfterInstallIsKept(t *testing.T) {
	got, rec, err := installer.Install(Claude.Spec, nil, optsFor(Claude), nil)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := installer.ParseDocument(got)
	deny := doc.Get("permissions").Get("deny")
	deny.Elems = append(deny.Elems, installer.NewString("Bash(sudo *)"))
	edited := append(doc.Encode(), '\n')
	back, err := installer.Uninstall(Claude.Spec, edited, rec)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"permissions\": {\n    \"deny\": [\n      \"Bash(sudo *)\"\n    ]\n  }\n}\n"
	if string(back) != want {
		t.Errorf("got %q, want %q", back, want)
	}
}

func TestDefaultDenyRules(t *testing.T) {
	rules := DefaultDenyRules(DenyPaths{
		Home: "/home/u", ClaudeConfigDir: "/etc/cc", BulwarkDir: "/home/u/.config/bulwark", Binary: "/home/u/.local/bin/bulwark",
	}, true)
	for _, want := range []string{
		"Read(~/.ssh/id_ed25519)", "Read(~/.aws/credentials)", "Bash(rm -rf $HOME)",
		"Edit(//etc/cc/settings.json)", "Edit(//etc/cc/settings.local.json)",
		"Edit(~/.config/bulwark/**)", "Edit(~/.local/bin/bulwark)", "Bash", "Write", "Edit",
	} {
		if !slices.Contains(rules, want) {
			t.Errorf("missing %q in %q", want, rules)
		}
	}
	for _, bad := range []string{"Bash(rm -rf /*)", "Read(~/.ssh/id_*)", "Read(~/.ssh/id_rsa.pub)"} {
		if slices.Contains(rules, bad) {
			t.Errorf("unwanted rule %q", bad)
		}
	}
	// A relocated config dir under HOME is spelled home-relative; no duplicates.
	rules = DefaultDenyRules(DenyPaths{Home: "/home/u", ClaudeConfigDir: "/home/u/.claude"}, false)
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r] {
			t.Errorf("duplicate rule %q", r)
		}
		seen[r] = true
	}
	if len(rules) != len(baseDenyRules) {
		t.Errorf("got %d rules, want the %d base rules", len(rules), len(baseDenyRules))
	}
}

// TestLookalikeHookSurvives: a user's own hook whose command ends like
// bulwark's (`… hook --client ci`), or carries the marker, is never
// bulwark's: install adds beside it, uninstall leaves it, with or without a
// record.
func TestLookalikeHookSurvives(t *testing.T) {
	orig := []byte("{\n  \"hooks\": {\n    \"PreToolUse\": [\n      {\n        \"matcher\": \"*\",\n        \"hooks\": [\n          {\n            \"type\": \"command\",\n            \"command\": \"/opt/lint/run hook --client ci\",\n            \"statusMessage\": \"bulwark\"\n          }\n        ]\n      }\n    ]\n  }\n}\n")
	got, rec, err := installer.Install(Claude.Spec, orig, optsFor(Claude), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "/opt/lint/run hook --client ci") {
		t.Fatalf("install replaced the user's hook:\n%s", got)
	}
	for _, r := range []*installer.Record{rec, nil} {
		back, err := installer.Uninstall(Claude.Spec, got, r, installer.CommandForms(testOpts.Binary, "claude", testOpts.Profile)...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(back), "/opt/lint/run hook --client ci") || strings.Contains(string(back), "hook --client claude") {
			t.Errorf("uninstall (record %v):\n%s", r != nil, back)
		}
	}
	back, _ := installer.Uninstall(Claude.Spec, got, rec)
	if !bytes.Equal(back, orig) {
		t.Errorf("install+uninstall did not restore the original:\n%s", installer.Diff("orig", "back", orig, back))
	}
}

// TestUpgradeFromPlainCommand: a file installed by a bulwark that wrote the
// plain command (before the shell fallback) is upgraded in place, with or
// without its record, and uninstall gives back the original whichever form
// the file holds.
func TestUpgradeFromPlainCommand(t *testing.T) {
	orig := []byte("{\n  \"model\": \"x\"\n}\n")
	for _, c := range All() {
		if !c.Spec.FailClosed {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			oldSpec := *c.Spec
			oldSpec.FailClosed = false
			o := optsFor(c)
			plain := installer.HookCommand(o.Binary, c.Name, o.Profile)
			old, oldRec, err := installer.Install(&oldSpec, orig, o, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(old), installer.Quote(plain)) {
				t.Fatalf("the old form is not the plain command:\n%s", old)
			}
			for _, prev := range []*installer.Record{oldRec, nil} {
				o := o
				if prev == nil {
					o.Known = installer.CommandForms(o.Binary, c.Name, o.Profile)
				}
				got, rec, err := installer.Install(c.Spec, old, o, prev)
				if err != nil {
					t.Fatal(err)
				}
				if n := strings.Count(string(got), " hook --client "+c.Name); n != len(c.Spec.Events) {
					t.Errorf("record %v: %d handlers, want one per event:\n%s", prev != nil, n, got)
				}
				if strings.Contains(string(got), installer.Quote(plain)) || !strings.Contains(string(got), installer.Quote(installer.FailClosedCommand(plain))) {
					t.Errorf("record %v: not upgraded to the fail-closed command:\n%s", prev != nil, got)
				}
				if prev != nil {
					back, err := installer.Uninstall(c.Spec, got, rec)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(back, orig) {
						t.Errorf("uninstall after upgrade:\n%s", installer.Diff("orig", "back", orig, back))
					}
				}
			}
			// Never upgraded: the old form goes with its record, and
			// without one as a command this bulwark knows.
			for _, r := range []*installer.Record{oldRec, nil} {
				back, err := installer.Uninstall(c.Spec, old, r, installer.CommandForms(o.Binary, c.Name, o.Profile)...)
				if err != nil {
					t.Fatal(err)
				}
				doc, _ := installer.ParseDocument(back)
				if doc.Get("hooks") != nil {
					t.Errorf("uninstall of the plain form (record %v) left hooks:\n%s", r != nil, back)
				}
				if r != nil && !bytes.Equal(back, orig) {
					t.Errorf("uninstall of the plain form:\n%s", installer.Diff("orig", "back", orig, back))
				}
			}
		})
	}
}
