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

// install --mcp wraps every client's stdio servers through the proxy and
// uninstall puts back the very bytes (canonical layout).
func TestInstallMCPRoundTrip(t *testing.T) {
	bin := realBinary(t)
	home := t.TempDir()
	state := t.TempDir()
	files := map[string]string{
		".claude.json": "{\n  \"mcpServers\": {\n    \"fs\": {\n      \"command\": \"npx\",\n      \"args\": [\n        \"-y\",\n        \"@modelcontextprotocol/server-filesystem\",\n        \"/tmp\"\n      ]\n    }\n  }\n}",
		".config/Claude/claude_desktop_config.json": "{\n  \"mcpServers\": {\n    \"memory\": {\n      \"command\": \"npx\",\n      \"args\": [\n        \"-y\",\n        \"@modelcontextprotocol/server-memory\"\n      ]\n    }\n  }\n}\n",
		".cursor/mcp.json":                          "{\n  \"mcpServers\": {\n    \"db\": {\n      \"command\": \"node\",\n      \"args\": [\n        \"db.js\"\n      ],\n      \"env\": {\n        \"DB\": \"x\"\n      }\n    },\n    \"web\": {\n      \"url\": \"https://example.invalid/mcp\"\n    }\n  }\n}\n",
		".gemini/settings.json":                     "{\n  \"mcpServers\": {\n    \"py\": {\n      \"command\": \"python3\",\n      \"args\": [\n        \"-m\",\n        \"srv\"\n      ],\n      \"timeout\": 30000\n    }\n  }\n}\n",
	}
	for f, text := range files {
		p := filepath.Join(home, f)
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"HOME=" + home, "BULWARK_HOME=" + state, "PATH=/usr/bin:/bin"}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Dir = env, home
		out, err := cmd.CombinedOutput()
		if err != nil && args[0] != "doctor" {
			t.Fatalf("bulwark %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if doc := run("doctor", "--client", "all"); !strings.Contains(doc, "WARN MCP servers not behind bulwark's proxy: memory (Claude Desktop has no hooks") || !strings.Contains(doc, "INFO MCP servers not behind bulwark's proxy: db") {
		t.Errorf("doctor before install --mcp:\n%s", doc)
	}
	out := run("install", "--mcp", "--client", "all", "--binary", bin)
	for _, want := range []string{"wrapped through bulwark mcp proxy: fs", "wrapped through bulwark mcp proxy: memory", "wrapped through bulwark mcp proxy: db", "not wrapped: web (a remote server", "wrapped through bulwark mcp proxy: py"} {
		if !strings.Contains(out, want) {
			t.Errorf("install --mcp output lacks %q:\n%s", want, out)
		}
	}
	for f := range files {
		data, _ := os.ReadFile(filepath.Join(home, f))
		var doc struct {
			MCPServers map[string]struct {
				Command string
				Args    []string
			}
		}
		json.Unmarshal(data, &doc)
		for name, s := range doc.MCPServers {
			if name == "web" {
				continue
			}
			if s.Command != bin || len(s.Args) < 6 || strings.Join(s.Args[:5], " ") != "mcp proxy --name "+name+" --" {
				t.Errorf("%s: %s = %+v", f, name, s)
			}
		}
	}
	if doc := run("doctor", "--client", "all"); !strings.Contains(doc, "MCP server(s) run through bulwark mcp proxy") || !strings.Contains(doc, "remote MCP servers") {
		t.Errorf("doctor:\n%s", doc)
	}
	run("uninstall")
	for f, text := range files {
		if data, _ := os.ReadFile(filepath.Join(home, f)); string(data) != text {
			t.Errorf("%s after uninstall:\n%s\nwant the original bytes:\n%s", f, data, text)
		}
	}
}
