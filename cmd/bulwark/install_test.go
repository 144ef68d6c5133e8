package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/installer"
)

// fakeHookScript stands in for the real hook in these tests: `version`
// prints this build's version; otherwise it reads the event and answers
// deny, in the --client's dialect, for anything containing "rm -rf", and {}
// for the rest.
const fakeHookScript = `#!/bin/sh
if [ "$1" = version ]; then echo "bulwark VERSION"; exit 0; fi
client=""
while [ $# -gt 0 ]; do
  case "$1" in --client) client="$2"; shift;; esac
  shift
done
in=$(cat)
case "$in" in
*"rm -rf"*)
  case "$client" in
  cursor) echo '{"permission":"deny","user_message":"blocked by fake"}';;
  gemini) echo '{"decision":"deny","reason":"blocked by fake"}';;
  *) echo '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"blocked by fake"}}';;
  esac;;
*) echo '{}';;
esac
`

type cliEnv struct {
	home, proj, bulwarkHome, hook string
}

// setupCLI makes a temporary HOME (with a project dir as the cwd and
// BULWARK_HOME), and the fake hook in a directory whose name needs quoting.
func setupCLI(t *testing.T) cliEnv {
	t.Helper()
	root := t.TempDir()
	e := cliEnv{
		home:        filepath.Join(root, "home"),
		proj:        filepath.Join(root, "home", "proj"),
		bulwarkHome: filepath.Join(root, "bulwark-home"),
		hook:        filepath.Join(root, "my tools", "bulwark"),
	}
	for _, d := range []string{e.proj, filepath.Dir(e.hook)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFakeHook(t, e.hook, fakeHookScript)
	t.Setenv("HOME", e.home)
	t.Setenv("BULWARK_HOME", e.bulwarkHome)
	t.Setenv("CLAUDE_CONFIG_DIR", "")
	t.Setenv("CODEX_HOME", "")
	t.Chdir(e.proj)
	setClock(t, time.Date(2026, 11, 22, 1, 2, 3, 0, time.UTC))
	old, oldVersion := systemRoot, clients.ClaudeVersion
	systemRoot = filepath.Join(root, "system")
	clients.ClaudeVersion = func(clients.Env) (string, error) { return "2.1.332", nil }
	t.Cleanup(func() { systemRoot, clients.ClaudeVersion = old, oldVersion })
	return e
}

func writeFakeHook(t *testing.T, path, script string) {
	t.Helper()
	script = strings.ReplaceAll(script, "VERSION", Version())
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func runCLI(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func mustRun(t *testing.T, want int, args ...string) (string, string) {
	t.Helper()
	code, out, errOut := runCLI(args...)
	if code != want {
		t.Fatalf("bulwark %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
	}
	return out, errOut
}

// hookCommands reads a settings file back and returns the command of every
// bulwark handler on the client's pre-action event.
func hookCommands(t *testing.T, c *clients.Client, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := installer.ParseDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	for _, h := range installer.FindHandlers(c.Spec, root)[c.Spec.Events[0]] {
		cmds = append(cmds, h.Get("command").Str())
	}
	return cmds
}

// TestInstallEndToEnd installs for every client into a temporary HOME with
// --binary pointing at the fake hook, reads each settings file back, and
// runs the hook command exactly as the settings spell it through sh -c with
// an event on stdin.
func TestInstallEndToEnd(t *testing.T) {
	e := setupCLI(t)
	for _, d := range []string{".codex", ".cursor", ".gemini"} {
		os.MkdirAll(filepath.Join(e.home, d), 0o700)
	}
	out, _ := mustRun(t, ExitOK, "install", "--client", "all", "--binary", e.hook, "--profile", "strict")
	for _, c := range clients.All() {
		if !strings.Contains(out, c.Name+" (user)") {
			t.Errorf("install --client all skipped %s:\n%s", c, out)
		}
	}
	for _, c := range clients.All() {
		path, _ := c.SettingsPath(installer.ScopeUser, clients.Env{Home: e.home})
		cmds := hookCommands(t, c, path)
		if len(cmds) != 1 {
			t.Fatalf("%s: want one bulwark handler, got %q", c, cmds)
		}
		want := `"` + e.hook + `" hook --client ` + c.Name + ` --profile strict`
		if c.Spec.FailClosed {
			want = installer.FailClosedCommand(want)
		}
		if cmds[0] != want {
			t.Errorf("%s: command %q, want %q", c.Name, cmds[0], want)
		}
		for cmdLine, wantDeny := range map[string]bool{"rm -rf ~": true, "git status": false} {
			sh := exec.Command("sh", "-c", cmds[0])
			sh.Stdin = bytes.NewReader(c.Canary(cmdLine, e.proj))
			answer, err := sh.Output()
			if err != nil {
				t.Fatalf("%s: running %q: %v", c.Name, cmds[0], err)
			}
			denied := bytes.Contains(answer, []byte(`"deny"`))
			if denied != wantDeny {
				t.Errorf("%s: %q answered %s", c.Name, cmdLine, answer)
			}
			if !wantDeny && strings.TrimSpace(string(answer)) != "{}" {
				t.Errorf("%s: %q answered %s, want {}", c.Name, cmdLine, answer)
			}
		}
	}
	trustCodexHooks(t, e.home, "")
	out, _ = mustRun(t, ExitOK, "doctor")
	if len(doctorLines(out, "FAIL"))+len(doctorLines(out, "WARN")) > 0 {
		t.Errorf("doctor after install:\n%s", out)
	}
}

// TestInstallTwiceThenUninstall: a second install changes nothing, not even
// the mtime; uninstall restores the original bytes; backups are kept.
func TestInstallTwiceThenUninstall(t *testing.T) {
	orig, err := os.ReadFile("../../clients/testdata/claude/other-hooks.json")
	if err != nil {
		t.Fatal(err)
	}
	e := setupCLI(t)
	path := filepath.Join(e.home, ".claude", "settings.json")
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, orig, 0o600)

	mustRun(t, ExitOK, "install", "--binary", e.hook)
	once, _ := os.ReadFile(path)
	fi1, _ := os.Stat(path)
	out, _ := mustRun(t, ExitOK, "install", "--binary", e.hook)
	if !strings.Contains(out, "already installed: unchanged") {
		t.Errorf("second install said:\n%s", out)
	}
	twice, _ := os.ReadFile(path)
	fi2, _ := os.Stat(path)
	if !bytes.Equal(once, twice) || !fi1.ModTime().Equal(fi2.ModTime()) {
		t.Errorf("second install rewrote the file")
	}
	// Upgrade: new profile replaces the entry in place.
	mustRun(t, ExitOK, "install", "--binary", e.hook, "--profile", "minimal")
	if cmds := hookCommands(t, clients.Claude, path); len(cmds) != 1 || !strings.Contains(cmds[0], "--profile minimal ||") {
		t.Errorf("after profile change: %q", cmds)
	}

	mustRun(t, ExitOK, "uninstall")
	back, _ := os.ReadFile(path)
	if !bytes.Equal(back, orig) {
		t.Errorf("uninstall did not restore the original")
	}
	backups, _ := filepath.Glob(path + installer.BackupSuffix + "*")
	if len(backups) != 3 {
		t.Errorf("backups: %v", backups)
	}
	if _, err := os.Stat(filepath.Join(e.bulwarkHome, installer.ManifestName)); !os.IsNotExist(err) {
		t.Errorf("manifest left after uninstalling everything: %v", err)
	}
}

func TestInstallScopesAndDenyNative(t *testing.T) {
	e := setupCLI(t)
	mustRun(t, ExitOK, "install", "--binary", e.hook, "--scope", "project", "--deny-native")
	path := filepath.Join(e.proj, ".claude", "settings.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Permissions struct{ Deny []string } `json:"permissions"`
	}
	json.Unmarshal(data, &s)
	for _, r := range []string{"Bash", "Write", "Edit", "Read(~/.ssh/id_ed25519)", "Bash(rm -rf ~)"} {
		if !strings.Contains(strings.Join(s.Permissions.Deny, "\n")+"\n", r+"\n") {
			t.Errorf("deny rule %q missing: %v", r, s.Permissions.Deny)
		}
	}
	mustRun(t, ExitOK, "install", "--binary", e.hook, "--scope", "local")
	if _, err := os.Stat(filepath.Join(e.proj, ".claude", "settings.local.json")); err != nil {
		t.Error(err)
	}
	mustRun(t, ExitOK, "uninstall", "--scope", "project")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("project settings created by install not removed")
	}
	mustRun(t, ExitOK, "uninstall", "--client", "claude", "--scope", "local")
	if _, err := os.Stat(filepath.Join(e.proj, ".claude", "settings.local.json")); !os.IsNotExist(err) {
		t.Errorf("local settings created by install not removed")
	}
}

func TestInstallDryRunWritesNothing(t *testing.T) {
	e := setupCLI(t)
	out, _ := mustRun(t, ExitOK, "install", "--binary", e.hook, "--dry-run", "--client", "gemini")
	if !strings.Contains(out, `+  "hooks": {`) || !strings.Contains(out, "dry run: nothing written") {
		t.Errorf("dry run output:\n%s", out)
	}
	if entries, _ := os.ReadDir(e.home); len(entries) != 1 { // only proj/
		t.Errorf("dry run wrote into HOME: %v", entries)
	}
	if _, err := os.Stat(e.bulwarkHome); !os.IsNotExist(err) {
		t.Errorf("dry run wrote the manifest")
	}
}

func TestInstallBrokenFile(t *testing.T) {
	e := setupCLI(t)
	path := filepath.Join(e.home, ".claude", "settings.json")
	os.MkdirAll(filepath.Dir(path), 0o700)
	broken := []byte("{\n  \"a\": 1,\n  \"b\": [1 2]\n}\n")
	os.WriteFile(path, broken, 0o600)
	_, errOut := mustRun(t, ExitFail, "install", "--binary", e.hook)
	if !strings.Contains(errOut, path+": line 3, column 11: invalid character '2'") || !strings.Contains(errOut, "left untouched") {
		t.Errorf("stderr:\n%s", errOut)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, broken) {
		t.Errorf("broken file changed")
	}
}

func TestInstallUsageErrors(t *testing.T) {
	e := setupCLI(t)
	for _, args := range [][]string{
		{"install", "--profile", "lax", "--binary", e.hook},
		{"install", "--client", "vim", "--binary", e.hook},
		{"install", "--scope", "global", "--binary", e.hook},
		{"install", "--client", "cursor", "--scope", "local", "--binary", e.hook},
		{"install", "extra"},
		{"uninstall", "--client", "vim"},
	} {
		if code, _, _ := runCLI(args...); code != ExitBlock {
			t.Errorf("bulwark %v: exit %d, want %d", args, code, ExitBlock)
		}
	}
	if code, _, errOut := runCLI("install", "--binary", filepath.Join(e.home, "nope")); code != ExitFail || !strings.Contains(errOut, "--binary") {
		t.Errorf("missing binary: exit %d %s", code, errOut)
	}
}

// TestInstallConcurrent: installs for two clients at the same moment, and
// two profiles for one client, keep one consistent manifest: every record
// is there, and bulwark's rules are never recorded as the user's.
func TestInstallConcurrent(t *testing.T) {
	e := setupCLI(t)
	os.MkdirAll(filepath.Join(e.home, ".codex"), 0o700)
	for round := range 10 {
		var wg sync.WaitGroup
		for _, args := range [][]string{
			{"install", "--binary", e.hook, "--client", "claude"},
			{"install", "--binary", e.hook, "--client", "codex"},
			{"install", "--binary", e.hook, "--client", "claude", "--profile", "strict"},
		} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code, out, errOut := runCLI(args...); code != ExitOK {
					t.Errorf("round %d: %v: exit %d\n%s%s", round, args, code, out, errOut)
				}
			}()
		}
		wg.Wait()
		m, err := installer.LoadManifest(filepath.Join(e.bulwarkHome, installer.ManifestName))
		if err != nil {
			t.Fatal(err)
		}
		var clientsSeen []string
		for _, r := range m.Files {
			clientsSeen = append(clientsSeen, r.Client)
			if len(r.DenyPreexisting) > 0 {
				t.Fatalf("round %d: bulwark's rules recorded as the user's: %v", round, r.DenyPreexisting)
			}
		}
		slices.Sort(clientsSeen)
		if !slices.Equal(clientsSeen, []string{"claude", "codex"}) {
			t.Fatalf("round %d: manifest records %v", round, clientsSeen)
		}
		mustRun(t, ExitOK, "uninstall")
		for _, f := range []string{filepath.Join(e.home, ".claude", "settings.json"), filepath.Join(e.home, ".codex", "hooks.json")} {
			if _, err := os.Stat(f); !os.IsNotExist(err) {
				t.Fatalf("round %d: %s left after uninstall", round, f)
			}
		}
	}
}

