package clients

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/bulwark-guard/bulwark/installer"
)

// Codex trusts a hook by hash: its /hooks screen writes, to config.toml,
//
//	[hooks.state."<abs hooks.json>:<event>:<group>:<handler>"]
//	trusted_hash = "sha256:<hex>"
//
// where the hash is sha256 over the compact, key-sorted JSON of the hook's
// normalised identity: {"event_name": "pre_tool_use", "matcher": …, "hooks":
// [{"type": "command", "command": …, "timeout": seconds (600 when unset),
// "async": false, "statusMessage": … when set}]}. A hook whose hash differs
// from the trusted one ("modified") or has none ("untrusted") does not run,
// silently. (codex-rs/hooks/src/engine/discovery.rs, command_hook_hash.)

// codexEventLabels are Codex's snake_case event names in state keys.
var codexEventLabels = map[string]string{
	"PreToolUse": "pre_tool_use", "PostToolUse": "post_tool_use", "PermissionRequest": "permission_request",
	"SessionStart": "session_start", "SessionEnd": "session_end", "UserPromptSubmit": "user_prompt_submit",
	"Stop": "stop", "SubagentStart": "subagent_start", "SubagentStop": "subagent_stop",
	"PreCompact": "pre_compact", "PostCompact": "post_compact",
}

// CodexHook is one command hook of a hooks.json, with its trust key and
// the hash Codex would trust.
type CodexHook struct {
	Event   string
	Key     string // the [hooks.state] key
	Hash    string // "sha256:…"
	Command string
	// PlainHash is the hash the same hook had with the command before the
	// fail-closed fallback (installer.PlainCommand), when it has one: what
	// a user trusted for an install by an earlier bulwark.
	PlainHash string
}

// CodexHooks lists the command hooks of a hooks.json at path (absolute) with
// their trust keys and hashes.
func CodexHooks(path string, root *installer.Value) []CodexHook {
	var out []CodexHook
	hooks := root.Get("hooks")
	if hooks == nil || hooks.Kind != installer.KindObject {
		return nil
	}
	for _, m := range hooks.Members {
		label := codexEventLabels[m.Key]
		if label == "" {
			continue
		}
		for gi, g := range m.Value.ArrayElemsOrNil() {
			var matcher any
			if mt := g.Get("matcher"); mt != nil && mt.Kind == installer.KindString && label != "user_prompt_submit" && label != "stop" {
				matcher = mt.Str()
			}
			for hi, h := range g.Get("hooks").ArrayElemsOrNil() {
				if h.Get("type").Str() != "command" {
					continue
				}
				cmd := h.Get("command").Str()
				ch := CodexHook{
					Event: m.Key, Key: fmt.Sprintf("%s:%s:%d:%d", path, label, gi, hi),
					Hash: codexHookHash(label, matcher, cmd, h), Command: cmd,
				}
				if plain := installer.PlainCommand(cmd); plain != cmd {
					ch.PlainHash = codexHookHash(label, matcher, plain, h)
				}
				out = append(out, ch)
			}
		}
	}
	return out
}

