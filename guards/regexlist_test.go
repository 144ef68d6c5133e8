package guards_test

import (
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/guards"
)

const listPack = `
family = "acme"
title = "Acme"

[[guards]]
id = "acme.keys"
title = "Reads a key"
severity = "high"
on = "file"
paths = [
  '^~/\.ssh/id_',
  '(?i)^~/\.aws/credentials$',
]
reason = "Keys."
instead = "Don't."
match = ["@Read ~/.ssh/id_rsa", "@Read ~/.aws/CREDENTIALS"]
not_match = ["@Read ~/.ssh/config", "@Read ~/.aws/config"]
`

// TestPatternLists: a regex field may be an array of patterns, any of which
// matches; it reads as their alternation, each in its own group, so an
// inline flag stays in its own pattern.
func TestPatternLists(t *testing.T) {
	p, err := guards.ParsePack("acme.toml", []byte(listPack))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Guards[0].Paths, guards.Regex(`(?:^~/\.ssh/id_)|(?:(?i)^~/\.aws/credentials$)`); got != want {
		t.Errorf("paths = %q, want %q", got, want)
	}
	if err := guards.CheckExamples([]guards.PackSpec{p}); err != nil {
		t.Error(err)
	}
	// (?i) stays in its pattern: the first one is still case-sensitive.
	bad := strings.Replace(listPack, `"@Read ~/.ssh/config", `, `"@Read ~/.ssh/config", "@Read ~/.SSH/ID_RSA", `, 1)
	if p, err := guards.ParsePack("acme.toml", []byte(bad)); err != nil || guards.CheckExamples([]guards.PackSpec{p}) != nil {
		t.Errorf("an inline flag leaked into another pattern of the list: %v", err)
	}
	// One pattern in a list is that pattern.
	one := strings.Replace(listPack, "  '(?i)^~/\\.aws/credentials$',\n", "", 1)
	one = strings.Replace(one, `, "@Read ~/.aws/CREDENTIALS"`, "", 1)
	if p, err := guards.ParsePack("acme.toml", []byte(one)); err != nil || p.Guards[0].Paths != `^~/\.ssh/id_` {
		t.Errorf("one-pattern list: %v, %q", err, p.Guards[0].Paths)
	}
	for name, repl := range map[string]string{
		"not a string": "paths = [1, 2]",
		"empty":        "paths = ['^a', '']",
		"a table":      "paths = {a = 1}",
	} {
		src := strings.Replace(listPack, "paths = [\n  '^~/\\.ssh/id_',\n  '(?i)^~/\\.aws/credentials$',\n]", repl, 1)
		if _, err := guards.ParsePack("acme.toml", []byte(src)); err == nil || !strings.Contains(err.Error(), "acme.toml") {
			t.Errorf("%s: err = %v, want an error naming the pack", name, err)
		}
	}
}
