package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runBinary runs the real bulwark with args and an empty stdin.
func runBinary(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(realBinary(t), args...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "BULWARK_HOME=" + t.TempDir(), "PATH=/usr/bin:/bin"}
	cmd.Stdin = strings.NewReader("")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// Every subcommand, today's and those added later: -h and --help print its
// usage on stdout and exit 0; an unknown flag exits 2 with the usage on
// stderr.
func TestEverySubcommandHelp(t *testing.T) {
	for _, name := range subcommandNames() {
		for _, h := range []string{"-h", "--help"} {
			code, out, errs := runBinary(t, name, h)
			if code != ExitOK || !strings.HasPrefix(out, "usage: bulwark "+name) || errs != "" {
				t.Errorf("bulwark %s %s: exit %d, stdout %q, stderr %q; want exit 0 and the usage on stdout", name, h, code, firstLine(out), firstLine(errs))
			}
		}
		code, out, errs := runBinary(t, name, "--no-such-flag")
		if code != ExitBlock || out != "" || !strings.Contains(errs, "flag provided but not defined: -no-such-flag") || !strings.Contains(errs, "usage: bulwark "+name) {
			t.Errorf("bulwark %s --no-such-flag: exit %d, stdout %q, stderr %q; want exit 2, the error and the usage on stderr", name, code, firstLine(out), firstLine(errs))
		}
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// synopsis is the usage lines at the top of a subcommand's --help (up to
// the first blank line), "usage: " and indentation dropped.
func synopsis(help string) []string {
	head, _, _ := strings.Cut(help, "\n\n")
	var out []string
	for _, l := range strings.Split(head, "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(l, "usage: "))
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// The README's command-line reference is the synopsis of every
// subcommand's --help, and nothing else: a flag or subcommand added,
// renamed or dropped without the README fails here.
func TestREADMECommandLine(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Command line\n")
	if !ok {
		t.Fatal("README.md has no '## Command line' section")
	}
	_, block, ok := strings.Cut(section, "\n```\n")
	block, _, ok2 := strings.Cut(block, "\n```")
	if !ok || !ok2 {
		t.Fatal("README.md: the Command line section has no code block")
	}
	inREADME := map[string]bool{}
	for _, l := range strings.Split(block, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			inREADME[l] = true
		}
	}
	want := map[string]bool{}
	for _, name := range subcommandNames() {
		_, out, _ := runBinary(t, name, "--help")
		for _, l := range synopsis(out) {
			want[l] = true
			if !inREADME[l] {
				t.Errorf("README.md's Command line lacks %q (from bulwark %s --help)", l, name)
			}
		}
	}
	for l := range inREADME {
		if !want[l] {
			t.Errorf("README.md's Command line has %q, which no --help prints", l)
		}
	}
}
