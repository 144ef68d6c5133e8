//go:build bulwark_mcp

package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bulwark-guard/bulwark/audit"
	"github.com/bulwark-guard/bulwark/backup"
	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/mcp"
	"github.com/bulwark-guard/bulwark/report"
)

func cmdMCPServe(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mcp serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "", "the workspace: file tools work only inside it, commands start in it (default: the current directory)")
	profile := fs.String("profile", "", "profile: minimal, balanced or strict (default $BULWARK_PROFILE, config.toml's, or balanced)")
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark mcp serve [--root DIR] [--profile P]",
		"",
		"A stdio MCP server of guarded tools, for clients that have no hooks: run_command, read_file,",
		"write_file, edit_file, delete_file, list_directory and restore_backup. Each call is judged",
		"as the hook judges the client's own tool of that kind before anything is done; what it lets",
		"run keeps a backup of what it destroys; every result is screened as tool output."))
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bulwark mcp serve: unexpected argument %q\n", fs.Arg(0))
		return ExitBlock
	}
	dir := *root
	if dir == "" {
		dir, _ = os.Getwd()
	}
	dir, err := filepath.Abs(dir)
	if err == nil {
		var fi os.FileInfo
		if fi, err = os.Stat(dir); err == nil && !fi.IsDir() {
			err = fmt.Errorf("%s is not a directory", dir)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "bulwark mcp serve: --root: %v\n", err)
		return ExitBlock
	}
	rt, err := loadRuntime(*profile, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "bulwark mcp serve: %v\n", err)
		return ExitBlock
	}
	judge := mcpJudge(rt, *profile, mcp.ServerName, stderr)
	// The backup step of each call, as the hook's; its record goes with
	// the call's audit record.
	var mu sync.Mutex
	kept := map[string]*audit.BackupRecord{}
	record := judge.Record
	judge.Record = func(act *guards.Action, v *guards.Verdict) {
		mu.Lock()
		bk := kept[act.ToolUseID+string(act.Event)]
		delete(kept, act.ToolUseID+string(act.Event))
		mu.Unlock()
		if bk == nil {
			record(act, v)
			return
		}
		rec := report.Record(act, v, rt.Profile)
		rec.Server, rec.Backup = mcp.ServerName, bk
		opts := logOptions(rt.Config.Log)
		opts.OnlyNonAllow = false
		if err := audit.Append(config.StateDir(), rec, opts); err != nil {
			fmt.Fprintf(stderr, "bulwark: audit log not written: %v\n", err)
		}
	}
	s := &mcp.Server{Root: dir, Home: os.Getenv("HOME"), Session: newSession(), Judge: judge, Stderr: stderr,
		Backup: func(act *guards.Action, v *guards.Verdict) {
			bk := keepBackup(act, v, rt.Config.Backup, time.Now().Add(5*time.Second), stderr)
			if bk != nil {
				mu.Lock()
				kept[act.ToolUseID+string(act.Event)] = bk
				mu.Unlock()
			}
		},
		Restore: serveRestore(stderr),
	}
	ctx, stop := signalContext()
	defer stop()
	if err := s.NewMCPServer(Version()).Run(ctx, stdio(stdin, stdout)); err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "bulwark mcp serve: %v\n", err)
		return ExitFail
	}
	return ExitOK
}

// serveRestore is restore_backup's side of `bulwark restore`: the list of
// recent backups, or one restored (logged as the CLI logs it).
func serveRestore(stderr io.Writer) func(id string, paths []string, dryRun bool) (string, error) {
	return func(id string, paths []string, dryRun bool) (string, error) {
		store, err := openStore()
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		if id == "" {
			if restoreList(store, false, 20, "", &b, &b) != ExitOK {
				return b.String(), fmt.Errorf("listing the backups failed")
			}
			return b.String(), nil
		}
		ro := backup.RestoreOptions{Paths: paths, DryRun: dryRun, Command: "bulwark mcp serve: restore_backup " + id}
		rep, err := store.Restore(id, ro)
		if rep == nil {
			return "", err
		}
		printRestore(&b, rep, false)
		if !dryRun {
			recordRestore(rep, ro, stderr)
		}
		return b.String(), err
	}
}
