package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/installer"
)

func doctorLines(out, tag string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), tag+" ") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	return lines
}

func wantDoctorLine(t *testing.T, out, tag, substr string) {
	t.Helper()
	for _, l := range doctorLines(out, tag) {
		if strings.Contains(l, substr) {
			return
		}
	}
	t.Errorf("no %s line containing %q in:\n%s", tag, substr, out)
}

func TestDoctorHealthy(t *testing.T) {
	e := setupCLI(t)
	mustRun(t, ExitOK, "install", "--binary", e.hook)
	out, _ := mustRun(t, ExitOK, "doctor", "--client", "claude")
	for _, s := range []string{"bulwark hooks on PreToolUse, PostToolUse", "is executable", "this version",
		"profile balanced", "self-test `rm -rf ~` denied", "self-test `git status` allowed", "backstop deny rules in place"} {
		wantDoctorLine(t, out, "OK", s)
	}
	if len(doctorLines(out, "FAIL"))+len(doctorLines(out, "WARN")) > 0 {
		t.Errorf("healthy install has FAIL/WARN lines:\n%s", out)
	}
}

func TestDoctorNotInstalled(t *testing.T) {
	setupCLI(t)
	out, _ := mustRun(t, ExitFail, "doctor")
	wantDoctorLine(t, out, "FAIL", "not installed for any client")
}

func TestDoctorFindsProblems(t *testing.T) {
	for name, tc := range map[string]struct {
		setup    func(t *testing.T, e cliEnv, settings string)
		tag, msg string
	}{
		"hook allows everything": {
			setup: func(t *testing.T, e cliEnv, _ string) {
				writeFakeHook(t, e.hook, "#!/bin/sh\n[ \"$1\" = version ] && echo bulwark VERSION && exit 0\ncat >/dev/null\necho '{}'\n")
			},
			tag: "FAIL", msg: "self-test `rm -rf ~` came back none, want deny",
		},
		"hook exits 1": {
			setup: func(t *testing.T, e cliEnv, _ string) {
				writeFakeHook(t, e.hook, "#!/bin/sh\n[ \"$1\" = version ] && echo bulwark VERSION && exit 0\necho boom >&2\nexit 1\n")
			},
			tag: "FAIL", msg: "exit status 1: the binary did not answer, and the command's fail-closed fallback blocked",
		},
		"command from an earlier bulwark": {
			setup: func(t *testing.T, e cliEnv, settings string) {
				editFile(t, settings, installer.Quote(clients.Claude.Spec.Command(e.hook, "balanced")), installer.Quote(installer.HookCommand(e.hook, "claude", "balanced")))
			},
			tag: "INFO", msg: "command without the fail-closed fallback",
		},
		"hook prints a banner": {
			setup: func(t *testing.T, e cliEnv, _ string) {
				writeFakeHook(t, e.hook, "#!/bin/sh\n[ \"$1\" = version ] && echo bulwark VERSION && exit 0\necho welcome\n")
			},
			tag: "FAIL", msg: "stdout is not JSON",
		},
		"other version": {
			setup: func(t *testing.T, e cliEnv, _ string) {
				script := strings.Replace(fakeHookScript, "bulwark VERSION", "bulwark v0.0.1-old", 1)
				os.WriteFile(e.hook, []byte(script), 0o755)
			},
			tag: "WARN", msg: "hook binary is version v0.0.1-old",
		},
		"binary missing": {
			setup: func(t *testing.T, e cliEnv, _ string) { os.Remove(e.hook) },
			tag:   "FAIL", msg: "no such file",
		},
		"binary not executable": {
			setup: func(t *testing.T, e cliEnv, _ string) { os.Chmod(e.hook, 0o644) },
			tag:   "FAIL", msg: "not an executable file",
		},
		"unknown profile": {
			setup: func(t *testing.T, e cliEnv, settings string) {
				editFile(t, settings, "--profile balanced", "--profile lax")
			},
			tag: "FAIL", msg: `profile "lax" is not one of`,
		},
		"disableAllHooks": {
			setup: func(t *testing.T, e cliEnv, settings string) {
				editFile(t, settings, "{\n", "{\n  \"disableAllHooks\": true,\n")
			},
			tag: "FAIL", msg: `"disableAllHooks": true`,
		},
		"managed hooks only": {
			setup: func(t *testing.T, e cliEnv, _ string) {
				writeManaged(t, []byte(`{"allowManagedHooksOnly": true}`), 0o644)
			},
			tag: "FAIL", msg: "allowManagedHooksOnly",
		},
		"deny rules removed": {
			setup: func(t *testing.T, e cliEnv, settings string) { editFile(t, settings, "\"Read(~/.netrc)\",\n", "") },
			tag:   "WARN", msg: "1 of 37 backstop deny rules missing: Read(~/.netrc)",
		},
		"broken settings": {
			setup: func(t *testing.T, e cliEnv, settings string) { editFile(t, settings, "\"hooks\": {", "\"hooks\" {") },
			tag:   "FAIL", msg: "not valid JSON: line 2, column 11",
		},
		"narrow matcher": {
			setup: func(t *testing.T, e cliEnv, settings string) {
				editFile(t, settings, `"matcher": "*"`, `"matcher": "Bash"`)
			},
			tag: "WARN", msg: `only runs for matcher "Bash"`,
		},
		"timeout in milliseconds": {
			setup: func(t *testing.T, e cliEnv, settings string) {
				editFile(t, settings, `"timeout": 10,`, `"timeout": 10000,`)
			},
			tag: "WARN", msg: "timeout 10000 is in seconds",
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := setupCLI(t)
			mustRun(t, ExitOK, "install", "--binary", e.hook)
			tc.setup(t, e, filepath.Join(e.home, ".claude", "settings.json"))
			code, out, _ := runCLI("doctor", "--client", "claude")
			wantDoctorLine(t, out, tc.tag, tc.msg)
			if wantCode := map[string]int{"FAIL": ExitFail, "WARN": ExitOK, "INFO": ExitOK}[tc.tag]; code != wantCode {
				t.Errorf("exit %d, want %d:\n%s", code, wantCode, out)
			}
		})
	}
}

