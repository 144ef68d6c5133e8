package guards

import (
	"fmt"
	"time"
)

// Decision is what bulwark answers, ordered from most to least permissive.
type Decision int

const (
	Allow Decision = iota // say nothing: the client's own permission flow decides
	Warn                  // allow, with a caution added to the agent's context
	Ask                   // ask the user
	Deny                  // refuse, with a reason for the agent
)

var decisionNames = [...]string{"allow", "warn", "ask", "deny"}

func (d Decision) String() string {
	if d < 0 || int(d) >= len(decisionNames) {
		return fmt.Sprintf("decision(%d)", int(d))
	}
	return decisionNames[d]
}

// ParseDecision reads "allow", "warn", "ask" or "deny".
func ParseDecision(s string) (Decision, error) {
	for i, n := range decisionNames {
		if n == s {
			return Decision(i), nil
		}
	}
	return Allow, fmt.Errorf("unknown action %q (want allow, warn, ask or deny)", s)
}

// Severity of a guard, ordered from least to most severe.
type Severity int

const (
	Low Severity = iota
	Medium
	High
	Critical
)

var severityNames = [...]string{"low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads "low", "medium", "high" or "critical".
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), nil
		}
	}
	return Low, fmt.Errorf("unknown severity %q (want low, medium, high or critical)", s)
}

// Hit is one guard that fired.
type Hit struct {
	GuardID  string
	Title    string
	Severity Severity
	Decision Decision // what the profile does with this guard
	Evidence string   // what matched, secrets masked
	Reason   string   // why it is dangerous (for the agent)
	Instead  string   // a safer alternative
	Via      []string // how the matched command was reached (sudo, bash -c ...)
	// AllowedBy names the user's allow rule or the human's approval that
	// let this hit through (Decision is then Allow), for people; "" if none.
	AllowedBy string
	// AllowID is the id of that rule or approval ("rule:3f9a2c",
	// "approval:8c1d2e4f"), for the audit log.
	AllowID string
}

// Verdict is the engine's answer for one Action.
type Verdict struct {
	Decision Decision
	// Flag is set on PostToolUse when the output must be blocked from the
	// agent's attention (a live secret, a prompt injection).
	Flag     bool
	Hits     []Hit // strictest first
	Profile  string
	Duration time.Duration
	// Effects is what the call leaves behind for later calls of its
	// session to be judged against (credentials read, files written,
	// secret values shown); nil when nothing.
	Effects *Effects
	// Approval is the allow-once code issued for this blocked call where
	// no human could be asked ("" if none), and ApprovalWindow how long it
	// can be approved: the reason tells the agent to have its user run
	// `bulwark approve CODE`. Set by the hook (package approval).
	Approval       string
	ApprovalWindow time.Duration
	// ApprovalNote is what the audit log records of it: "issued ID" or
	// "used ID" (the public id; never the code).
	ApprovalNote string
	// Losses are what the call would destroy if it ran (PreToolUse only):
	// for the backup, which keeps it first when the call is let through.
	Losses []Loss
	// Notes are told to the agent (and, when Alert, to the user) whatever
	// the decision: that a backup was kept, skipped or cut short.
	Notes []Note
}

// Note is a line added to the answer that no guard produced.
type Note struct {
	Text  string
	Alert bool // the user should see it too (where the client can show it)
}
