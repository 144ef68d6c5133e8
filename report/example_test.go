package report_test

import (
	"fmt"
	"os"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/report"
)

var (
	exampleAct = &guards.Action{Event: guards.PreToolUse, Tool: "Bash", Kind: guards.KindShell, Command: "git push --force origin main"}
	exampleV   = &guards.Verdict{Decision: guards.Deny, Profile: "balanced", Hits: []guards.Hit{{
		GuardID: "git.force-push-main", Title: "Force push to main", Severity: guards.Critical, Decision: guards.Deny,
		Evidence: "git push --force origin main", Reason: "It rewrites the shared history of main.",
		Instead: "Push to a branch and open a pull request.",
	}}}
)

// The same verdict as `bulwark check` prints it for a person ...
func ExampleWrite() {
	report.Write(os.Stdout, exampleAct, exampleV, report.Style{Profile: "balanced", From: "--profile"})
	// Output:
	// DENY  git push --force origin main  (profile balanced, from --profile)
	//
	//   git.force-push-main  critical -> deny
	//     Force push to main
	//     seen:    git push --force origin main
	//     why:     It rewrites the shared history of main.
	//     instead: Push to a branch and open a pull request.
}

// ... and as the hook gives it to the agent.
func ExampleReason() {
	fmt.Println(report.Reason(exampleV, exampleAct))
	// Output:
	// bulwark blocked this Bash call: Force push to main [git.force-push-main, critical]. Seen: `git push --force origin main`. Why: It rewrites the shared history of main. Instead: Push to a branch and open a pull request.
}