func TestDoctorOtherClients(t *testing.T) {
	e := setupCLI(t)
	mustRun(t, ExitOK, "install", "--binary", e.hook, "--client", "gemini")
	out, _ := mustRun(t, ExitOK, "doctor", "--client", "gemini")
	wantDoctorLine(t, out, "OK", "self-test `rm -rf ~` denied")
	gemini := filepath.Join(e.home, ".gemini", "settings.json")
	editFile(t, gemini, "{\n", "{\n  \"hooksConfig\": {\"enabled\": false},\n")
	out, _ = mustRun(t, ExitFail, "doctor", "--client", "gemini")
	wantDoctorLine(t, out, "FAIL", `"hooksConfig": {"enabled": false} turns every hook off`)
	// A project file that turns hooks back on wins over the user's.
	os.MkdirAll(filepath.Join(e.proj, ".gemini"), 0o755)
	os.WriteFile(filepath.Join(e.proj, ".gemini", "settings.json"), []byte(`{"hooksConfig": {"enabled": true, "disabled": ["bulwark"]}}`), 0o600)
	out, _ = mustRun(t, ExitFail, "doctor", "--client", "gemini")
	wantDoctorLine(t, out, "FAIL", `lists "bulwark"`)
	if strings.Contains(out, "turns every hook off") {
		t.Errorf("project enabled=true did not win:\n%s", out)
	}
	// Install turns the switch back on and takes bulwark out of disabled;
	// uninstall puts both back.
	mustRun(t, ExitOK, "install", "--binary", e.hook, "--client", "gemini")
	mustRun(t, ExitOK, "install", "--binary", e.hook, "--client", "gemini", "--scope", "project")
	out, _ = mustRun(t, ExitOK, "doctor", "--client", "gemini")
	wantDoctorLine(t, out, "OK", "self-test `rm -rf ~` denied")
	mustRun(t, ExitOK, "uninstall", "--client", "gemini", "--scope", "project")
	b, _ := os.ReadFile(filepath.Join(e.proj, ".gemini", "settings.json"))
	got, _ := installer.ParseDocument(b)
	want, _ := installer.ParseDocument([]byte(`{"hooksConfig": {"enabled": true, "disabled": ["bulwark"]}}`))
	if !installer.Equal(got, want) {
		t.Errorf("project settings not restored: %s", b)
	}

	mustRun(t, ExitOK, "install", "--binary", e.hook, "--client", "codex")
	// Untrusted: Codex runs nothing, silently; doctor says so.
	out, _ = mustRun(t, ExitFail, "doctor", "--client", "codex")
	wantDoctorLine(t, out, "FAIL", "the PreToolUse hook is not trusted")
	wantDoctorLine(t, out, "OK", "self-test `rm -rf ~` denied")
	// [hooks.state] is Codex's trust record, not inline hooks.
	trustCodexHooks(t, e.home, "model = \"o3\"\n")
	out, _ = mustRun(t, ExitOK, "doctor", "--client", "codex")
	wantDoctorLine(t, out, "OK", "the PreToolUse hook is trusted")
	if strings.Contains(out, "inline hooks") {
		t.Errorf("false inline-hooks warning from [hooks.state]:\n%s", out)
	}
	// Another profile changes the hash: install warns, doctor fails.
	out, _ = mustRun(t, ExitOK, "install", "--binary", e.hook, "--client", "codex", "--profile", "strict")
	if !strings.Contains(out, "Codex no longer trusts bulwark's PreToolUse, PostToolUse hooks") {
		t.Errorf("install did not warn about dropped trust:\n%s", out)
	}
	out, _ = mustRun(t, ExitFail, "doctor", "--client", "codex")
	wantDoctorLine(t, out, "FAIL", "the PreToolUse hook changed since you trusted it")
	trustCodexHooks(t, e.home, "[[hooks.PreToolUse]]\nmatcher = \"*\"\n")
	out, _ = mustRun(t, ExitOK, "doctor", "--client", "codex")
	wantDoctorLine(t, out, "WARN", "inline hooks ([hooks] PreToolUse)")
	os.WriteFile(filepath.Join(e.home, ".codex", "config.toml"), []byte("model = \n"), 0o600)
	out, _ = mustRun(t, ExitOK, "doctor", "--client", "codex")
	wantDoctorLine(t, out, "WARN", "not valid TOML: line 1")

	// An install by an earlier bulwark, with the plain command, trusted:
	// doctor warns that it fails open; the upgrade says plainly that the
	// trust is gone, doctor says why, and trusting again is all it takes.
	hooks := filepath.Join(e.home, ".codex", "hooks.json")
	full, plain := clients.Codex.Spec.Command(e.hook, "balanced"), installer.HookCommand(e.hook, "codex", "balanced")
	mustRun(t, ExitOK, "install", "--binary", e.hook, "--client", "codex")
	for range clients.Codex.Spec.Events {
		editFile(t, hooks, installer.Quote(full), installer.Quote(plain))
	}
	trustCodexHooks(t, e.home, "")
	out, _ = mustRun(t, ExitOK, "doctor", "--client", "codex")
	wantDoctorLine(t, out, "WARN", "PreToolUse hook command without the fail-closed fallback")
	wantDoctorLine(t, out, "OK", "the PreToolUse hook is trusted")
	out, _ = mustRun(t, ExitOK, "install", "--binary", e.hook, "--client", "codex")
	if !strings.Contains(out, "ends in a fallback that blocks the call") || !strings.Contains(out, "will NOT run them until you trust them again") {
		t.Errorf("the upgrade did not say that trust is gone:\n%s", out)
	}
	out, _ = mustRun(t, ExitFail, "doctor", "--client", "codex")
	wantDoctorLine(t, out, "FAIL", "trusted for the command an earlier bulwark wrote, without the fail-closed fallback")
	trustCodexHooks(t, e.home, "")
	out, _ = mustRun(t, ExitOK, "doctor", "--client", "codex")
	if len(doctorLines(out, "FAIL"))+len(doctorLines(out, "WARN")) > 0 {
		t.Errorf("doctor after trusting the new command:\n%s", out)
	}

	mustRun(t, ExitOK, "install", "--binary", e.hook, "--client", "cursor", "--scope", "project")
	editFile(t, filepath.Join(e.proj, ".cursor", "hooks.json"), `"failClosed": true`, `"failClosed": false`)
	out, _ = mustRun(t, ExitOK, "doctor", "--client", "cursor")
	wantDoctorLine(t, out, "WARN", "failClosed")
	wantDoctorLine(t, out, "OK", "self-test `git status` allowed")
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeManaged writes Claude Code's managed settings under the test's
// system root.
func writeManaged(t *testing.T, data []byte, mode os.FileMode) {
	t.Helper()
	p := filepath.Join(systemRoot, "etc", "claude-code", "managed-settings.json")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
}

// trustCodexHooks writes Codex's trust for every hook in the user's
// hooks.json, as Codex's /hooks screen does, keeping config.toml's other
// lines (extra is appended first).
func trustCodexHooks(t *testing.T, home, extra string) {
	t.Helper()
	path := filepath.Join(home, ".codex", "hooks.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	root, err := installer.ParseDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(extra)
	for _, h := range clients.CodexHooks(path, root) {
		fmt.Fprintf(&b, "[hooks.state.%q]\ntrusted_hash = %q\n", h.Key, h.Hash)
	}
	if err := os.WriteFile(filepath.Join(home, ".codex", "config.toml"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}
