package guards

import (
	"regexp"
	"testing"
	"time"
)

func TestPolicyApply(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	hit := func(id string, sev Severity, d Decision) Hit {
		return Hit{GuardID: id, Severity: sev, Decision: d, Reason: "r"}
	}
	shell := func(cmd, cwd string) *Action {
		return &Action{Event: PreToolUse, Tool: "Bash", Kind: KindShell, Command: cmd, Cwd: cwd}
	}
	re := regexp.MustCompile
	tests := []struct {
		name string
		pol  Policy
		act  *Action
		hits []Hit
		want Decision   // verdict
		each []Decision // per hit, in the verdict's order
		flag bool
	}{
		{name: "allow by id", pol: Policy{Allow: []AllowRule{{Guard: "git.force-push", Source: "config.toml [[allow]] #1", Reason: "mine"}}},
			act: shell("git push -f", "/p"), hits: []Hit{hit("git.force-push", High, Ask)}, want: Allow, each: []Decision{Allow}},
		{name: "id rule for another guard", pol: Policy{Allow: []AllowRule{{Guard: "git.other"}}},
			act: shell("git push -f", "/p"), hits: []Hit{hit("git.force-push", High, Ask)}, want: Ask},
		{name: "exact command", pol: Policy{Allow: []AllowRule{{Guard: "git.force-push", Command: "git push -f origin x"}}},
			act: shell("  git push -f origin x ", "/p"), hits: []Hit{hit("git.force-push", High, Ask)}, want: Allow},
		{name: "exact command differs", pol: Policy{Allow: []AllowRule{{Guard: "git.force-push", Command: "git push -f origin x"}}},
			act: shell("git push -f origin x; true", "/p"), hits: []Hit{hit("git.force-push", High, Ask)}, want: Ask},
		{name: "pattern matches", pol: Policy{Allow: []AllowRule{{Guard: "git.force-push", Pattern: re(`^git push -f origin feat/`)}}},
			act: shell("git push -f origin feat/a", "/p"), hits: []Hit{hit("git.force-push", High, Ask)}, want: Allow},
		{name: "pattern does not match", pol: Policy{Allow: []AllowRule{{Guard: "git.force-push", Pattern: re(`^git push -f origin feat/`)}}},
			act: shell("git push -f origin main", "/p"), hits: []Hit{hit("git.force-push", High, Ask)}, want: Ask},
		{name: "cwd inside", pol: Policy{Allow: []AllowRule{{Guard: "g.x", Dir: "/home/u/scratch"}}},
			act: shell("x", "/home/u/scratch/a/b"), hits: []Hit{hit("g.x", High, Ask)}, want: Allow},
		{name: "cwd is the dir", pol: Policy{Allow: []AllowRule{{Guard: "g.x", Dir: "/home/u/scratch"}}},
			act: shell("x", "/home/u/scratch"), hits: []Hit{hit("g.x", High, Ask)}, want: Allow},
		{name: "cwd sibling with same prefix", pol: Policy{Allow: []AllowRule{{Guard: "g.x", Dir: "/home/u/scratch"}}},
			act: shell("x", "/home/u/scratch2"), hits: []Hit{hit("g.x", High, Ask)}, want: Ask},
		{name: "cwd outside", pol: Policy{Allow: []AllowRule{{Guard: "g.x", Dir: "/home/u/scratch"}}},
			act: shell("x", "/home/u"), hits: []Hit{hit("g.x", High, Ask)}, want: Ask},
		{name: "not expired", pol: Policy{Allow: []AllowRule{{Guard: "g.x", Expires: now.Add(time.Hour)}}},
			act: shell("x", "/p"), hits: []Hit{hit("g.x", High, Ask)}, want: Allow},
		{name: "expired", pol: Policy{Allow: []AllowRule{{Guard: "g.x", Expires: now.Add(-time.Second)}}},
			act: shell("x", "/p"), hits: []Hit{hit("g.x", High, Ask)}, want: Ask},
		{name: "critical by id refused", pol: Policy{Allow: []AllowRule{{Guard: "fs.rm"}}},
			act: shell("rm -rf ~", "/p"), hits: []Hit{hit("fs.rm", Critical, Deny)}, want: Deny},
		{name: "critical by pattern refused", pol: Policy{Allow: []AllowRule{{Guard: "fs.rm", Pattern: re(`rm`)}}},
			act: shell("rm -rf ~", "/p"), hits: []Hit{hit("fs.rm", Critical, Deny)}, want: Deny},
		{name: "critical by exact command", pol: Policy{Allow: []AllowRule{{Guard: "fs.rm", Command: "rm -rf /tmp/build"}}},
			act: shell("rm -rf /tmp/build", "/p"), hits: []Hit{hit("fs.rm", Critical, Deny)}, want: Allow},
		{name: "one of two hits allowed", pol: Policy{Allow: []AllowRule{{Guard: "g.a"}}},
			act: shell("x", "/p"), hits: []Hit{hit("g.a", High, Deny), hit("g.b", Medium, Warn)}, want: Warn, each: []Decision{Warn, Allow}},
		{name: "raise", pol: Policy{Raise: map[string]Decision{"g.a": Deny}},
			act: shell("x", "/p"), hits: []Hit{hit("g.a", Medium, Warn)}, want: Deny},
		{name: "raise never lowers", pol: Policy{Raise: map[string]Decision{"g.a": Warn}},
			act: shell("x", "/p"), hits: []Hit{hit("g.a", High, Deny)}, want: Deny},
		{name: "lower", pol: Policy{Lower: map[string]Decision{"g.a": Warn}},
			act: shell("x", "/p"), hits: []Hit{hit("g.a", High, Ask)}, want: Warn},
		{name: "lower never applies to critical", pol: Policy{Lower: map[string]Decision{"g.a": Allow}},
			act: shell("x", "/p"), hits: []Hit{hit("g.a", Critical, Deny)}, want: Deny},
		{name: "project raise beats user lower", pol: Policy{Lower: map[string]Decision{"g.a": Warn}, Raise: map[string]Decision{"g.a": Deny}},
			act: shell("x", "/p"), hits: []Hit{hit("g.a", High, Ask)}, want: Deny},
		{name: "allow beats raise", pol: Policy{Raise: map[string]Decision{"g.a": Deny}, Allow: []AllowRule{{Guard: "g.a", Dir: "/p"}}},
			act: shell("x", "/p"), hits: []Hit{hit("g.a", High, Ask)}, want: Allow},
		{name: "non-shell subject", pol: Policy{Allow: []AllowRule{{Guard: "s.read", Command: "Read ~/.aws/config"}}},
			act:  &Action{Event: PreToolUse, Tool: "Read", Kind: KindRead, Paths: []PathRef{{Path: "~/.aws/config"}}, Cwd: "/p"},
			hits: []Hit{hit("s.read", High, Ask)}, want: Allow},
		{name: "post flag recomputed", pol: Policy{Allow: []AllowRule{{Guard: "o.tok", Command: "cat x"}}},
			act: &Action{Event: PostToolUse, Tool: "Bash", Command: "cat x", Cwd: "/p"}, hits: []Hit{hit("o.tok", High, Deny)}, want: Allow, flag: false},
		{name: "post flag kept", pol: Policy{Raise: map[string]Decision{"o.tok": Deny}},
			act: &Action{Event: PostToolUse, Tool: "Bash", Command: "cat x", Cwd: "/p"}, hits: []Hit{hit("o.tok", Medium, Warn)}, want: Deny, flag: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Verdict{Hits: append([]Hit{}, tt.hits...)}
			for _, h := range v.Hits {
				v.Decision = max(v.Decision, h.Decision)
			}
			v.Flag = tt.act.Event == PostToolUse && v.Decision >= Ask
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
				if h.AllowedBy != "" && h.Decision != Allow {
					t.Errorf("hit %s says allowed but is %s", h.GuardID, h.Decision)
				}
				if h.Reason != tt.hits[0].Reason {
					t.Errorf("hit %d: reason changed to %q", i, h.Reason)
				}
			}
			if tt.want == Allow && len(tt.pol.Allow) > 0 && v.Hits[0].AllowedBy == "" {
				t.Errorf("AllowedBy not set")
			}
		})
	}
}

func TestAllowedBy(t *testing.T) {
	p := Policy{Allow: []AllowRule{{Guard: "g.a", Source: "config.toml [[allow]] #2", Reason: "my branches"}}}
	v := Verdict{Decision: Ask, Hits: []Hit{{GuardID: "g.a", Severity: High, Decision: Ask, Reason: "r"}}}
	p.Apply(&Action{Command: "x"}, &v)
	if got := v.Hits[0].AllowedBy; got != "config.toml [[allow]] #2: my branches" {
		t.Errorf("AllowedBy = %q", got)
	}
}

func TestPolicyEmptyIsNoop(t *testing.T) {
	var p *Policy
	v := Verdict{Decision: Deny, Hits: []Hit{{GuardID: "a", Decision: Deny}}}
	p.Apply(&Action{}, &v)
	if v.Decision != Deny {
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
