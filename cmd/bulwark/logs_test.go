package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/audit"
)

// The fixture log and the golden outputs live with the audit package's test
// data. Regenerate the goldens with BULWARK_UPDATE_GOLDEN=1.
const logsFixture = "../../audit/testdata/fixture"

func logsRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("NO_COLOR", "1")
	t.Setenv("BULWARK_HOME", t.TempDir()) // no allow rules of the machine's user in the summary
	var out, errb bytes.Buffer
	code = run(append([]string{"logs"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func logsGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "audit", "testdata", "logs", name+".golden")
	if os.Getenv("BULWARK_UPDATE_GOLDEN") != "" {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (set BULWARK_UPDATE_GOLDEN=1 to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestLogsGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"default", nil},
		{"last3", []string{"-n", "3"}},
		{"deny_ask", []string{"--action", "deny,ask"}},
		{"filters", []string{"--guard", "git.force-push", "--since", "2026-01-14T00:00:00Z", "--tool", "bash"}},
		{"cwd_session", []string{"--cwd", "/home/dev/app/web", "--session", "sess-b"}},
		{"json_deny", []string{"--json", "--action", "deny"}},
		{"summary", []string{"--summary"}},
		{"summary_since", []string{"--summary", "--since", "2026-01-13T00:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := logsRun(t, append([]string{"--dir", logsFixture, "--utc"}, tt.args...)...)
			if code != ExitOK {
				t.Fatalf("exit %d, stderr %s", code, errs)
			}
			want := "skipped 3 corrupt lines"
			if tt.name == "last3" {
				want = "skipped 2 corrupt lines" // only the newest file was read
			}
			if !strings.Contains(errs, want) {
				t.Errorf("stderr %q does not report the corrupt lines", errs)
			}
			if strings.Contains(out, "\x1b[") {
				t.Error("colour with NO_COLOR set")
			}
			logsGolden(t, tt.name, out)
		})
	}
}

func TestLogsJSONIsRecords(t *testing.T) {
	_, out, _ := logsRun(t, "--dir", logsFixture, "--json", "-n", "0")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 11 {
		t.Fatalf("%d lines, want 11", len(lines))
	}
	for _, l := range lines {
		var r audit.Record
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.Time.IsZero() {
			t.Errorf("not a record: %s (%v)", l, err)
		}
	}
}

func TestLogsRelativeCwd(t *testing.T) {
	dir := t.TempDir()
	here, _ := os.Getwd()
	for _, cwd := range []string{here, filepath.Join(here, "sub"), "/elsewhere"} {
		if err := audit.Append(dir, audit.Record{Action: "deny", Tool: "Bash", Cwd: cwd, Preview: "in " + cwd}, audit.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ := logsRun(t, "--dir", dir, "--cwd", ".")
	if code != ExitOK || strings.Count(out, "\n") != 2 || strings.Contains(out, "/elsewhere") {
		t.Errorf("exit %d, output %q: want the two records under .", code, out)
	}
}

func TestLogsParseSince(t *testing.T) {
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	tests := map[string]time.Time{
		"24h":                  now.Add(-24 * time.Hour),
		"90m":                  now.Add(-90 * time.Minute),
		"7d":                   now.Add(-7 * 24 * time.Hour),
		"1d12h":                now.Add(-36 * time.Hour),
		"2026-01-02T03:04:05Z": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		"2026-01-02":           time.Date(2026, 1, 2, 0, 0, 0, 0, time.Local),
		"2026-01-02 15:04":     time.Date(2026, 1, 2, 15, 4, 0, 0, time.Local),
	}
	for in, want := range tests {
		got, err := logsParseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("logsParseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "d", "7x", "xd", "2026-13-01", "-1d", "soon"} {
		if _, err := logsParseSince(bad, now); err == nil {
			t.Errorf("logsParseSince(%q) accepted", bad)
		}
	}
}

// A log line must not be able to drive the terminal.
func TestLogsEscapesControlCharacters(t *testing.T) {
	dir := t.TempDir()
	r := audit.Record{Time: time.Unix(1, 0), Action: "deny", Tool: "Bash\x1b[2J",
		Guards: []audit.GuardHit{{ID: "x\x1b]0;pwned\x07"}}, Preview: "echo \x1b[31mred"}
	line, _ := json.Marshal(r)
	os.WriteFile(filepath.Join(dir, audit.FileName), append(line, '\n'), 0o600)
	code, out, _ := logsRun(t, "--dir", dir)
	if code != ExitOK || strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("exit %d, control characters in %q", code, out)
	}
}

// syncBuffer is a bytes.Buffer safe to write from the follower and read
// from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogsFollow(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	dir := t.TempDir()
	old := audit.Record{Time: time.Now(), Action: "deny", Tool: "Bash", ToolUseID: "old", Preview: "old call"}
	if err := audit.Append(dir, old, audit.Options{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	saved := logsFollowContext
	logsFollowContext = func() (context.Context, context.CancelFunc) { return context.WithCancel(ctx) }
	defer func() { logsFollowContext = saved }()

	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"logs", "--dir", dir, "-f", "--action", "deny"}, nil, &out, &errb)
	}()
	// Keep writing (an allow, to be filtered out, and a deny, rotating
	// the file each time) until the follower shows a new deny.
	o := audit.Options{MaxBytes: 300, Keep: 2}
	for i := 0; ; i++ {
		if strings.Contains(out.String(), "new call") {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("follow showed no new record; stdout %q stderr %q", out.String(), errb.String())
		}
		audit.Append(dir, audit.Record{Action: "allow", Tool: "Read", Preview: "allowed call"}, o)
		audit.Append(dir, audit.Record{Action: "deny", Tool: "Bash", Preview: "new call"}, o)
		time.Sleep(20 * time.Millisecond)
	}
	cancel() // stands in for SIGINT
	select {
	case code := <-done:
		if code != ExitOK {
			t.Errorf("exit %d after interrupt, stderr %q", code, errb.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("logs -f did not stop")
	}
	got := out.String()
	if !strings.Contains(got, "old call") || strings.Contains(got, "allowed call") {
		t.Errorf("output %q: want the old deny first and no allow", got)
	}
}
