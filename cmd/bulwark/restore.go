package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/backup"
	"github.com/bulwark-guard/bulwark/config"
)

func init() {
	register("restore", "list the backups of destroyed files, or put one back", cmdRestore)
}

func cmdRestore(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	last := fs.Bool("last", false, "restore the most recent backup")
	to := fs.String("to", "", "restore under DIR instead of where the files were")
	dryRun := fs.Bool("dry-run", false, "show what would be restored, and the conflicts, without changing anything")
	force := fs.Bool("force", false, "also overwrite files that changed since the call (their current content is kept in a new backup first)")
	asJSON := fs.Bool("json", false, "list backups as JSON lines")
	verbose := fs.Bool("v", false, "list every path restored, not only conflicts")
	limit := fs.Int("n", 20, "list at most this many backups (0: all)")
	session := fs.String("session", "", "list only the backups of this session (an id or its start)")
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark restore                     list backups, newest first",
		"       bulwark restore [flags] ID [PATH...]  restore a backup (all of it, or the paths at or under PATH)",
		"       bulwark restore [flags] --last [PATH...]",
		"",
		"bulwark keeps what a tool call is about to delete or overwrite before it lets the call run.",
		"Restoring never overwrites newer content silently: a file that changed since the call is a",
		"conflict, left as it is and listed (--force overwrites it, keeping its current content in a",
		"new backup first). Use --dry-run to see what would happen, --to DIR to restore elsewhere."))
	asked := "bulwark restore " + strings.Join(args, " ")
	var rest []string
	for {
		if code, done := parseFlags(fs, args, stdout); done {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "bulwark restore: %v\n", err)
		return ExitFail
	}
	store, err := openStore()
	if err != nil {
		return fail(err)
	}
	if !*last && len(rest) == 0 {
		if *to != "" || *force || *dryRun || *verbose {
			fmt.Fprintln(stderr, "bulwark restore: --to, --force, --dry-run and -v need a backup ID or --last")
			fs.Usage()
			return ExitBlock
		}
		return restoreList(store, *asJSON, *limit, *session, stdout, stderr)
	}
	var id string
	if *last {
		e, err := store.Last()
		if err != nil {
			return fail(err)
		}
		id = e.ID
	} else {
		id, rest = rest[0], rest[1:]
	}
	ro := backup.RestoreOptions{DryRun: *dryRun, Force: *force, Command: strings.TrimSpace(asked)}
	if *to != "" {
		d, err := filepath.Abs(*to)
		if err != nil {
			return fail(err)
		}
		ro.To = d
	}
	for _, p := range rest {
		a, err := filepath.Abs(p)
		if err != nil {
			return fail(err)
		}
		ro.Paths = append(ro.Paths, a)
	}
	rep, err := store.Restore(id, ro)
	if rep == nil {
		return fail(err)
	}
	printRestore(stdout, rep, *verbose)
	if !ro.DryRun {
		recordRestore(rep, ro, stderr)
	}
	if err != nil {
		return fail(err)
	}
	if rep.Count(backup.StepConflict)+rep.Count(backup.StepLost) > 0 {
		return ExitFail
	}
	return ExitOK
}

func openStore() (*backup.Store, error) {
	l := config.Load(config.Options{Version: Version(), NoCache: true})
	o := backup.FromConfig(l.Config.Backup, config.StateDir())
	o.Now = clock
	return backup.Open(o)
}

