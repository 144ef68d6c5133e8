// Package e2e drives the real coding clients (Claude Code, Codex CLI,
// Gemini CLI, installed from the npm registry by `make e2e`) against a mock
// model on 127.0.0.1, with bulwark installed as their hook, and checks what
// each client did and what the model saw.
//
// This file is the mock model: one HTTP server speaking Anthropic Messages
// (SSE), OpenAI Responses (SSE) and the Gemini API (SSE and JSON), with a
// bounded lifetime. It answers from a script: for a conversation whose first
// user message contains a case's marker, the k-th model turn calls the
// case's k-th tool, and once the steps are used up it answers "DONE". It
// logs every request, so a test can check what the model saw (tool results,
// hook reasons, additional context). It also serves /exfil, a sink that
// records anything posted to it: a guard that failed to block an
// exfiltration shows up there, and nothing ever leaves the machine.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Step is one tool call the mock model makes.
type Step struct {
	Tool  string         // the client's tool name ("Bash", "exec_command", "run_shell_command", ...)
	Input map[string]any // its arguments
}

// Script maps a marker (found in a conversation's first user message) to
// the steps of that conversation.
type Script map[string][]Step

// Request is one logged model request.
type Request struct {
	API  string // "anthropic", "openai", "gemini", "exfil", "other"
	Path string
	Body string
}

// Mock is the mock model server.
type Mock struct {
	URL    string // http://127.0.0.1:PORT
	srv    *http.Server
	ln     net.Listener
	mu     sync.Mutex
	script Script
	log    []Request
	calls  int
	done   chan struct{}
}

// maxRequests bounds the work one mock does (a client stuck in a loop ends
// the mock's usefulness, not the machine's).
const maxRequests = 400

// StartMock starts a mock on 127.0.0.1 that shuts itself down after
// lifetime at the latest.
func StartMock(script Script, lifetime time.Duration) (*Mock, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	m := &Mock{URL: "http://" + ln.Addr().String(), ln: ln, script: script, done: make(chan struct{})}
	m.srv = &http.Server{Handler: m, ReadHeaderTimeout: 10 * time.Second}
	go m.srv.Serve(ln)
	go func() {
		select {
		case <-time.After(lifetime):
			m.Close()
		case <-m.done:
		}
	}()
	return m, nil
}

// Close stops the server.
func (m *Mock) Close() {
	m.mu.Lock()
	select {
	case <-m.done:
		m.mu.Unlock()
		return
	default:
		close(m.done)
	}
	m.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	m.srv.Shutdown(ctx)
}

// Requests returns the log so far.
func (m *Mock) Requests() []Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Request(nil), m.log...)
}

// Exfil returns what was posted to /exfil.
func (m *Mock) Exfil() []string {
	var out []string
	for _, r := range m.Requests() {
		if r.API == "exfil" {
			out = append(out, r.Body)
		}
	}
	return out
}

