package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/installer"
)

func init() {
	register("install", "wire bulwark into a coding client's hook settings", cmdInstall)
	register("uninstall", "remove exactly what install added", cmdUninstall)
}

// systemRoot is where the clients' managed and system files are looked for
// ("" = the real root); tests point it into a temporary directory.
var systemRoot = ""

// clientEnv is the clients' environment of this process.
func clientEnv() (clients.Env, error) {
	env, err := clients.EnvFromOS()
	env.Root = systemRoot
	return env, err
}

// ownCommands are the hook commands bulwark writes for a client with any
// profile (from bin, and from this executable), in either form (with the
// shell fallback, and plain as earlier versions wrote them): besides the
// manifest's records, the only handlers install and uninstall treat as
// bulwark's.
func ownCommands(c *clients.Client, bin string) []string {
	var out []string
	bins := []string{bin}
	if exe, err := defaultBinary(); err == nil {
		bins = append(bins, exe)
	}
	for _, b := range bins {
		if b == "" {
			continue
		}
		for _, p := range installer.Profiles {
			out = append(out, installer.CommandForms(b, c.Name, p)...)
		}
	}
	return out
}

// resolveClients turns --client into clients: one name, or "all" = the
// first client (Claude Code) plus every other client whose user config dir
// exists.
func resolveClients(flagVal string, env clients.Env) ([]*clients.Client, error) {
	if flagVal == "all" {
		all := clients.All()
		out := all[:1:1]
		for _, c := range all[1:] {
			if d := c.UserDir(env); d != "" {
				if fi, err := os.Stat(d); err == nil && fi.IsDir() {
					out = append(out, c)
				}
			}
		}
		return out, nil
	}
	c, err := clients.Lookup(flagVal)
	if err != nil {
		return nil, fmt.Errorf("%v or all", err)
	}
	return []*clients.Client{c}, nil
}

// defaultBinary is the running executable, absolute, symlinks resolved.
func defaultBinary() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	exe, err = filepath.Abs(exe)
	if err != nil {
		return "", err
	}
	if strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return "", fmt.Errorf("this bulwark runs from Go's build cache (%s), which is deleted after `go run`; build it and pass --binary PATH", exe)
	}
	return exe, nil
}

// checkBinary makes --binary absolute and checks that it is an executable file.
func checkBinary(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("--binary: %w", err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("--binary: %s is not an executable file", abs)
	}
	return abs, nil
}

func manifestPath() (string, error) {
	d := config.Dir()
	if d == "" {
		return "", errors.New("no usable HOME or BULWARK_HOME: nowhere to keep the install manifest")
	}
	return installer.ManifestPath(d), nil
}