func restoreList(store *backup.Store, asJSON bool, limit int, session string, stdout, stderr io.Writer) int {
	es, err := store.Entries()
	if err != nil {
		fmt.Fprintf(stderr, "bulwark restore: %v\n", err)
		return ExitFail
	}
	if len(es) == 0 && !asJSON {
		fmt.Fprintln(stdout, "No backups yet. bulwark keeps what a tool call deletes or overwrites before it runs; each backup shows here.")
		return ExitOK
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	shown, more := 0, 0
	for i := len(es) - 1; i >= 0; i-- {
		if limit > 0 && shown >= limit {
			more++
			continue
		}
		sum, err := store.Summary(es[i])
		if err != nil {
			fmt.Fprintf(stderr, "bulwark restore: %v\n", err)
			continue
		}
		if session != "" && !strings.HasPrefix(sum.Session, session) {
			continue
		}
		shown++
		if asJSON {
			enc.Encode(sum)
			continue
		}
		what := sum.Command
		if sum.Restore != "" {
			what = "(before restoring " + sum.Restore + ") " + what
		}
		fmt.Fprintf(stdout, "%s  %s  %-6s %s\n", sum.ID, sum.Time.In(clock().Location()).Format("2006-01-02 15:04:05"), sum.Tool, audit.Preview(what, 100))
		var facts []string
		if sum.Session != "" {
			facts = append(facts, "session "+restoreClipID(sum.Session))
		}
		facts = append(facts, restorePlural(sum.Items, "item"), backup.FormatBytes(sum.Bytes))
		if sum.Git > 0 {
			facts = append(facts, "git state")
		}
		fmt.Fprintf(stdout, "        %s\n", strings.Join(facts, " · "))
		for _, p := range sum.Paths {
			fmt.Fprintf(stdout, "        %s\n", displayPath(p))
		}
		if sum.MorePaths > 0 {
			fmt.Fprintf(stdout, "        … and %s\n", restorePlural(sum.MorePaths, "more path"))
		}
		if sum.Incomplete != "" {
			fmt.Fprintf(stdout, "        not complete: %s\n", sum.Incomplete)
		}
		if sum.Lost > 0 {
			fmt.Fprintf(stdout, "        %s not kept (see bulwark logs)\n", restorePlural(sum.Lost, "path"))
		}
	}
	if more > 0 && !asJSON {
		fmt.Fprintf(stdout, "… and %s older (bulwark restore -n 0 lists them all)\n", restorePlural(more, "backup"))
	}
	return ExitOK
}

func printRestore(w io.Writer, rep *backup.RestoreReport, verbose bool) {
	verb := "restored"
	if rep.DryRun {
		verb = "would restore"
	}
	n := rep.Count(backup.StepRestore)
	counts := []string{fmt.Sprintf("%s %d", verb, n), fmt.Sprintf("%d unchanged", rep.Count(backup.StepUnchanged))}
	if c := rep.Count(backup.StepConflict); c > 0 {
		counts = append(counts, restorePlural(c, "conflict"))
	}
	if l := rep.Count(backup.StepLost); l > 0 {
		counts = append(counts, fmt.Sprintf("%d lost", l))
	}
	if s := rep.Count(backup.StepStash); s > 0 {
		counts = append(counts, fmt.Sprintf("%d stash %s", s, map[bool]string{true: "entry", false: "entries"}[s == 1]))
	}
	fmt.Fprintf(w, "bulwark restore %s: %s\n", rep.ID, strings.Join(counts, ", "))
	shown := 0
	for _, st := range rep.Steps {
		switch {
		case st.Kind == backup.StepConflict, st.Kind == backup.StepLost:
		case st.Kind == backup.StepStash, st.Forced:
		case st.Kind == backup.StepRestore && (verbose || rep.DryRun && shown < 20):
			shown++
		default:
			continue
		}
		line := fmt.Sprintf("  %-9s %s", st.Kind, displayPath(st.Path))
		if st.Forced {
			line = fmt.Sprintf("  %-9s %s", "forced", displayPath(st.Path))
		}
		if st.Why != "" {
			line += ": " + st.Why
		}
		fmt.Fprintln(w, line)
	}
	if rep.DryRun && !verbose && n > shown {
		fmt.Fprintf(w, "  … and %d more (-v lists them all)\n", n-shown)
	}
	if rep.Count(backup.StepConflict) > 0 {
		fmt.Fprintln(w, "Conflicts were left as they are. --force overwrites them (their current content is kept in a new backup first); --to DIR restores elsewhere.")
	}
	if rep.Before != nil && rep.Before.ID != "" {
		fmt.Fprintf(w, "What this restore overwrote is kept as backup %s (bulwark restore %s undoes it).\n", rep.Before.ID, rep.Before.ID)
	}
}

// recordRestore appends the restore to the audit log.
func recordRestore(rep *backup.RestoreReport, ro backup.RestoreOptions, stderr io.Writer) {
	cwd, _ := os.Getwd()
	rec := audit.Record{Time: clock(), Client: "cli", Cwd: cwd, Event: "restore", Tool: "bulwark restore", Action: audit.ActionAllow,
		Preview: ro.Command, Backup: &audit.BackupRecord{ID: rep.ID, Restored: int64(rep.Count(backup.StepRestore) + rep.Count(backup.StepStash)),
			Conflicts: int64(rep.Count(backup.StepConflict))}}
	if rep.Before != nil {
		rec.Backup.Before = rep.Before.ID
	}
	if err := audit.Append(config.StateDir(), rec, audit.Options{}); err != nil {
		fmt.Fprintf(stderr, "bulwark: audit log not written: %v\n", err)
	}
}

func restoreClipID(s string) string {
	if len(s) > 8 {
		return s[:8]
	}
	return s
}

func restorePlural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
