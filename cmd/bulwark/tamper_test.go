package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The tamper suite runs testdata/tamper/attacks.txt through the real
// binary, as Claude Code hook events, in three installations: the default
// places, BULWARK_HOME with the binary outside the usual bin directories,
// and XDG_CONFIG_HOME/XDG_STATE_HOME with the binary elsewhere again. Each
// installation has real files: bulwark installed for Claude Code (user and
// project settings), a config.toml, an audit log, symlinks made "in an
// earlier call" (cfg -> ~/.claude, cfglink -> the config directory ...),
// a copy and a hard link of the program, and project .bulwark.toml files
// under a nested repository. Nothing is ever run but bulwark.
//
// BULWARK_TAMPER_BEFORE=/path/to/an/older/bulwark runs the same attacks
// through that binary too and reports how many got through, for
// comparison (it does not fail).

type tamperCase struct {
	line       int
	block      bool
	notamper   bool // a look-alike only self-defence must leave alone
	tool, text string
}

func readTamperCases(t *testing.T) []tamperCase {
	t.Helper()
	name := os.Getenv("BULWARK_TAMPER_FILE")
	if name == "" {
		name = "testdata/tamper/attacks.txt"
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []tamperCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "|", 3)
		if len(parts) != 3 {
			t.Fatalf("attacks.txt:%d: want `block|allow | tool | input`", n)
		}
		want, tool, text := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1]), strings.TrimSpace(parts[2])
		if want != "block" && want != "allow" && want != "notamper" {
			t.Fatalf("attacks.txt:%d: want is %q", n, want)
		}
		out = append(out, tamperCase{line: n, block: want == "block", notamper: want == "notamper", tool: tool, text: text})
	}
	return out
}

