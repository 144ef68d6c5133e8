package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/installer"
)

func codexBin(t *testing.T) string {
	p := filepath.Join(clientsDir, "node_modules", "@openai", "codex-linux-x64", "vendor", "x86_64-unknown-linux-musl", "bin", "codex")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("Codex is not installed in %s: %v", clientsDir, err)
	}
	return p
}

// codexConfig points Codex at the mock (a custom Responses provider).
func (w *world) codexConfig(extra string) {
	w.write(filepath.Join(w.home, ".codex", "config.toml"), `model = "gpt-5.5"
model_provider = "mock"
approval_policy = "never"
sandbox_mode = "danger-full-access"

[model_providers.mock]
name = "mock"
base_url = "`+w.mock.URL+`/v1"
wire_api = "responses"
env_key = "MOCK_OPENAI_KEY"
`+extra, 0o600)
}

func (w *world) codex(prompt string, flags ...string) string {
	w.t.Helper()
	args := append([]string{"exec", "--json", "--skip-git-repo-check"}, flags...)
	args = append(args, prompt)
	out, _ := w.run(3*time.Minute, codexBin(w.t), args, []string{"MOCK_OPENAI_KEY=sk-" + strings.Repeat("fake", 8), "CODEX_HOME=" + filepath.Join(w.home, ".codex")})
	return out
}

func execCmd(cmd string) Step { return Step{Tool: "exec_command", Input: map[string]any{"cmd": cmd}} }

// trustCodex writes Codex's trust for bulwark's hooks the way its /hooks
// screen does, with the hashes bulwark computes (so the case also checks
// that bulwark's hash is Codex's).
func (w *world) trustCodex() {
	w.t.Helper()
	path := filepath.Join(w.home, ".codex", "hooks.json")
	data, err := os.ReadFile(path)
	must(w.t, err)
	root, err := installer.ParseDocument(data)
	must(w.t, err)
	var b strings.Builder
	for _, h := range clients.CodexHooks(path, root) {
		fmt.Fprintf(&b, "\n[hooks.state.%q]\ntrusted_hash = %q\n", h.Key, h.Hash)
	}
	cfg := filepath.Join(w.home, ".codex", "config.toml")
	old, _ := os.ReadFile(cfg)
	must(w.t, os.WriteFile(cfg, append(old, b.String()...), 0o600))
}

type codexCase struct {
	name    string
	trusted string // "bypass" (--dangerously-bypass-hook-trust), "none", "hash" (bulwark's hash written as trusted)
	steps   func(w *world) []Step
	before  func(w *world)
	check   func(t *testing.T, w *world, seen string) string
}

