package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// config.toml's [log] only_non_allow reaches the audit log: an allowed call
// is not recorded, a denied one is.
func TestHookLogOnlyNonAllow(t *testing.T) {
	home := t.TempDir()
	t.Setenv("BULWARK_HOME", home)
	t.Setenv("HOME", "/home/dev")
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte("[log]\nonly_non_allow = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"git status", "rm -rf ~"} {
		var out, errb safeBuffer
		run([]string{"hook", "--client", "claude"}, strings.NewReader(event(cmd)), &out, &errb)
	}
	data, err := os.ReadFile(filepath.Join(home, "audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"action":"deny"`) {
		t.Fatalf("want only the deny recorded, got:\n%s", data)
	}
}
