// Package hooks speaks each coding client's hook protocol: Decode turns the
// client's event JSON into one client-neutral guards.Action, Encode turns a
// guards.Verdict back into the client's output and exit status. Nothing else
// in bulwark knows a client's field names.
package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/jsonlite"
)

// MaxInput bounds the hook event read from stdin. Larger events are refused
// (fail closed): no tool call legitimately needs more.
const MaxInput = 8 << 20

// Exit statuses of the hook. Every client treats 2 as "block"; anything else
// but 0 lets the tool run, so bulwark never uses it for a decision.
const (
	ExitAllow = 0
	ExitBlock = 2
)

// Env is what decoding may know about the hook's process.
type Env struct {
	Home string // $HOME of the hook ("" when unset)
	Cwd  string // the hook's working directory, used when the event has none
	// Getwd, when Cwd is "", finds the working directory, only for an event
	// that has no cwd of its own (the hook saves the syscalls otherwise).
	Getwd func() string
}

// cwd is the working directory to use for an event without one.
func (e Env) cwd() string {
	if e.Cwd == "" && e.Getwd != nil {
		return e.Getwd()
	}
	return e.Cwd
}

// Result is what to print and how to exit.
type Result struct {
	Stdout []byte
	Stderr string
	Exit   int
}

// Client is one coding client's protocol.
type Client interface {
	Name() string
	// Decode reads one event. Errors are about the input and are reported on
	// stderr with a fail-closed exit.
	Decode(data []byte, env Env) (guards.Action, error)
	// Encode answers one event.
	Encode(act *guards.Action, v *guards.Verdict) Result
}

var clients = map[string]Client{}

func register(c Client) { clients[c.Name()] = c }

// Lookup returns a client by name.
func Lookup(name string) (Client, error) {
	if c, ok := clients[name]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("unknown client %q (want %s)", name, strings.Join(ClientNames(), ", "))
}

// ClientNames lists the clients bulwark speaks to, sorted: every protocol
// registered by its file (package clients describes the rest of each
// client).
func ClientNames() []string {
	out := make([]string, 0, len(clients))
	for n := range clients {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Detect guesses the client from the event's shape, for hooks installed
// without --client.
func Detect(data []byte) string {
	ev, err := parseEvent(data)
	if err != nil {
		return "claude" // whose decoder then reports the error
	}
	name := ev.str("hook_event_name")
	switch {
	case ev.str("cursor_version") != "" || ev.str("conversation_id") != "":
		return "cursor"
	case name == "BeforeTool" || name == "AfterTool":
		return "gemini"
	case ev.get("turn_id").Kind() != jsonlite.Invalid:
		return "codex"
	}
	return "claude"
}

// ReadInput reads the whole event, refusing more than MaxInput bytes.
func ReadInput(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		return nil, fmt.Errorf("read hook input: %w", err)
	}
	if len(data) > MaxInput {
		return nil, fmt.Errorf("hook input is larger than %d MiB", MaxInput>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("hook input is empty (expected one JSON event on stdin)")
	}
	return data, nil
}

// FailClosed is the answer when bulwark cannot judge: block, with a one-line
// reason on stderr that the client shows to the agent.
func FailClosed(err error) Result {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	return Result{Stderr: "bulwark: blocked because the hook could not judge this call: " + msg + "\n", Exit: ExitBlock}
}