func cmdInstall(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "balanced", "policy profile: minimal, balanced or strict")
	client := fs.String("client", "claude", "client to wire: claude, codex, cursor, gemini, or all (Claude Code plus every client whose config dir exists)")
	scope := fs.String("scope", "user", "settings to edit: user, project (in the current directory), local or managed (Claude Code only: a system-wide drop-in that no other settings, plugin or mod can override; needs root)")
	dryRun := fs.Bool("dry-run", false, "print the changes as a diff and write nothing")
	denyNative := fs.Bool("deny-native", false, "Claude Code: also deny the native Bash, Write and Edit tools outright (for work routed through a guarded MCP server)")
	binary := fs.String("binary", "", "bulwark executable the hooks run (default: this executable, symlinks resolved)")
	mcpWrap := fs.Bool("mcp", false, "wrap the client's stdio MCP servers through bulwark's proxy (bulwark mcp proxy) instead of installing hooks")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), joinLines(
			"usage: bulwark install [--profile balanced|strict|minimal] [--client claude|codex|cursor|gemini|all]",
			"                       [--scope user|project|local|managed] [--dry-run] [--deny-native] [--binary PATH]",
			"       bulwark install --mcp [--client C|all] [--scope user|project] [--dry-run] [--binary PATH]",
			"",
			"Adds bulwark's PreToolUse/PostToolUse hooks (and, for Claude Code, backstop permissions.deny",
			"rules) to the client's settings, keeping everything else as it was. Running it again updates",
			"bulwark's entries in place. Every changed file is backed up next to itself first.",
			""))
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bulwark install: unexpected argument %q\n", fs.Arg(0))
		return ExitBlock
	}
	if !slices.Contains(installer.Profiles, *profile) {
		fmt.Fprintf(stderr, "bulwark install: unknown profile %q (want minimal, balanced or strict)\n", *profile)
		return ExitBlock
	}
	if !*dryRun && refuseInAgent("install", stderr) {
		return ExitFail
	}
	env, err := clientEnv()
	if err != nil {
		fmt.Fprintf(stderr, "bulwark install: %v\n", err)
		return ExitFail
	}
	targets, err := resolveClients(*client, env)
	if err != nil {
		fmt.Fprintf(stderr, "bulwark install: %v\n", err)
		return ExitBlock
	}
	sc := installer.Scope(*scope)
	if !slices.Contains([]installer.Scope{installer.ScopeUser, installer.ScopeProject, installer.ScopeLocal, installer.ScopeManaged}, sc) {
		fmt.Fprintf(stderr, "bulwark install: unknown scope %q (want user, project, local or managed)\n", *scope)
		return ExitBlock
	}
	if *client == "all" {
		// "all" means every client that has the scope.
		targets = slices.DeleteFunc(targets, func(c *clients.Client) bool { return !c.HasScope(sc) })
	} else if !targets[0].HasScope(sc) {
		fmt.Fprintf(stderr, "bulwark install: scope %s does not exist for %s\n", sc, targets[0].Name)
		return ExitBlock
	}
	bin := *binary
	if bin == "" {
		bin, err = defaultBinary()
	} else {
		bin, err = checkBinary(bin)
	}
	if err != nil {
		fmt.Fprintf(stderr, "bulwark install: %v\n", err)
		return ExitFail
	}
	mpath, err := manifestPath()
	if err != nil {
		fmt.Fprintf(stderr, "bulwark install: %v\n", err)
		return ExitFail
	}
	if !*dryRun {
		unlock, err := installer.Lock(mpath)
		if err != nil {
			fmt.Fprintf(stderr, "bulwark install: %v\n", err)
			return ExitFail
		}
		defer unlock()
	}
	m, err := installer.LoadManifest(mpath)
	if err != nil {
		fmt.Fprintf(stderr, "bulwark install: %v\n", err)
		return ExitFail
	}

	status := ExitOK
	changedAny := false
	for _, c := range targets {
		if *mcpWrap {
			ch, failed := installMCP(c, sc, env, bin, m, *dryRun, stdout, stderr)
			changedAny = changedAny || ch
			if failed {
				status = ExitFail
			}
			continue
		}
		path, err := c.SettingsPath(sc, env)
		if err != nil {
			fmt.Fprintf(stderr, "FAIL %s (%s): %v\n", c.Name, sc, err)
			status = ExitFail
			continue
		}
		o := c.Options(env, clients.Request{Binary: bin, Profile: *profile, BulwarkDir: config.Dir(), DenyNative: *denyNative})
		o.Known = ownCommands(c, bin)
		ch, err := installer.InstallFile(c.Spec, sc, path, o, m, *dryRun, clock())
		if err != nil {
			fmt.Fprintf(stderr, "FAIL %s (%s): %v\n", c.Name, sc, err)
			fmt.Fprintf(stderr, "     the file was left untouched; fix it and run install again\n")
			status = ExitFail
			continue
		}
		changedAny = changedAny || ch.Changed
		reportChange(stdout, ch, "install")
		if ch.Changed && !*dryRun {
			for _, n := range c.InstallNotes(env, ch) {
				fmt.Fprintf(stdout, "  note: %s\n", n)
			}
		}
	}
	if !*dryRun {
		if err := m.Save(mpath); err != nil {
			fmt.Fprintf(stderr, "bulwark install: saving the install manifest %s: %v\n", mpath, err)
			return ExitFail
		}
	}
	if status == ExitOK && !*dryRun && changedAny {
		fmt.Fprintf(stdout, "Run 'bulwark doctor' to check the installation.\n")
	}
	return status
}

