package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/guards"
)

func TestRecord(t *testing.T) {
	act := &guards.Action{
		Client: "claude", Event: guards.PreToolUse, Tool: "Bash", Kind: guards.KindShell,
		SessionID: "s1", ToolUseID: "t1", Cwd: "/home/dev/app",
		Command: "git push --force https://x:" + "ghp_FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000" + "@github.com/o/r main",
	}
	v := &guards.Verdict{
		Decision: guards.Deny, Profile: "strict", Duration: 1234 * time.Microsecond,
		Hits: []guards.Hit{
			{GuardID: "git.force-push", Severity: guards.High, Decision: guards.Deny, Evidence: "git push --force", Reason: "Rewrites history."},
			{GuardID: "secrets.github-token", Severity: guards.Critical, Decision: guards.Ask, Evidence: "ghp_FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000"},
		},
	}
	r := Record(act, v, "")
	if r.Action != "deny" || r.Profile != "strict" || r.EvalMicros != 1234 || r.Tool != "Bash" ||
		r.Event != "PreToolUse" || r.SessionID != "s1" || r.ToolUseID != "t1" || r.Cwd != "/home/dev/app" ||
		r.Reason != "Rewrites history." || len(r.Guards) != 2 || r.Guards[1] != (audit.GuardHit{ID: "secrets.github-token", Severity: "critical", Action: "ask", Evidence: "ghp_FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000"}) {
		t.Errorf("record %+v", r)
	}
	if time.Since(r.Time) > time.Minute || r.Time.Location() != time.UTC {
		t.Errorf("time %v", r.Time)
	}
	dir := t.TempDir()
	if err := audit.Append(dir, r, audit.Options{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, audit.FileName))
	if strings.Contains(string(data), "FAKEFAKE") {
		t.Errorf("token in the log: %s", data)
	}

	// A flagged PostToolUse is "flag" whatever the decision (a critical
	// secret in output is a deny-level hit); the profile argument wins.
	for _, d := range []guards.Decision{guards.Ask, guards.Deny} {
		v2 := &guards.Verdict{Decision: d, Flag: true, Profile: "balanced"}
		if r := Record(&guards.Action{Event: guards.PostToolUse}, v2, "minimal"); r.Action != "flag" || r.Profile != "minimal" {
			t.Errorf("flag record %+v", r)
		}
	}
}

func TestPreview(t *testing.T) {
	tests := []struct {
		act  guards.Action
		want string
	}{
		{guards.Action{Command: "ls", Paths: []guards.PathRef{{Path: "/x"}}}, "ls"},
		{guards.Action{Paths: []guards.PathRef{{Path: "/a"}, {Path: "/b"}}}, "/a /b"},
		{guards.Action{URLs: []string{"https://example.com"}}, "https://example.com"},
		{guards.Action{Query: "TODO"}, "TODO"},
		{guards.Action{Input: json.RawMessage(`{ "a" : 1,  "b": [ 2 ] }`)}, `{"a":1,"b":[2]}`},
		{guards.Action{}, ""},
	}
	for _, tt := range tests {
		if got := Preview(&tt.act); got != tt.want {
			t.Errorf("Preview(%+v) = %q, want %q", tt.act, got, tt.want)
		}
	}
	// A huge command is not cut before it is masked; its record is bounded.
	big := guards.Action{Command: strings.Repeat("x", 100000)}
	line, err := audit.Encode(Record(&big, &guards.Verdict{}, "balanced"))
	if err != nil || len(line) > 2<<10 {
		t.Errorf("record of a huge command is %d bytes (%v)", len(line), err)
	}
}

// Masking happens before the preview is cut or its white space collapsed:
// a token after thousands of spaces, or right at the cut, shows none of
// its characters in the record.
func TestRecordMasksBeforeCutting(t *testing.T) {
	tok := "ghp_" + strings.Repeat("q1W2", 9) // fake, 36 characters
	for _, spaces := range []int{0, 1, 150, 190, 4852, 4896, 8 << 10, 70 << 10} {
		cmd := "echo" + strings.Repeat(" ", spaces) + " " + tok + " > /tmp/out.txt"
		line, err := audit.Encode(Record(&guards.Action{Command: cmd}, &guards.Verdict{}, "balanced"))
		if err != nil || strings.Contains(string(line), "q1W2") {
			t.Errorf("%d spaces: record %s (%v)", spaces, line, err)
		}
	}
}

// Every format the output and content guards recognise is masked in the
// record (these reached the preview unmasked before the one list).
func TestRecordMasksEveryGuardedFormat(t *testing.T) {
	hex := func(n int) string { return strings.Repeat("0a1b2c3d4e5f6789", n/16+1)[:n] }
	alnum := func(n int) string { return strings.Repeat("q1W2e3R4t5Y6u7I8o9P0", n/20+1)[:n] }
	bech := strings.Repeat("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 2)[:58]
	for _, value := range []string{
		"hf_" + strings.Repeat("qWeRtYuIoP", 4)[:34],
		"SG." + alnum(22) + "." + alnum(43),
		"dop_v1_" + hex(64),
		"shpat_" + hex(32),
		"dapi" + hex(32),
		"https://discord.com/api/webhooks/123456789012345678/" + alnum(68),
		"AccountKey=" + alnum(86) + "==",
		"AGE-SECRET-KEY-1" + bech,
	} {
		cmd := "deploy --config x " + value + " --yes"
		line, err := audit.Encode(Record(&guards.Action{Command: cmd}, &guards.Verdict{}, "balanced"))
		if err != nil || strings.Contains(string(line), value[len(value)-20:]) {
			t.Errorf("%s… reached the log: %s", value[:8], line)
		}
	}
}
