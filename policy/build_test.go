package policy

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/packs"
	"github.com/bulwark-guard/bulwark/profiles"
)

func builtinForTest() []guards.PackSpec { return packs.Builtin() }

func problemText(ps []config.Problem) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Level.String()+": "+p.String())
	}
	return strings.Join(s, "\n")
}

const projectFile = `
[overrides]
"exfil.pipe-to-shell" = "deny"
"git.force-push" = "allow"
"filesystem.recursive-delete-root" = "warn"

[[allow]]
guard = "filesystem.recursive-delete-root"
command = "rm -rf ~"
reason = "the agent wrote this"

[[guards]]
id = "project.no-prod-db"
title = "Connecting to the production database"
severity = "high"
on = "command"
commands = ["psql"]
args = 'prod\.db'
reason = "Production data."
instead = "Use the staging database."
match = ["psql -h prod.db.example.com"]
not_match = ["psql -h localhost"]
`

func TestBuild(t *testing.T) {
	prof, _ := profiles.Get("balanced")
	all := builtinForTest()
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	cfg := &config.Config{
		Overrides: map[string]string{
			"exfil.pipe-to-shell":              "deny", // high: raise
			"git.force-push":                   "warn", // lower a non-critical guard
			"filesystem.recursive-delete-root": "warn", // critical: refused
			"nope.nothing":                     "deny", // unknown
		},
		Allow: []config.AllowSpec{
			{Guard: "filesystem.recursive-delete-root", Reason: "r", Index: 1},                           // critical by id: refused
			{Guard: "filesystem.recursive-delete-root", Pattern: "rm", Reason: "r", Index: 2},            // critical by pattern: refused
			{Guard: "filesystem.recursive-delete-root", Command: "rm -rf /tmp/x", Reason: "r", Index: 3}, // ok
			{Guard: "exfil.pipe-to-shell", Reason: "r", Expires: now.Add(-time.Hour), Index: 4},          // expired
			{Guard: "exfil.pipe-to-shell", Pattern: "^curl", Cwd: "/s", Reason: "r", Index: 5},           // ok
		},
	}
	pol, probs := Build(cfg, "/c/config.toml", nil, all, prof, now)
	if pol.Raise["exfil.pipe-to-shell"] != guards.Deny || pol.Lower["git.force-push"] != guards.Warn {
		t.Errorf("raise/lower: %+v %+v", pol.Raise, pol.Lower)
	}
	if _, ok := pol.Lower["filesystem.recursive-delete-root"]; ok {
		t.Error("critical lowered")
	}
	if len(pol.Allow) != 2 || pol.Allow[0].Command != "rm -rf /tmp/x" || pol.Allow[1].Pattern == nil || pol.Allow[1].Dir != "/s" {
		t.Errorf("allow = %+v", pol.Allow)
	}
	txt := problemText(probs)
	for _, want := range []string{
		"warning: /c/config.toml: guard filesystem.recursive-delete-root: overrides: a critical guard cannot be lowered",
		"guard nope.nothing: overrides: no such guard",
		"[[allow]] #1: a critical guard can only be allowed by exact command",
		"[[allow]] #2: a critical guard can only be allowed by exact command",
		"note: /c/config.toml: guard exfil.pipe-to-shell: [[allow]] #4 expired",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("problems lack %q:\n%s", want, txt)
		}
	}
	if pol, probs := Build(&config.Config{}, "", nil, all, prof, now); pol != nil || probs != nil {
		t.Error("empty config must give no policy")
	}
}

// A project can only raise: its lowering entries go when the policy is built.
func TestBuildProjectOnlyTightens(t *testing.T) {
	p := config.ParseProject("/r/.bulwark.toml", []byte(projectFile))
	prof, _ := profiles.Get("balanced")
	all := append([]guards.PackSpec{}, *p.Pack)
	all = append(all, builtinForTest()...)
	pol, probs := Build(&config.Config{}, "", p, all, prof, time.Unix(0, 0))
	if pol == nil || pol.Raise["exfil.pipe-to-shell"] != guards.Deny {
		t.Fatalf("raise missing: %+v", pol)
	}
	if _, ok := pol.Raise["filesystem.recursive-delete-root"]; ok || len(pol.Lower) != 0 || len(pol.Allow) != 0 {
		t.Errorf("project lowered or allowed something: %+v", pol)
	}
	if txt := problemText(probs); !strings.Contains(txt, "guard filesystem.recursive-delete-root: overrides: \"warn\" ignored") {
		t.Errorf("problems:\n%s", txt)
	}
}

// The annotated config example in config/testdata (pasted into the README)
// builds the policy it describes.
func TestBuildExampleConfig(t *testing.T) {
	data, err := os.ReadFile("../config/testdata/config.toml")
	if err != nil {
		t.Fatal(err)
	}
	c, probs, err := config.ParseConfig("config.toml", data, "/home/u")
	if err != nil || len(probs) != 0 {
		t.Fatalf("config.toml: %v %v", err, probs)
	}
	prof, _ := profiles.Get(c.Profile)
	// Before every expiry the example writes.
	pol, probs := Build(&c, "config.toml", nil, packs.Builtin(), prof, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(probs) != 0 || len(pol.Allow) != 3 || len(pol.Raise) != 1 || len(pol.Lower) != 1 {
		t.Fatalf("policy: %+v %v", pol, problemText(probs))
	}
}
