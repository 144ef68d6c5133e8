package installer

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var testOpts = Options{
	Binary:  "/opt/bulwark/bin/bulwark",
	Profile: "balanced",
}

func optsFor(c Client) Options {
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
		t.Errorf("%s differs:\n%s", path, Diff("want", "got", want, got))
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
	for _, c := range Clients {
		inputs, _ := filepath.Glob(filepath.Join("testdata", string(c), "*.json"))
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
			base := filepath.Join(string(c), name)
			t.Run(base, func(t *testing.T) {
				o := optsFor(c)
				got, rec, err := Install(c, old, o, nil)
				if err != nil {
					golden(t, base+".err.golden", []byte(err.Error()+"\n"))
					if _, uerr := Uninstall(c, old, nil); uerr == nil && strings.HasPrefix(name, "broken") {
						t.Errorf("Uninstall accepted a broken file")
					}
					return
				}
				golden(t, base+".installed.golden", got)
				if _, err := ParseDocument(got); err != nil {
					t.Fatalf("install produced invalid JSON: %v", err)
				}

				// Install twice = install once, with or without the record.
				again, rec2, err := Install(c, got, o, rec)
				if err != nil || !bytes.Equal(again, got) {
					t.Errorf("second install changed the file (err %v):\n%s", err, Diff("once", "twice", got, again))
				}
				if again2, _, _ := Install(c, got, o, nil); !bytes.Equal(again2, got) {
					t.Errorf("second install without record changed the file")
				}
				if !slices.Equal(rec.Created, rec2.Created) || !slices.Equal(rec.DenyAdded, rec2.DenyAdded) {
					t.Errorf("second install changed the record: %+v vs %+v", rec, rec2)
				}

				back, err := Uninstall(c, got, rec2)
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
					if doc, err := ParseDocument(back); err != nil || !doc.Empty() {
						t.Errorf("uninstall of a new file left %q", back)
					}
				} else if !bytes.Equal(back, old) {
					t.Errorf("install+uninstall did not restore the original:\n%s", Diff("original", "restored", old, back))
				}
				// Whatever the layout: the same document as the input, less
				// any older bulwark entries.
				if name != "older" && name != "noversion" && old != nil {
					a, _ := ParseDocument(old)
					b, _ := ParseDocument(back)
					if !Equal(a, b) {
						t.Errorf("uninstall result is not semantically the original")
					}
				}
				// Uninstall twice changes nothing more.
				if back2, err := Uninstall(c, back, nil); err != nil || !bytes.Equal(back2, back) {
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
	_, _, err = Install(Claude, old, optsFor(Claude), nil)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("want *SyntaxError, got %v", err)
	}
	// `"env"` on line 6 follows "}" without a comma.
	if se.Line != 6 || se.Col != 3 {
		t.Errorf("position = %d:%d, want 6:3 (%v)", se.Line, se.Col, err)
	}
}

func TestProfileAndPathUpgradeInPlace(t *testing.T) {
	o := optsFor(Claude)
	first, rec, err := Install(Claude, []byte("{\n  \"model\": \"x\"\n}\n"), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	o2 := o
	o2.Binary, o2.Profile = "/usr/bin/bulwark", "strict"
	o2.DenyRules = DefaultDenyRules(DenyPaths{Home: "/home/u", Binary: o2.Binary}, false)
	second, rec2, err := Install(Claude, first, o2, rec)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(second), "hook --client claude") != 2 {
		t.Errorf("want exactly one handler per event:\n%s", second)
	}
	if !strings.Contains(string(second), `"\"/usr/bin/bulwark\" hook --client claude --profile strict"`) || strings.Contains(string(second), "/opt/bulwark") {
		t.Errorf("not upgraded:\n%s", second)
	}
	back, err := Uninstall(Claude, second, rec2)
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
	withNative, rec, err := Install(Claude, orig, o, nil)
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
	without, rec2, err := Install(Claude, withNative, o, rec)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := ParseDocument(without)
	var deny []string
	for _, e := range doc.Get("permissions").Get("deny").Elems {
		deny = append(deny, e.Str())
	}
	if slices.Contains(deny, "Bash") || slices.Contains(deny, "Edit") || !slices.Contains(deny, "Write") {
		t.Errorf("deny after dropping --deny-native: %v", deny)
	}
	back, err := Uninstall(Claude, without, rec2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back, orig) {
		t.Errorf("uninstall:\n%s", Diff("orig", "back", orig, back))
	}
}

func TestUninstallWithoutRecordKeepsDenyRules(t *testing.T) {
	got, _, err := Install(Claude, nil, optsFor(Claude), nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Uninstall(Claude, got, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := ParseDocument(back)
	if doc.Get("hooks") != nil {
		t.Errorf("hooks left: %s", back)
	}
	if len(doc.Get("permissions").Get("deny").arrayElems()) == 0 {
		t.Errorf("deny rules removed without a record of adding them")
	}
}

func TestUserAddedRuleAfterInstallIsKept(t *testing.T) {
	got, rec, err := Install(Claude, nil, optsFor(Claude), nil)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := ParseDocument(got)
	deny := doc.Get("permissions").Get("deny")
	deny.Elems = append(deny.Elems, NewString("Bash(sudo *)"))
	edited := append(doc.Encode(), '\n')
	back, err := Uninstall(Claude, edited, rec)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"permissions\": {\n    \"deny\": [\n      \"Bash(sudo *)\"\n    ]\n  }\n}\n"
	if string(back) != want {
		t.Errorf("got %q, want %q", back, want)
	}
}

func TestRecogniser(t *testing.T) {
	for cmd, want := range map[string]bool{
		`"/opt/bulwark/bin/bulwark" hook --client claude --profile balanced`: true,
		`"/a b/bulwark.exe" hook --client codex`:                             true,
		`/usr/local/bin/bulwark hook --client claude`:                        true,
		`'/x/bulwark' hook`: true,
		`"/x/guard-v2" hook --client claude --profile strict`: true,
		`"/x/q\"uote\$/bulwark" hook --client claude`:         true,
		`"/x/bulwark" check`:                                  false,
		`"$CLAUDE_PROJECT_DIR"/.claude/hooks/guard pre`:       false,
		`echo bulwark hook`:                                   false,
		`prettier --write "$FILE"`:                            false,
		`"/x/bulwark"hook`:                                    false,
		``:                                                    false,
	} {
		if got := IsBulwarkCommand(cmd); got != want {
			t.Errorf("IsBulwarkCommand(%q) = %v, want %v", cmd, got, want)
		}
	}
	// What HookCommand writes, ParseCommand reads back.
	for _, bin := range []string{"/opt/bulwark", `/we"ird $dir/b\a` + "`" + `/bulwark`, "/sp ace/bulwark"} {
		cmd := HookCommand(bin, Cursor, "strict")
		pc, ok := ParseCommand(cmd)
		if !ok || pc.Binary != bin || pc.Client != "cursor" || pc.Profile != "strict" || !IsBulwarkCommand(cmd) {
			t.Errorf("round trip of %q via %q: %+v %v", bin, cmd, pc, ok)
		}
	}
}

func TestJSONModelRoundTrip(t *testing.T) {
	for _, s := range []string{
		"{}",
		"{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    1,\n    -2.50e+3,\n    \"\\u00e9\\/\",\n    true,\n    false,\n    null\n  ],\n  \"a\": \"dup\"\n}",
		"{\n  \"é\": \"😀\"\n}\n",
	} {
		doc, err := ParseDocument([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		if got := string(render(nil, nil, doc)); strings.TrimSuffix(got, "\n") != strings.TrimSuffix(s, "\n") {
			t.Errorf("round trip:\n%s\n---\n%s", s, got)
		}
	}
	for _, bad := range []string{"[]", "\"x\"", "{\"a\":1}x", "{\"a\":}"} {
		if _, err := ParseDocument([]byte(bad)); err == nil {
			t.Errorf("ParseDocument(%q) accepted", bad)
		}
	}
	if q := Quote("a\"\\\n\x01<>&\u2028é"); q != `"a\"\\\n\u0001<>&`+"\u2028é\"" {
		t.Errorf("Quote = %s", q)
	}
}

func TestDiff(t *testing.T) {
	a := []byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n")
	b := []byte("1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n")
	want := "--- a\n+++ b\n@@ -2,9 +2,10 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n 10\n+11\n"
	if got := Diff("a", "b", a, b); got != want {
		t.Errorf("Diff:\n%s\nwant:\n%s", got, want)
	}
	if Diff("a", "b", a, a) != "" {
		t.Error("Diff of equal inputs")
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
