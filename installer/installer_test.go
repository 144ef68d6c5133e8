package installer

import (
	"strings"
	"testing"
)

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
		cmd := HookCommand(bin, "cursor", "strict")
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