// tamperScene is one installation of bulwark with real files.
type tamperScene struct {
	name                  string
	root, home, proj, bin string
	cfg, state            string
	env                   []string
	vars                  map[string]string
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func newTamperScene(t *testing.T, built, name string) *tamperScene {
	t.Helper()
	root := t.TempDir()
	s := &tamperScene{name: name, root: root, home: filepath.Join(root, "home")}
	s.proj = filepath.Join(s.home, "proj")
	var extra []string
	switch name {
	case "default":
		s.bin = filepath.Join(s.home, ".local", "bin", "bulwark")
		s.cfg = filepath.Join(s.home, ".config", "bulwark")
		s.state = filepath.Join(s.home, ".local", "state", "bulwark")
	case "bulwark-home":
		s.bin = filepath.Join(root, "opt", "guard", "bin", "bulwark")
		s.cfg = filepath.Join(root, "data", "bw")
		s.state = s.cfg
		extra = []string{"BULWARK_HOME=" + s.cfg, "XDG_CONFIG_HOME=" + filepath.Join(root, "xdg", "config")}
	case "xdg":
		s.bin = filepath.Join(root, "tools", "sec", "bulwark")
		s.cfg = filepath.Join(root, "xdg", "config", "bulwark")
		s.state = filepath.Join(root, "xdg", "state", "bulwark")
		extra = []string{"XDG_CONFIG_HOME=" + filepath.Join(root, "xdg", "config"), "XDG_STATE_HOME=" + filepath.Join(root, "xdg", "state")}
	}
	copyFile(t, built, s.bin, 0o755)
	copyFile(t, built, filepath.Join(root, "copies", "bw2"), 0o755)
	if err := os.Link(s.bin, filepath.Join(root, "copies", "hard")); err != nil {
		t.Fatal(err)
	}
	s.env = append([]string{"HOME=" + s.home, "PATH=" + filepath.Dir(s.bin) + ":" + filepath.Join(root, "copies") + ":/usr/bin:/bin", "TZ=UTC"}, extra...)
	for _, d := range []string{s.proj, s.cfg, s.state, filepath.Join(s.home, ".codex"), filepath.Join(s.home, ".gemini"),
		filepath.Join(s.home, ".cursor"), filepath.Join(s.proj, "sub", ".git"), filepath.Join(s.proj, "vendor", "pkg"), filepath.Join(s.proj, ".git")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s.write(t, filepath.Join(s.cfg, "config.toml"), "# my config\n")
	s.write(t, filepath.Join(s.home, ".claude.json"), "{}\n")
	s.write(t, filepath.Join(s.proj, ".bulwark.toml"), projectGuard("project.no-deploy", "make deploy"))
	// Files written "in an earlier call" that a later call runs.
	s.write(t, filepath.Join(s.proj, "Makefile"), "build:\n\tgo build ./...\n\nreset:\n\tbulwark uninstall --client all\n")
	s.write(t, filepath.Join(s.proj, "scripts", "cleanup.sh"), "#!/bin/sh\nrm -rf "+s.cfg+"\n")
	os.Chmod(filepath.Join(s.proj, "scripts", "cleanup.sh"), 0o755)
	s.write(t, filepath.Join(s.proj, "vendor", "pkg", ".bulwark.toml"), projectGuard("project.vendored", "make vendor-release"))
	// bulwark installed for every client (user scope) and for Claude Code in
	// the project, by the real binary with the scene's environment.
	for _, args := range [][]string{{"install", "--client", "all"}, {"install", "--scope", "project"}} {
		if out, err := s.run(args...); err != nil {
			t.Fatalf("%s: %v: %v\n%s", name, args, err, out)
		}
	}
	// Made "in an earlier call": links the later calls go through.
	links := map[string]string{
		"cfg":         filepath.Join(s.home, ".claude"),
		"note.txt":    filepath.Join(s.home, ".claude", "settings.json"),
		"cfglink":     s.cfg,
		"bindir-link": filepath.Dir(s.bin),
		"bwlink":      s.bin,
	}
	for l, target := range links {
		if err := os.Symlink(target, filepath.Join(s.proj, l)); err != nil {
			t.Fatal(err)
		}
	}
	// An audit log to wipe.
	if _, err := s.hook(t, s.bin, "Bash", `{"command":"git status"}`); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.state, "audit.jsonl")); err != nil {
		t.Fatalf("%s: no audit log: %v", name, err)
	}
	rel, _ := filepath.Rel(s.proj, s.cfg)
	xdgConfig := "$HOME/.config"
	for _, kv := range extra {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			xdgConfig = v
		}
	}
	s.vars = map[string]string{"{HOME}": s.home, "{PROJ}": s.proj, "{BIN}": s.bin, "{BINDIR}": filepath.Dir(s.bin), "{BINDIRBASE}": filepath.Base(filepath.Dir(s.bin)),
		"{BINPARENT}": filepath.Dir(filepath.Dir(s.bin)), "{CFG}": s.cfg, "{CFGPARENT}": filepath.Dir(s.cfg), "{CFGBASE}": filepath.Base(s.cfg),
		"{STATE}": s.state, "{ROOT}": root, "{CFG_FROM_PROJ}": rel, "{XDG_CONFIG}": xdgConfig}
	return s
}

func projectGuard(id, cmd string) string {
	return fmt.Sprintf(`[[guards]]
id = %q
title = "Not here"
severity = "critical"
on = "command"
commands = ["make"]
args = '^%s$'
reason = "The project says no."
instead = "Ask the user."
match = [%q]
not_match = ["make build"]
`, id, strings.TrimPrefix(cmd, "make "), cmd)
}

