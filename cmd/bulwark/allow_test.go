package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
)

func runAllow(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"allow"}, args...), nil, &out, &errb)
	return code, out.String(), errb.String()
}

func TestAllowRoundTrip(t *testing.T) {
	e := newRT(t)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	setClock(t, now)

	original := "# my bulwark settings\nprofile = \"balanced\" # keep balanced\n\n[log]\nkeep = 5\n"
	cfg := e.write("config.toml", original)
	scratch := filepath.Join(e.home, "scratch")
	os.MkdirAll(scratch, 0o755)

	code, out, errs := runAllow(t, idPipe, "--cwd", scratch, "--for", "7d", "--reason", "rustup installs in scratch")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "until 2026-11-29T10:00:00Z") || !strings.Contains(out, cfg) {
		t.Errorf("output: %q", out)
	}
	data, _ := os.ReadFile(cfg)
	text := string(data)
	if !strings.HasPrefix(text, original) {
		t.Fatalf("existing content not kept:\n%s", text)
	}
	for _, want := range []string{"[[allow]]", "guard = '" + idPipe + "'", "cwd = '" + scratch + "'", "expires = 2026-11-29T10:00:00Z", "reason = 'rustup installs in scratch'"} {
		if !strings.Contains(text, want) {
			t.Errorf("file lacks %q:\n%s", want, text)
		}
	}
	// The rule works (flags after the id, too) ...
	if v := e.judge(pipeShell, scratch); v.Decision != guards.Allow {
		t.Errorf("in scratch: %s", v.Decision)
	}
	if v := e.judge(pipeShell, ""); v.Decision != guards.Ask {
		t.Errorf("outside scratch: %s", v.Decision)
	}
	if e.lastStderr != "" {
		t.Errorf("stderr: %s", e.lastStderr)
	}

	// Flags before the id, a pattern with quotes and backslashes.
	pat := `^curl -fsSL 'https://sh\.rustup\.rs'`
	if code, _, errs := runAllow(t, "--pattern", pat, "--reason", `it's "fine"`, idPipe); code != ExitOK {
		t.Fatalf("pattern: exit %d: %s", code, errs)
	}
	l := config.Load(config.Options{Version: "test", NoCache: true})
	if len(l.Problems) != 0 || len(l.Config.Allow) != 2 || l.Config.Allow[1].Pattern != pat || l.Config.Allow[1].Reason != `it's "fine"` || l.Config.Log.Keep != 5 {
		t.Fatalf("re-read: %+v %v", l.Config, l.Problems)
	}

	// Critical: refused by id or pattern, accepted by exact command.
	before, _ := os.ReadFile(cfg)
	for _, args := range [][]string{
		{idRmRoot, "--reason", "x"},
		{idRmRoot, "--pattern", "rm", "--reason", "x"},
	} {
		code, _, errs := runAllow(t, args...)
		if code != ExitFail || !strings.Contains(errs, "critical") || !strings.Contains(errs, "--command") {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
	if after, _ := os.ReadFile(cfg); !bytes.Equal(before, after) {
		t.Error("a refused rule changed the file")
	}
	if code, _, errs := runAllow(t, idRmRoot, "--command", "rm -rf /usr", "--reason", "a throwaway container"); code != ExitOK {
		t.Fatalf("critical by exact command: exit %d: %s", code, errs)
	}
	v := e.judge("rm -rf /usr", "")
	if d, ok := hitDecision(v, idRmRoot); !ok || d != guards.Allow || v.Decision != guards.Allow {
		t.Errorf("exact command allowed: hit %v %s, verdict %s", ok, d, v.Decision)
	}
	for _, cmd := range []string{rmHome, "rm -rf /usr/", "rm -rf /usr; true"} {
		if v := e.judge(cmd, ""); v.Decision != guards.Deny {
			t.Errorf("%s must stay denied: %s", cmd, v.Decision)
		}
	}
}

func TestAllowCreatesConfig(t *testing.T) {
	e := newRT(t)
	if code, _, errs := runAllow(t, idPipe, "--reason", "r"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(filepath.Join(e.bh, "config.toml"))
	if err != nil || !strings.HasPrefix(string(data), "# added by `bulwark allow`") {
		t.Fatalf("%v\n%s", err, data)
	}
}

func TestAllowKeepsSymlink(t *testing.T) {
	e := newRT(t)
	target := e.write(filepath.Join(e.home, "dotfiles", "bulwark.toml"), "# dotfiles\n")
	link := filepath.Join(e.bh, "config.toml")
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
	if code, _, errs := runAllow(t, idPipe, "--reason", "r"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("config.toml is no longer a symlink")
	}
	if data, _ := os.ReadFile(target); !strings.Contains(string(data), "# dotfiles\n") || !strings.Contains(string(data), "[[allow]]") {
		t.Errorf("target: %s", data)
	}
}

func TestAllowRefuses(t *testing.T) {
	e := newRT(t)
	broken := "profile = \n"
	cfg := e.write("config.toml", broken)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{idPipe, "--reason", "r"}, ExitFail, "fix it first"},
		{[]string{"nope.nothing", "--reason", "r"}, ExitFail, "no guard"},
		{[]string{idPipe}, ExitBlock, "--reason is required"},
		{[]string{idPipe, "--reason", "r", "--command", "x", "--pattern", "y"}, ExitBlock, "not both"},
		{[]string{idPipe, "--reason", "r", "--pattern", "("}, ExitFail, "--pattern"},
		{[]string{idPipe, "--reason", "r", "--for", "soon"}, ExitFail, "--for"},
		{[]string{idPipe, "--reason", "r", "--for", "-2d"}, ExitFail, "positive"},
		{[]string{}, ExitBlock, "usage"},
		{[]string{idPipe, "other.id", "--reason", "r"}, ExitBlock, "usage"},
	}
	for _, tt := range tests {
		code, _, errs := runAllow(t, tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d, %q", tt.args, code, errs, tt.code, tt.want)
		}
	}
	if data, _ := os.ReadFile(cfg); string(data) != broken {
		t.Errorf("file changed: %q", data)
	}
	// An inline allow array cannot take an [[allow]] table: refused, unchanged.
	inline := "allow = []\n"
	e.write("config.toml", inline)
	if code, _, errs := runAllow(t, idPipe, "--reason", "r"); code != ExitFail || !strings.Contains(errs, "does not fit") {
		t.Errorf("inline array: exit %d: %s", code, errs)
	}
	if data, _ := os.ReadFile(cfg); string(data) != inline {
		t.Errorf("file changed: %q", data)
	}
}

func TestParseFor(t *testing.T) {
	for in, want := range map[string]time.Duration{"30m": 30 * time.Minute, "12h": 12 * time.Hour, "7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour} {
		if got, err := parseFor(in); err != nil || got != want {
			t.Errorf("parseFor(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "d", "0d", "1y", "-1h"} {
		if _, err := parseFor(in); err == nil {
			t.Errorf("parseFor(%q) accepted", in)
		}
	}
}
