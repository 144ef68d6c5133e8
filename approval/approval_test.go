package approval

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
)

func shellCall(session, cwd, cmd string) *guards.Action {
	return &guards.Action{Client: "codex", Event: guards.PreToolUse, Tool: "Bash", Kind: guards.KindShell,
		SessionID: session, Cwd: cwd, Command: cmd,
		Input: json.RawMessage(`{"command":` + mustJSON(cmd) + `,"description":"x"}`)}
}

func mustJSON(s string) string { b, _ := json.Marshal(s); return string(b) }

func blocked(sev guards.Severity, ids ...string) *guards.Verdict {
	v := &guards.Verdict{Decision: guards.Deny}
	for _, id := range ids {
		v.Hits = append(v.Hits, guards.Hit{GuardID: id, Severity: sev, Decision: guards.Deny})
	}
	return v
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func opts(t *testing.T, c *clock) Options {
	return Options{Dir: t.TempDir(), Window: 5 * time.Minute, Now: c.now}
}

func TestIssueApproveUseOnce(t *testing.T) {
	c := &clock{time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	o := opts(t, c)
	act := shellCall("s1", "/home/dev/app", "git push --force origin main")
	v := blocked(guards.Critical, "git.force-push-protected")
	if Pending(o) {
		t.Fatal("pending before anything was issued")
	}
	code, id, err := Issue(act, v, "git push --force origin main", o)
	if err != nil || len(code) != CodeLen || len(id) != 8 {
		t.Fatalf("Issue = %q, %q, %v", code, id, err)
	}
	// Stored hashed: the code is nowhere in the file.
	data, _ := os.ReadFile(filepath.Join(o.Dir, FileName))
	if strings.Contains(string(data), code) || !strings.Contains(string(data), id) {
		t.Fatalf("store:\n%s", data)
	}
	// Not approved yet: the call is not let through.
	if e, err := Use(act, o, []string{"git.force-push-protected"}); e != nil || err != nil {
		t.Fatalf("used before approval: %+v %v", e, err)
	}
	e, err := Find(strings.ToLower(code[:3])+"-"+code[3:], o) // typed loosely
	if err != nil || e.ID != id || !e.Critical || e.Guards[0] != "git.force-push-protected" || e.Session != "s1" {
		t.Fatalf("Find = %+v, %v", e, err)
	}
	c.add(4 * time.Minute) // within the window
	if _, err := Approve(code, o); err != nil {
		t.Fatal(err)
	}
	if _, err := Approve(code, o); !errors.Is(err, ErrNoCode) {
		t.Errorf("approved twice: %v", err)
	}
	// Only the identical call: another session, directory or command is not it.
	for _, other := range []*guards.Action{
		shellCall("s2", "/home/dev/app", "git push --force origin main"),
		shellCall("s1", "/home/dev", "git push --force origin main"),
		shellCall("s1", "/home/dev/app", "git push --force origin main; rm -rf ~"),
	} {
		if e, _ := Use(other, o, []string{"git.force-push-protected"}); e != nil {
			t.Errorf("approval let a different call through: %+v", other)
		}
	}
	// The same call with another description (a retry) is the same call.
	retry := shellCall("s1", "/home/dev/app", "git push --force origin main")
	retry.Input = json.RawMessage(`{"command":"git push --force origin main","description":"retry"}`)
	c.add(4 * time.Minute) // within the window after the approval
	if e, err := Use(retry, o, []string{"git.force-push-protected"}); err != nil || e == nil || e.ID != id {
		t.Fatalf("approved call not let through: %+v %v", e, err)
	}
	if e, _ := Use(act, o, []string{"git.force-push-protected"}); e != nil {
		t.Error("an approval let a call through twice")
	}
	if Pending(o) {
		t.Error("the store is left behind with nothing pending")
	}
}

func TestExpiry(t *testing.T) {
	c := &clock{time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	o := opts(t, c)
	act := shellCall("s1", "/w", "curl x | sh")
	code, _, _ := Issue(act, blocked(guards.High, "exfil.pipe-to-shell"), "curl x | sh", o)
	c.add(5 * time.Minute)
	if _, err := Approve(code, o); !errors.Is(err, ErrNoCode) {
		t.Errorf("an expired code was approved: %v", err)
	}
	code, _, _ = Issue(act, blocked(guards.High, "exfil.pipe-to-shell"), "curl x | sh", o)
	if _, err := Approve(code, o); err != nil {
		t.Fatal(err)
	}
	c.add(5*time.Minute + time.Second)
	if e, _ := Use(act, o, []string{"exfil.pipe-to-shell"}); e != nil {
		t.Error("an expired approval let the call through")
	}
}

// An approval covers the guards that blocked the call when it was given: if
// the same call is now blocked by another guard too, it is not let through
// (and the approval stays for the call it was given for).
func TestApprovalCoversItsGuardsOnly(t *testing.T) {
	c := &clock{time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	o := opts(t, c)
	act := shellCall("s1", "/w", "curl x | sh")
	code, _, _ := Issue(act, blocked(guards.High, "exfil.pipe-to-shell"), "", o)
	if _, err := Approve(code, o); err != nil {
		t.Fatal(err)
	}
	if e, _ := Use(act, o, []string{"exfil.pipe-to-shell", "session.exfil-after-credential-read"}); e != nil {
		t.Error("an approval covered a guard it was not given for")
	}
	if e, _ := Use(act, o, []string{"exfil.pipe-to-shell"}); e == nil {
		t.Error("the approval was spent by the call it did not cover")
	}
}

func TestNewCodeReplacesTheOldForTheSameCall(t *testing.T) {
	c := &clock{time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	o := opts(t, c)
	act := shellCall("s1", "/w", "curl x | sh")
	first, _, _ := Issue(act, blocked(guards.High, "exfil.pipe-to-shell"), "", o)
	second, _, _ := Issue(act, blocked(guards.High, "exfil.pipe-to-shell"), "", o)
	if first == second {
		t.Fatal("the same code twice")
	}
	if _, err := Find(first, o); !errors.Is(err, ErrNoCode) {
		t.Error("the superseded code still works")
	}
	if _, err := Find(second, o); err != nil {
		t.Error(err)
	}
}

func TestStoreIsBounded(t *testing.T) {
	c := &clock{time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	o := opts(t, c)
	var codes []string
	for i := range MaxPending + 5 {
		code, _, err := Issue(shellCall("s", "/w", "cmd "+string(rune('a'+i))), blocked(guards.High, "x.y"), "", o)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, code)
	}
	if _, err := Find(codes[0], o); !errors.Is(err, ErrNoCode) {
		t.Error("the oldest code survived past MaxPending")
	}
	if _, err := Find(codes[len(codes)-1], o); err != nil {
		t.Error(err)
	}
}

func TestConcurrentIssueLosesNothing(t *testing.T) {
	o := Options{Dir: t.TempDir()}
	var wg sync.WaitGroup
	codes := make([]string, 10)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _, err := Issue(shellCall("s", "/w", "cmd "+string(rune('a'+i))), blocked(guards.High, "x.y"), "", o)
			if err != nil {
				t.Error(err)
			}
			codes[i] = code
		}()
	}
	wg.Wait()
	for _, code := range codes {
		if _, err := Find(code, o); err != nil {
			t.Errorf("code %s lost: %v", code, err)
		}
	}
}

func TestApprovable(t *testing.T) {
	act := shellCall("s", "/w", "x")
	if !Approvable(act, blocked(guards.Critical, "filesystem.recursive-delete-root")) {
		t.Error("a critical deny is approvable (exactly once)")
	}
	if Approvable(act, blocked(guards.High, "tamper.bulwark-uninstall")) {
		t.Error("the agent loosening its own guard must not be approvable")
	}
	if Approvable(act, &guards.Verdict{Decision: guards.Warn}) {
		t.Error("nothing to approve in a warn")
	}
	post := *act
	post.Event = guards.PostToolUse
	if Approvable(&post, blocked(guards.High, "output.aws-key")) {
		t.Error("output that exists already cannot be approved")
	}
	nosession := *act
	nosession.SessionID = ""
	if Approvable(&nosession, blocked(guards.High, "x.y")) {
		t.Error("a call without a session cannot be bound to one")
	}
}

func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c, err := newCode()
		if err != nil || len(c) != CodeLen || strings.Trim(c, alphabet) != "" {
			t.Fatalf("code %q, %v", c, err)
		}
		seen[c] = true
	}
	if len(seen) < 199 {
		t.Errorf("only %d distinct codes in 200", len(seen))
	}
}

// A non-shell call is keyed by its whole input, however it is spelled.
func TestCallKeyCanonicalInput(t *testing.T) {
	a := &guards.Action{Client: "codex", SessionID: "s", Tool: "Write", Kind: guards.KindWrite, Cwd: "/w",
		Input: json.RawMessage(`{"file_path":"/w/x","content":"y"}`)}
	b := *a
	b.Input = json.RawMessage(`{ "content": "y", "file_path": "/w/x" }`)
	c := *a
	c.Input = json.RawMessage(`{"file_path":"/w/x","content":"z"}`)
	if CallKey(a) != CallKey(&b) || CallKey(a) == CallKey(&c) {
		t.Error("CallKey of a non-shell call")
	}
}

func BenchmarkPendingNone(b *testing.B) {
	o := Options{Dir: b.TempDir()}
	for b.Loop() {
		Pending(o)
	}
}

func BenchmarkIssue(b *testing.B) {
	o := Options{Dir: b.TempDir()}
	act := shellCall("s", "/w", "curl x | sh")
	v := blocked(guards.High, "exfil.pipe-to-shell")
	for b.Loop() {
		Issue(act, v, "", o)
	}
}
