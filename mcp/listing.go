package mcp

import (
	"errors"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
	"github.com/bulwark-guard/bulwark/internal/jsonlite"
)

// listedTools reads a tools/list result strictly: a tool listed with a key
// twice, or with two keys that differ only in case, could read one way to
// bulwark and another to the client.
func listedTools(raw []byte) ([]Tool, error) {
	v, err := jsonlite.Parse(string(raw))
	if err != nil {
		return nil, err
	}
	if v.Kind() != jsonlite.Object {
		return nil, fmt.Errorf("the result is %s, not an object", v.Kind())
	}
	list := v.Get("tools")
	if list.Kind() != jsonlite.Array {
		return nil, errors.New(`the result has no "tools" array`)
	}
	out := make([]Tool, 0, list.Len())
	for i := range list.Len() {
		t := list.Index(i)
		if t.Kind() != jsonlite.Object {
			return nil, fmt.Errorf("tool %d is %s, not an object", i, t.Kind())
		}
		name, ok := t.Get("name").Str()
		if !ok || name == "" {
			return nil, fmt.Errorf(`tool %d has no "name" string`, i)
		}
		tool := Tool{Name: name}
		for _, f := range []struct {
			key string
			dst *string
		}{{"title", &tool.Title}, {"description", &tool.Description}} {
			m := t.Get(f.key)
			switch m.Kind() {
			case jsonlite.Invalid, jsonlite.Null:
			case jsonlite.String:
				*f.dst, _ = m.Str()
			default:
				return nil, fmt.Errorf("tool %q: %q is %s, not a string", name, f.key, m.Kind())
			}
		}
		if s := t.Get("inputSchema"); s.Kind() != jsonlite.Invalid {
			tool.InputSchema = []byte(s.Raw())
		}
		out = append(out, tool)
	}
	return out, nil
}

// unreadable is the name under which a listing that could not be read
// holds every tool of the server.
const unreadable = "\x00unreadable"

// checkTools compares a tools/list result with the records (Store.Check),
// holds the tools that drifted, and tells the model of each held tool only
// that it is held: its new description is the text a poisoned server
// would use, so it is not passed on.
func (p *Proxy) checkTools(m *jsonrpc.Response) *jsonrpc.Response {
	if m.Error != nil || p.Tools == nil {
		return m
	}
	tools, err := listedTools(m.Result)
	if err != nil {
		p.say("its tools/list result cannot be read unambiguously (%v): every tool of this server is held", err)
		p.mu.Lock()
		p.held[unreadable] = heldTool{reasons: []string{"was listed in a tools/list result bulwark could not read unambiguously (" + err.Error() + ")"}}
		p.mu.Unlock()
		return m
	}
	p.screenTools(tools)
	findings, err := p.Tools.Check(p.Server, p.Command, tools)
	if err != nil {
		p.say("tool changes are not checked: %v", err)
		return m
	}
	byName := map[string]Finding{}
	for _, f := range findings {
		byName[f.Tool] = f
	}
	held := map[string]string{}
	p.mu.Lock()
	delete(p.held, unreadable)
	for _, t := range tools {
		f, ok := byName[t.Name]
		if ok && f.Held {
			p.held[t.Name] = heldTool{now: t.Print(), reasons: f.Reasons}
			held[t.Name] = strings.Join(f.Reasons, "; ")
		} else {
			delete(p.held, t.Name)
		}
	}
	p.mu.Unlock()
	for _, f := range findings {
		act := guards.Action{Client: Client, Event: "tools/list", EventName: "tools/list", Tool: hooks.MCPToolName(p.Server, f.Tool),
			Kind: guards.KindMCP, SessionID: p.Session, Cwd: p.Env.Cwd, Home: p.Env.Home, Query: f.Tool}
		var v guards.Verdict
		if f.Held {
			p.say("tool %q %s: its calls are held until you run `bulwark mcp approve %s`", f.Tool, strings.Join(f.Reasons, "; "), p.Server)
			v = p.heldVerdict(f.Tool)
		} else {
			p.say("new tool %q recorded", f.Tool)
			v = guards.Verdict{Hits: []guards.Hit{{GuardID: "mcp.tool-new", Title: "A new MCP tool was recorded", Severity: guards.Low,
				Decision: guards.Allow, Evidence: p.Server + "/" + f.Tool, Reason: "the server lists a tool it did not list before"}}}
		}
		p.record(&act, &v)
	}
	if len(held) == 0 {
		return m
	}
	out := *m
	out.Result = redescribe(m.Result, held, p.Server)
	return &out
}

// screenTools judges each tool's text (title, description, and the keys
// and strings of its input schema: parameter descriptions too) as the hook
// judges a tool's output: a description is text the model reads and
// follows, the way tool poisoning reaches it.
func (p *Proxy) screenTools(tools []Tool) {
	for i := range tools {
		t := &tools[i]
		act := guards.Action{Client: Client, Event: guards.PostToolUse, EventName: "tools/list", Tool: hooks.MCPToolName(p.Server, t.Name),
			Kind: guards.KindMCP, SessionID: p.Session, Cwd: p.Env.Cwd, Home: p.Env.Home,
			Output: t.Title + "\n" + t.Description + "\n" + resultText(t.InputSchema)}
		v := p.Judge.Evaluate(&act)
		if !v.Flag {
			continue
		}
		var titles []string
		for _, h := range v.Hits {
			if h.Decision >= guards.Ask {
				titles = append(titles, h.Title+" ["+h.GuardID+"]")
			}
		}
		t.Flags = []string{"its text was flagged: " + strings.Join(titles, "; ")}
	}
}

// redescribe replaces the description of each held tool in a tools/list
// result by bulwark's notice.
func redescribe(raw []byte, held map[string]string, server string) []byte {
	v, ok := decodeAny(raw)
	m, isObj := v.(map[string]any)
	if !ok || !isObj {
		return raw
	}
	list, _ := m["tools"].([]any)
	for _, t := range list {
		tm, ok := t.(map[string]any)
		if !ok {
			continue
		}
		name, _ := tm["name"].(string)
		if why, ok := held[name]; ok {
			tm["description"] = fmt.Sprintf("[bulwark: this tool is held: it %s since it was approved. Its calls are refused until the user approves the change with `bulwark mcp approve %s`; what the server says of it now is not shown.]", why, server)
		}
	}
	b := encodeAny(m)
	if b == nil {
		return raw
	}
	return b
}
