package audit_test

import (
	"fmt"
	"os"
	"time"

	"github.com/bulwark-guard/bulwark/audit"
)

// The hook logs each decision in one call and only reports failures.
func ExampleAppend() {
	dir, _ := os.MkdirTemp("", "bulwark-state")
	defer os.RemoveAll(dir)

	r := audit.Record{
		Time:    time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Client:  "claude",
		Event:   "PreToolUse",
		Tool:    "Bash",
		Action:  audit.ActionDeny,
		Guards:  []audit.GuardHit{{ID: "git.force-push", Severity: "high", Action: "deny"}},
		Preview: "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE git push --force",
	}
	if err := audit.Append(dir, r, audit.Options{}); err != nil {
		fmt.Fprintln(os.Stderr, "bulwark: audit log not written:", err)
	}

	recs, skipped, _ := audit.Read(dir, audit.Filter{Actions: []string{"deny"}})
	fmt.Println(len(recs), skipped, recs[0].Preview)
	// Output: 1 0 AWS_ACCESS_KEY_ID=AKIA**************** git push --force
}
