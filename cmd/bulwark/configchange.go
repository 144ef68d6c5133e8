package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/installer"
)

// configChangeGuard is the id of the verdict on a settings change that
// weakens bulwark (Claude Code's ConfigChange event).
const configChangeGuard = "tamper.config-change"

// maxSettingsFile bounds how much of a changed settings file is read.
const maxSettingsFile = 4 << 20

// configChangeVerdict judges Claude Code's ConfigChange event: a settings
// file changed on disk. A change that takes bulwark's hooks or backstop
// rules out of a file bulwark installed into, or turns every hook off, is
// blocked (Claude Code then keeps it out of the running session; the write
// itself is not undone, and the next session loads it, which is why the
// PreToolUse guards stop such writes first). Everything is logged.
func configChangeVerdict(act *guards.Action) guards.Verdict {
	v := guards.Verdict{}
	if len(act.Paths) == 0 {
		return v
	}
	path := act.Paths[0].Path
	if !filepath.IsAbs(path) && act.Cwd != "" {
		path = filepath.Join(act.Cwd, path)
	}
	target := path
	if t, err := filepath.EvalSymlinks(path); err == nil {
		target = t
	}
	var rec *installer.Record
	if mp, err := manifestPath(); err == nil {
		if m, err := installer.LoadManifest(mp); err == nil {
			if r := m.Files[target]; r != nil && r.Client == clients.Claude.Name {
				rec = r
			}
		}
	}
	var reasons []string
	data, err := readBounded(target, maxSettingsFile)
	switch {
	case os.IsNotExist(err) && rec != nil:
		reasons = []string{"the file bulwark is installed in was deleted"}
	case err == nil:
		reasons = clients.Claude.Weakens(data, rec)
	}
	if len(reasons) == 0 {
		return v
	}
	v.Decision = guards.Deny
	v.Hits = []guards.Hit{{
		GuardID: configChangeGuard, Title: "A settings change that weakens bulwark", Severity: guards.Critical, Decision: guards.Deny,
		Evidence: path + " (" + act.Query + "): " + strings.Join(reasons, "; "),
		Reason:   "The change turns off or loosens the guard that checks the agent's actions; bulwark keeps it out of this session.",
		Instead:  "If you meant it, restart the session (or run 'bulwark uninstall'); to restore bulwark, run 'bulwark install'.",
	}}
	return v
}

func readBounded(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}