// Seen returns every model request body of an API joined: what the model
// was shown.
func (m *Mock) Seen(api string) string {
	var b strings.Builder
	for _, r := range m.Requests() {
		if r.API == api {
			b.WriteString(r.Body)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func (m *Mock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	api := "other"
	switch {
	case strings.HasPrefix(r.URL.Path, "/exfil"):
		api = "exfil"
	case strings.HasSuffix(r.URL.Path, "/v1/messages") || strings.HasSuffix(r.URL.Path, "/messages"):
		api = "anthropic"
	case strings.HasSuffix(r.URL.Path, "/responses"):
		api = "openai"
	case strings.Contains(r.URL.Path, ":streamGenerateContent") || strings.Contains(r.URL.Path, ":generateContent"):
		api = "gemini"
	}
	m.mu.Lock()
	m.calls++
	over := m.calls > maxRequests
	m.log = append(m.log, Request{API: api, Path: r.URL.Path, Body: string(body)})
	m.mu.Unlock()
	if over {
		http.Error(w, "mock: request budget used up", http.StatusTooManyRequests)
		return
	}
	switch api {
	case "exfil":
		w.Write([]byte("ok\n"))
	case "anthropic":
		m.anthropic(w, body)
	case "openai":
		m.openai(w, body)
	case "gemini":
		m.gemini(w, r, body)
	default:
		switch {
		case strings.Contains(r.URL.Path, "count_tokens"):
			writeJSON(w, map[string]any{"input_tokens": 10})
		case strings.Contains(r.URL.Path, ":countTokens"):
			writeJSON(w, map[string]any{"totalTokens": 10})
		case strings.HasSuffix(r.URL.Path, "/models"):
			writeJSON(w, map[string]any{"object": "list", "data": []any{}, "models": []any{}})
		default:
			writeJSON(w, map[string]any{})
		}
	}
}

// next picks the step for a conversation: the script entry whose marker is
// in first, and the k-th of its steps (k = tool results so far); nil when
// the conversation is done (or no marker matches).
func (m *Mock) next(first string, k int) *Step {
	for marker, steps := range m.script {
		if strings.Contains(first, marker) {
			if k < len(steps) {
				return &steps[k]
			}
			return nil
		}
	}
	return nil
}

// --- Anthropic Messages ---

func (m *Mock) anthropic(w http.ResponseWriter, body []byte) {
	var req struct {
		Stream   bool `json:"stream"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	json.Unmarshal(body, &req)
	first, results := "", 0
	for i, msg := range req.Messages {
		if i == 0 && msg.Role == "user" {
			first = string(msg.Content)
		}
		results += strings.Count(string(msg.Content), `"type":"tool_result"`)
	}
	var step *Step
	if len(req.Tools) > 0 {
		step = m.next(first, results)
	}
	id := fmt.Sprintf("msg_%d", time.Now().UnixNano())
	if !req.Stream {
		content := []any{map[string]any{"type": "text", "text": "DONE"}}
		stop := "end_turn"
		if step != nil {
			content = []any{map[string]any{"type": "tool_use", "id": "toolu_" + id, "name": step.Tool, "input": step.Input}}
			stop = "tool_use"
		}
		writeJSON(w, map[string]any{"id": id, "type": "message", "role": "assistant", "model": "claude-mock",
			"content": content, "stop_reason": stop, "stop_sequence": nil,
			"usage": map[string]any{"input_tokens": 10, "output_tokens": 5}})
		return
	}
	sse := newSSE(w)
	sse.event("message_start", map[string]any{"type": "message_start", "message": map[string]any{
		"id": id, "type": "message", "role": "assistant", "model": "claude-mock", "content": []any{},
		"stop_reason": nil, "stop_sequence": nil, "usage": map[string]any{"input_tokens": 10, "output_tokens": 1}}})
	stop := "end_turn"
	if step != nil {
		input, _ := json.Marshal(step.Input)
		sse.event("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
			"content_block": map[string]any{"type": "tool_use", "id": "toolu_" + id, "name": step.Tool, "input": map[string]any{}}})
		sse.event("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
			"delta": map[string]any{"type": "input_json_delta", "partial_json": string(input)}})
		stop = "tool_use"
	} else {
		sse.event("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
			"content_block": map[string]any{"type": "text", "text": ""}})
		sse.event("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
			"delta": map[string]any{"type": "text_delta", "text": "DONE"}})
	}
	sse.event("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0})
	sse.event("message_delta", map[string]any{"type": "message_delta",
		"delta": map[string]any{"stop_reason": stop, "stop_sequence": nil}, "usage": map[string]any{"output_tokens": 5}})
	sse.event("message_stop", map[string]any{"type": "message_stop"})
}

// --- OpenAI Responses ---

func (m *Mock) openai(w http.ResponseWriter, body []byte) {
	var req struct {
		Input []json.RawMessage `json:"input"`
		Tools []json.RawMessage `json:"tools"`
	}
	json.Unmarshal(body, &req)
	first, results := "", 0
	for _, it := range req.Input {
		var item struct {
			Type string `json:"type"`
			Role string `json:"role"`
		}
		json.Unmarshal(it, &item)
		switch {
		case item.Type == "function_call_output" || item.Type == "custom_tool_call_output":
			results++
		case item.Role == "user" && strings.Contains(string(it), "CASE:") && first == "":
			first = string(it)
		}
	}
	var step *Step
	if len(req.Tools) > 0 {
		step = m.next(first, results)
	}
	id := fmt.Sprintf("%d", time.Now().UnixNano())
	var item map[string]any
	if step != nil && step.Tool == "apply_patch" {
		// A freeform (custom) tool: the patch text is the whole input.
		patch, _ := step.Input["input"].(string)
		item = map[string]any{"type": "custom_tool_call", "id": "ctc_" + id, "call_id": "call_" + id, "name": step.Tool, "input": patch, "status": "completed"}
	} else if step != nil {
		args, _ := json.Marshal(step.Input)
		item = map[string]any{"type": "function_call", "id": "fc_" + id, "call_id": "call_" + id, "name": step.Tool, "arguments": string(args), "status": "completed"}
	} else {
		item = map[string]any{"type": "message", "id": "msg_" + id, "role": "assistant", "status": "completed",
			"content": []any{map[string]any{"type": "output_text", "text": "DONE", "annotations": []any{}}}}
	}
	resp := map[string]any{"id": "resp_" + id, "object": "response", "status": "in_progress", "model": "gpt-5.5", "output": []any{}}
	sse := newSSE(w)
	sse.event("response.created", map[string]any{"type": "response.created", "response": resp})
	sse.event("response.output_item.added", map[string]any{"type": "response.output_item.added", "output_index": 0, "item": item})
	sse.event("response.output_item.done", map[string]any{"type": "response.output_item.done", "output_index": 0, "item": item})
	done := map[string]any{"id": "resp_" + id, "object": "response", "status": "completed", "model": "gpt-5.5", "output": []any{item},
		"usage": map[string]any{"input_tokens": 10, "input_tokens_details": map[string]any{"cached_tokens": 0},
			"output_tokens": 5, "output_tokens_details": map[string]any{"reasoning_tokens": 0}, "total_tokens": 15}}
	sse.event("response.completed", map[string]any{"type": "response.completed", "response": done})
}

// --- Gemini API ---

func (m *Mock) gemini(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		Contents []struct {
			Role  string            `json:"role"`
			Parts []json.RawMessage `json:"parts"`
		} `json:"contents"`
		Tools            []json.RawMessage `json:"tools"`
		GenerationConfig struct {
			ResponseMimeType string `json:"responseMimeType"`
		} `json:"generationConfig"`
	}
	json.Unmarshal(body, &req)
	first, results := "", 0
	for _, c := range req.Contents {
		for _, p := range c.Parts {
			if bytes.Contains(p, []byte(`"functionResponse"`)) {
				results++
			}
			if first == "" && c.Role == "user" && bytes.Contains(p, []byte("CASE:")) {
				first = string(p)
			}
		}
	}
	var part map[string]any
	var step *Step
	if len(req.Tools) > 0 {
		step = m.next(first, results)
	}
	switch {
	case step != nil:
		part = map[string]any{"functionCall": map[string]any{"name": step.Tool, "args": step.Input}}
	case req.GenerationConfig.ResponseMimeType == "application/json":
		// The client's own side questions (next speaker, loop checks ...).
		part = map[string]any{"text": `{"next_speaker": "user", "reasoning": "done", "complexity_reasoning": "simple", "complexity_score": 1}`}
	default:
		part = map[string]any{"text": "DONE"}
	}
	chunk := map[string]any{
		"candidates":    []any{map[string]any{"content": map[string]any{"role": "model", "parts": []any{part}}, "finishReason": "STOP", "index": 0}},
		"usageMetadata": map[string]any{"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
		"modelVersion":  "gemini-mock",
	}
	if strings.Contains(r.URL.Path, ":streamGenerateContent") {
		sse := newSSE(w)
		sse.data(chunk)
		return
	}
	writeJSON(w, chunk)
}

// --- helpers ---

type sseWriter struct {
	w  *bufio.Writer
	hw http.ResponseWriter
}

func newSSE(w http.ResponseWriter) *sseWriter {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	return &sseWriter{w: bufio.NewWriter(w), hw: w}
}

func (s *sseWriter) event(name string, v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(s.w, "event: %s\ndata: %s\n\n", name, b)
	s.flush()
}

func (s *sseWriter) data(v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(s.w, "data: %s\n\n", b)
	s.flush()
}

func (s *sseWriter) flush() {
	s.w.Flush()
	if f, ok := s.hw.(http.Flusher); ok {
		f.Flush()
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
