package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/installer"
)

// preEvents are a dangerous and a harmless pre-action event in each client's
// own shape.
var preEvents = map[string][2]string{
	"claude": {`{"session_id":"e2e","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf ~"},"tool_use_id":"t1"}`,
		`{"session_id":"e2e","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"git status"},"tool_use_id":"t2"}`},
	"codex": {`{"session_id":"e2e","turn_id":"1","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf ~"},"tool_use_id":"t1"}`,
		`{"session_id":"e2e","turn_id":"1","cwd":"/tmp","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"git status"},"tool_use_id":"t2"}`},
	"cursor": {`{"conversation_id":"e2e","generation_id":"g","hook_event_name":"beforeShellExecution","command":"rm -rf ~","cwd":"/tmp"}`,
		`{"conversation_id":"e2e","generation_id":"g","hook_event_name":"beforeShellExecution","command":"git status","cwd":"/tmp"}`},
	"gemini": {`{"session_id":"e2e","cwd":"/tmp","hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"rm -rf ~"}}`,
		`{"session_id":"e2e","cwd":"/tmp","hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"git status"}}`},
}

// TestRealBinaryEndToEnd builds the real bulwark, installs it for every
// client into a temporary HOME, and runs each hook command exactly as the
// settings file spells it (through sh -c, like the clients), checking that
// `rm -rf ~` is blocked and `git status` is not, then that doctor passes and
// uninstall leaves the files as they were.
func TestRealBinaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "bin dir", "bulwark")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	e := setupCLI(t)
	for _, d := range []string{".codex", ".cursor", ".gemini"} {
		os.MkdirAll(filepath.Join(e.home, d), 0o700)
	}
	mustRun(t, ExitOK, "install", "--client", "all", "--binary", bin)
	for _, c := range clients.All() {
		path, _ := c.SettingsPath(installer.ScopeUser, clients.Env{Home: e.home})
		cmds := hookCommands(t, c, path)
		if len(cmds) != 1 {
			t.Fatalf("%s: want one bulwark hook in %s, got %q", c, path, cmds)
		}
		for i, ev := range preEvents[c.Name] {
			sh := exec.Command("sh", "-c", cmds[0])
			sh.Stdin = strings.NewReader(ev)
			sh.Env = append(os.Environ(), "HOME="+e.home)
			out, err := sh.Output()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			blocked := code == 2 || strings.Contains(string(out), `"deny"`)
			if i == 0 && !blocked {
				t.Errorf("%s: rm -rf ~ not blocked: exit %d, %s", c, code, out)
			}
			if i == 1 && (blocked || code != 0 || strings.Contains(string(out), `"allow"`)) {
				t.Errorf("%s: git status: exit %d, %s (want no decision)", c, code, out)
			}
		}
	}
	trustCodexHooks(t, e.home, "")
	if out, _ := mustRun(t, ExitOK, "doctor"); !strings.Contains(out, "0 FAIL") {
		t.Errorf("doctor:\n%s", out)
	}
	mustRun(t, ExitOK, "uninstall")
	for _, c := range clients.All() {
		path, _ := c.SettingsPath(installer.ScopeUser, clients.Env{Home: e.home})
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s: %s still there after uninstall (install created it)", c, path)
		}
	}
}