// TestInstallRefusesReadOnly: a read-only settings file is not replaced.
func TestInstallRefusesReadOnly(t *testing.T) {
	e := setupCLI(t)
	path := filepath.Join(e.home, ".claude", "settings.json")
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte("{\n  \"model\": \"opus\"\n}\n"), 0o444)
	code, _, errOut := runCLI("install", "--binary", e.hook)
	if code != ExitFail || !strings.Contains(errOut, "is read-only") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if b, _ := os.ReadFile(path); string(b) != "{\n  \"model\": \"opus\"\n}\n" {
		t.Errorf("file changed: %s", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o444 {
		t.Errorf("mode changed: %v", fi.Mode())
	}
	m, _ := installer.LoadManifest(filepath.Join(e.bulwarkHome, installer.ManifestName))
	if len(m.Files) != 0 {
		t.Errorf("manifest records a failed install: %v", m.Files)
	}
}

// TestUninstallKeepsUsersOwnRule: a deny rule the user had before install
// that equals one of bulwark's survives uninstall.
func TestUninstallKeepsUsersOwnRule(t *testing.T) {
	e := setupCLI(t)
	path := filepath.Join(e.home, ".claude", "settings.json")
	orig := "{\n  \"permissions\": {\n    \"deny\": [\n      \"Read(~/.netrc)\"\n    ]\n  }\n}\n"
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte(orig), 0o600)
	mustRun(t, ExitOK, "install", "--binary", e.hook)
	mustRun(t, ExitOK, "install", "--binary", e.hook, "--profile", "strict")
	mustRun(t, ExitOK, "uninstall")
	if b, _ := os.ReadFile(path); string(b) != orig {
		t.Errorf("after uninstall:\n%s", b)
	}
}

