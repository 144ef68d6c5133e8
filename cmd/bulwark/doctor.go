package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/config"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/installer"
	"github.com/bulwark-guard/bulwark/report"
)

func init() {
	register("doctor", "check that bulwark is installed and answering, per client", cmdDoctor)
}

// selfTestTimeout bounds one run of the installed hook command when the
// settings give no usable timeout.
const selfTestTimeout = 10 * time.Second

// doctor collects the check lines and counts.
type doctor struct {
	w            io.Writer
	fails, warns int
	env          clients.Env
	manifest     *installer.Manifest
	tested       map[string]bool // hook commands already self-tested
	checked      map[string]bool // settings files already checked (symlinks resolved)
	indent       string
}

func (d *doctor) line(tag, format string, args ...any) {
	fmt.Fprintf(d.w, "%s%s %s\n", d.indent, report.Paint(strings.ToLower(tag), fmt.Sprintf("%-4s", tag), useColor(d.w)), fmt.Sprintf(format, args...))
}

// section starts the checks of one settings file ("" ends it).
func (d *doctor) section(title string) {
	d.indent = ""
	if title != "" {
		fmt.Fprintln(d.w, title)
		d.indent = "  "
	}
}
func (d *doctor) ok(format string, args ...any)   { d.line("OK", format, args...) }
func (d *doctor) info(format string, args ...any) { d.line("INFO", format, args...) }
func (d *doctor) warn(format string, args ...any) { d.warns++; d.line("WARN", format, args...) }
func (d *doctor) fail(format string, args ...any) { d.fails++; d.line("FAIL", format, args...) }

// report prints a client description's findings.
func (d *doctor) report(fs []clients.Finding) {
	for _, f := range fs {
		switch f.Level {
		case clients.OK:
			d.ok("%s", f.Text)
		case clients.Warn:
			d.warn("%s", f.Text)
		case clients.Fail:
			d.fail("%s", f.Text)
		default:
			d.info("%s", f.Text)
		}
	}
}

func cmdDoctor(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := fs.String("client", "all", "client to check: claude, codex, cursor, gemini or all")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), joinLines(
			"usage: bulwark doctor [--client claude|codex|cursor|gemini|all]",
			"",
			"Checks every settings file (user, project, local) of each client: is bulwark installed, does",
			"the hook command point at this version's executable, with a known profile, are hooks enabled,",
			"are the deny rules in place; then runs the installed command the way the client does on a",
			"dangerous and a harmless event. Prints one OK/WARN/FAIL line per check; exits 1 on any FAIL.",
			""))
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bulwark doctor: unexpected argument %q\n", fs.Arg(0))
		return ExitBlock
	}
	targets := clients.All()
	if *client != "all" {
		c, err := clients.Lookup(*client)
		if err != nil {
			fmt.Fprintf(stderr, "bulwark doctor: %v or all\n", err)
			return ExitBlock
		}
		targets = []*clients.Client{c}
	}
	env, err := clientEnv()
	if err != nil {
		fmt.Fprintf(stderr, "bulwark doctor: %v\n", err)
		return ExitFail
	}
	d := &doctor{w: stdout, env: env, tested: map[string]bool{}, checked: map[string]bool{}}
	d.manifest = &installer.Manifest{Files: map[string]*installer.Record{}}
	if p, err := manifestPath(); err == nil {
		if m, err := installer.LoadManifest(p); err != nil {
			d.warn("install manifest: %v", err)
		} else {
			d.manifest = m
		}
	}
	d.info("bulwark %s (%s)", Version(), runtime.Version())

	d.checkConfiguration()
	installed := 0
	for _, c := range targets {
		installed += d.checkClient(c)
		d.checkMCP(c)
	}
	switch {
	case installed == 0 && *client == "all":
		d.fail("bulwark is not installed for any client: run 'bulwark install'")
	case installed == 0:
		d.fail("bulwark is not installed for %s: run 'bulwark install --client %s'", *client, *client)
	}
	fmt.Fprintf(stdout, "%d FAIL, %d WARN\n", d.fails, d.warns)
	if d.fails > 0 {
		return ExitFail
	}
	return ExitOK
}

