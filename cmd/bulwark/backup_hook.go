package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/backup"
	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
)

// answerReserve is the part of the hook's wall-clock deadline a backup
// leaves for the answer. The audit record needs none of it: the hook claims
// the answer from its watchdog before logging, and the log waits for its
// lock (audit.DefaultLockWait) or spools, inside the clients' own timeout.
const answerReserve = 100 * time.Millisecond

// keepBackup is the hook's backup step. At PreToolUse, for a call bulwark
// lets run that would destroy something (the engine's effects), it keeps
// what would be lost and adds the backup's notes to the verdict. At
// PostToolUse it records what a backed-up call left behind. A call that
// destroys nothing never reaches the store: no stat, no readdir.
func keepBackup(act *guards.Action, v *guards.Verdict, cfg config.BackupConfig, deadline time.Time, stderr io.Writer) *audit.BackupRecord {
	switch act.Event {
	case guards.PreToolUse:
		if len(v.Losses) == 0 || !hooks.LetsRun(act, v) {
			return nil
		}
	case guards.PostToolUse:
		if act.ToolUseID == "" || len(guards.Losses(act)) == 0 {
			return nil
		}
	default:
		return nil
	}
	o := backup.FromConfig(cfg, config.StateDir())
	if o.Disabled {
		return nil
	}
	o.Now = clock
	store, err := backup.Open(o)
	if err != nil {
		v.Notes = append(v.Notes, guards.Note{Text: "bulwark could not keep a backup of what this call destroys (" + err.Error() + "): there is no undo for it.", Alert: true})
		return &audit.BackupRecord{Error: err.Error()}
	}
	hard := deadline.Add(-answerReserve)
	if act.Event == guards.PostToolUse {
		if err := store.AfterCall(act.SessionID, act.ToolUseID, hard); err != nil {
			fmt.Fprintf(stderr, "bulwark: backup: %v\n", err)
		}
		return nil
	}
	call := backup.Call{Client: act.Client, Session: act.SessionID, ToolUseID: act.ToolUseID, Tool: act.Tool, Cwd: act.Cwd,
		Command: audit.Preview(callText(act), 1000), Decision: v.Decision.String()}
	res := store.Keep(call, v.Losses, hard)
	v.Notes = append(v.Notes, res.Notes(v.Decision)...)
	if res.ID == "" && res.Err == nil && len(res.Skipped) == 0 {
		return nil // nothing there to lose
	}
	rec := &audit.BackupRecord{ID: res.ID, Items: int64(res.Files), Bytes: res.Bytes, Skipped: int64(len(res.Skipped)), Incomplete: res.Incomplete}
	if res.Err != nil {
		rec.Error = res.Err.Error()
	}
	return rec
}

// callText is what a backup records as its call: the command, else the
// tool and its paths.
func callText(act *guards.Action) string {
	if act.Command != "" {
		return act.Command
	}
	var b strings.Builder
	b.WriteString(act.Tool)
	for _, p := range act.Paths {
		b.WriteString(" " + p.Path)
	}
	return b.String()
}