// reportChange prints what happened to one file.
func reportChange(w io.Writer, ch *installer.Change, verb string) {
	fmt.Fprintf(w, "%s (%s): %s\n", ch.Client, ch.Scope, ch.Path)
	if ch.Symlink() {
		fmt.Fprintf(w, "  %s is a symbolic link: writing through to %s\n", ch.Path, ch.Target)
	}
	if ch.DryRun {
		switch {
		case !ch.Changed:
			fmt.Fprintf(w, "  nothing to change\n")
		case ch.Removed:
			fmt.Fprintf(w, "  would delete the file (install created it and nothing else is left)\n")
		default:
			fmt.Fprint(w, indentLines(ch.Diff(), "  "))
			fmt.Fprintf(w, "  dry run: nothing written\n")
		}
		return
	}
	if verb == "install" && ch.Record != nil {
		r := ch.Record
		var evs []string
		for _, e := range r.Entries {
			evs = append(evs, e.Event)
		}
		fmt.Fprintf(w, "  hooks %s: %s\n", strings.Join(evs, ", "), r.Command())
		if len(r.DenyAdded)+len(r.DenyPreexisting) > 0 {
			fmt.Fprintf(w, "  permissions.deny: %d backstop rules, %d of them were already there (kept on uninstall)\n", len(r.DenyAdded)+len(r.DenyPreexisting), len(r.DenyPreexisting))
		}
	}
	switch {
	case !ch.Changed && verb == "install":
		fmt.Fprintf(w, "  already installed: unchanged\n")
	case !ch.Changed:
		fmt.Fprintf(w, "  no bulwark entries: unchanged\n")
	case ch.Removed:
		fmt.Fprintf(w, "  removed the file (install had created it)\n")
	case verb == "uninstall" && ch.Record != nil && len(ch.Record.DenyAdded) > 0:
		fmt.Fprintf(w, "  removed bulwark's hooks and the %d deny rules install had added\n", len(ch.Record.DenyAdded))
	case verb == "uninstall":
		fmt.Fprintf(w, "  removed bulwark's hooks\n")
	case ch.Old == nil:
		fmt.Fprintf(w, "  created\n")
	default:
		fmt.Fprintf(w, "  updated\n")
	}
	if ch.Backup != "" {
		fmt.Fprintf(w, "  backup: %s\n", ch.Backup)
	}
}

func indentLines(s, prefix string) string {
	if s == "" {
		return ""
	}
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}