// checkClient checks every scope of one client and returns how many
// settings files have bulwark installed.
func (d *doctor) checkClient(c *clients.Client) int {
	installed := 0
	d.report(c.CheckClient(d.env))
	for _, s := range c.Scopes {
		path, err := c.SettingsPath(s, d.env)
		if err != nil {
			continue
		}
		if d.checkFile(c, s, path) {
			installed++
		}
	}
	if installed == 0 {
		d.info("%s: bulwark is not installed (no bulwark hook in its user or project settings)", c.Name)
	}
	return installed
}

// checkFile checks one settings file; it reports whether bulwark is
// installed there.
func (d *doctor) checkFile(c *clients.Client, s installer.Scope, path string) bool {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	target := path
	if t, err := filepath.EvalSymlinks(path); err == nil {
		target = t
	}
	if d.checked[target] {
		return false // the same file as another scope (e.g. run from $HOME)
	}
	d.checked[target] = true
	title := fmt.Sprintf("%s (%s) %s", c.Name, s, path)
	if target != path {
		title += " -> " + target
	}
	d.section(title)
	defer d.section("")
	if err != nil {
		d.fail("%v", err)
		return false
	}
	root, err := installer.ParseDocument(data)
	if err != nil {
		d.fail("not valid JSON: %v (the client may ignore the whole file)", err)
		return false
	}
	rec := d.manifest.Files[target]
	found := installer.FindHandlers(c.Spec, root)
	if len(found) == 0 {
		if rec != nil {
			d.warn("the install manifest lists this file but it has no bulwark hook (removed by hand?)")
		} else {
			d.info("no bulwark hook in this file")
		}
		return false
	}
	events := c.Spec.Events
	for i, ev := range events {
		switch n := len(found[ev]); {
		case n == 0 && i == 0:
			d.fail("no bulwark hook on %s: actions are not checked", ev)
		case n == 0:
			d.warn("no bulwark hook on %s", ev)
		case n > 1:
			d.warn("%d bulwark hooks on %s (run 'bulwark install' to dedupe)", n, ev)
		}
	}
	var evs []string // the client's events first, in order, then any others
	for _, ev := range append(events, sortedNames(found)...) {
		if len(found[ev]) > 0 && !slices.Contains(evs, ev) {
			evs = append(evs, ev)
		}
	}
	d.ok("bulwark hooks on %s", strings.Join(evs, ", "))
	for ev, ms := range installer.NarrowMatchers(c.Spec, root) {
		d.warn("the bulwark hook on %s only runs for matcher %q: other tools are not checked (run 'bulwark install' to reset it to all tools)", ev, strings.Join(ms, `", "`))
	}

	var cmds []string
	for _, ev := range evs {
		for _, h := range found[ev] {
			d.checkTimeout(c, ev, h)
			d.report(c.CheckHandler(ev, h))
			if cmd := h.Get("command").Str(); !slices.Contains(cmds, cmd) {
				cmds = append(cmds, cmd)
			}
		}
	}
	for _, cmd := range cmds {
		if d.checkCommand(c, cmd) && !d.tested[c.Name+"\x00"+cmd] {
			d.tested[c.Name+"\x00"+cmd] = true
			d.selfTest(c, cmd, handlerTimeout(c, found[events[0]]))
		}
	}
	d.report(c.CheckFile(d.env, target, root, rec))
	return true
}