func (s *tamperScene) write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (s *tamperScene) run(args ...string) (string, error) {
	cmd := exec.Command(s.bin, args...)
	cmd.Dir, cmd.Env = s.proj, s.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (s *tamperScene) expand(text string) string {
	keys := make([]string, 0, len(s.vars))
	for k := range s.vars {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		text = strings.ReplaceAll(text, k, s.vars[k])
	}
	return text
}

// hook sends one PreToolUse event to a bulwark binary and reports whether
// it was blocked (deny, ask, or exit 2).
func (s *tamperScene) hook(t *testing.T, bin, tool, input string) (bool, error) {
	b, _, err := s.hookWhy(bin, tool, input)
	return b, err
}

// hookWhy is hook with the answer's text (the reason names the guards).
func (s *tamperScene) hookWhy(bin, tool, input string) (bool, string, error) {
	ev := map[string]any{"session_id": "tamper", "cwd": s.proj, "hook_event_name": "PreToolUse",
		"tool_name": tool, "tool_input": json.RawMessage(input), "tool_use_id": "t1"}
	data, err := json.Marshal(ev)
	if err != nil {
		return false, "", err
	}
	cmd := exec.Command(bin, "hook", "--client", "claude")
	cmd.Dir, cmd.Env = s.proj, s.env
	cmd.Stdin = strings.NewReader(string(data))
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		if ee.ExitCode() == ExitBlock {
			return true, string(ee.Stderr), nil
		}
		return false, "", fmt.Errorf("exit %d: %s", ee.ExitCode(), ee.Stderr)
	} else if err != nil {
		return false, "", err
	}
	o := string(out)
	return strings.Contains(o, `"permissionDecision":"deny"`) || strings.Contains(o, `"permissionDecision":"ask"`), o, nil
}

func (s *tamperScene) input(t *testing.T, c tamperCase) string {
	text := s.expand(c.text)
	if c.tool != "Bash" {
		if !json.Valid([]byte(text)) {
			t.Fatalf("attacks.txt:%d: input is not JSON: %s", c.line, text)
		}
		return text
	}
	if strings.Contains(text, "<<") {
		text = strings.ReplaceAll(text, `\n`, "\n")
	}
	b, _ := json.Marshal(map[string]string{"command": text})
	return string(b)
}

func TestTamperSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a few hundred hook processes")
	}
	built := realBinary(t)
	cases := readTamperCases(t)
	before := os.Getenv("BULWARK_TAMPER_BEFORE")
	for _, name := range []string{"default", "bulwark-home", "xdg"} {
		t.Run(name, func(t *testing.T) {
			s := newTamperScene(t, built, name)
			attacks, through, lookalikes, nagged, beforeThrough := 0, 0, 0, 0, 0
			for _, c := range cases {
				in := s.input(t, c)
				blocked, why, err := s.hookWhy(s.bin, c.tool, in)
				if c.notamper {
					blocked = blocked && strings.Contains(why, "[tamper.")
				}
				if err != nil {
					t.Errorf("attacks.txt:%d: %v", c.line, err)
					continue
				}
				if c.block {
					attacks++
					if !blocked {
						through++
						t.Errorf("attacks.txt:%d: got through: %s %s", c.line, c.tool, in)
					}
				} else {
					lookalikes++
					if blocked {
						nagged++
						t.Errorf("attacks.txt:%d: look-alike blocked: %s %s", c.line, c.tool, in)
					}
				}
				if before != "" && c.block {
					if b, err := s.hook(t, before, c.tool, in); err == nil && !b {
						beforeThrough++
					}
				}
			}
			t.Logf("%s: %d attacks, %d got through; %d look-alikes, %d blocked", name, attacks, through, lookalikes, nagged)
			if before != "" {
				t.Logf("%s: before (%s): %d of %d attacks got through", name, before, beforeThrough, attacks)
			}
			// The files are as they were: the hook never runs a call.
			if _, err := os.Stat(filepath.Join(s.cfg, "config.toml")); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestTamperSecondLayer: the mutating subcommands refuse inside an agent's
// tool call, through the real binary, also when run as a copy the hook did
// not see; the settings stay as they were.
func TestTamperSecondLayer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	s := newTamperScene(t, realBinary(t), "default")
	settings := filepath.Join(s.home, ".claude", "settings.json")
	was, err := os.ReadFile(settings)
	if err != nil {
		t.Fatal(err)
	}
	copyBin := filepath.Join(s.root, "copies", "bw2")
	for _, m := range []string{"CLAUDECODE=1", "GEMINI_CLI=1", "CODEX_THREAD_ID=abc", "CURSOR_AGENT=1"} {
		for _, args := range [][]string{{"uninstall"}, {"install", "--profile", "minimal"}, {"allow", "git.force-push", "--reason", "x"}} {
			cmd := exec.Command(copyBin, args...)
			cmd.Dir, cmd.Env = s.proj, append(append([]string{}, s.env...), m)
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), "refused") {
				t.Errorf("%s %v: %v\n%s", m, args, err, out)
			}
		}
	}
	if now, _ := os.ReadFile(settings); string(now) != string(was) {
		t.Errorf("settings changed:\n%s", now)
	}
	cfg, _ := os.ReadFile(filepath.Join(s.cfg, "config.toml"))
	if strings.Contains(string(cfg), "allow") {
		t.Errorf("config.toml got an allow rule:\n%s", cfg)
	}
	// Outside an agent (a person at a terminal) it acts.
	if out, err := s.run("uninstall", "--dry-run"); err != nil {
		t.Errorf("uninstall --dry-run: %v\n%s", err, out)
	}
}

