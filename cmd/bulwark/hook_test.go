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

	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/hooks"
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

// When the watchdog answers for a tool's output, it withholds the output (an
// exit 2 after the tool ran would let it through to the model), logs the
// call once, and the hook's own verdict is then dropped.
func TestWatchdogWithholdsLateOutput(t *testing.T) {
	defer func(oldExit func(int)) { hookExit = oldExit }(hookExit)
	hookExit = func(int) {}
	state := t.TempDir()
	t.Setenv("BULWARK_HOME", state)
	token := "ghp_" + strings.Repeat("q1W2e3R4t5Y6", 3) // fake
	ev := `{"session_id":"s","cwd":"/tmp","hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"cat x"},` +
		`"tool_response":{"stdout":"` + token + `","stderr":"","interrupted":false,"isImage":false},"tool_use_id":"late"}`
	client, _ := hooks.Lookup("claude")
	act, err := client.Decode([]byte(ev), hooks.Env{Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var out, errb safeBuffer
	w := startWatchdog(&out, &errb, time.Hour, "unused")
	defer w.stop()
	w.setFallback(func(reason string) hooks.Result {
		return lateAnswer(client, &act, reason, "balanced", audit.Options{}, &errb)
	})
	w.fireWith("evaluation used more than 750ms of CPU time")
	if code := w.waitForExit(); code != 0 {
		t.Fatalf("exit %d, want 0 with the output withheld; stderr %q", code, errb.String())
	}
	if s := out.String(); !strings.Contains(s, `"updatedToolOutput"`) || strings.Contains(s, token) || !strings.Contains(s, "bulwark withheld this output") {
		t.Errorf("answer %s", s)
	}
	if w.claim() {
		t.Error("the hook could still log its own verdict after the watchdog answered")
	}
	data, _ := os.ReadFile(filepath.Join(state, audit.FileName))
	if n := bytes.Count(data, []byte(`"tool_use_id":"late"`)); n != 1 || bytes.Contains(data, []byte(token)) {
		t.Errorf("%d records of the call (want 1), token logged: %v", n, bytes.Contains(data, []byte(token)))
	}
}

// The evaluation deadline counts CPU time: a hook that only waits (a busy
// machine) is not ended at evalDeadline, only at the wall-clock backstop;
// one that spends the CPU is ended as soon as the watchdog looks.
func TestWatchdogCountsCPUTime(t *testing.T) {
	defer func(oldExit func(int), oldCPU func() time.Duration) { hookExit, cpuNow = oldExit, oldCPU }(hookExit, cpuNow)
	hookExit = func(int) {}
	var mu sync.Mutex
	var cpu time.Duration
	cpuNow = func() time.Duration { mu.Lock(); defer mu.Unlock(); return cpu }

	// Waiting: no CPU spent, so only the backstop ends it.
	var out, errb safeBuffer
	w := startWatchdog(&out, &errb, time.Hour, "read")
	w.watchCPU(20*time.Millisecond, 200*time.Millisecond)
	start := time.Now()
	w.reset(20*time.Millisecond, "evaluation took longer than 20ms")
	code := w.waitForExit()
	if waited := time.Since(start); code != ExitBlock || waited < 200*time.Millisecond || !strings.Contains(errb.String(), "took longer than") {
		t.Errorf("waiting hook: exit %d after %v, stderr %q; want exit 2 at the backstop", code, waited, errb.String())
	}

	// Spending: past the CPU limit when the watchdog looks.
	var out2, errb2 safeBuffer
	w = startWatchdog(&out2, &errb2, time.Hour, "read")
	w.watchCPU(20*time.Millisecond, time.Hour)
	mu.Lock()
	cpu = time.Second
	mu.Unlock()
	w.reset(20*time.Millisecond, "evaluation took longer than 20ms")
	if code := w.waitForExit(); code != ExitBlock || !strings.Contains(errb2.String(), "of CPU time") {
		t.Errorf("spending hook: exit %d, stderr %q; want exit 2 for CPU time", code, errb2.String())
	}
}
