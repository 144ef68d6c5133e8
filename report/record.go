package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/guards"
)

// Record builds the audit record of one hook decision. audit.Append masks
// and bounds its text fields.
func Record(act *guards.Action, v *guards.Verdict, profile string) audit.Record {
	r := audit.Record{
		Time:       time.Now().UTC(),
		Client:     act.Client,
		SessionID:  act.SessionID,
		ToolUseID:  act.ToolUseID,
		Cwd:        act.Cwd,
		Event:      string(act.Event),
		Tool:       act.Tool,
		Action:     v.Decision.String(),
		Profile:    profile,
		Preview:    Preview(act),
		EvalMicros: v.Duration.Microseconds(),
		Approval:   v.ApprovalNote, // never v.Approval: the code stays out of the log
	}
	if r.Profile == "" {
		r.Profile = v.Profile
	}
	if v.Flag {
		// PostToolUse: the tool already ran; the output was kept from the agent.
		r.Action = audit.ActionFlag
	}
	for _, h := range v.Hits {
		r.Guards = append(r.Guards, audit.GuardHit{
			ID:        h.GuardID,
			Severity:  h.Severity.String(),
			Action:    h.Decision.String(),
			Evidence:  h.Evidence,
			AllowedBy: h.AllowID,
		})
	}
	if len(v.Hits) > 0 {
		r.Reason = v.Hits[0].Reason // the strictest hit's
	}
	return r
}

// Preview picks the most telling part of a tool call: the command, else
// the paths, URLs or query, else the raw input. It is not cut here:
// audit.Append masks it before cutting it to MaxPreview (cutting first could
// leave half a secret that no longer looks like one).
func Preview(act *guards.Action) string {
	switch {
	case act.Command != "":
		return act.Command
	case len(act.Paths) > 0:
		ps := make([]string, 0, len(act.Paths))
		for _, p := range act.Paths {
			ps = append(ps, p.Path)
		}
		return strings.Join(ps, " ")
	case len(act.URLs) > 0:
		return strings.Join(act.URLs, " ")
	case act.Query != "":
		return act.Query
	case len(act.Input) > 0:
		in := act.Input
		if len(in) <= 64<<10 {
			var b bytes.Buffer
			if json.Compact(&b, in) == nil {
				in = b.Bytes()
			}
		}
		return string(in)
	}
	return ""
}
