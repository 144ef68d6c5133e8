package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The CLI behaviour of allow is in testdata/script/allow*.txtar. This test
// pins what a script cannot: --for counts from the program's one clock.
func TestAllowExpiryFromClock(t *testing.T) {
	bh := t.TempDir()
	t.Setenv("BULWARK_HOME", bh)
	t.Setenv("HOME", t.TempDir())
	setClock(t, time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC))
	var out, errb bytes.Buffer
	if code := run([]string{"allow", "exfil.pipe-to-shell", "--for", "7d", "--reason", "r"}, nil, &out, &errb); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "until 2026-11-29T10:00:00Z") {
		t.Errorf("output: %q", out.String())
	}
	data, _ := os.ReadFile(filepath.Join(bh, "config.toml"))
	if !strings.Contains(string(data), "expires = 2026-11-29T10:00:00Z") || !strings.Contains(string(data), "on 2026-11-22") {
		t.Errorf("file:\n%s", data)
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
