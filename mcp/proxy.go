// Package mcp puts bulwark on the MCP connection: a proxy in front of any
// stdio MCP server that judges every tools/call with the hook's engine
// before it reaches the server, screens every result as the hook screens a
// tool's output, and holds tools whose description or schema changed since
// they were first seen (Proxy); and a server of guarded tools for clients
// that have no hooks (Server).
//
// The proxy passes messages through at the JSON-RPC level, on the official
// SDK's stdio and command transports and its jsonrpc message types: it is
// not an MCP client and server back to back (the SDK's high-level Client
// and Server answer initialize themselves, offer only the features the SDK
// knows, and refuse methods they do not), so that everything bulwark does
// not judge (initialize, resources, prompts, sampling, elicitation,
// notifications, methods newer than this build) reaches the other side as
// it was sent.
package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
	"github.com/bulwark-guard/bulwark/internal/jsonlite"
	"github.com/bulwark-guard/bulwark/report"
)

// Client is the client name of every decision the proxy and the server
// make (the audit log's "client").
const Client = "mcp"

// DriftGuard is the id of the hit that holds a tool that changed since it
// was approved.
const DriftGuard = "mcp.tool-drift"

// Judge is how the proxy and the server judge: the same steps as the hook.
type Judge struct {
	// Evaluate judges one call or output (engine and policy).
	Evaluate func(*guards.Action) guards.Verdict
	// Blocked is given every PreToolUse verdict of ask or deny before it
	// is answered: the hook's allow-once approvals (nil: none).
	Blocked func(*guards.Action, *guards.Verdict)
	// Record writes the decision to the audit log (nil: none).
	Record func(*guards.Action, *guards.Verdict)
}

// Proxy judges one client's connection to one upstream server.
type Proxy struct {
	Server  string    // the server's name: in tool names (mcp__SERVER__TOOL), the records and the log
	Command []string  // the upstream's command line, for the records
	Env     hooks.Env // HOME and the working directory calls are judged in
	Session string    // the session id of the connection's calls
	Judge   Judge
	Tools   *Store    // the tool records; nil: no drift checks
	Stderr  io.Writer // what bulwark reports to the user (nil: discarded)
	// Timing, when set, is told how long bulwark spent on each tools/call
	// (judging the call, and screening its result).
	Timing func(call, result time.Duration)

	mu      sync.Mutex
	pending map[jsonrpc.ID]*pending
	held    map[string]heldTool // by tool name
	stderr  io.Writer
}

type pending struct {
	method string
	act    *guards.Action  // tools/call: the call as judged
	pre    *guards.Verdict // tools/call: its verdict (a warning is passed on with the result)
	judged time.Duration
}

type heldTool struct {
	now     Print
	reasons []string
}

// Run passes messages between client and upstream until either side ends
// or ctx is done; it closes both. A side that closes its stream ends the
// session normally (nil).
func (p *Proxy) Run(ctx context.Context, client, upstream sdk.Connection) error {
	p.pending = map[jsonrpc.ID]*pending{}
	p.held = map[string]heldTool{}
	p.stderr = p.Stderr
	if p.stderr == nil {
		p.stderr = io.Discard
	}
	if p.Judge.Evaluate == nil {
		return errors.New("mcp proxy: no judge")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() { errc <- p.fromClient(ctx, client, upstream) }()
	go func() { errc <- p.fromServer(ctx, upstream, client) }()
	err := <-errc
	cancel()
	client.Close()
	upstream.Close()
	<-errc
	if errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func (p *Proxy) say(format string, a ...any) {
	fmt.Fprintf(p.stderr, "bulwark mcp (%s): "+format+"\n", append([]any{p.Server}, a...)...)
}

// brokenStream reports whether a read error ends the stream: the SDK's
// reader stops at data that is not JSON (it cannot find the next message);
// a JSON value that is not a JSON-RPC message leaves the stream usable.
func brokenStream(err error) bool {
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, context.Canceled),
		errors.Is(err, io.ErrClosedPipe), errors.As(err, &se):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "trailing data") || strings.Contains(msg, "maximum line length") ||
		strings.Contains(msg, "closed") || strings.Contains(msg, "invalid character")
}

func (p *Proxy) fromClient(ctx context.Context, client, upstream sdk.Connection) error {
	for {
		msg, err := client.Read(ctx)
		if err != nil {
			if brokenStream(err) {
				if !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) {
					p.say("the client sent data that is not JSON; closing the connection: %v", err)
				}
				return err
			}
			p.say("dropped a message from the client that is not JSON-RPC: %v", err)
			continue
		}
		switch m := msg.(type) {
		case *jsonrpc.Request:
			if m.IsCall() {
				// Results are told apart by the id of their request: a
				// second request with an id still pending would make a
				// call's result look like another's, so it is refused.
				c := &pending{method: m.Method}
				if m.Method == "tools/call" {
					if answer := p.judgeCall(m, c); answer != nil {
						p.answer(ctx, client, answer)
						continue
					}
				}
				if !p.track(m.ID, c) {
					p.answer(ctx, client, &jsonrpc.Response{ID: m.ID, Error: &jsonrpc.Error{Code: jsonrpc.CodeInvalidRequest,
						Message: "bulwark: a request with this id is still pending"}})
					continue
				}
			} else if m.Method == "tools/call" {
				// A notification gets no answer, so a call sent as one
				// would run with its result unseen: it is not passed on.
				p.say("dropped a tools/call sent as a notification (without an id)")
				continue
			}
			if err := upstream.Write(ctx, m); err != nil {
				return err
			}
		case *jsonrpc.Response:
			if err := upstream.Write(ctx, m); err != nil {
				return err
			}
		}
	}
}

