package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/hooks"
	"github.com/bulwark-guard/bulwark/report"
)

// ServerName is the server name of bulwark's own guarded tools (in tool
// names, mcp__bulwark__run_command, and the audit log).
const ServerName = "bulwark"

// Bounds of the guarded tools.
const (
	maxFileRead    = 1 << 20 // bytes read_file returns
	maxCommandOut  = 1 << 20 // bytes of a command's output kept
	defaultCmdTime = 60 * time.Second
	maxCmdTime     = 10 * time.Minute
	maxListEntries = 2000
)

// Server is an MCP server of guarded tools for clients that have no hooks:
// run a command, read, write, edit and delete a file, list a directory,
// restore a backup. Every call is judged by the engine as the hook judges
// the client's own tool of that kind (Bash, Read, Write, Edit, rm, LS,
// `bulwark restore`), inside the workspace root, before anything is done;
// what bulwark lets run keeps a backup of what it destroys; every result
// is screened as tool output; every decision is recorded.
type Server struct {
	Root    string    // the workspace: file tools work only inside it; commands start in it
	Home    string    // $HOME, for ~ in paths and the guards
	Session string    // the session id of the connection's calls
	Judge   Judge     //
	Shell   string    // the shell run_command runs (default /bin/sh)
	Stderr  io.Writer // what bulwark reports (nil: discarded)
	// Backup keeps what a call lets run would destroy (PreToolUse) and
	// records what it left (PostToolUse), adding its notes to the verdict;
	// nil: no backups.
	Backup func(*guards.Action, *guards.Verdict)
	// Restore puts a backup back (or lists backups, id ""), returning the
	// report for the agent; nil: restore_backup says backups are off.
	Restore func(id string, paths []string, dryRun bool) (string, error)

	mu  sync.Mutex
	seq int
}

// Tools' inputs. The SDK derives each tool's input schema from them and
// validates the arguments before a handler runs.
type (
	RunInput struct {
		Command string `json:"command" jsonschema:"the shell command to run, in the workspace root"`
		Timeout int    `json:"timeout_seconds,omitempty" jsonschema:"how long it may run (default 60, at most 600)"`
	}
	PathInput struct {
		Path string `json:"path" jsonschema:"a path inside the workspace root (absolute, or relative to it)"`
	}
	ListInput struct {
		Path string `json:"path,omitempty" jsonschema:"a directory inside the workspace root (default: the root)"`
	}
	WriteInput struct {
		Path    string `json:"path" jsonschema:"a path inside the workspace root"`
		Content string `json:"content" jsonschema:"the file's new content"`
	}
	EditInput struct {
		Path       string `json:"path" jsonschema:"a path inside the workspace root"`
		OldString  string `json:"old_string" jsonschema:"the exact text to replace; it must occur once unless replace_all"`
		NewString  string `json:"new_string" jsonschema:"the text to put in its place"`
		ReplaceAll bool   `json:"replace_all,omitempty" jsonschema:"replace every occurrence"`
	}
	RestoreInput struct {
		ID     string   `json:"id,omitempty" jsonschema:"the backup to restore; without it, the recent backups are listed"`
		Paths  []string `json:"paths,omitempty" jsonschema:"restore only these paths"`
		DryRun bool     `json:"dry_run,omitempty" jsonschema:"show what would be restored and change nothing"`
	}
)

// NewMCPServer returns the SDK server with the guarded tools.
func (s *Server) NewMCPServer(version string) *sdk.Server {
	srv := sdk.NewServer(&sdk.Implementation{Name: "bulwark", Title: "bulwark guarded tools", Version: version}, &sdk.ServerOptions{
		Instructions: "Tools guarded by bulwark: each call is judged before it runs; a refused call says why and what to do instead. " +
			"File tools work inside the workspace root " + s.Root + ".",
	})
	sdk.AddTool(srv, &sdk.Tool{Name: "run_command", Description: "Run a shell command in the workspace root and return its output and exit status. bulwark judges the command before it runs."}, s.runCommand)
	sdk.AddTool(srv, &sdk.Tool{Name: "read_file", Description: "Read a text file inside the workspace root."}, s.readFile)
	sdk.AddTool(srv, &sdk.Tool{Name: "write_file", Description: "Create or overwrite a file inside the workspace root (what it replaces is kept in a backup)."}, s.writeFile)
	sdk.AddTool(srv, &sdk.Tool{Name: "edit_file", Description: "Replace exact text in a file inside the workspace root (the old content is kept in a backup)."}, s.editFile)
	sdk.AddTool(srv, &sdk.Tool{Name: "delete_file", Description: "Delete a file inside the workspace root (it is kept in a backup)."}, s.deleteFile)
	sdk.AddTool(srv, &sdk.Tool{Name: "list_directory", Description: "List a directory inside the workspace root."}, s.listDirectory)
	sdk.AddTool(srv, &sdk.Tool{Name: "restore_backup", Description: "List bulwark's backups of destroyed files, or restore one (the user confirms a restore)."}, s.restoreBackup)
	return srv
}

