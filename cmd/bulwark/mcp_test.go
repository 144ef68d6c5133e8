package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// bulwark mcp serve through the real binaries: writes keep a backup that
// `bulwark restore` lists, a restore is the user's to approve, and every
// decision is in the audit log with client mcp and server bulwark.
func TestMCPServeBackupsAndLog(t *testing.T) {
	bin := realBinary(t)
	dir := t.TempDir()
	home, state, root := filepath.Join(dir, "home"), filepath.Join(dir, "state"), filepath.Join(dir, "home", "project")
	for _, d := range []string{root, state} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"HOME=" + home, "BULWARK_HOME=" + state, "PATH=/usr/bin:/bin"}
	cmd := exec.Command(bin, "mcp", "serve", "--root", root)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "t", Version: "1"}, nil).Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connecting to bulwark mcp serve: %v\n%s", err, stderr.String())
	}
	defer cs.Close()
	callText := func(name string, args map[string]any) (string, bool) {
		t.Helper()
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, stderr.String())
		}
		var b strings.Builder
		for _, c := range res.Content {
			if tc, ok := c.(*sdk.TextContent); ok {
				b.WriteString(tc.Text + "\n")
			}
		}
		return b.String(), res.IsError
	}
	if text, isErr := callText("write_file", map[string]any{"path": "a.txt", "content": "first\n"}); isErr {
		t.Fatalf("write_file: %s", text)
	}
	if text, isErr := callText("write_file", map[string]any{"path": "a.txt", "content": "second\n"}); isErr {
		t.Fatalf("overwrite: %s", text)
	}
	list, _ := callText("restore_backup", map[string]any{})
	m := regexp.MustCompile(`(?m)^([a-z0-9]{6})  .*Write`).FindStringSubmatch(list)
	if m == nil {
		t.Fatalf("restore_backup lists no backup of the overwrite:\n%s", list)
	}
	text, isErr := callText("restore_backup", map[string]any{"id": m[1]})
	// tamper.* guards take no allow-once code: the user restores it.
	if !isErr || !strings.Contains(text, "tamper.bulwark-restore") || !strings.Contains(text, "they can run it themselves") {
		t.Errorf("restoring: %q; want it refused, the user to run it", text)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "a.txt")); string(data) != "second\n" {
		t.Errorf("a.txt = %q: the refused restore ran", data)
	}
	log, _ := os.ReadFile(filepath.Join(state, "audit.jsonl"))
	var sawBackup, sawRestore bool
	for _, l := range bytes.Split(bytes.TrimSpace(log), []byte("\n")) {
		var r struct {
			Client, Server, Tool, Action string
			Backup                       *struct{ ID string }
		}
		if err := json.Unmarshal(l, &r); err != nil {
			t.Fatalf("audit line %q: %v", l, err)
		}
		if r.Client != "mcp" || r.Server != "bulwark" {
			t.Errorf("audit record %s: want client mcp, server bulwark", l)
		}
		sawBackup = sawBackup || r.Backup != nil && r.Backup.ID == m[1]
		sawRestore = sawRestore || r.Tool == "mcp__bulwark__restore_backup" && r.Action == "ask"
	}
	if !sawBackup || !sawRestore {
		t.Errorf("audit log lacks the backup (%v) or the refused restore (%v):\n%s", sawBackup, sawRestore, log)
	}
}

func TestMCPApproveRefusesAgentsAndPipes(t *testing.T) {
	bin := realBinary(t)
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"CLAUDECODE=1"}, "inside an agent's tool call"},
		{nil, "not run from a terminal"},
	} {
		cmd := exec.Command(bin, "mcp", "approve", "fs")
		cmd.Env = append([]string{"HOME=" + t.TempDir(), "BULWARK_HOME=" + t.TempDir()}, tc.env...)
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), tc.want) {
			t.Errorf("bulwark mcp approve with %v: %v %q; want a refusal: %s", tc.env, err, out, tc.want)
		}
	}
}

func TestMCPWithoutHelper(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(realBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	lone := filepath.Join(dir, "bulwark")
	if err := os.WriteFile(lone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lone, "mcp", "tools").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "bulwark-mcp is not installed next to") {
		t.Errorf("bulwark mcp without bulwark-mcp: %v %q", err, out)
	}
	if out, err := exec.Command(lone, "mcp", "--help").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "usage: bulwark mcp proxy") {
		t.Errorf("bulwark mcp --help without the helper: %v %q", err, out)
	}
}