func cmdUninstall(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("uninstall", flag.ContinueOnError)
	fs.SetOutput(stderr)
	client := fs.String("client", "", "client to unwire: claude, codex, cursor, gemini or all (default: with neither --client nor --scope, every file the install manifest lists plus Claude Code's user settings; with only --scope, claude)")
	scope := fs.String("scope", "", "settings to edit: user, project or local (default user when --client is given)")
	dryRun := fs.Bool("dry-run", false, "print the changes as a diff and write nothing")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), joinLines(
			"usage: bulwark uninstall [--client claude|codex|cursor|gemini|all] [--scope user|project|local|managed] [--dry-run]",
			"",
			"Removes bulwark's hooks from the client's settings, and the deny rules (and keys) install",
			"recorded as added; rules that were yours before install stay.",
			""))
		fs.PrintDefaults()
	}
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bulwark uninstall: unexpected argument %q\n", fs.Arg(0))
		return ExitBlock
	}
	if !*dryRun && refuseInAgent("uninstall", stderr) {
		return ExitFail
	}
	env, err := clientEnv()
	if err != nil {
		fmt.Fprintf(stderr, "bulwark uninstall: %v\n", err)
		return ExitFail
	}
	mpath, err := manifestPath()
	if err != nil {
		fmt.Fprintf(stderr, "bulwark uninstall: %v\n", err)
		return ExitFail
	}
	if !*dryRun {
		unlock, err := installer.Lock(mpath)
		if err != nil {
			fmt.Fprintf(stderr, "bulwark uninstall: %v\n", err)
			return ExitFail
		}
		defer unlock()
	}
	m, err := installer.LoadManifest(mpath)
	if err != nil {
		fmt.Fprintf(stderr, "bulwark uninstall: %v\n", err)
		return ExitFail
	}
	status := ExitOK

	type target struct {
		c    *clients.Client
		s    installer.Scope
		path string
	}
	var targets []target
	seen := map[string]bool{}
	add := func(c *clients.Client, s installer.Scope, path string) {
		if !seen[path] {
			seen[path] = true
			targets = append(targets, target{c, s, path})
		}
	}
	if *client == "" && *scope == "" {
		var files []string
		for f := range m.Files {
			files = append(files, f)
		}
		sort.Strings(files)
		for _, f := range files {
			c, err := clients.Lookup(m.Files[f].Client)
			if err != nil {
				fmt.Fprintf(stderr, "bulwark uninstall: the install manifest lists %s for %v\n", f, err)
				status = ExitFail
				continue
			}
			add(c, m.Files[f].Scope, f)
		}
		if p, err := clients.Claude.SettingsPath(installer.ScopeUser, env); err == nil {
			if t, err := filepath.EvalSymlinks(p); err == nil {
				p = t
			}
			add(clients.Claude, installer.ScopeUser, p)
		}
	} else {
		cv := *client
		if cv == "" {
			cv = "claude"
		}
		cs, err := resolveClients(cv, env)
		if err != nil {
			fmt.Fprintf(stderr, "bulwark uninstall: %v\n", err)
			return ExitBlock
		}
		sc := installer.Scope(*scope)
		if sc == "" {
			sc = installer.ScopeUser
		}
		for _, c := range cs {
			if !c.HasScope(sc) && cv == "all" {
				continue
			}
			path, err := c.SettingsPath(sc, env)
			if err != nil {
				fmt.Fprintf(stderr, "bulwark uninstall: %v\n", err)
				return ExitBlock
			}
			add(c, sc, path)
		}
	}

	// The MCP servers install --mcp wrapped: every record, or those of the
	// clients (and scope) asked for.
	if uninstallMCP(m, func(r *installer.MCPRecord) bool {
		if *client == "" && *scope == "" {
			return true
		}
		for _, t := range targets {
			if t.c.Name == r.Client && (*scope == "" || t.s == r.Scope) {
				return true
			}
		}
		return false
	}, *dryRun, stdout, stderr) {
		status = ExitFail
	}
	var changes []*installer.Change
	for _, t := range targets {
		ch, err := installer.UninstallFile(t.c.Spec, t.s, t.path, m, *dryRun, clock(), ownCommands(t.c, "")...)
		if err != nil {
			fmt.Fprintf(stderr, "FAIL %s (%s): %v\n", t.c.Name, t.s, err)
			fmt.Fprintf(stderr, "     the file was left untouched\n")
			status = ExitFail
			continue
		}
		if ch.Old == nil {
			continue // nothing there
		}
		reportChange(stdout, ch, "uninstall")
		changes = append(changes, ch)
		if ch.Record == nil && ch.Changed && t.c.Spec.Extra != nil {
			fmt.Fprintf(stdout, "  note: no install record for this file: bulwark's hooks were removed, permission rules were left as they are\n")
		}
	}
	if !*dryRun {
		if err := m.Save(mpath); err != nil {
			fmt.Fprintf(stderr, "bulwark uninstall: saving the install manifest %s: %v\n", mpath, err)
			return ExitFail
		}
		if m.Empty() {
			// Nothing installed any more: the lock file goes with the
			// manifest (a waiting install then locks a fresh one).
			installer.RemoveLock(mpath)
		}
		uninstallSummary(stdout, changes, m)
	}
	return status
}