// codexHookHash is the hash of handler h run as command.
func codexHookHash(label string, matcher any, command string, h *installer.Value) string {
	timeout := int64(600)
	if t := h.Get("timeout"); t != nil {
		if n, err := strconv.ParseInt(t.Raw, 10, 64); err == nil {
			timeout = max(n, 1)
		}
	}
	if label == "session_end" {
		timeout = min(max(timeout, 1), 3)
	}
	handler := map[string]any{"type": "command", "command": command, "timeout": timeout, "async": h.Get("async").IsTrue()}
	if sm := h.Get("statusMessage"); sm != nil && sm.Kind == installer.KindString {
		handler["statusMessage"] = sm.Str()
	}
	identity := map[string]any{"event_name": label, "hooks": []any{handler}}
	if matcher != nil {
		identity["matcher"] = matcher
	}
	// encoding/json sorts map keys and writes no whitespace: the canonical
	// form Codex hashes.
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(identity)
	sum := sha256.Sum256([]byte(strings.TrimSuffix(b.String(), "\n")))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// CodexHookState is what config.toml says about one hook.
type CodexHookState struct {
	TrustedHash string `toml:"trusted_hash"`
	Enabled     *bool  `toml:"enabled"`
}

// codexConfig is the part of config.toml doctor reads.
type codexConfig struct {
	Hooks    map[string]toml.Primitive `toml:"hooks"`
	Features map[string]any            `toml:"features"`
}

// readCodexConfig reads config.toml: the hook states, whether it has inline
// hook events ([hooks.PreToolUse] …, not just [hooks.state]), and features.
func readCodexConfig(path string) (states map[string]CodexHookState, inline []string, features map[string]any, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, err
	}
	var cfg codexConfig
	md, err := toml.Decode(string(data), &cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	states = map[string]CodexHookState{}
	for k, prim := range cfg.Hooks {
		if k == "state" {
			if err := md.PrimitiveDecode(prim, &states); err != nil {
				return nil, nil, nil, fmt.Errorf("[hooks.state]: %w", err)
			}
			continue
		}
		inline = append(inline, k)
	}
	return states, inline, cfg.Features, nil
}

// codexTrustFindings compares the bulwark hooks of a hooks.json with the
// trust Codex recorded for them.
func codexTrustFindings(env Env, hooksPath string, root *installer.Value) []Finding {
	dir := codexDir(env)
	if dir == "" {
		return nil
	}
	abs, _ := filepath.Abs(hooksPath)
	states, _, _, err := readCodexConfig(filepath.Join(dir, "config.toml"))
	if err != nil && !isNotExist(err) {
		return []Finding{finding(Warn, "codex config.toml: %v: cannot check hook trust", err)}
	}
	var out []Finding
	for _, h := range CodexHooks(abs, root) {
		if !installer.IsBulwarkCommand(h.Command) {
			continue
		}
		st, ok := states[h.Key]
		switch {
		case ok && st.Enabled != nil && !*st.Enabled:
			out = append(out, finding(Fail, "codex: the %s hook is disabled in Codex (%s enabled = false): turn it on in Codex's /hooks", h.Event, h.Key))
		case !ok || st.TrustedHash == "":
			out = append(out, finding(Fail, "codex: the %s hook is not trusted, so Codex does not run it (no warning): open Codex, run /hooks and trust bulwark's hooks", h.Event))
		case st.TrustedHash == h.PlainHash:
			out = append(out, finding(Fail, "codex: the %s hook is trusted for the command an earlier bulwark wrote, without the fail-closed fallback; the command changed, so Codex does not run it: trust it again in Codex's /hooks (reinstalls keep this command from now on)", h.Event))
		case st.TrustedHash != h.Hash:
			out = append(out, finding(Fail, "codex: the %s hook changed since you trusted it (trusted %s, now %s), so Codex does not run it: trust it again in Codex's /hooks", h.Event, short(st.TrustedHash), short(h.Hash)))
		default:
			out = append(out, finding(OK, "codex: the %s hook is trusted (hash matches)", h.Event))
		}
	}
	return out
}

// codexTrustChanged reports the bulwark hooks whose trust an install
// dropped (trusted for the old file content, with another hash now), and
// whether the only change to their commands is the fail-closed fallback
// added to an earlier bulwark's.
func codexTrustChanged(env Env, ch *installer.Change) (dropped []string, fallbackAdded bool) {
	dir := codexDir(env)
	if dir == "" || ch.Old == nil || ch.New == nil {
		return nil, false
	}
	states, _, _, err := readCodexConfig(filepath.Join(dir, "config.toml"))
	if err != nil {
		return nil, false
	}
	oldRoot, err1 := installer.ParseDocument(ch.Old)
	newRoot, err2 := installer.ParseDocument(ch.New)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	abs, _ := filepath.Abs(ch.Target)
	now := map[string]CodexHook{}
	for _, h := range CodexHooks(abs, newRoot) {
		now[h.Key] = h
	}
	fallbackAdded = true
	for _, h := range CodexHooks(abs, oldRoot) {
		if st, ok := states[h.Key]; ok && st.TrustedHash == h.Hash && now[h.Key].Hash != h.Hash {
			dropped = append(dropped, h.Event)
			fallbackAdded = fallbackAdded && now[h.Key].PlainHash == h.Hash
		}
	}
	return dropped, fallbackAdded && len(dropped) > 0
}

func short(h string) string {
	if len(h) > 19 {
		return h[:19] + "…"
	}
	return h
}
