package policy

import (
	"github.com/bulwark-guard/bulwark/guards"
	"regexp"
	"testing"
	"time"
)

func TestPolicyApply(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	hit := func(id string, sev guards.Severity, d guards.Decision) guards.Hit {
		return guards.Hit{GuardID: id, Severity: sev, Decision: d, Reason: "r"}
	}
	shell := func(cmd, cwd string) *guards.Action {
		return &guards.Action{Event: guards.PreToolUse, Tool: "Bash", Kind: guards.KindShell, Command: cmd, Cwd: cwd}
	}
	re := regexp.MustCompile
	tests := []struct {
		name string
		pol  Policy
		act  *guards.Action
		hits []guards.Hit
		want guards.Decision   // verdict
		each []guards.Decision // per hit, in the verdict's order
		flag bool
	}{
		{name: "allow by id", pol: Policy{Allow: []AllowRule{{Guard: "git.force-push", Source: "config.toml [[allow]] #1", Reason: "mine"}}},
			act: shell("git push -f", "/p"), hits: []guards.Hit{hit("git.force-push", guards.High, guards.Ask)}, want: guards.Allow, each: []guards.Decision{guards.Allow}},
		{name: "id rule for another guard", pol: Policy{Allow: []AllowRule{{Guard: "git.other"}}},
			act: shell("git push -f", "/p"), hits: []guards.Hit{hit("git.force-push", guards.High, guards.Ask)}, want: guards.Ask},
		{name: "exact command", pol: Policy{Allow: []AllowRule{{Guard: "git.force-push", Command: "git push -f origin x"}}},
			act: shell("  git push -f origin x ", "/p"), hits: []guards.Hit{hit("git.force-push", guards.High, guards.Ask)}, want: guards.Allow},
		{name: "exact command differs", pol: Policy{Allow: []AllowRule{{Guard: "git.force-push", Command: "git push -f origin x"}}},
			act: shell("git push -f origin x; true", "/p"), hits: []guards.Hit{hit("git.force-push", guards.High, guards.Ask)}, want: guards.Ask},
		{name: "pattern matches", pol: Policy{Allow: []AllowRule{{Guard: "git.force-push", Pattern: re(`^git push -f origin feat/`)}}},
			act: shell("git push -f origin feat/a", "/p"), hits: []guards.Hit{hit("git.force-push", guards.High, guards.Ask)}, want: guards.Allow},
		{name: "pattern does not match", pol: Policy{Allow: []AllowRule{{Guard: "git.force-push", Pattern: re(`^git push -f origin feat/`)}}},
			act: shell("git push -f origin main", "/p"), hits: []guards.Hit{hit("git.force-push", guards.High, guards.Ask)}, want: guards.Ask},
		{name: "cwd inside", pol: Policy{Allow: []AllowRule{{Guard: "g.x", Dir: "/home/u/scratch"}}},
			act: shell("x", "/home/u/scratch/a/b"), hits: []guards.Hit{hit("g.x", guards.High, guards.Ask)}, want: guards.Allow},
		{name: "cwd is the dir", pol: Policy{Allow: []AllowRule{{Guard: "g.x", Dir: "/home/u/scratch"}}},
			act: shell("x", "/home/u/scratch"), hits: []guards.Hit{hit("g.x", guards.High, guards.Ask)}, want: guards.Allow},
		{name: "cwd sibling with same prefix", pol: Policy{Allow: []AllowRule{{Guard: "g.x", Dir: "/home/u/scratch"}}},
			act: shell("x", "/home/u/scratch2"), hits: []guards.Hit{hit("g.x", guards.High, guards.Ask)}, want: guards.Ask},
		{name: "cwd outside", pol: Policy{Allow: []AllowRule{{Guard: "g.x", Dir: "/home/u/scratch"}}},
			act: shell("x", "/home/u"), hits: []guards.Hit{hit("g.x", guards.High, guards.Ask)}, want: guards.Ask},
		{name: "not expired", pol: Policy{Allow: []AllowRule{{Guard: "g.x", Expires: now.Add(time.Hour)}}},
			act: shell("x", "/p"), hits: []guards.Hit{hit("g.x", guards.High, guards.Ask)}, want: guards.Allow},
		{name: "expired", pol: Policy{Allow: []AllowRule{{Guard: "g.x", Expires: now.Add(-time.Second)}}},
			act: shell("x", "/p"), hits: []guards.Hit{hit("g.x", guards.High, guards.Ask)}, want: guards.Ask},
		{name: "critical by id refused", pol: Policy{Allow: []AllowRule{{Guard: "fs.rm"}}},
			act: shell("rm -rf ~", "/p"), hits: []guards.Hit{hit("fs.rm", guards.Critical, guards.Deny)}, want: guards.Deny},
		{name: "critical by pattern refused", pol: Policy{Allow: []AllowRule{{Guard: "fs.rm", Pattern: re(`rm`)}}},
			act: shell("rm -rf ~", "/p"), hits: []guards.Hit{hit("fs.rm", guards.Critical, guards.Deny)}, want: guards.Deny},
		{name: "critical by exact command", pol: Policy{Allow: []AllowRule{{Guard: "fs.rm", Command: "rm -rf /tmp/build"}}},
			act: shell("rm -rf /tmp/build", "/p"), hits: []guards.Hit{hit("fs.rm", guards.Critical, guards.Deny)}, want: guards.Allow},
		{name: "one of two hits allowed", pol: Policy{Allow: []AllowRule{{Guard: "g.a"}}},
			act: shell("x", "/p"), hits: []guards.Hit{hit("g.a", guards.High, guards.Deny), hit("g.b", guards.Medium, guards.Warn)}, want: guards.Warn, each: []guards.Decision{guards.Warn, guards.Allow}},
		{name: "raise", pol: Policy{Raise: map[string]guards.Decision{"g.a": guards.Deny}},
			act: shell("x", "/p"), hits: []guards.Hit{hit("g.a", guards.Medium, guards.Warn)}, want: guards.Deny},
		{name: "raise never lowers", pol: Policy{Raise: map[string]guards.Decision{"g.a": guards.Warn}},
			act: shell("x", "/p"), hits: []guards.Hit{hit("g.a", guards.High, guards.Deny)}, want: guards.Deny},
		{name: "lower", pol: Policy{Lower: map[string]guards.Decision{"g.a": guards.Warn}},
			act: shell("x", "/p"), hits: []guards.Hit{hit("g.a", guards.High, guards.Ask)}, want: guards.Warn},
		{name: "lower never applies to critical", pol: Policy{Lower: map[string]guards.Decision{"g.a": guards.Allow}},
			act: shell("x", "/p"), hits: []guards.Hit{hit("g.a", guards.Critical, guards.Deny)}, want: guards.Deny},
		{name: "project raise beats user lower", pol: Policy{Lower: map[string]guards.Decision{"g.a": guards.Warn}, Raise: map[string]guards.Decision{"g.a": guards.Deny}},
			act: shell("x", "/p"), hits: []guards.Hit{hit("g.a", guards.High, guards.Ask)}, want: guards.Deny},
		{name: "allow beats raise", pol: Policy{Raise: map[string]guards.Decision{"g.a": guards.Deny}, Allow: []AllowRule{{Guard: "g.a", Dir: "/p"}}},
			act: shell("x", "/p"), hits: []guards.Hit{hit("g.a", guards.High, guards.Ask)}, want: guards.Allow},
		{name: "non-shell subject", pol: Policy{Allow: []AllowRule{{Guard: "s.read", Command: "Read ~/.aws/config"}}},
			act:  &guards.Action{Event: guards.PreToolUse, Tool: "Read", Kind: guards.KindRead, Paths: []guards.PathRef{{Path: "~/.aws/config"}}, Cwd: "/p"},
			hits: []guards.Hit{hit("s.read", guards.High, guards.Ask)}, want: guards.Allow},
		{name: "post flag recomputed", pol: Policy{Allow: []AllowRule{{Guard: "o.tok", Command: "cat x"}}},
			act: &guards.Action{Event: guards.PostToolUse, Tool: "Bash", Command: "cat x", Cwd: "/p"}, hits: []guards.Hit{hit("o.tok", guards.High, guards.Deny)}, want: guards.Allow, flag: false},
		{name: "post flag kept", pol: Policy{Raise: map[string]guards.Decision{"o.tok": guards.Deny}},
			act: &guards.Action{Event: guards.PostToolUse, Tool: "Bash", Command: "cat x", Cwd: "/p"}, hits: []guards.Hit{hit("o.tok", guards.Medium, guards.Warn)}, want: guards.Deny, flag: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := guards.Verdict{Hits: append([]guards.Hit{}, tt.hits...)}
			for _, h := range v.Hits {
				v.Decision = max(v.Decision, h.Decision)
			}
			v.Flag = tt.act.Event == guards.PostToolUse && v.Decision >= guards.Ask
			pol := tt.pol
			pol.Now = func() time.Time { return now }
			pol.Apply(tt.act, &v)
			if v.Decision != tt.want {
				t.Errorf("decision = %s, want %s", v.Decision, tt.want)
			}
			if v.Flag != tt.flag {
				t.Errorf("flag = %v, want %v", v.Flag, tt.flag)
			}
			if len(v.Hits) != len(tt.hits) {
				t.Fatalf("hits = %d, want %d (an allowed hit must stay visible)", len(v.Hits), len(tt.hits))
			}
			for i, d := range tt.each {
				if v.Hits[i].Decision != d {
					t.Errorf("hit %d (%s) = %s, want %s", i, v.Hits[i].GuardID, v.Hits[i].Decision, d)
				}
			}
			for i, h := range v.Hits {
				if h.AllowedBy != "" && h.Decision != guards.Allow {
					t.Errorf("hit %s says allowed but is %s", h.GuardID, h.Decision)
				}
				if h.Reason != tt.hits[0].Reason {
					t.Errorf("hit %d: reason changed to %q", i, h.Reason)
				}
			}
			if tt.want == guards.Allow && len(tt.pol.Allow) > 0 && v.Hits[0].AllowedBy == "" {
				t.Errorf("AllowedBy not set")
			}
		})
	}
}