// checkCommand checks the program and arguments of a hook command; it
// reports whether the command is worth a live test.
func (d *doctor) checkCommand(c *clients.Client, cmd string) bool {
	pc, ok := installer.ParseCommand(cmd)
	if !ok {
		d.fail("cannot parse the hook command %q", cmd)
		return false
	}
	usable := true
	if !strings.HasPrefix(strings.TrimSpace(cmd), `"`) {
		d.warn("the binary path in %q is not double-quoted", cmd)
	}
	fi, err := os.Stat(pc.Binary)
	switch {
	case err != nil:
		d.fail("hook binary %s: %v (the client runs the action unguarded)", pc.Binary, err)
		usable = false
	case !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0:
		d.fail("hook binary %s is not an executable file", pc.Binary)
		usable = false
	default:
		d.ok("hook binary %s is executable", pc.Binary)
		d.checkVersion(pc.Binary)
	}
	if pc.Client != c.Name {
		d.fail("the hook command says --client %q, this is %s's settings", pc.Client, c.Name)
	}
	if slices.Contains(installer.Profiles, pc.Profile) {
		d.ok("profile %s", pc.Profile)
		if cfg, file := configProfile(); cfg != "" && cfg != pc.Profile {
			d.warn("the hook runs --profile %s, but %s says profile = %q: the hook's --profile wins (reinstall with 'bulwark install --profile %s', or drop profile from config.toml)", pc.Profile, file, cfg, cfg)
		}
	} else {
		d.fail("profile %q is not one of %s", pc.Profile, strings.Join(installer.Profiles, ", "))
	}
	return usable
}

// checkVersion runs `<binary> version` and compares with this build.
func (d *doctor) checkVersion(bin string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "version")
	cmd.WaitDelay = time.Second
	out, err := cmd.Output()
	if err != nil {
		d.warn("`%s version` failed: %v", bin, err)
		return
	}
	f := strings.Fields(string(out))
	if len(f) < 2 || f[0] != "bulwark" {
		d.warn("`%s version` printed %q, not a bulwark version", bin, strings.TrimSpace(string(out)))
		return
	}
	if f[1] != Version() {
		d.warn("hook binary is version %s, this is %s (run 'bulwark install' from the one you want)", f[1], Version())
		return
	}
	d.ok("hook binary is this version (%s)", f[1])
}

// checkTimeout warns about missing or mis-scaled timeouts (in the client's
// unit: under a second, or over 15 minutes, is a unit mistake).
func (d *doctor) checkTimeout(c *clients.Client, ev string, h *installer.Value) {
	t := h.Get("timeout")
	if t == nil {
		d.warn("%s hook has no timeout (client default applies)", ev)
		return
	}
	n, err := strconv.ParseFloat(t.Raw, 64)
	dur := time.Duration(n * float64(c.TimeoutUnit))
	switch {
	case err != nil || n <= 0:
		d.warn("%s hook timeout %s is not a positive number", ev, t.Raw)
	case c.TimeoutUnit == time.Millisecond && dur < time.Second:
		d.warn("%s hook timeout %s is in milliseconds for %s (under a second)", ev, t.Raw, c.Title)
	case dur > 15*time.Minute:
		d.warn("%s hook timeout %s is in %s (%.0f minutes): milliseconds written as seconds?", ev, t.Raw, unitName(c.TimeoutUnit), dur.Minutes())
	}
}

func unitName(d time.Duration) string {
	if d == time.Millisecond {
		return "milliseconds"
	}
	return "seconds"
}

func handlerTimeout(c *clients.Client, hs []*installer.Value) time.Duration {
	if len(hs) == 0 || hs[0].Get("timeout") == nil {
		return selfTestTimeout
	}
	n, err := strconv.ParseFloat(hs[0].Get("timeout").Raw, 64)
	if err != nil || n <= 0 {
		return selfTestTimeout
	}
	return min(time.Duration(n*float64(c.TimeoutUnit)), 30*time.Second)
}

