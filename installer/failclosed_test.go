package installer

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestFailClosedCommand runs the command install writes, fallback and all,
// through every POSIX shell the clients pick that is installed here (Claude
// Code: sh -c; Gemini CLI: bash -c; Codex: the user's bash, zsh or sh with
// -c), with stand-ins for the binary written by the test: an answer and a
// block pass through unchanged; a missing, unexecutable, crashed or killed
// binary becomes exit 2 with the fallback's reason on stderr, and the
// event is read to its end even so.
func TestFailClosedCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fallback is POSIX sh")
	}
	var shells []string
	for _, name := range []string{"sh", "dash", "bash", "zsh"} {
		if p, err := exec.LookPath(name); err == nil {
			shells = append(shells, p)
		}
	}
	if len(shells) == 0 {
		t.Skip("no POSIX shell on PATH")
	}
	dir := filepath.Join(t.TempDir(), `a dir "with" $pecial chars`)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	standIn := func(name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notice := func(code string) string { return FallbackNotice + code + ")" }
	cases := []struct {
		name       string
		bin        string
		stdin      []byte
		wantStdout string
		wantStderr string // exactly, or with a leading "~": contains
	}{
		{name: "answer", bin: standIn("answer", `cat >/dev/null; printf '{"decision":"x"}'`, 0o755), wantStdout: `{"decision":"x"}`},
		{name: "no decision", bin: standIn("quiet", `cat >/dev/null`, 0o755)},
		{name: "block", bin: standIn("block", `cat >/dev/null; echo "bulwark blocked this" >&2; exit 2`, 0o755), wantStderr: "bulwark blocked this\n"},
		{name: "missing", bin: filepath.Join(dir, "missing"), wantStderr: "~" + notice("127")},
		{name: "unexecutable", bin: standIn("noexec", `exit 0`, 0o000), wantStderr: "~" + notice("126")},
		{name: "crashed silently", bin: standIn("crash", `exit 1`, 0o755), wantStderr: "~" + notice("1")},
		{name: "crashed with output", bin: standIn("garbage", `echo '{"partial'; echo oops >&2; exit 3`, 0o755), wantStdout: "{\"partial\n", wantStderr: "~" + notice("3")},
		{name: "killed", bin: standIn("killed", `kill -9 $$`, 0o755), wantStderr: "~" + notice("137")},
		// A large event the stand-in never reads: the fallback reads it,
		// so the client's write does not fail on a closed pipe.
		{name: "crashed before reading", bin: standIn("early", `exit 1`, 0o755), stdin: bytes.Repeat([]byte("x"), 1<<20), wantStderr: "~" + notice("1")},
	}
	for _, sh := range shells {
		for _, c := range cases {
			t.Run(filepath.Base(sh)+"/"+c.name, func(t *testing.T) {
				cmd := FailClosedCommand(HookCommand(c.bin, "codex", "balanced"))
				if pc, ok := ParseCommand(cmd); !ok || pc.Binary != c.bin || !pc.FailClosed || pc.Profile != "balanced" || strings.Join(pc.Args, " ") != "hook --client codex --profile balanced" {
					t.Fatalf("ParseCommand(%q) = %+v, %v", cmd, pc, ok)
				}
				stdin := c.stdin
				if stdin == nil {
					stdin = []byte(`{"hook_event_name":"PreToolUse"}`)
				}
				run := exec.Command(sh, "-c", cmd)
				in, err := run.StdinPipe()
				if err != nil {
					t.Fatal(err)
				}
				var stdout, stderr bytes.Buffer
				run.Stdout, run.Stderr = &stdout, &stderr
				if err := run.Start(); err != nil {
					t.Fatal(err)
				}
				_, werr := in.Write(stdin)
				in.Close()
				err = run.Wait()
				code := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				if werr != nil {
					t.Errorf("writing the event: %v (a client counts that as a failed hook and runs the call)", werr)
				}
				wantCode := 0
				if c.wantStderr != "" {
					wantCode = 2
				}
				if code != wantCode {
					t.Errorf("exit %d, want %d; stderr %q", code, wantCode, stderr.String())
				}
				if stdout.String() != c.wantStdout {
					t.Errorf("stdout %q, want %q", stdout.String(), c.wantStdout)
				}
				if want, ok := strings.CutPrefix(c.wantStderr, "~"); ok {
					if !strings.Contains(stderr.String(), want) {
						t.Errorf("stderr %q, want it to contain %q", stderr.String(), want)
					}
				} else if stderr.String() != c.wantStderr {
					t.Errorf("stderr %q, want exactly %q", stderr.String(), c.wantStderr)
				}
			})
		}
	}
}

func TestCommandForms(t *testing.T) {
	plain := HookCommand("/opt/b/bulwark", "gemini", "strict")
	forms := CommandForms("/opt/b/bulwark", "gemini", "strict")
	if len(forms) != 2 || forms[0] != plain || forms[1] != FailClosedCommand(plain) {
		t.Fatalf("CommandForms = %q", forms)
	}
	for _, f := range forms {
		if PlainCommand(f) != plain || !IsBulwarkCommand(f) {
			t.Errorf("PlainCommand(%q) = %q", f, PlainCommand(f))
		}
	}
	s := &Spec{Client: "gemini", FailClosed: true}
	if s.Command("/opt/b/bulwark", "strict") != forms[1] {
		t.Errorf("Spec.Command with FailClosed = %q", s.Command("/opt/b/bulwark", "strict"))
	}
	s.FailClosed = false
	if s.Command("/opt/b/bulwark", "strict") != plain {
		t.Errorf("Spec.Command without FailClosed = %q", s.Command("/opt/b/bulwark", "strict"))
	}
	// Only bulwark's exact fallback counts: a user's own suffix stays part
	// of the command.
	if pc, _ := ParseCommand(plain + " || exit 2"); pc.FailClosed {
		t.Error("a user's own `|| exit 2` taken for the fallback")
	}
}
