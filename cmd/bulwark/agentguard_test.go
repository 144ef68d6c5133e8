package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/hooks"
)

// The tests run the mutating subcommands themselves; when `make test` is
// run by a coding agent (its tool call sets the markers), they must not
// refuse. Cleared for the whole test binary and the binaries it starts.
func init() {
	for _, k := range hooks.AgentMarkers() {
		os.Unsetenv(k)
	}
}

func TestRefuseInAgent(t *testing.T) {
	e := setupCLI(t)
	markers := map[string]string{"CLAUDECODE": "1"}
	agentGetenv = func(k string) string { return markers[k] }
	t.Cleanup(func() { agentGetenv = os.Getenv })
	settings := filepath.Join(e.home, ".claude", "settings.json")

	code, _, stderr := runCLI("install", "--binary", e.hook)
	if code != ExitFail || !strings.Contains(stderr, "refused") || !strings.Contains(stderr, "Claude Code") {
		t.Fatalf("install inside an agent: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(settings); !os.IsNotExist(err) {
		t.Fatalf("install inside an agent wrote %s", settings)
	}
	// A dry run changes nothing: allowed.
	if code, _, stderr := runCLI("install", "--binary", e.hook, "--dry-run"); code != ExitOK {
		t.Fatalf("install --dry-run inside an agent: exit %d, %s", code, stderr)
	}
	for _, args := range [][]string{{"uninstall"}, {"allow", "git.force-push", "--reason", "x"}} {
		code, _, stderr := runCLI(args...)
		if code != ExitFail || !strings.Contains(stderr, "refused") {
			t.Errorf("%v inside an agent: exit %d, stderr %q", args, code, stderr)
		}
	}
	// Gemini CLI and Codex mark their shell commands too; Cursor's plain
	// terminal (CURSOR_TRACE_ID) is a person.
	for _, m := range []map[string]string{{"GEMINI_CLI": "1"}, {"CODEX_SANDBOX": "seatbelt"}, {"CURSOR_EXTENSION_HOST_ROLE": "agent-exec"}} {
		markers = m
		if code, _, _ := runCLI("uninstall"); code != ExitFail {
			t.Errorf("uninstall with %v: exit %d, want refused", m, code)
		}
	}
	markers = map[string]string{"CURSOR_TRACE_ID": "abc", "CURSOR_EXTENSION_HOST_ROLE": "user"}
	if code, _, stderr := runCLI("install", "--binary", e.hook); code != ExitOK {
		t.Errorf("install in Cursor's own terminal: exit %d, %s", code, stderr)
	}
}
