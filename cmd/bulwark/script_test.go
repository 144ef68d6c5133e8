package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The CLI is tested through the real binary: testdata/script/*.txtar are
// testscript files (commands, expected output and input files in one file,
// as mvdan/sh tests shfmt). Each runs in its own $WORK with a throwaway HOME
// ($WORK/home) and an environment that holds nothing of the caller's: no
// agent variables, no BULWARK_*, no NO_COLOR, no XDG_* (testscript starts
// every script from an empty environment plus PATH).
//
// Run one script: go test ./cmd/bulwark -run 'TestScripts/allow$'

// scriptBinary is the bulwark the scripts run, built once per test process
// the way `make build` builds it.
var scriptBinary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// scriptVersion is the version the scripts' binary reports.
const scriptVersion = "v0.0.0-script"

// realBinary builds bin/bulwark into a temporary directory (once) and
// returns its path.
func realBinary(t testing.TB) string {
	t.Helper()
	b := &scriptBinary
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "bulwark-bin-")
		if b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "bulwark")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version="+scriptVersion, "-o", b.path, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		// bulwark mcp runs the MCP side, built next to it.
		cmd = exec.Command("go", "build", "-trimpath", "-tags", "bulwark_mcp", "-ldflags", "-X main.version="+scriptVersion, "-o", filepath.Join(b.dir, MCPHelper), ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go build -tags bulwark_mcp: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if scriptBinary.dir != "" {
		os.RemoveAll(scriptBinary.dir)
	}
	os.Exit(code)
}

func TestScripts(t *testing.T) {
	bin := realBinary(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("BULWARK_UPDATE_GOLDEN") != "",
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			if err := os.MkdirAll(home, 0o755); err != nil {
				return err
			}
			env.Setenv("HOME", home)
			env.Setenv("PATH", filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
			env.Setenv("BULWARK", bin)
			env.Setenv("VERSION", scriptVersion)
			env.Setenv("TERM", "xterm")
			readme, err := filepath.Abs("../../config/testdata/config.toml")
			if err != nil {
				return err
			}
			env.Setenv("README_CONFIG", readme)
			for k, rel := range map[string]string{"ONPATH": "../../scripts/onpath.sh", "MAKEFILE": "../../Makefile"} {
				abs, err := filepath.Abs(rel)
				if err != nil {
					return err
				}
				env.Setenv(k, abs)
			}
			block, err := readmeConfigBlock("../../README.md")
			if err != nil {
				return err
			}
			env.Setenv("README_CONFIG_BLOCK", filepath.Join(env.WorkDir, ".readme-config.toml"))
			if err := os.WriteFile(filepath.Join(env.WorkDir, ".readme-config.toml"), []byte(block), 0o644); err != nil {
				return err
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "pty" { // tty works here: Linux with pseudo-terminals
				f, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
				if err == nil {
					f.Close()
				}
				return runtime.GOOS == "linux" && err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"tty":     cmdTTY,
			"status":  cmdStatus,
			"setcode": cmdSetCode,
		},
	})
}

// cmdTTY runs a program with its stdin, stdout and stderr on a new
// pseudo-terminal (its controlling terminal), as a person at a terminal runs
// it; what it writes becomes the script's stdout.
//
//	tty [-in FILE] [-env KEY=VALUE]... program [args...]
//
// -in types FILE's contents at the terminal (echo off); -env adds a variable
// (-env NO_COLOR= sets it present and empty).
func cmdTTY(ts *testscript.TestScript, neg bool, args []string) {
	var input []byte
	env := scriptEnv(ts)
	for len(args) >= 2 {
		switch args[0] {
		case "-in":
			input = []byte(ts.ReadFile(args[1]))
		case "-env":
			env = append(env, args[1])
		default:
			goto run
		}
		args = args[2:]
	}
run:
	if len(args) == 0 {
		ts.Fatalf("usage: tty [-in FILE] [-env K=V]... program [args...]")
	}
	path := findIn(ts.Getenv("PATH"), args[0])
	if path == "" {
		ts.Fatalf("tty: %s not found in $PATH", args[0])
	}
	cmd := exec.Command(path, args[1:]...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = env
	out, err := runOnPTY(cmd, input)
	if err == errNoPTY {
		ts.Fatalf("tty: no pseudo-terminals on this system (guard the line with [pty])")
	}
	ts.Stdout().Write(bytes.ReplaceAll(out, []byte("\r\n"), []byte("\n")))
	if err != nil && !neg {
		ts.Fatalf("tty %s: %v", strings.Join(args, " "), err)
	}
	if err == nil && neg {
		ts.Fatalf("tty %s: unexpected success", strings.Join(args, " "))
	}
}

// cmdStatus runs a program like exec and checks its exact exit status
// (exec and ! exec only tell zero from non-zero; bulwark's 1 and 2 differ).
//
//	status N program [args...]
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: status N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("status: %q is not an exit status", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("status: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// cmdSetCode finds the allow-once code in the last command's stdout or
// stderr (the reason says "bulwark approve CODE") and sets $VAR to it.
//
//	setcode VAR
func cmdSetCode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: setcode VAR")
	}
	re := regexp.MustCompile("bulwark approve ([A-Z0-9]{6})`")
	for _, f := range []string{"stdout", "stderr"} {
		if m := re.FindStringSubmatch(ts.ReadFile(f)); m != nil {
			if neg {
				ts.Fatalf("setcode: found a code %s, want none", m[1])
			}
			ts.Setenv(args[0], m[1])
			return
		}
	}
	if !neg {
		ts.Fatalf("setcode: no `bulwark approve CODE` in the last output")
	}
}

// scriptVars are the variables a script may set that tty passes on.
var scriptVars = []string{"PATH", "HOME", "TERM", "TMPDIR", "WORK", "BULWARK_HOME", "BULWARK_PROFILE",
	"XDG_CONFIG_HOME", "XDG_STATE_HOME", "NO_COLOR", "CLAUDECODE", "CODEX_SANDBOX", "GEMINI_CLI", "CURSOR_AGENT"}

// scriptEnv is the script's environment (the variables in scriptVars that
// are set and not empty) as KEY=VALUE pairs.
func scriptEnv(ts *testscript.TestScript) []string {
	var env []string
	for _, k := range scriptVars {
		if v := ts.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func findIn(pathList, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	for _, d := range filepath.SplitList(pathList) {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// readmeConfigBlock is the README's config.toml example: the ```toml block
// that starts with "# ~/.config/bulwark/config.toml".
func readmeConfigBlock(readme string) (string, error) {
	data, err := os.ReadFile(readme)
	if err != nil {
		return "", err
	}
	_, rest, ok := strings.Cut(string(data), "```toml\n# ~/.config/bulwark/config.toml")
	if !ok {
		return "", fmt.Errorf("%s: no config.toml example", readme)
	}
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		return "", fmt.Errorf("%s: the config.toml example does not end", readme)
	}
	return "# ~/.config/bulwark/config.toml" + block, nil
}