// guarded is one guarded call: judged, then (if let through) done.
type guarded struct {
	s    *Server
	name string // the MCP tool's name
	act  guards.Action
	v    guards.Verdict
}

// judge decodes the call as the client tool tool (Claude Code's
// vocabulary) with input, judges it, and returns the refusal to answer
// with, or nil when the call may go ahead.
func (s *Server) judge(name, tool string, input any) (*guarded, *sdk.CallToolResult) {
	raw, _ := json.Marshal(input)
	c := &guarded{s: s, name: name}
	s.mu.Lock()
	s.seq++
	id := strconv.Itoa(s.seq)
	s.mu.Unlock()
	act, err := hooks.ToolCall(Client, tool, raw, hooks.Env{Home: s.Home, Cwd: s.Root})
	if err != nil {
		act = guards.Action{Client: Client, Event: guards.PreToolUse, Tool: tool, Cwd: s.Root, Home: s.Home, Input: raw}
		c.v = cannotJudge(err)
	} else {
		act.SessionID, act.ToolUseID = s.Session, id
		c.v = s.Judge.Evaluate(&act)
		if c.v.Decision >= guards.Ask && s.Judge.Blocked != nil {
			s.Judge.Blocked(&act, &c.v)
		}
	}
	c.act = act
	if c.v.Decision < guards.Ask && s.Backup != nil {
		s.Backup(&c.act, &c.v)
	}
	// What the agent and the log see is the MCP tool's name.
	c.act.Tool = hooks.MCPToolName(ServerName, name)
	c.act.EventName = "tools/call"
	if s.Judge.Record != nil {
		s.Judge.Record(&c.act, &c.v)
	}
	if c.v.Decision >= guards.Ask {
		return nil, &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: denyText(&c.act, &c.v)}}}
	}
	return c, nil
}

// finish screens a result as tool output (secrets masked, injections
// withheld), adds the backup's and the caution's notes, records the
// output's verdict and lets the backup note what the call left.
func (c *guarded) finish(res *sdk.CallToolResult) *sdk.CallToolResult {
	raw, err := json.Marshal(res)
	if err != nil {
		return res
	}
	post := c.act
	post.Event, post.EventName, post.Memory, post.Scripts = guards.PostToolUse, "tools/call result", nil, nil
	post.Response, post.Output = raw, resultText(raw)
	v := c.s.Judge.Evaluate(&post)
	if c.s.Judge.Record != nil {
		c.s.Judge.Record(&post, &v)
	}
	out := screen(&post, &v, c.s.Judge.Evaluate)
	for _, n := range c.v.Notes {
		out = withNote(out, n.Text)
	}
	if c.v.Decision == guards.Warn {
		out = withNote(out, report.Caution(&c.v))
	}
	if c.s.Backup != nil && len(c.v.Losses) > 0 {
		c.s.Backup(&post, &v)
	}
	var r sdk.CallToolResult
	if bytes.Equal(out, raw) || json.Unmarshal(out, &r) != nil {
		return res
	}
	return &r
}

func textResult(text string, isError bool) *sdk.CallToolResult {
	return &sdk.CallToolResult{IsError: isError, Content: []sdk.Content{&sdk.TextContent{Text: text}}}
}

// inRoot resolves p against the root and refuses a path outside it, also
// through symbolic links (of the path's existing part).
func (s *Server) inRoot(p string) (string, error) {
	if p == "" {
		return "", errors.New("no path given")
	}
	if strings.HasPrefix(p, "~/") && s.Home != "" {
		p = filepath.Join(s.Home, p[2:])
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.Root, p)
	}
	p = filepath.Clean(p)
	root, err := filepath.EvalSymlinks(s.Root)
	if err != nil {
		return "", fmt.Errorf("the workspace root: %w", err)
	}
	// Resolve the longest existing prefix; what does not exist yet cannot
	// be a link.
	real, rest := p, ""
	for {
		r, err := filepath.EvalSymlinks(real)
		if err == nil {
			real = filepath.Join(r, rest)
			break
		}
		parent := filepath.Dir(real)
		if parent == real {
			break
		}
		rest = filepath.Join(filepath.Base(real), rest)
		real = parent
	}
	if real != root && !strings.HasPrefix(real, root+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the workspace root %s", p, s.Root)
	}
	return p, nil
}