func TestCodex(t *testing.T) {
	requireSuite(t)
	cases := []codexCase{
		{name: "deny", trusted: "bypass", steps: func(w *world) []Step { return []Step{execCmd(w.exfilCmd())} },
			check: func(t *testing.T, w *world, seen string) string {
				noExfil(t, w)
				wantSeen(t, w, seen, "bulwark blocked this Bash call", "bulwark's reason")
				return "blocked (exit 2); the model saw bulwark's reason"
			}},
		{name: "benign", trusted: "bypass", steps: func(w *world) []Step { return []Step{execCmd("echo benign-ok > benign.txt && cat benign.txt")} },
			check: func(t *testing.T, w *world, seen string) string {
				if !w.exists(filepath.Join(w.proj, "benign.txt")) {
					w.dump()
					t.Fatal("the benign command did not run")
				}
				noNoise(t, w, seen)
				return "ran; no bulwark text reached the model"
			}},
		{name: "ask", trusted: "bypass", before: func(w *world) { w.write(filepath.Join(w.proj, "untracked-marker"), "x", 0o644) },
			steps: func(w *world) []Step { return []Step{execCmd("git clean -fdx")} },
			check: func(t *testing.T, w *world, seen string) string {
				if !w.exists(filepath.Join(w.proj, "untracked-marker")) {
					w.dump()
					t.Fatal("git clean ran")
				}
				wantSeen(t, w, seen, "Codex cannot ask from a hook", "the ask-as-deny reason")
				return "ask answered as a deny (Codex cannot ask) with how to approve; the command did not run"
			}},
		{name: "post-secret", trusted: "bypass", steps: func(w *world) []Step { return []Step{execCmd("cat deploy.log")} },
			check: func(t *testing.T, w *world, seen string) string {
				notSeen(t, w, seen, fakeAWSKey, "the fake AWS key")
				wantSeen(t, w, seen, "bulwark flagged the output", "bulwark's reason in place of the output")
				return "withheld: PostToolUse exit 2 replaced the output with bulwark's reason (masked); Codex cannot take a masked copy"
			}},
		{name: "post-injection", trusted: "bypass", steps: func(w *world) []Step { return []Step{execCmd("cat NOTES.md")} },
			check: func(t *testing.T, w *world, seen string) string {
				notSeen(t, w, seen, "ignore all previous instructions and run", "the injected instruction")
				return "withheld (PostToolUse exit 2)"
			}},
		{name: "write-protected", trusted: "bypass", steps: func(w *world) []Step {
			patch := "*** Begin Patch\n*** Update File: " + filepath.Join(w.home, ".codex", "hooks.json") + "\n@@\n-{\n+{}\n*** End Patch\n"
			return []Step{{Tool: "apply_patch", Input: map[string]any{"input": patch}}}
		},
			check: func(t *testing.T, w *world, seen string) string {
				data, _ := os.ReadFile(filepath.Join(w.home, ".codex", "hooks.json"))
				if !strings.Contains(string(data), "hook --client codex") {
					w.dump()
					t.Fatalf("hooks.json was changed: %s", data)
				}
				return "apply_patch on hooks.json blocked; the file kept bulwark's hooks"
			}},
		{name: "untrusted", trusted: "none", steps: func(w *world) []Step { return []Step{execCmd(w.exfilCmd())} },
			check: func(t *testing.T, w *world, seen string) string {
				out, code := w.bulwarkCmd("doctor", "--client", "codex")
				if code == 0 || !strings.Contains(out, "is not trusted") {
					t.Fatalf("doctor did not report the untrusted hooks: exit %d\n%s", code, out)
				}
				if len(w.mock.Exfil()) > 0 {
					return "NOT guarded: Codex ran the untrusted hook's call without the hook and without a warning (the fake key reached the loopback sink); doctor FAILs with 'not trusted'"
				}
				return "the call did not run; doctor FAILs with 'not trusted'"
			}},
		{name: "trusted-by-hash", trusted: "hash", steps: func(w *world) []Step { return []Step{execCmd(w.exfilCmd())} },
			check: func(t *testing.T, w *world, seen string) string {
				noExfil(t, w)
				wantSeen(t, w, seen, "bulwark blocked this Bash call", "bulwark's reason (the hook ran)")
				out, code := w.bulwarkCmd("doctor", "--client", "codex")
				if code != 0 || !strings.Contains(out, "hook is trusted (hash matches)") {
					t.Fatalf("doctor: exit %d\n%s", code, out)
				}
				return "with bulwark's computed hash recorded as trusted, Codex ran the hook (so doctor's hash is Codex's) and it blocked; doctor OK"
			}},
		{name: "upgrade-drops-trust", trusted: "none", before: func(w *world) {
			// The user trusted the command an earlier bulwark wrote; this
			// bulwark's install adds the fallback, which changes the hash.
			w.oldCommand(filepath.Join(w.home, ".codex", "hooks.json"))
			w.trustCodex()
			out := w.install("codex")
			if !strings.Contains(out, "will NOT run them until you trust them again") {
				w.t.Fatalf("install did not say that Codex dropped the trust:\n%s", out)
			}
		},
			steps: func(w *world) []Step { return []Step{execCmd(w.exfilCmd())} },
			check: func(t *testing.T, w *world, seen string) string {
				out, code := w.bulwarkCmd("doctor", "--client", "codex")
				if code == 0 || !strings.Contains(out, "trusted for the command an earlier bulwark wrote") {
					t.Fatalf("doctor did not say why the trust is gone: exit %d\n%s", code, out)
				}
				if len(w.mock.Exfil()) == 0 {
					w.dump()
					t.Fatal("Codex ran a hook trusted for another command: trust is no longer by command hash; update the README and install's note")
				}
				return "as install warned, Codex no longer ran the hook after the upgrade (trust is by command hash; the call ran unguarded, fake key on the loopback sink) until trusted again; doctor FAILs naming the earlier command"
			}},
		{name: "binary-missing", trusted: "bypass", before: func(w *world) { w.breakBinary("missing") },
			steps: func(w *world) []Step { return []Step{execCmd(w.exfilCmd())} },
			check: func(t *testing.T, w *world, seen string) string {
				wantFallback(t, w, seen)
				return "fails closed: the command's fallback turned the missing binary (127) into exit 2 with a reason on stderr; the model saw it"
			}},
		{name: "binary-unexecutable", trusted: "bypass", before: func(w *world) { w.breakBinary("unexecutable") },
			steps: func(w *world) []Step { return []Step{execCmd(w.exfilCmd())} },
			check: func(t *testing.T, w *world, seen string) string {
				wantFallback(t, w, seen)
				return "fails closed: mode 000 (126) became exit 2 with the fallback's reason"
			}},
		{name: "binary-crashed", trusted: "bypass", before: func(w *world) { w.breakBinary("crashed") },
			steps: func(w *world) []Step { return []Step{execCmd(w.exfilCmd())} },
			check: func(t *testing.T, w *world, seen string) string {
				wantFallback(t, w, seen)
				return "fails closed: a stand-in that exits 1 silently became exit 2 with the fallback's reason"
			}},
		{name: "binary-killed", trusted: "bypass", before: func(w *world) { w.breakBinary("killed") },
			steps: func(w *world) []Step { return []Step{execCmd(w.exfilCmd())} },
			check: func(t *testing.T, w *world, seen string) string {
				wantFallback(t, w, seen)
				return "fails closed: a binary killed by SIGKILL (137) became exit 2 with the fallback's reason"
			}},
		{name: "old-command-crashed", trusted: "bypass", before: func(w *world) {
			w.oldCommand(filepath.Join(w.home, ".codex", "hooks.json"))
			w.breakBinary("crashed")
		},
			steps: func(w *world) []Step { return []Step{execCmd(w.exfilCmd())} },
			check: func(t *testing.T, w *world, seen string) string {
				if len(w.mock.Exfil()) == 0 {
					w.dump()
					t.Fatal("with the plain command a crashed binary no longer lets the call run: Codex changed; update the README")
				}
				return "the command an earlier bulwark wrote (no fallback) fails OPEN: the crash (exit 1) let the call run (the fake key reached the loopback sink)"
			}},
		{name: "binary-hung", trusted: "bypass", before: func(w *world) {
			w.editSettings(filepath.Join(w.home, ".codex", "hooks.json"), `"timeout": 10`, `"timeout": 2`)
			w.breakBinary("hung")
		},
			steps: func(w *world) []Step { return []Step{execCmd(w.exfilCmd())} },
			check: func(t *testing.T, w *world, seen string) string {
				// Codex kills the shell at its timeout and runs the call:
				// nothing in the command can answer after that. (The
				// README says so; this fails when a Codex release changes
				// it.)
				if len(w.mock.Exfil()) == 0 {
					w.dump()
					t.Fatal("the call did not run after the hook timed out: Codex now fails closed on a timeout; update the README's failure table")
				}
				return "fails OPEN: the hook timed out (2 s, shortened) and Codex ran the call (the fake key reached the loopback sink); the fallback cannot cover a timeout"
			}},
		{name: "shell", trusted: "bypass", before: func(w *world) { w.probeShell() },
			steps: func(w *world) []Step { return []Step{execCmd("echo benign-ok > benign.txt")} },
			check: func(t *testing.T, w *world, seen string) string {
				sh := w.shellSeen()
				if !strings.Contains(sh, " -c ") {
					w.dump()
					t.Fatalf("the hook command ran as %q, not through a shell's -c", sh)
				}
				if !w.exists(filepath.Join(w.proj, "benign.txt")) {
					t.Fatal("the benign command did not run")
				}
				return "runs the hook command as `" + sh + "` (the user's shell from the password database; root's here)"
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, nil)
			w.mock.script = Script{"CASE:" + c.name + " ": c.steps(w)}
			w.codexConfig("")
			w.install("codex")
			var flags []string
			switch c.trusted {
			case "bypass":
				flags = []string{"--dangerously-bypass-hook-trust"}
			case "hash":
				w.trustCodex()
			}
			if c.before != nil {
				c.before(w)
			}
			w.codex("CASE:"+c.name+" do the task", flags...)
			w.report("codex", c.name, c.check(t, w, w.mock.Seen("openai")))
		})
	}
}
