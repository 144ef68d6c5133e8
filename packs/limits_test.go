package packs

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/guards"
)

// Hostile command lines are built here, in Go: they are test data, never
// run by a shell.

func nestEval(cmd string, n int) string {
	for range n {
		cmd = "eval '" + strings.ReplaceAll(cmd, "'", `'\''`) + "'"
	}
	return cmd
}

func nestBase64(cmd string, n int) string {
	for range n {
		cmd = "echo " + base64.StdEncoding.EncodeToString([]byte(cmd)) + " | base64 -d | sh"
	}
	return cmd
}

func nestSubst(cmd string, n int) string {
	for range n {
		cmd = "echo $(" + cmd + ")"
	}
	return cmd
}

// TestLimitsFailClosed: reaching an analysis limit never lowers a verdict
// below what the visible part earned, under every profile, minimal
// included: the limit is itself a critical finding (shell.limit). Each
// hostile input has a look-alike just under the limit that stays allowed.
func TestLimitsFailClosed(t *testing.T) {
	es := diskEngines(t)
	hostile := map[string]string{
		"10001 statements then rm": strings.Repeat("true; ", 10001) + "rm -rf ~",
		"10001 varied statements":  strings.Repeat("true x; echo y; ", 5001) + "rm -rf ~",
		"9 nested $(":              nestSubst("rm -rf ~", 9),
		"10 nested eval":           nestEval("rm -rf ~", 10),
		"10 bare evals":            strings.Repeat("eval ", 10) + "rm -rf ~",
		"10 nested base64 | sh":    nestBase64("rm -rf ~", 10),
		"doubling 40 times":        "X=~; " + strings.Repeat(`X="$X $X"; `, 40) + "rm -rf $X",
	}
	for name, src := range hostile {
		act := guards.ExampleAction(guards.OnCommand, src)
		for i, e := range es {
			if v := e.Evaluate(&act); v.Decision != guards.Deny {
				t.Errorf("%s: %s = %s, want deny (%s)", name, profileOrder[i], v.Decision, describe(v))
			}
		}
	}
	harmless := map[string]string{
		"1000 statements":  strings.Repeat("true; ", 1000) + "ls",
		"8 nested $(":      nestSubst("ls", 8),
		"8 nested eval":    nestEval("ls", 8),
		"a growing path":   "X=~/src; " + strings.Repeat(`X="$X/a"; `, 40) + "ls $X",
		"doubling a bit":   "X=a; " + strings.Repeat(`X="$X $X"; `, 8) + "echo $X",
		"a long for loop":  "for f in " + strings.Repeat("a.go ", 200) + "; do gofmt -l $f; done",
		"many small pipes": strings.Repeat("echo x | grep x; ", 500),
	}
	for name, src := range harmless {
		act := guards.ExampleAction(guards.OnCommand, src)
		if v := es[1].Evaluate(&act); v.Decision != guards.Allow {
			t.Errorf("%s: balanced = %s, want allow (%s)", name, v.Decision, describe(v))
		}
	}
}