// outside answers a file tool's call for a path outside the root, after the
// engine has judged it (so the log shows what was asked for).
func outside(err error) *sdk.CallToolResult {
	return textResult("bulwark refused this call: "+err.Error()+". The guarded file tools work only inside the workspace root; work on files there.", true)
}

func (s *Server) runCommand(ctx context.Context, _ *sdk.CallToolRequest, in RunInput) (*sdk.CallToolResult, any, error) {
	c, refused := s.judge("run_command", "Bash", map[string]any{"command": in.Command})
	if refused != nil {
		return refused, nil, nil
	}
	d := defaultCmdTime
	if in.Timeout > 0 {
		d = min(time.Duration(in.Timeout)*time.Second, maxCmdTime)
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	shell := s.Shell
	if shell == "" {
		shell = "/bin/sh"
	}
	cmd := exec.CommandContext(ctx, shell, "-c", in.Command)
	cmd.Dir = s.Root
	cmd.Stdin = nil
	var out capped
	out.max = maxCommandOut
	cmd.Stdout, cmd.Stderr = &out, &out
	killGroup(cmd)
	err := cmd.Run()
	status := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		status = ee.ExitCode()
	case err != nil:
		return c.finish(textResult("could not run the command: "+err.Error(), true)), nil, nil
	}
	text := out.String()
	if out.cut {
		text += fmt.Sprintf("\n[output cut at %d bytes]", maxCommandOut)
	}
	if ctx.Err() != nil {
		text += fmt.Sprintf("\n[stopped after %s]", d)
	}
	text += fmt.Sprintf("\n[exit status %d]", status)
	return c.finish(textResult(text, status != 0)), nil, nil
}

// capped keeps the first max bytes written to it.
type capped struct {
	mu  sync.Mutex
	b   bytes.Buffer
	max int
	cut bool
}

func (w *capped) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := w.max - w.b.Len(); room < len(p) {
		w.cut = true
		w.b.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return w.b.Write(p)
}

func (w *capped) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.ToValidUTF8(w.b.String(), "\uFFFD")
}

func (s *Server) readFile(_ context.Context, _ *sdk.CallToolRequest, in PathInput) (*sdk.CallToolResult, any, error) {
	p, perr := s.inRoot(in.Path)
	c, refused := s.judge("read_file", "Read", map[string]any{"file_path": absIn(s.Root, in.Path)})
	if refused != nil {
		return refused, nil, nil
	}
	if perr != nil {
		return outside(perr), nil, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return c.finish(textResult(err.Error(), true)), nil, nil
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileRead+1))
	if err != nil {
		return c.finish(textResult(err.Error(), true)), nil, nil
	}
	text := string(data)
	if len(data) > maxFileRead {
		text = string(data[:maxFileRead]) + fmt.Sprintf("\n[cut at %d bytes]", maxFileRead)
	}
	if !utf8.ValidString(text) {
		return c.finish(textResult(p+" is not a text file", true)), nil, nil
	}
	return c.finish(textResult(text, false)), nil, nil
}

