package guards

import "time"

// CPUTime is the CPU time this process has used (what Action.CPUDeadline
// is measured in).
func CPUTime() time.Duration { return cpuTime() }

// IncompleteID is the guard that fires when judging could not finish in
// time (limits.incomplete in packs/limits.toml).
const IncompleteID = "limits.incomplete"

// LateVerdict is the verdict for a call whose judging did not finish at
// all (the hook's watchdog answers with it): refused, and for a tool's
// output, withheld. why says what ran out.
func LateVerdict(act *Action, why string) Verdict {
	h := Hit{GuardID: IncompleteID, Title: "Check did not finish in time", Severity: Critical, Decision: Deny,
		Evidence: why,
		Reason:   "bulwark could not finish checking this call in time, so it was never judged; it is refused rather than let through unchecked.",
		Instead:  "Make the call smaller: split a very long command into several, write a large file in parts, or read a large output in pieces (head, tail, sed -n, a narrower Read offset/limit)."}
	return Verdict{Decision: Deny, Hits: []Hit{h}, Flag: act.Event == PostToolUse}
}
