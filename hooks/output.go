package hooks

import (
	"bytes"
	"encoding/json"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/redact"
	"github.com/bulwark-guard/bulwark/report"
)

// MaskResponse returns a tool's response (tool_response, as the client sent
// it) with every secret in its strings masked (redact.Mask) and nothing else
// changed: the same objects, keys, arrays, numbers and booleans, so that it
// still matches the tool's own output schema (Claude Code drops an
// updatedToolOutput that does not) and the agent can go on working with it.
// changed reports whether anything was masked. A response that is not JSON
// is taken as one string.
func MaskResponse(raw json.RawMessage) (out json.RawMessage, changed bool) {
	return mapStrings(raw, func(s string) string { return redact.Mask(s) })
}

// WithholdResponse returns the response with every non-empty string replaced
// by notice, keeping its structure (and so the tool's schema).
func WithholdResponse(raw json.RawMessage, notice string) json.RawMessage {
	out, _ := mapStrings(raw, func(s string) string {
		if s == "" {
			return s
		}
		return notice
	})
	return out
}

func mapStrings(raw json.RawMessage, f func(string) string) (json.RawMessage, bool) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return raw, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		// Not JSON: the whole text is the output.
		s := string(raw)
		m := f(s)
		b, _ := json.Marshal(m)
		return b, m != s
	}
	changed := false
	v = walkStrings(v, f, &changed, 0)
	return marshalValue(v), changed
}

// walkStrings applies f to every string value, however deep (the decoder
// bounds the nesting): a secret nested past a depth limit would reach the
// model unmasked. Object keys are masked too (a key can hold a secret); they
// stay keys, so the tool's output shape is kept.
func walkStrings(v any, f func(string) string, changed *bool, depth int) any {
	switch x := v.(type) {
	case string:
		m := f(x)
		if m != x {
			*changed = true
		}
		return m
	case []any:
		for i := range x {
			x[i] = walkStrings(x[i], f, changed, depth+1)
		}
	case map[string]any:
		for k, e := range x {
			e = walkStrings(e, f, changed, depth+1)
			if mk := redact.Mask(k); mk != k {
				delete(x, k)
				k, *changed = mk, true
			}
			x[k] = e
		}
	}
	return v
}

func marshalValue(v any) json.RawMessage {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return json.RawMessage("null")
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// NoHumanToAsk reports whether an ask would reach no one: the one place
// where bulwark decides that an ask must be answered as a deny with a
// reason that tells the agent how a human can approve the call. It holds
// for clients that cannot ask from a hook at all (Codex, Gemini CLI, and
// Cursor outside shell and MCP events), and for Claude Code in the
// permission modes where no prompt is shown: auto (a classifier decides),
// dontAsk (anything not pre-allowed is denied) and bypassPermissions.
// (Under `claude -p` Claude Code itself turns an ask into a deny whose
// reason reaches the model.)
func NoHumanToAsk(act *guards.Action) bool {
	switch act.Client {
	case "claude":
		switch act.PermissionMode {
		case "auto", "dontAsk", "bypassPermissions":
			return true
		}
		return false
	case "cursor":
		return act.EventName != "beforeShellExecution" && act.EventName != "beforeMCPExecution"
	}
	return true
}

// LetsRun reports whether the client runs the call after this verdict:
// allow and warn, and an ask that a person can answer (see NoHumanToAsk).
// The backup keeps files only for calls that run.
func LetsRun(act *guards.Action, v *guards.Verdict) bool {
	switch v.Decision {
	case guards.Allow, guards.Warn:
		return true
	case guards.Ask:
		return !NoHumanToAsk(act)
	}
	return false
}

// Replace decides what the model sees of a flagged PostToolUse output and
// sets act.Replacement: the response with its secrets masked, when that is
// enough (judged again, the masked output is no longer flagged), else the
// response withheld (every string replaced by report.Withheld, structure
// kept). eval is the judge the hook uses. Only a flagged verdict with a
// response is touched.
func Replace(act *guards.Action, v *guards.Verdict, eval func(*guards.Action) guards.Verdict) {
	if act.Event != guards.PostToolUse || !v.Flag || len(act.Response) == 0 {
		return
	}
	masked, changed := MaskResponse(act.Response)
	if changed {
		again := *act
		again.Response, again.Output = masked, outputTextOf(masked)
		if mv := eval(&again); !mv.Flag {
			act.Replacement = masked
			return
		}
	}
	act.Replacement = WithholdResponse(masked, report.Withheld(v))
}

// noAskReason says why no human can answer an ask, for report.AskAsDeny.
func noAskReason(act *guards.Action, client string) string {
	if act.PermissionMode != "" && act.Client == "claude" {
		return client + " runs in " + act.PermissionMode + " mode, where a hook's question is shown to no one"
	}
	return client + " cannot ask from a hook"
}

// CarryCaution returns the verdict to answer an event with. For Gemini CLI
// it carries a pre-action caution over to the AfterTool answer: Gemini CLI
// ignores BeforeTool's additionalContext (observed, 0.61.0) but adds
// AfterTool's to the tool result, so a warn reaches the model one step
// later, with the output it concerns. Everything else answers v.
func CarryCaution(act *guards.Action, v *guards.Verdict, eval func(*guards.Action) guards.Verdict) *guards.Verdict {
	if act.Client != "gemini" || act.Event != guards.PostToolUse || v.Decision >= guards.Warn {
		return v
	}
	pre := *act
	pre.Event, pre.Output, pre.Response = guards.PreToolUse, "", nil
	pre.SessionID, pre.Memory = "", nil // judged already before it ran: nothing to remember
	if pv := eval(&pre); pv.Decision == guards.Warn {
		return &pv
	}
	return v
}