// TestInstallManagedScope: --scope managed writes bulwark's own drop-in
// under managed-settings.d (readable by every user), doctor checks it, and
// uninstall --scope managed takes it out exactly.
func TestInstallManagedScope(t *testing.T) {
	e := setupCLI(t)
	dropIn := filepath.Join(systemRoot, "etc", "claude-code", "managed-settings.d", "bulwark.json")
	os.MkdirAll(filepath.Join(systemRoot, "etc", "claude-code"), 0o755)
	mustRun(t, ExitOK, "install", "--binary", e.hook, "--scope", "managed")
	fi, err := os.Stat(dropIn)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("drop-in: %v %v", fi, err)
	}
	if di, _ := os.Stat(filepath.Dir(dropIn)); di.Mode().Perm() != 0o755 {
		t.Errorf("drop-in dir mode %v", di.Mode().Perm())
	}
	if cmds := hookCommands(t, clients.Claude, dropIn); len(cmds) != 1 {
		t.Fatalf("hooks in the drop-in: %v", cmds)
	}
	out, _ := mustRun(t, ExitOK, "doctor", "--client", "claude")
	wantDoctorLine(t, out, "OK", "self-test `rm -rf ~` denied")
	if !strings.Contains(out, "claude (managed) "+dropIn) {
		t.Errorf("doctor did not check the drop-in:\n%s", out)
	}
	mustRun(t, ExitOK, "uninstall", "--client", "claude", "--scope", "managed")
	if _, err := os.Stat(dropIn); !os.IsNotExist(err) {
		t.Errorf("drop-in left: %v", err)
	}
	if code, _, errOut := runCLI("install", "--binary", e.hook, "--scope", "managed", "--client", "codex"); code == ExitOK || !strings.Contains(errOut, "does not exist for codex") {
		t.Errorf("managed scope for codex: exit %d %s", code, errOut)
	}
}

