package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
)

func runHookCmd(t *testing.T, stdin io.Reader, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("BULWARK_HOME", t.TempDir())
	t.Setenv("HOME", "/home/dev")
	var out, errb bytes.Buffer
	code = run(append([]string{"hook"}, args...), stdin, &out, &errb)
	return code, out.String(), errb.String()
}

func event(cmd string) string {
	return `{"session_id":"s","cwd":"/home/dev/project","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":` +
		strings.ReplaceAll(`"`+strings.ReplaceAll(cmd, `"`, `\"`)+`"`, "\n", `\n`) + `},"tool_use_id":"t"}`
}

func TestHookDecisions(t *testing.T) {
	for _, tt := range []struct {
		cmd, profile, want string
	}{
		{"rm -rf ~", "", `"permissionDecision":"deny"`},
		{"git status", "", "{}\n"},
		{"git push --force", "balanced", `"permissionDecision":"ask"`},
		{"git push --force", "minimal", "{}\n"},
		{"git push --force", "strict", `"permissionDecision":"deny"`},
	} {
		args := []string{}
		if tt.profile != "" {
			args = append(args, "--profile", tt.profile)
		}
		code, out, errs := runHookCmd(t, strings.NewReader(event(tt.cmd)), args...)
		if code != 0 || !strings.Contains(out, tt.want) {
			t.Errorf("%q %s: exit %d, stdout %q, stderr %q; want %s", tt.cmd, tt.profile, code, out, errs, tt.want)
		}
	}
}

// blockingReader never returns, like a client that never closes stdin.
type blockingReader struct{}

func (blockingReader) Read([]byte) (int, error) { select {} }

func TestHookStdinNeverClosesFailsClosed(t *testing.T) {
	old := readDeadline
	readDeadline = 50 * time.Millisecond
	defer func() { readDeadline = old }()
	code, out, errs := runHookCmd(t, blockingReader{})
	if code != ExitBlock || out != "" || !strings.Contains(errs, "no complete hook event") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestHookEvaluationDeadlineFailsClosed(t *testing.T) {
	old := evalDeadline
	evalDeadline = time.Nanosecond
	defer func() { evalDeadline = old }()
	// A big command makes sure evaluation cannot finish within a nanosecond.
	code, _, errs := runHookCmd(t, strings.NewReader(event(strings.Repeat("echo hi; ", 5000))))
	if code != ExitBlock || !strings.Contains(errs, "evaluation took longer") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

func TestHookBadInvocationFailsClosed(t *testing.T) {
	for _, args := range [][]string{{"--profile", "nope"}, {"--bogus"}, {"extra"}, {"--client", "vim"}} {
		code, out, _ := runHookCmd(t, strings.NewReader(event("ls")), args...)
		if code != ExitBlock || out != "" {
			t.Errorf("%v: exit %d stdout %q, want a fail-closed exit 2", args, code, out)
		}
	}
}

func TestHookUnwritableLogStillDecides(t *testing.T) {
	t.Setenv("HOME", "/home/dev")
	t.Setenv("BULWARK_HOME", "/proc/bulwark-cannot-write-here")
	var out, errb bytes.Buffer
	code := run([]string{"hook"}, strings.NewReader(event("rm -rf ~")), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), `"deny"`) || !strings.Contains(errb.String(), "audit log not written") {
		t.Fatalf("exit %d stdout %q stderr %q", code, out.String(), errb.String())
	}
}

func TestUnknownCommandAndVersion(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"frobnicate"}, nil, &out, &errb); code != ExitBlock || !strings.Contains(errb.String(), "usage") {
		t.Fatalf("unknown command: exit %d, %q", code, errb.String())
	}
	out.Reset()
	if code := run([]string{"version"}, nil, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "bulwark ") {
		t.Fatalf("version: exit %d, %q", code, out.String())
	}
}