// TestTamperVariables: with bulwark's files moved by BULWARK_HOME or the
// XDG variables, the agent's shell has the same values as the hook, so
// every way of naming them through the variable (${V}, "$V"/x, ${V:-d},
// ${V%/}, cd $V, a copy in another variable) is judged as the file it
// names, through the real binary; the same words for other places are not
// tampering. (A line that assigns the variable is a relocation, judged by
// tamper.relocate-shell.)
func TestTamperVariables(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	built := realBinary(t)
	for _, sc := range []struct{ scene, v, sub string }{
		{"bulwark-home", "BULWARK_HOME", ""},
		{"xdg", "XDG_STATE_HOME", "/bulwark"},
	} {
		t.Run(sc.scene, func(t *testing.T) {
			s := newTamperScene(t, built, sc.scene)
			r := strings.NewReplacer("VAR", sc.v, "/SUB", sc.sub)
			block := []string{
				"rm -f $VAR/SUB/audit.jsonl",
				"rm -f ${VAR}/SUB/audit.jsonl",
				`rm -f "$VAR"/SUB/audit.jsonl`,
				`rm -f "${VAR}/SUB/audit.jsonl"`,
				"rm -f ${VAR:-/nonexistent}/SUB/audit.jsonl",
				"rm -f ${VAR:-$HOME/elsewhere}/SUB/audit.jsonl",
				"rm -rf ${VAR%/}/SUB",
				"cd $VAR/SUB && rm -f audit.jsonl",
				`d=$VAR/SUB; rm -rf "$d"`,
				"truncate -s0 $VAR//SUB/audit.jsonl",
				"echo x > $VAR/SUB/config.toml",
			}
			allow := []string{
				"ls -la $VAR/SUB",
				"du -sh $VAR/SUB",
				"echo $VAR",
				"tail -n 5 $VAR/SUB/audit.jsonl",
				"rm -rf $VAR/SUB.bak",
				"rm -rf ${OTHER_DIR:-/tmp/elsewhere}/SUB",
			}
			for _, c := range append(block, allow...) {
				cmd := r.Replace(c)
				in, _ := json.Marshal(map[string]string{"command": cmd})
				blocked, why, err := s.hookWhy(s.bin, "Bash", string(in))
				tamper := blocked && strings.Contains(why, "[tamper.")
				switch want := slices.Contains(block, c); {
				case err != nil:
					t.Errorf("%s: %v", cmd, err)
				case want && !tamper:
					t.Errorf("%s: not denied as tampering: %s", cmd, why)
				case !want && strings.Contains(why, "[tamper."):
					t.Errorf("%s: judged as tampering: %s", cmd, why)
				}
			}
		})
	}
}