// TestConfigChangeBlocksWeakening: Claude Code's ConfigChange event for a
// settings file that lost bulwark's hooks, or turned hooks off, is blocked;
// an unrelated change is not.
func TestConfigChangeBlocksWeakening(t *testing.T) {
	e := setupCLI(t)
	mustRun(t, ExitOK, "install", "--binary", e.hook)
	path := filepath.Join(e.home, ".claude", "settings.json")
	event := func() string {
		b, _ := json.Marshal(map[string]any{"session_id": "s", "cwd": e.proj, "hook_event_name": "ConfigChange", "source": "user_settings", "file_path": path})
		var out bytes.Buffer
		code := run([]string{"hook", "--client", "claude"}, bytes.NewReader(b), &out, io.Discard)
		if code != ExitOK {
			t.Fatalf("hook exit %d: %s", code, out.String())
		}
		return out.String()
	}
	editFile(t, path, "{\n", "{\n  \"model\": \"opus\",\n")
	if out := event(); strings.Contains(out, `"block"`) {
		t.Errorf("unrelated change blocked: %s", out)
	}
	editFile(t, path, "{\n", "{\n  \"disableAllHooks\": true,\n")
	if out := event(); !strings.Contains(out, `"decision":"block"`) || !strings.Contains(out, "disableAllHooks") {
		t.Errorf("disableAllHooks not blocked: %s", out)
	}
	editFile(t, path, "  \"disableAllHooks\": true,\n", "")
	data, _ := os.ReadFile(path)
	var doc map[string]any
	json.Unmarshal(data, &doc)
	delete(doc, "hooks")
	data, _ = json.MarshalIndent(doc, "", "  ")
	os.WriteFile(path, data, 0o600)
	if out := event(); !strings.Contains(out, `"decision":"block"`) || !strings.Contains(out, "PreToolUse hook was removed") {
		t.Errorf("hooks removed not blocked: %s", out)
	}
	if !strings.Contains(readAudit(t, e), "tamper.config-change") {
		t.Errorf("the blocked change is not in the audit log")
	}
}

func readAudit(t *testing.T, e cliEnv) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(e.bulwarkHome, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && strings.Contains(filepath.Base(p), "audit") {
			data, _ := os.ReadFile(p)
			b.Write(data)
		}
		return nil
	})
	return b.String()
}