// selfTest pipes a dangerous and a harmless event through the hook command
// exactly as the settings spell it, via sh -c like the clients do.
func (d *doctor) selfTest(c *clients.Client, command string, timeout time.Duration) {
	dec, detail, err := runHook(c, command, "rm -rf ~", timeout)
	switch {
	case err != nil:
		d.fail("self-test `rm -rf ~`: %v", err)
	case dec != "deny":
		d.fail("self-test `rm -rf ~` came back %s, want deny%s", dec, detail)
	default:
		d.ok("self-test `rm -rf ~` denied")
	}
	dec, detail, err = runHook(c, command, "git status", timeout)
	switch {
	case err != nil:
		d.fail("self-test `git status`: %v", err)
	case dec == "none":
		d.ok("self-test `git status` allowed (no decision: the client's own permissions apply)")
	case dec == "allow":
		d.warn("self-test `git status` answered an explicit allow, which skips the user's permission prompts")
	default:
		d.fail("self-test `git status` came back %s, want no decision%s", dec, detail)
	}
}

// runHook runs the hook command on one shell-command event and returns the
// decision: "deny", "ask", "allow" or "none". An exit status other than 0
// and 2, a timeout, or unparseable output is an error.
func runHook(c *clients.Client, command, shellCmd string, timeout time.Duration) (string, string, error) {
	cwd, _ := os.Getwd()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Stdin = bytes.NewReader(c.Canary(shellCmd, cwd))
	cmd.Dir = cwd
	cmd.Env = append(os.Environ(), "CLAUDE_PROJECT_DIR="+cwd, "CURSOR_PROJECT_DIR="+cwd, "GEMINI_PROJECT_DIR="+cwd, canaryEnv+"=1")
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	errText := strings.TrimSpace(stderr.String())
	if len(errText) > 200 {
		errText = errText[:200] + "…"
	}
	if ctx.Err() != nil {
		return "", "", fmt.Errorf("no answer within %s (the client would run the action unguarded)", timeout)
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 2 {
			if i := strings.Index(stderr.String(), installer.FallbackNotice); i >= 0 {
				// The binary did not answer; the command's shell fallback
				// blocked instead (so the client blocks every call).
				code, _, _ := strings.Cut(stderr.String()[i+len(installer.FallbackNotice):], ")")
				return "", "", fmt.Errorf("exit status %s: the binary did not answer, and the command's fail-closed fallback blocked the call (so the client blocks every call): %s", code, errText)
			}
			return "deny", fmt.Sprintf(" (exit 2: %s)", errText), nil
		}
		if errors.As(err, &ee) {
			return "", "", fmt.Errorf("exit status %d (not a decision; the client runs the action): %s", ee.ExitCode(), errText)
		}
		return "", "", err
	}
	out := bytes.TrimSpace(stdout.Bytes())
	if len(out) == 0 {
		return "none", "", nil
	}
	if out[0] != '{' {
		return "", "", fmt.Errorf("stdout is not JSON (%q): the client ignores the answer", clipText(string(out), 80))
	}
	if !json.Valid(out) {
		return "", "", fmt.Errorf("stdout is not valid JSON (%q)", clipText(string(out), 80))
	}
	dec := c.Decision(out)
	return dec, fmt.Sprintf(" (output %s)", clipText(string(out), 120)), nil
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func sortedNames[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkConfiguration reports the user's config.toml, user packs and the
// project file around the current directory: anything ignored is a FAIL
// (the user thinks it applies), warnings and expired rules are WARN.
func (d *doctor) checkConfiguration() {
	cwd, _ := os.Getwd()
	rep, err := checkConfig("", cwd)
	if err != nil {
		d.fail("configuration: %v", err)
		return
	}
	where := "no config.toml (built-in defaults)"
	if rep.ConfigFile != "" {
		where = rep.ConfigFile
	}
	d.info("configuration: %s, profile %s, %d user packs, %d allow rules in force", where, rep.Profile, len(rep.UserPacks), rep.ActiveAllow)
	for _, p := range rep.Problems {
		if p.Level == config.Error {
			d.fail("%s", p.String())
		} else {
			d.warn("%s", p.String())
		}
	}
}
