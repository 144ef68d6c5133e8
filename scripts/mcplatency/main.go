// Command mcplatency measures what bulwark's MCP proxy adds to a tools/call:
// the same real server (@modelcontextprotocol/server-filesystem, as `make
// e2e` installs it) runs twice, alone and behind `bulwark mcp proxy`, and
// the same calls go to both, interleaved one by one so that a noisy
// machine's drift affects both alike. It reports the round trip's p50 and
// p95 for each, and the added latency (proxied minus direct) at both.
//
// Two kinds of call: a benign read of a small file (judged, result
// screened, passed on unchanged) and a read the guards refuse (answered by
// the proxy without reaching the server).
//
//	go run ./scripts/mcplatency -bin bin/bulwark -n 300
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

type session struct {
	in  io.WriteCloser
	out *bufio.Reader
	cmd *exec.Cmd
	id  int
}

func start(env []string, dir string, argv ...string) (*session, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env, cmd.Dir, cmd.Stderr = env, dir, io.Discard
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &session{in: in, out: bufio.NewReaderSize(out, 1<<20), cmd: cmd}
	if _, err := s.call("initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "mcplatency", "version": "1"}}); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized"})
	in.Write(append(b, '\n'))
	if _, err := s.call("tools/list", map[string]any{}); err != nil {
		return nil, err
	}
	return s, nil
}

// call sends one request and waits for its answer; it returns the round trip.
func (s *session) call(method string, params any) (time.Duration, error) {
	s.id++
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": s.id, "method": method, "params": params})
	t0 := time.Now()
	if _, err := s.in.Write(append(b, '\n')); err != nil {
		return 0, err
	}
	for {
		line, err := s.out.ReadBytes('\n')
		if err != nil {
			return 0, fmt.Errorf("%s: %w", method, err)
		}
		var m struct {
			ID     *int            `json:"id"`
			Method string          `json:"method"`
			Error  json.RawMessage `json:"error"`
		}
		if json.Unmarshal(line, &m) == nil && m.Method == "" && m.ID != nil && *m.ID == s.id {
			if m.Error != nil {
				return 0, fmt.Errorf("%s: %s", method, m.Error)
			}
			return time.Since(t0), nil
		}
	}
}

func (s *session) close() { s.in.Close(); s.cmd.Wait() }

func pct(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(p*float64(len(s)-1)+0.5)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func main() {
	home, _ := os.UserHomeDir()
	bin := flag.String("bin", "bin/bulwark", "the bulwark binary (bulwark-mcp beside it)")
	server := flag.String("server", filepath.Join(home, ".cache/bulwark-e2e/mcp-fs-2026.8.31/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"), "server-filesystem's dist/index.js")
	n := flag.Int("n", 300, "calls of each kind to each server")
	flag.Parse()
	if err := run(*bin, *server, *n); err != nil {
		fmt.Fprintln(os.Stderr, "mcplatency:", err)
		os.Exit(1)
	}
}

func run(bin, server string, n int) error {
	bin, _ = filepath.Abs(bin)
	tmp, err := os.MkdirTemp("", "mcplatency-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	root, state := filepath.Join(tmp, "home", "project"), filepath.Join(tmp, "state")
	for _, d := range []string{root, state, filepath.Join(tmp, "home", ".ssh")} {
		os.MkdirAll(d, 0o700)
	}
	os.WriteFile(filepath.Join(root, "notes.txt"), []byte(strings.Repeat("a line of ordinary notes\n", 40)), 0o644)
	os.WriteFile(filepath.Join(tmp, "home", ".ssh", "id_rsa"), []byte("not a key\n"), 0o600)
	env := []string{"HOME=" + filepath.Join(tmp, "home"), "BULWARK_HOME=" + state, "PATH=" + os.Getenv("PATH")}
	direct, err := start(env, root, "node", server, root)
	if err != nil {
		return fmt.Errorf("starting the server: %w", err)
	}
	defer direct.close()
	proxied, err := start(env, root, bin, "mcp", "proxy", "--name", "fs", "--", "node", server, root)
	if err != nil {
		return fmt.Errorf("starting the proxy: %w", err)
	}
	defer proxied.close()
	kinds := []struct {
		name string
		args map[string]any
	}{
		{"benign read (judged, result screened, passed on)", map[string]any{"path": filepath.Join(root, "notes.txt")}},
		{"refused read (answered by the proxy)", map[string]any{"path": filepath.Join(tmp, "home", ".ssh", "id_rsa")}},
	}
	fmt.Printf("%d calls of each kind, interleaved; server-filesystem under node, %s\n\n", n, bin)
	fmt.Printf("| call | direct p50 | direct p95 | proxied p50 | proxied p95 | added p50 | added p95 |\n|---|---|---|---|---|---|---|\n")
	for _, k := range kinds {
		var d, p, added []time.Duration
		params := map[string]any{"name": "read_text_file", "arguments": k.args}
		for i := 0; i < n+10; i++ {
			// Alternate which goes first.
			a, b := direct, proxied
			if i%2 == 1 {
				a, b = proxied, direct
			}
			ta, err := a.call("tools/call", params)
			if err != nil {
				return err
			}
			tb, err := b.call("tools/call", params)
			if err != nil {
				return err
			}
			if i < 10 {
				continue // warm-up
			}
			td, tp := ta, tb
			if a == proxied {
				td, tp = tb, ta
			}
			d, p, added = append(d, td), append(p, tp), append(added, tp-td)
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s |\n", k.name, ms(pct(d, .5)), ms(pct(d, .95)), ms(pct(p, .5)), ms(pct(p, .95)), ms(pct(added, .5)), ms(pct(added, .95)))
	}
	return nil
}
