package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	defer func(old time.Duration, oldExit func(int)) { readDeadline, hookExit = old, oldExit }(readDeadline, hookExit)
	readDeadline = 50 * time.Millisecond
	exited := make(chan int, 1)
	hookExit = func(code int) { exited <- code }
	t.Setenv("BULWARK_HOME", t.TempDir())
	var out, errb safeBuffer
	// The read never returns, as with a client that never closes stdin:
	// the watchdog must end the call on its own.
	go run([]string{"hook"}, blockingReader{}, &out, &errb)
	select {
	case code := <-exited:
		if code != ExitBlock || out.String() != "" || !strings.Contains(errb.String(), "no complete hook event") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watchdog did not end a hook whose stdin never closes")
	}
}

func TestHookEvaluationDeadlineFailsClosed(t *testing.T) {
	defer func(old time.Duration, oldExit func(int)) { evalDeadline, hookExit = old, oldExit }(evalDeadline, hookExit)
	evalDeadline = time.Nanosecond
	hookExit = func(int) {}
	// A big command makes sure evaluation cannot finish within a nanosecond.
	code, out, errs := runHookCmd(t, strings.NewReader(event(strings.Repeat("echo hi; ", 5000))))
	if code != ExitBlock || out != "" || !strings.Contains(errs, "evaluation took longer") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// safeBuffer is a bytes.Buffer safe for the watchdog's goroutine.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
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

// The hook works on the embedded defaults with no HOME at all, or a HOME that
// does not exist: it still decides (the audit log failure is only reported).
func TestHookWithoutHome(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such", "home")
	for _, home := range []string{"", missing} {
		t.Setenv("BULWARK_HOME", "")
		t.Setenv("XDG_CONFIG_HOME", "")
		t.Setenv("XDG_STATE_HOME", "")
		t.Setenv("HOME", home)
		for cmd, want := range map[string]string{"rm -rf /": `"permissionDecision":"deny"`, "git status": "{}\n"} {
			var out, errb bytes.Buffer
			code := run([]string{"hook", "--client", "claude", "--profile", "balanced"}, strings.NewReader(event(cmd)), &out, &errb)
			if code != 0 || !strings.Contains(out.String(), want) {
				t.Errorf("HOME=%q %q: exit %d stdout %q stderr %q", home, cmd, code, out.String(), errb.String())
			}
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("the hook created the missing HOME %s (%v)", missing, err)
	}
}