func TestAllowedBy(t *testing.T) {
	p := Policy{Allow: []AllowRule{{Guard: "g.a", Source: "config.toml [[allow]] #2", Reason: "my branches"}}}
	v := guards.Verdict{Decision: guards.Ask, Hits: []guards.Hit{{GuardID: "g.a", Severity: guards.High, Decision: guards.Ask, Reason: "r"}}}
	p.Apply(&guards.Action{Command: "x"}, &v)
	if got := v.Hits[0].AllowedBy; got != "config.toml [[allow]] #2: my branches" {
		t.Errorf("AllowedBy = %q", got)
	}
}

func TestPolicyEmptyIsNoop(t *testing.T) {
	var p *Policy
	v := guards.Verdict{Decision: guards.Deny, Hits: []guards.Hit{{GuardID: "a", Decision: guards.Deny}}}
	p.Apply(&guards.Action{}, &v)
	if v.Decision != guards.Deny {
		t.Fatal("nil policy changed the verdict")
	}
}

func TestInDir(t *testing.T) {
	for _, c := range []struct {
		path, dir string
		want      bool
	}{
		{"/a/b", "/a", true}, {"/a", "/a", true}, {"/a/", "/a", true}, {"/ab", "/a", false},
		{"/a/../b", "/a", false}, {"rel", "/", false}, {"/x", "/", true}, {"", "/a", false},
	} {
		if got := InDir(c.path, c.dir); got != c.want {
			t.Errorf("InDir(%q, %q) = %v", c.path, c.dir, got)
		}
	}
}
