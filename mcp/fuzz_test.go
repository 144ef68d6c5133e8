package mcp

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
)

// FuzzProxy feeds the proxy arbitrary bytes from the client and from the
// server. Whatever they are, the proxy must not crash or hang, no
// tools/call may reach the server unless the judge let it through, and no
// result may reach the client for a call whose result the judge did not
// see.
func FuzzProxy(f *testing.F) {
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_file","arguments":{"path":"/tmp/x"}}}`
	for _, seed := range []struct{ client, server string }{
		{call + "\n", `{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hi"}]}}`},
		{call + "\n" + `{"jsonrpc":"2.0","id":2,"method":"tools/list"}` + "\n", `{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"a","inputSchema":{}}]}}`},
		{`[` + call + `,{"jsonrpc":"2.0","id":3,"method":"ping"}]` + "\n", ""},
		{`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"path":"a","path":"b"}}}` + "\n", "not json"},
		{`{"jsonrpc":"2.0","id":1.5,"method":"tools/call","params":{"name":"x"}}` + "\n" + call + "\n", `{"jsonrpc":"2.0","id":7,"result":{}}`},
		{`{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}` + "\n", `[{"jsonrpc":"2.0","id":1,"result":{}}]`},
		{"{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"tools/call\",\"params\":{\"name\":\"x\"}}\n" + call + "\n", `{"jsonrpc":"2.0","id":"1","error":{"code":1,"message":"AKIAQ7W2E9R4T1Y6U3I8"}}`},
		{"\x00\xff{", "}\n{"},
		{call + "\n" + call + "\n", `{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"image","data":"AAAA","mimeType":"image/png"}],"structuredContent":[1,{"a":"b"}]}}`},
	} {
		f.Add([]byte(seed.client), []byte(seed.server))
	}
	f.Fuzz(func(t *testing.T, client, server []byte) {
		fuzzProxyOnce(t, client, server)
	})
}

func fuzzProxyOnce(t *testing.T, client, server []byte) {
	var mu sync.Mutex
	allowed := map[string]bool{} // calls the judge let through, by id
	screened := map[string]bool{}
	judge := Judge{Evaluate: func(act *guards.Action) guards.Verdict {
		mu.Lock()
		defer mu.Unlock()
		if act.Event == guards.PostToolUse {
			screened[act.ToolUseID] = true
			return guards.Verdict{}
		}
		// Let every other call through, so that any call could reach the
		// server: the ones that do must all be here.
		allowed[act.ToolUseID] = true
		return guards.Verdict{}
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// The server: reads what the proxy sends, checks every tools/call, and
	// answers each with the fuzzed bytes and then a well-formed result.
	sr, pw := io.Pipe() // proxy -> server
	pr, sw := io.Pipe() // server -> proxy
	serverDone := make(chan struct{})
	go func() {
		defer close(serverDone)
		defer sw.Close()
		rd := bufio.NewReader(sr)
		for {
			line, err := rd.ReadBytes('\n')
			if len(line) > 0 {
				for _, m := range messages(line) {
					if m["method"] != "tools/call" {
						continue
					}
					id := idText(m["id"])
					mu.Lock()
					ok := allowed[id]
					mu.Unlock()
					if !ok || m["id"] == nil {
						t.Errorf("a tools/call reached the server without the judge letting it through: %s", line)
					}
					raw, _ := json.Marshal(m["id"])
					sw.Write(append(append([]byte{}, server...), '\n'))
					sw.Write([]byte(`{"jsonrpc":"2.0","id":` + string(raw) + `,"result":{"content":[{"type":"text","text":"done"}]}}` + "\n"))
				}
			}
			if err != nil {
				return
			}
		}
	}()
	up, _ := (&sdk.IOTransport{Reader: pr, Writer: pw}).Connect(ctx)

	cr, cw := io.Pipe()  // client -> proxy
	out, ow := io.Pipe() // proxy -> client
	down, _ := (&sdk.IOTransport{Reader: cr, Writer: ow}).Connect(ctx)
	p := &Proxy{Server: "fuzz", Env: hooks.Env{Home: "/home/dev", Cwd: "/home/dev/project"}, Judge: judge}
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, down, up) }()

	clientDone := make(chan struct{})
	go func() {
		defer close(clientDone)
		rd := bufio.NewReader(out)
		for {
			line, err := rd.ReadBytes('\n')
			for _, m := range messages(line) {
				if _, isResult := m["result"]; !isResult || m["method"] != nil {
					continue
				}
				id := idText(m["id"])
				mu.Lock()
				forwarded, seen := allowed[id], screened[id]
				mu.Unlock()
				res, _ := json.Marshal(m["result"])
				if forwarded && !seen && !strings.Contains(string(res), "bulwark") && strings.Contains(string(res), "done") {
					t.Errorf("a result reached the client unscreened: %s", line)
				}
			}
			if err != nil {
				return
			}
		}
	}()
	cw.Write(client)
	cw.Write([]byte("\n"))
	// Give the exchange a moment to play out before the client hangs up
	// (the invariants hold whatever the interleaving).
	time.Sleep(time.Millisecond)
	cw.Close()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("the proxy hung")
	}
	ow.Close()
	<-clientDone
	sr.Close()
	<-serverDone
}

// messages reads a line as one JSON-RPC message or a batch of them.
func messages(line []byte) []map[string]any {
	var one map[string]any
	if json.Unmarshal(line, &one) == nil {
		return []map[string]any{one}
	}
	var batch []map[string]any
	json.Unmarshal(line, &batch)
	return batch
}

// idText is an id as the proxy's ToolUseID spells it.
func idText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		b, _ := json.Marshal(int64(x))
		return string(b)
	}
	return "\x00none"
}
