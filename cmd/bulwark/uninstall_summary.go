package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/installer"
)

// uninstallSummary says plainly, after the per-file lines, what uninstall
// removed and what it kept (and where), so nothing is left behind unknown.
func uninstallSummary(w io.Writer, changes []*installer.Change, m *installer.Manifest) {
	edited, deleted := 0, 0
	var backups []string
	for _, ch := range changes {
		switch {
		case ch.Removed:
			deleted++
		case ch.Changed:
			edited++
		}
		// Every backup of this file, install's and this uninstall's.
		if found, _ := filepath.Glob(ch.Target + installer.BackupSuffix + "*"); len(found) > 0 {
			backups = append(backups, found...)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Removed:")
	line := func(what, text string) { fmt.Fprintf(w, "  %-14s %s\n", what+":", text) }
	if edited+deleted == 0 {
		line("hooks", "none found in the settings looked at")
	} else {
		line("hooks", fmt.Sprintf("bulwark's hooks, and what install added with them, from %d settings file%s", edited+deleted, logsPlural(edited+deleted)))
	}
	for _, ch := range changes {
		if ch.Removed {
			line("file", ch.Target+" (install had created it; nothing else was in it)")
		}
	}
	if m.Empty() {
		if mp, err := manifestPath(); err == nil {
			line("manifest", mp)
			// bulwark's config directory, if that was all it held.
			if d := filepath.Dir(mp); isEmptyDir(d) {
				os.Remove(d)
			}
		}
	}
	fmt.Fprintln(w, "Kept:")
	kept := 0
	keep := func(what, path, note string) {
		kept++
		fmt.Fprintf(w, "  %-14s %s%s\n", what+":", path, note)
	}
	sort.Strings(backups)
	if len(backups) > 0 {
		fmt.Fprintln(w, "  (backups are each settings file as it was before an install or uninstall changed it)")
	}
	for _, b := range backups {
		keep("backup", b, "")
	}
	if len(m.Files) > 0 {
		var files []string
		for f := range m.Files {
			files = append(files, f)
		}
		sort.Strings(files)
		for _, f := range files {
			keep("still installed", f, " (not asked to uninstall it)")
		}
	}
	if f := config.ConfigFile(); exists(f) {
		keep("configuration", f, "")
	}
	if d := config.Dir(); exists(filepath.Join(d, config.PacksDirName)) {
		keep("user packs", filepath.Join(d, config.PacksDirName), "")
	}
	if d := config.StateDir(); exists(filepath.Join(d, audit.FileName)) {
		keep("audit log", filepath.Join(d, audit.FileName), " (and its rotated files)")
	}
	if exe, err := defaultBinary(); err == nil {
		keep("binary", exe, " (delete it, or run 'make uninstall', to remove bulwark itself)")
	}
	if kept == 0 {
		fmt.Fprintln(w, "  nothing")
	}
}

func isEmptyDir(d string) bool {
	entries, err := os.ReadDir(d)
	return err == nil && len(entries) == 0
}

func exists(path string) bool {
	if path == "" {
		return false
	}
	_, err := os.Stat(path)
	return err == nil
}