func (p *Proxy) answer(ctx context.Context, client sdk.Connection, r *jsonrpc.Response) {
	if err := client.Write(ctx, r); err != nil {
		p.say("answering the client: %v", err)
	}
}

func (p *Proxy) track(id jsonrpc.ID, c *pending) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, dup := p.pending[id]; dup {
		return false
	}
	p.pending[id] = c
	return true
}

func (p *Proxy) take(id jsonrpc.ID) *pending {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.pending[id]
	delete(p.pending, id)
	return c
}

func (p *Proxy) fromServer(ctx context.Context, upstream, client sdk.Connection) error {
	for {
		msg, err := upstream.Read(ctx)
		if err != nil {
			if brokenStream(err) {
				if !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) {
					p.say("the server sent data that is not JSON; closing the connection: %v", err)
				}
				p.failPending(ctx, client, "bulwark: the MCP server's connection ended")
				return err
			}
			p.say("dropped a message from the server that is not JSON-RPC: %v", err)
			continue
		}
		switch m := msg.(type) {
		case *jsonrpc.Response:
			c := p.take(m.ID)
			if c == nil {
				p.say("dropped a response to no pending request (id %v)", m.ID.Raw())
				continue
			}
			switch c.method {
			case "tools/call":
				m = p.judgeResult(c, m)
			case "tools/list":
				m = p.checkTools(m)
			}
			if err := client.Write(ctx, m); err != nil {
				return err
			}
		case *jsonrpc.Request:
			if err := client.Write(ctx, m); err != nil {
				return err
			}
		}
	}
}

// failPending answers every request still waiting for the server.
func (p *Proxy) failPending(ctx context.Context, client sdk.Connection, msg string) {
	p.mu.Lock()
	ids := make([]jsonrpc.ID, 0, len(p.pending))
	for id := range p.pending {
		ids = append(ids, id)
	}
	p.pending = map[jsonrpc.ID]*pending{}
	p.mu.Unlock()
	for _, id := range ids {
		p.answer(ctx, client, &jsonrpc.Response{ID: id, Error: &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: msg}})
	}
}

// callParams reads a tools/call's params strictly (as the hook reads an
// event): an object with a string "name" and, when present, an object
// "arguments"; a key twice, or two keys that differ only in case, is
// refused, since the server may read either one.
func callParams(params json.RawMessage) (name string, args []byte, err error) {
	v, err := jsonlite.Parse(string(params))
	if err != nil {
		return "", nil, fmt.Errorf("params: %w", err)
	}
	if v.Kind() != jsonlite.Object {
		return "", nil, fmt.Errorf("params is %s, not an object", v.Kind())
	}
	n := v.Get("name")
	name, ok := n.Str()
	if !ok || name == "" {
		return "", nil, errors.New(`params has no "name" string`)
	}
	a := v.Get("arguments")
	switch a.Kind() {
	case jsonlite.Invalid, jsonlite.Null:
		return name, nil, nil
	case jsonlite.Object:
		return name, []byte(a.Raw()), nil
	}
	return "", nil, fmt.Errorf(`params "arguments" is %s, not an object`, a.Kind())
}

// judgeCall judges a tools/call; it returns the answer for a call that must
// not reach the server, nil for one to pass on.
func (p *Proxy) judgeCall(m *jsonrpc.Request, c *pending) *jsonrpc.Response {
	start := time.Now()
	name, args, err := callParams(m.Params)
	if err != nil {
		act := guards.Action{Client: Client, Event: guards.PreToolUse, EventName: "tools/call", Tool: hooks.MCPToolName(p.Server, "?"),
			Kind: guards.KindMCP, SessionID: p.Session, ToolUseID: idString(m.ID), Cwd: p.Env.Cwd, Home: p.Env.Home, Input: m.Params}
		v := cannotJudge(err)
		p.record(&act, &v)
		return &jsonrpc.Response{ID: m.ID, Error: &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "bulwark: invalid tools/call: " + err.Error()}}
	}
	act, err := hooks.ToolCall(Client, hooks.MCPToolName(p.Server, name), args, p.Env)
	if err != nil {
		act = guards.Action{Client: Client, Event: guards.PreToolUse, Tool: hooks.MCPToolName(p.Server, name), Kind: guards.KindMCP,
			Cwd: p.Env.Cwd, Home: p.Env.Home, Input: args}
	}
	act.EventName, act.SessionID, act.ToolUseID = "tools/call", p.Session, idString(m.ID)
	var v guards.Verdict
	switch {
	case err != nil:
		v = cannotJudge(err)
	case p.isHeld(name):
		v = p.heldVerdict(name)
	default:
		v = p.Judge.Evaluate(&act)
		if v.Decision >= guards.Ask && p.Judge.Blocked != nil {
			p.Judge.Blocked(&act, &v)
		}
	}
	p.record(&act, &v)
	if v.Decision >= guards.Ask {
		if p.Timing != nil {
			p.Timing(time.Since(start), 0)
		}
		return &jsonrpc.Response{ID: m.ID, Result: toolError(denyText(&act, &v), true)}
	}
	c.act, c.pre, c.judged = &act, &v, time.Since(start)
	return nil
}