func (s *Server) writeFile(_ context.Context, _ *sdk.CallToolRequest, in WriteInput) (*sdk.CallToolResult, any, error) {
	p, perr := s.inRoot(in.Path)
	c, refused := s.judge("write_file", "Write", map[string]any{"file_path": absIn(s.Root, in.Path), "content": in.Content})
	if refused != nil {
		return refused, nil, nil
	}
	if perr != nil {
		return outside(perr), nil, nil
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(p); err == nil {
		if !fi.Mode().IsRegular() {
			return c.finish(textResult(p+" is not a regular file", true)), nil, nil
		}
		mode = fi.Mode().Perm()
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return c.finish(textResult(err.Error(), true)), nil, nil
	}
	if err := os.WriteFile(p, []byte(in.Content), mode); err != nil {
		return c.finish(textResult(err.Error(), true)), nil, nil
	}
	return c.finish(textResult(fmt.Sprintf("wrote %d bytes to %s", len(in.Content), p), false)), nil, nil
}

func (s *Server) editFile(_ context.Context, _ *sdk.CallToolRequest, in EditInput) (*sdk.CallToolResult, any, error) {
	p, perr := s.inRoot(in.Path)
	c, refused := s.judge("edit_file", "Edit", map[string]any{"file_path": absIn(s.Root, in.Path), "old_string": in.OldString, "new_string": in.NewString})
	if refused != nil {
		return refused, nil, nil
	}
	if perr != nil {
		return outside(perr), nil, nil
	}
	fi, err := os.Stat(p)
	if err != nil {
		return c.finish(textResult(err.Error(), true)), nil, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return c.finish(textResult(err.Error(), true)), nil, nil
	}
	text := string(data)
	n := strings.Count(text, in.OldString)
	switch {
	case in.OldString == "":
		return c.finish(textResult("old_string is empty", true)), nil, nil
	case n == 0:
		return c.finish(textResult("old_string does not occur in "+p, true)), nil, nil
	case n > 1 && !in.ReplaceAll:
		return c.finish(textResult(fmt.Sprintf("old_string occurs %d times in %s: give more context, or replace_all", n, p), true)), nil, nil
	}
	if in.ReplaceAll {
		text = strings.ReplaceAll(text, in.OldString, in.NewString)
	} else {
		text = strings.Replace(text, in.OldString, in.NewString, 1)
	}
	if err := os.WriteFile(p, []byte(text), fi.Mode().Perm()); err != nil {
		return c.finish(textResult(err.Error(), true)), nil, nil
	}
	return c.finish(textResult(fmt.Sprintf("replaced %d occurrence(s) in %s", max(1, n*boolInt(in.ReplaceAll)), p), false)), nil, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Server) deleteFile(_ context.Context, _ *sdk.CallToolRequest, in PathInput) (*sdk.CallToolResult, any, error) {
	p, perr := s.inRoot(in.Path)
	// Judged as the command that does it: the guards and the backup see
	// a deletion of that path.
	c, refused := s.judge("delete_file", "Bash", map[string]any{"command": "rm -f -- " + shellQuote(absIn(s.Root, in.Path))})
	if refused != nil {
		return refused, nil, nil
	}
	if perr != nil {
		return outside(perr), nil, nil
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return c.finish(textResult(err.Error(), true)), nil, nil
	}
	if fi.IsDir() {
		return c.finish(textResult(p+" is a directory: delete_file deletes files", true)), nil, nil
	}
	if err := os.Remove(p); err != nil {
		return c.finish(textResult(err.Error(), true)), nil, nil
	}
	return c.finish(textResult("deleted "+p, false)), nil, nil
}

func (s *Server) listDirectory(_ context.Context, _ *sdk.CallToolRequest, in ListInput) (*sdk.CallToolResult, any, error) {
	if in.Path == "" {
		in.Path = "."
	}
	p, perr := s.inRoot(in.Path)
	c, refused := s.judge("list_directory", "LS", map[string]any{"path": absIn(s.Root, in.Path)})
	if refused != nil {
		return refused, nil, nil
	}
	if perr != nil {
		return outside(perr), nil, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return c.finish(textResult(err.Error(), true)), nil, nil
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var b strings.Builder
	for i, e := range entries {
		if i == maxListEntries {
			fmt.Fprintf(&b, "[%d more entries]\n", len(entries)-i)
			break
		}
		kind := "file"
		switch {
		case e.IsDir():
			kind = "dir"
		case e.Type()&os.ModeSymlink != 0:
			kind = "link"
		}
		fmt.Fprintf(&b, "%s\t%s\n", kind, e.Name())
	}
	return c.finish(textResult(b.String(), false)), nil, nil
}

func (s *Server) restoreBackup(_ context.Context, _ *sdk.CallToolRequest, in RestoreInput) (*sdk.CallToolResult, any, error) {
	// Judged as the command a person would run: listing is free, a restore
	// is the user's to confirm (tamper.bulwark-restore).
	words := []string{"bulwark", "restore"}
	if in.DryRun {
		words = append(words, "--dry-run")
	}
	if in.ID != "" {
		words = append(words, in.ID)
	}
	for _, p := range in.Paths {
		words = append(words, absIn(s.Root, p))
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = shellQuote(w)
	}
	c, refused := s.judge("restore_backup", "Bash", map[string]any{"command": strings.Join(quoted, " ")})
	if refused != nil {
		return refused, nil, nil
	}
	if s.Restore == nil {
		return c.finish(textResult("backups are off", true)), nil, nil
	}
	var paths []string
	for _, p := range in.Paths {
		paths = append(paths, absIn(s.Root, p))
	}
	text, err := s.Restore(in.ID, paths, in.DryRun)
	if err != nil {
		return c.finish(textResult(strings.TrimSpace(text+"\n"+err.Error()), true)), nil, nil
	}
	return c.finish(textResult(text, false)), nil, nil
}

// absIn is p as an absolute path, relative ones taken against root (the
// form the guards judge).
func absIn(root, p string) string {
	if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "~") {
		return p
	}
	return filepath.Join(root, p)
}

// shellQuote quotes a word for the shell, as the guards read commands.
func shellQuote(w string) string {
	if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,") == "" {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}
