package scan

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/installer"
)

// codexHooksFile is a Codex hooks.json, kept to check its hooks' trust
// against config.toml once every file is read.
type codexHooksFile struct {
	ctx *fileCtx
	doc *installer.Value
}

// codexConfig judges a Codex config.toml: the switch that turns hooks off,
// approval and sandbox defaults (top level and per profile), MCP servers,
// and the trust of bulwark's hooks.
func (s *scanner) codexConfig(c *fileCtx) {
	var cfg map[string]any
	if _, err := toml.Decode(string(c.data), &cfg); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			s.brokenAt(c, pe.Position.Line, max(pe.Position.Col, 1), "not valid TOML: "+pe.Message)
		} else {
			s.broken(c, 0, "not valid TOML: "+err.Error())
		}
		return
	}
	t := &tomlDoc{text: string(c.data)}
	if f, ok := cfg["features"].(map[string]any); ok {
		for _, k := range []string{"hooks", "codex_hooks"} {
			if v, ok := f[k].(bool); ok && !v {
				s.fact(c, t.keyOff([]string{"features"}, k), guards.ConfigFact{Condition: guards.CondHooksOff, Evidence: "[features] " + k + " = false",
					Detail: "Codex runs no hook, bulwark's included, while this file applies."})
			}
		}
	}
	s.codexDefaults(c, t, nil, cfg)
	if profs, ok := cfg["profiles"].(map[string]any); ok {
		for _, name := range sortedKeys(profs) {
			if p, ok := profs[name].(map[string]any); ok {
				s.codexDefaults(c, t, []string{"profiles", name}, p)
			}
		}
	}
	if servers, ok := cfg["mcp_servers"].(map[string]any); ok {
		for _, name := range sortedKeys(servers) {
			if sv, ok := servers[name].(map[string]any); ok {
				s.mcpServer(c, name, tomlServer(t, name, sv))
			}
		}
	}
	if filepath.Dir(c.path) == filepath.Clean(s.codexDir()) {
		s.codexTrust(c, cfg)
	}
}

func (s *scanner) codexDir() string {
	if d := s.env.Var("CODEX_HOME"); d != "" {
		return d
	}
	if s.env.Home == "" {
		return ""
	}
	return filepath.Join(s.env.Home, ".codex")
}

// codexDefaults judges approval_policy and sandbox_mode in a table.
func (s *scanner) codexDefaults(c *fileCtx, t *tomlDoc, table []string, m map[string]any) {
	where := ""
	if len(table) > 0 {
		where = "[" + strings.Join(table, ".") + "] "
	}
	if v, _ := m["approval_policy"].(string); v == "never" {
		s.fact(c, t.keyOff(table, "approval_policy"), guards.ConfigFact{Condition: guards.CondBypass, Evidence: where + `approval_policy = "never"`,
			Detail: "Codex never asks before running a command."})
	}
	if v, _ := m["sandbox_mode"].(string); v == "danger-full-access" {
		s.fact(c, t.keyOff(table, "sandbox_mode"), guards.ConfigFact{Condition: guards.CondBypass, Evidence: where + `sandbox_mode = "danger-full-access"`,
			Detail: "Codex runs commands with no sandbox."})
	}
}

// codexTrust checks that Codex trusts bulwark's hooks in every hooks.json
// the audit read: a hook Codex does not trust, or trusted with another
// command, does not run, and Codex says nothing.
func (s *scanner) codexTrust(c *fileCtx, cfg map[string]any) {
	states := map[string]clients.CodexHookState{}
	if h, ok := cfg["hooks"].(map[string]any); ok {
		if st, ok := h["state"].(map[string]any); ok {
			for k, v := range st {
				if m, ok := v.(map[string]any); ok {
					var hs clients.CodexHookState
					hs.TrustedHash, _ = m["trusted_hash"].(string)
					if b, ok := m["enabled"].(bool); ok {
						hs.Enabled = &b
					}
					states[k] = hs
				}
			}
		}
	}
	s.codexStates = states
	s.codexStatesRead = true
}

// codexTrustAll judges the trust of bulwark's Codex hooks once config.toml
// (if any) has been read.
func (s *scanner) codexTrustAll() {
	for _, f := range s.codex {
		if f.doc == nil {
			continue
		}
		abs, _ := filepath.Abs(f.ctx.path)
		for _, h := range clients.CodexHooks(abs, f.doc) {
			if !installer.IsBulwarkCommand(h.Command) {
				continue
			}
			st, ok := s.codexStates[h.Key]
			var detail string
			switch {
			case ok && st.Enabled != nil && !*st.Enabled:
				detail = "Codex has the " + h.Event + " hook disabled (" + h.Key + " enabled = false)."
			case !ok || st.TrustedHash == "":
				detail = "Codex does not trust the " + h.Event + " hook, so it does not run it and says nothing: open Codex, run /hooks and trust it."
			case st.TrustedHash != h.Hash:
				detail = "The " + h.Event + " hook changed since it was trusted, so Codex no longer runs it: trust it again in /hooks."
			default:
				continue
			}
			off := strings.Index(string(f.ctx.data), `"`+h.Event+`"`)
			s.fact(f.ctx, off, guards.ConfigFact{Condition: guards.CondHookUntrusted, Evidence: h.Event + ": " + h.Command, Detail: detail})
		}
	}
}