// denyText is what the agent reads of a refused call: bulwark's reason
// and safer alternative; for an ask, which no one can answer on an MCP
// connection, the way a person lets it through.
func denyText(act *guards.Action, v *guards.Verdict) string {
	if v.Decision == guards.Ask && (len(v.Hits) == 0 || v.Hits[0].GuardID != DriftGuard) {
		return report.AskAsDeny(v, act, "an MCP server cannot ask the user from inside a tool call")
	}
	d := *v
	d.Decision = guards.Deny
	return report.Reason(&d, act)
}

// cannotJudge blocks a call bulwark cannot read, as the hook fails closed.
func cannotJudge(err error) guards.Verdict {
	return guards.Verdict{Decision: guards.Deny, Hits: []guards.Hit{{
		GuardID: "mcp.unreadable-call", Title: "A tool call bulwark cannot read", Severity: guards.High, Decision: guards.Deny,
		Reason:  "bulwark could not judge this call (" + err.Error() + "), and a call it cannot judge does not run.",
		Instead: "Send the call with a plain JSON object of arguments, each key once.",
	}}}
}

func (p *Proxy) isHeld(name string) bool {
	p.mu.Lock()
	_, all := p.held[unreadable]
	h, ok := p.held[name]
	p.mu.Unlock()
	if all {
		return true
	}
	if !ok {
		return false
	}
	if p.Tools != nil {
		// Approved since the listing? Then the hold is over.
		if ok, err := p.Tools.Approved(p.Server, name, h.now); err == nil && ok {
			p.mu.Lock()
			delete(p.held, name)
			p.mu.Unlock()
			return false
		}
	}
	return true
}

func (p *Proxy) heldVerdict(name string) guards.Verdict {
	p.mu.Lock()
	h, ok := p.held[name]
	if !ok {
		h = p.held[unreadable]
	}
	p.mu.Unlock()
	return guards.Verdict{Decision: guards.Ask, Hits: []guards.Hit{{
		GuardID: DriftGuard, Title: "An MCP tool changed since it was approved", Severity: guards.High, Decision: guards.Ask,
		Evidence: p.Server + "/" + name,
		Reason: fmt.Sprintf("MCP server %q's tool %q %s. A server that changes a tool after it was approved can change what the agent does (tool poisoning), so its calls are held until the user looks at the change.",
			p.Server, name, strings.Join(h.reasons, "; ")),
		Instead: fmt.Sprintf("Ask the user to review it with `bulwark mcp tools %s` and approve it with `bulwark mcp approve %s` in their own terminal; until then, do without this tool.", p.Server, p.Server),
	}}}
}

func (p *Proxy) record(act *guards.Action, v *guards.Verdict) {
	if p.Judge.Record != nil {
		p.Judge.Record(act, v)
	}
}

// judgeResult screens a tools/call result as the hook screens PostToolUse
// output.
func (p *Proxy) judgeResult(c *pending, m *jsonrpc.Response) *jsonrpc.Response {
	if c.act == nil {
		return m
	}
	start := time.Now()
	post := *c.act
	post.Event, post.EventName = guards.PostToolUse, "tools/call result"
	post.Memory, post.Scripts = nil, nil
	out := *m
	if m.Error != nil {
		// An error's message is output too (a server may quote a file in it).
		var we *jsonrpc.Error
		if errors.As(m.Error, &we) {
			text := we.Message + "\n" + string(we.Data)
			post.Output, post.Response = text, nil
			v := p.Judge.Evaluate(&post)
			p.record(&post, &v)
			if v.Flag {
				e := *we
				e.Message, e.Data = report.Withheld(&v), nil
				out.Error = &e
			}
		}
		p.timing(c, start)
		return &out
	}
	post.Response, post.Output = m.Result, resultText(m.Result)
	v := p.Judge.Evaluate(&post)
	p.record(&post, &v)
	res := screen(&post, &v, p.Judge.Evaluate)
	if c.pre != nil && c.pre.Decision == guards.Warn {
		res = withNote(res, report.Caution(c.pre))
	}
	out.Result = res
	p.timing(c, start)
	return &out
}

func (p *Proxy) timing(c *pending, start time.Time) {
	if p.Timing != nil {
		p.Timing(c.judged, time.Since(start))
	}
}

func idString(id jsonrpc.ID) string {
	switch v := id.Raw().(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	}
	return ""
}