// tomlServer turns a [mcp_servers.NAME] table into the shape of a JSON
// server entry, with offsets found in the text.
func tomlServer(t *tomlDoc, name string, m map[string]any) *server {
	table := []string{"mcp_servers", name}
	sv := &server{name: name, off: t.tableOff(table)}
	if v, ok := m["command"].(string); ok {
		sv.command, sv.commandOff = v, t.keyOff(table, "command")
	}
	if a, ok := m["args"].([]any); ok {
		off := t.keyOff(table, "args")
		for _, x := range a {
			if v, ok := x.(string); ok {
				sv.args = append(sv.args, v)
				sv.argOffs = append(sv.argOffs, off)
			}
		}
	}
	if v, ok := m["url"].(string); ok {
		sv.url, sv.urlOff = v, t.keyOff(table, "url")
	}
	for _, sub := range []string{"env", "http_headers"} {
		if e, ok := m[sub].(map[string]any); ok {
			for _, k := range sortedKeys(e) {
				if v, ok := e[k].(string); ok {
					off := t.keyOff(append(table, sub), k)
					if off < 0 {
						off = t.keyOff(table, sub)
					}
					kv := keyValue{key: k, value: v, off: off}
					if sub == "env" {
						sv.env = append(sv.env, kv)
					} else {
						sv.headers = append(sv.headers, kv)
					}
				}
			}
		}
	}
	if v, ok := m["bearer_token"].(string); ok {
		sv.headers = append(sv.headers, keyValue{key: "Authorization", value: "Bearer " + v, off: t.keyOff(table, "bearer_token")})
	}
	return sv
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// tomlDoc finds where keys are in a TOML text, for line numbers: the
// decoder does not say. It reads table headers and key lines; a key it
// cannot place is reported at its table (or line 1).
type tomlDoc struct{ text string }

// tableOff is the offset of the [a.b] header (or its first key written
// dotted at the top level), -1 when not found.
func (t *tomlDoc) tableOff(table []string) int {
	if len(table) == 0 {
		return 0
	}
	off := 0
	for _, l := range strings.SplitAfter(t.text, "\n") {
		if h, ok := header(l); ok && slices.Equal(h, table) {
			return off
		}
		off += len(l)
	}
	return -1
}

// keyOff is the offset of key in table: under its header, dotted at the
// top level, or inline in the header's parent.
func (t *tomlDoc) keyOff(table []string, key string) int {
	off, cur := 0, []string(nil)
	for _, l := range strings.SplitAfter(t.text, "\n") {
		if h, ok := header(l); ok {
			cur = h
		} else if k, ok := keyOf(l); ok {
			full := append(append([]string{}, cur...), k...)
			if slices.Equal(full, append(append([]string{}, table...), key)) {
				return off + len(l) - len(strings.TrimLeft(l, " \t"))
			}
			// An inline table: env = { TOKEN = "..." }.
			if len(full) <= len(table)+1 && slices.Equal(full, append(append([]string{}, table...), key)[:len(full)]) &&
				strings.Contains(l, key) {
				return off + strings.Index(l, key)
			}
		}
		off += len(l)
	}
	if o := t.tableOff(table); o >= 0 {
		return o
	}
	return -1
}

// header reads a [table] or [[array]] line.
func header(l string) ([]string, bool) {
	l = strings.TrimSpace(l)
	if !strings.HasPrefix(l, "[") {
		return nil, false
	}
	l = strings.TrimPrefix(strings.TrimPrefix(l, "["), "[")
	end := strings.Index(l, "]")
	if end < 0 {
		return nil, false
	}
	return splitKey(l[:end]), true
}

// keyOf reads the dotted key of a key = value line.
func keyOf(l string) ([]string, bool) {
	t := strings.TrimSpace(l)
	if t == "" || t[0] == '#' {
		return nil, false
	}
	k, _, ok := strings.Cut(t, "=")
	if !ok {
		return nil, false
	}
	return splitKey(k), true
}

// splitKey splits a dotted TOML key, unquoting its parts.
func splitKey(k string) []string {
	var out []string
	var b strings.Builder
	quote := byte(0)
	for i := 0; i < len(k); i++ {
		ch := k[i]
		switch {
		case quote != 0 && ch == quote:
			quote = 0
		case quote != 0:
			if ch == '\\' && quote == '"' && i+1 < len(k) {
				i++
				ch = k[i]
			}
			b.WriteByte(ch)
		case ch == '"' || ch == '\'':
			quote = ch
		case ch == '.':
			out = append(out, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(ch)
		}
	}
	return append(out, strings.TrimSpace(b.String()))
}

var _ = fmt.Sprint
