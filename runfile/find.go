package runfile

import (
	"strings"

	"github.com/bulwark-guard/bulwark/shell"
)

// Find says whether a command runs code from a file, and which. It looks
// only at the command (its name, arguments, redirections); it reads
// nothing.
func Find(c *shell.Command, dir string) (Exec, bool) {
	name := strings.ToLower(c.Name)
	args := words(c.Args)
	if c.Path != "" {
		// ./deploy.sh, /tmp/x, bin/run: the file itself runs.
		return Exec{Kind: Script, File: c.Path, Dir: dir, Label: c.Path}, true
	}
	switch {
	case isShellName(name):
		return findShell(c, name, args, dir)
	case name == "source" || name == ".":
		if len(args) > 0 && !c.Args[0].Dynamic && args[0] != "/dev/stdin" && args[0] != "-" {
			return Exec{Kind: Script, Lang: "sh", File: args[0], Dir: dir, Label: name + " " + args[0]}, true
		}
	case interpreter(name) != "":
		return findInterp(c, name, interpreter(name), args, dir)
	case name == "make" || name == "gmake":
		return findMake(c, name, args, dir)
	case name == "npm" || name == "pnpm" || name == "yarn" || name == "bun":
		return findPkg(c, name, args, dir)
	case name == "just":
		return findJust(c, args, dir)
	case name == "task" || name == "go-task":
		return findTask(c, args, dir)
	case name == "git":
		return findGit(c, args, dir)
	}
	return Exec{}, false
}

func words(ws []shell.Word) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Value
	}
	return out
}

func isShellName(n string) bool {
	switch n {
	case "sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "yash", "busybox-sh":
		return true
	}
	return false
}

// interpreter maps a command name to the language it runs.
func interpreter(n string) string {
	switch {
	case n == "python" || strings.HasPrefix(n, "python3") || strings.HasPrefix(n, "python2") || n == "pypy" || n == "pypy3":
		return "python"
	case n == "node" || n == "nodejs" || n == "tsx" || n == "ts-node" || n == "deno":
		return "node"
	case n == "ruby":
		return "ruby"
	case n == "perl" || strings.HasPrefix(n, "perl5"):
		return "perl"
	case n == "php" || strings.HasPrefix(n, "php8") || strings.HasPrefix(n, "php7"):
		return "php"
	}
	return ""
}

// stdinFile is the file a command's standard input is redirected from.
func stdinFile(c *shell.Command) string {
	for _, r := range c.Redirects {
		if (r.Op == "<" || r.Op == "0<") && !r.Target.Dynamic && r.Target.Value != "" {
			return r.Target.Value
		}
	}
	return ""
}

// findShell: `bash x.sh`, `sh -e x`, `sh < x`, `bash -s < x`; not -c.
func findShell(c *shell.Command, name string, args []string, dir string) (Exec, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			if i+1 < len(args) {
				return scriptAt(c, i+1, name, "sh", dir)
			}
			return Exec{}, false
		case a == "-c" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a[1:], "c"):
			return Exec{}, false // code on the command line: the shell analysis sees it
		case a == "-s" || strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a[1:], "s"):
			return stdinScript(c, name, dir)
		case a == "-o" || a == "+o" || a == "-O" || a == "+O" || a == "--rcfile" || a == "--init-file":
			i++
		case strings.HasPrefix(a, "-") || strings.HasPrefix(a, "+"):
		default:
			return scriptAt(c, i, name, "sh", dir)
		}
	}
	return stdinScript(c, name, dir)
}

func stdinScript(c *shell.Command, name, dir string) (Exec, bool) {
	if f := stdinFile(c); f != "" && !strings.HasPrefix(f, "/dev/") {
		return Exec{Kind: Script, Lang: "sh", File: f, Dir: dir, Label: name + " < " + f}, true
	}
	return Exec{}, false
}

func scriptAt(c *shell.Command, i int, name, lang, dir string) (Exec, bool) {
	w := c.Args[i]
	if w.Dynamic || w.Value == "-" || strings.HasPrefix(w.Value, "/dev/") {
		return Exec{}, false
	}
	return Exec{Kind: Script, Lang: lang, File: w.Value, Dir: dir, Label: name + " " + w.Value}, true
}

// Options of the interpreters that take a value (the script is the first
// operand after them).
var interpValueOpts = map[string][]string{
	"python": {"-W", "-X", "--check-hash-based-pycs"},
	"node":   {"-r", "--require", "--import", "--loader", "--experimental-loader", "--env-file", "--conditions", "-C", "--input-type", "--title", "--inspect-port", "--config", "--cwd", "--allow-read", "--allow-write", "--allow-net", "--allow-env", "--allow-run"},
	"ruby":   {"-I", "-r", "-C", "-E", "-x"},
	"perl":   {"-I", "-M", "-m", "-x"},
	"php":    {"-c", "-d", "-z"},
}

// findInterp: `python3 x.py`, `node x.js`, `deno run x.ts`, `php -f x`,
// `perl x.pl`, `ruby x.rb`, `python3 < x.py`; not -c/-e/-m.
func findInterp(c *shell.Command, name, lang string, args []string, dir string) (Exec, bool) {
	start := 0
	if name == "deno" {
		if len(args) == 0 || args[0] != "run" {
			return Exec{}, false
		}
		start = 1
	}
	takes := interpValueOpts[lang]
	for i := start; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			if i+1 < len(args) {
				return scriptAt(c, i+1, name, lang, dir)
			}
			return Exec{}, false
		case lang == "php" && a == "-f" && i+1 < len(args):
			return scriptAt(c, i+1, name, lang, dir)
		case a == "-c" || a == "-m" || a == "-e" || a == "-E" || a == "-p" || a == "-r" && lang == "php" ||
			a == "--eval" || a == "--print" || strings.HasPrefix(a, "--eval=") || strings.HasPrefix(a, "--print=") ||
			lang == "python" && strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsAny(a[1:], "cm") ||
			(lang == "perl" || lang == "ruby") && strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsAny(a[1:], "eE"):
			return Exec{}, false // code on the command line (or a module): the shell analysis sees it
		case contains(takes, a):
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return scriptAt(c, i, name, lang, dir)
		}
	}
	if f := stdinFile(c); f != "" && !strings.HasPrefix(f, "/dev/") {
		return Exec{Kind: Script, Lang: lang, File: f, Dir: dir, Label: name + " < " + f}, true
	}
	return Exec{}, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// findMake: `make [-f FILE] [-C DIR] [VAR=value] [TARGET...]`.
func findMake(c *shell.Command, name string, args []string, dir string) (Exec, bool) {
	ex := Exec{Kind: Make, Dir: dir, Vars: map[string]string{}}
	for i := 0; i < len(args); i++ {
		a, dyn := args[i], c.Args[i].Dynamic
		switch {
		case a == "-f" || a == "--file" || a == "--makefile":
			if i+1 < len(args) {
				ex.File = args[i+1]
				if c.Args[i+1].Dynamic || ex.File == "-" || strings.HasPrefix(ex.File, "/dev/") {
					return Exec{}, false // a makefile on stdin is the shell analysis's (make -f -)
				}
				i++
			}
		case strings.HasPrefix(a, "--file=") || strings.HasPrefix(a, "--makefile="):
			_, ex.File, _ = strings.Cut(a, "=")
		case strings.HasPrefix(a, "-f") && len(a) > 2:
			ex.File = a[2:]
		case a == "-C" || a == "--directory":
			if i+1 < len(args) {
				if c.Args[i+1].Dynamic {
					return Exec{}, false
				}
				ex.Dir = abs(args[i+1], ex.Dir, "")
				i++
			}
		case strings.HasPrefix(a, "--directory="):
			_, d, _ := strings.Cut(a, "=")
			ex.Dir = abs(d, ex.Dir, "")
		case strings.HasPrefix(a, "-C") && len(a) > 2:
			ex.Dir = abs(a[2:], ex.Dir, "")
		case a == "-n" || a == "--dry-run" || a == "--just-print" || a == "--recon" || a == "-q" || a == "--question" ||
			a == "-p" || a == "--print-data-base" || a == "--help" || a == "-v" || a == "--version":
			return Exec{}, false // prints, runs nothing
		case a == "-j" || a == "-l" || a == "-o" || a == "-W" || a == "-I" || a == "--jobs" || a == "--load-average":
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
			}
		case strings.HasPrefix(a, "-"):
		case strings.Contains(a, "=") && !dyn:
			k, v, _ := strings.Cut(a, "=")
			ex.Vars[strings.TrimSuffix(strings.TrimSuffix(k, ":"), "?")] = v
		case dyn:
			// a target known only at run time: judge the default goal
		default:
			ex.Targets = append(ex.Targets, a)
		}
	}
	ex.Label = strings.TrimSpace(name + " " + strings.Join(ex.Targets, " "))
	return ex, true
}

// Built-in commands of the package managers: anything else after pnpm,
// yarn or bun (`pnpm build`, `yarn lint`) runs the package script of that
// name.
var (
	pnpmBuiltins = set("add", "install", "i", "update", "up", "upgrade", "remove", "rm", "uninstall", "un", "link", "ln", "unlink",
		"import", "rebuild", "rb", "prune", "fetch", "patch", "patch-commit", "exec", "dlx", "create", "store", "list", "ls",
		"outdated", "why", "audit", "publish", "pack", "config", "c", "env", "setup", "server", "init", "deploy", "licenses",
		"root", "bin", "doctor", "help", "dedupe", "approve-builds", "ignored-builds", "self-update", "cat-file", "cat-index",
		"find-hash", "recursive", "-r", "install-test", "it", "x", "la", "ll", "view", "info", "login", "logout", "whoami",
		"search", "owner", "dist-tag", "version", "completion", "sbom")
	yarnBuiltins = set("add", "remove", "install", "upgrade", "up", "init", "info", "config", "cache", "global", "why",
		"workspace", "workspaces", "dlx", "exec", "pack", "publish", "login", "logout", "link", "unlink", "bin", "audit",
		"outdated", "version", "set", "plugin", "constraints", "node", "explain", "npm", "patch", "patch-commit", "rebuild",
		"search", "stage", "import", "generate-lock-entry", "licenses", "list", "owner", "tag", "team", "upgrade-interactive",
		"versions", "autoclean", "check", "create", "help", "dedupe", "unplug", "policies", "import")
	bunBuiltins = set("add", "a", "remove", "rm", "update", "outdated", "link", "unlink", "pm", "x", "create", "init",
		"build", "upgrade", "repl", "exec", "publish", "patch", "audit", "info", "why", "help", "completions", "discord", "test")
	npmRunAliases = set("run", "run-script", "rum", "urn")
	npmTestLike   = set("test", "tst", "t", "start", "stop", "restart")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// pkgDirOpts are the package managers' options naming the project
// directory.
var pkgDirOpts = set("--prefix", "-C", "--dir", "--cwd")

// findPkg: npm/pnpm/yarn/bun scripts and the install lifecycle.
func findPkg(c *shell.Command, tool string, args []string, dir string) (Exec, bool) {
	ex := Exec{Dir: dir, Tool: tool}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--ignore-scripts" || a == "--ignore-scripts=true":
			return Exec{}, false
		case a == "--":
			pos = append(pos, args[i:]...)
			i = len(args)
		case pkgDirOpts[a] && i+1 < len(args):
			if c.Args[i+1].Dynamic {
				return Exec{}, false
			}
			ex.Dir = abs(args[i+1], ex.Dir, "")
			i++
		case strings.HasPrefix(a, "--prefix=") || strings.HasPrefix(a, "--dir=") || strings.HasPrefix(a, "--cwd="):
			_, d, _ := strings.Cut(a, "=")
			ex.Dir = abs(d, ex.Dir, "")
		case (a == "-w" || a == "--workspace" || a == "--filter" || a == "-F") && i+1 < len(args):
			return Exec{}, false // another package of a workspace: not this directory's scripts
		case strings.HasPrefix(a, "-") && len(pos) == 0:
		default:
			if c.Args[i].Dynamic {
				return Exec{}, false
			}
			pos = append(pos, a)
		}
	}
	sub := ""
	if len(pos) > 0 {
		sub = pos[0]
	}
	installs := func(rest []string) bool {
		for _, r := range rest {
			if r != "--" && !strings.HasPrefix(r, "-") {
				return false // installing named packages: their scripts, not the project's
			}
		}
		return true
	}
	script := func(name string) (Exec, bool) {
		ex.Kind, ex.Targets = PkgScript, []string{name}
		ex.Label = tool + " run " + name
		return ex, true
	}
	lifecycle := func() (Exec, bool) {
		ex.Kind, ex.Label = Lifecycle, tool+" "+orDefault(sub, "install")
		return ex, true
	}
	switch tool {
	case "npm":
		switch {
		case npmRunAliases[sub] && len(pos) > 1:
			return script(pos[1])
		case npmTestLike[sub]:
			name := map[string]string{"tst": "test", "t": "test"}[sub]
			return script(orDefault(name, sub))
		case (sub == "install" || sub == "i" || sub == "ci" || sub == "clean-install" || sub == "isntall" || sub == "add") && installs(pos[1:]):
			return lifecycle()
		}
	case "pnpm":
		switch {
		case sub == "run" && len(pos) > 1:
			return script(pos[1])
		case sub == "install" || sub == "i" || sub == "install-test" || sub == "it":
			if installs(pos[1:]) {
				return lifecycle()
			}
		case sub == "test" || sub == "t" || sub == "start":
			if sub == "t" {
				return script("test")
			}
			return script(sub)
		case sub != "" && !pnpmBuiltins[sub]:
			return script(sub)
		}
	case "yarn":
		switch {
		case sub == "":
			return lifecycle()
		case sub == "run" && len(pos) > 1:
			return script(pos[1])
		case sub == "install":
			if installs(pos[1:]) {
				return lifecycle()
			}
		case !yarnBuiltins[sub]:
			return script(sub)
		}
	case "bun":
		switch {
		case sub == "run" && len(pos) > 1:
			if looksLikeFile(pos[1]) {
				return Exec{Kind: Script, Lang: "node", File: pos[1], Dir: ex.Dir, Label: "bun run " + pos[1]}, true
			}
			return script(pos[1])
		case sub == "install" || sub == "i":
			if installs(pos[1:]) {
				return lifecycle()
			}
		case sub != "" && looksLikeFile(sub):
			return Exec{Kind: Script, Lang: "node", File: sub, Dir: ex.Dir, Label: "bun " + sub}, true
		case sub != "" && !bunBuiltins[sub]:
			return script(sub)
		}
	}
	return Exec{}, false
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func looksLikeFile(s string) bool {
	for _, ext := range []string{".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return strings.Contains(s, "/")
}

// findJust: `just [-f FILE] [-d DIR] [RECIPE [ARGS...]]`.
func findJust(c *shell.Command, args []string, dir string) (Exec, bool) {
	ex := Exec{Kind: Just, Dir: dir, Vars: map[string]string{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-f" || a == "--justfile":
			if i+1 < len(args) {
				ex.File = args[i+1]
				i++
			}
		case a == "-d" || a == "--working-directory":
			if i+1 < len(args) {
				ex.Dir = abs(args[i+1], dir, "")
				i++
			}
		case a == "--set" && i+2 < len(args):
			ex.Vars[args[i+1]] = args[i+2]
			i += 2
		case a == "-n" || a == "--dry-run" || a == "-l" || a == "--list" || a == "--summary" || a == "--show" || a == "-s" ||
			a == "--evaluate" || a == "--dump" || a == "--help" || a == "-h" || a == "--version" || a == "--fmt" || a == "--choose" ||
			a == "--variables" || a == "--init" || a == "--edit" || a == "-e":
			return Exec{}, false
		case strings.HasPrefix(a, "-"):
		default:
			if c.Args[i].Dynamic {
				return Exec{}, false
			}
			if k, v, ok := strings.Cut(a, "="); ok && len(ex.Targets) == 0 {
				ex.Vars[k] = v
				continue
			}
			// The first operand is the recipe; the rest are its arguments
			// (or more recipes: followed only if they are recipes).
			ex.Targets = append(ex.Targets, a)
		}
	}
	ex.Label = strings.TrimSpace("just " + strings.Join(ex.Targets, " "))
	return ex, true
}

// findTask: `task [-t FILE] [-d DIR] [TASK...] [-- ARGS]`.
func findTask(c *shell.Command, args []string, dir string) (Exec, bool) {
	ex := Exec{Kind: Task, Dir: dir, Vars: map[string]string{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			i = len(args)
		case a == "-t" || a == "--taskfile":
			if i+1 < len(args) {
				ex.File = args[i+1]
				i++
			}
		case a == "-d" || a == "--dir":
			if i+1 < len(args) {
				ex.Dir = abs(args[i+1], dir, "")
				i++
			}
		case a == "-n" || a == "--dry" || a == "-l" || a == "--list" || a == "-a" || a == "--list-all" || a == "--summary" ||
			a == "--help" || a == "-h" || a == "--version" || a == "-i" || a == "--init" || a == "--status":
			return Exec{}, false
		case strings.HasPrefix(a, "-"):
		default:
			if c.Args[i].Dynamic {
				return Exec{}, false
			}
			if k, v, ok := strings.Cut(a, "="); ok {
				ex.Vars[k] = v
				continue
			}
			ex.Targets = append(ex.Targets, a)
		}
	}
	ex.Label = strings.TrimSpace("task " + strings.Join(ex.Targets, " "))
	return ex, true
}

// gitHooks are the hooks a git subcommand runs on the local side.
var gitHooks = map[string][]string{
	"commit":      {"pre-commit", "prepare-commit-msg", "commit-msg", "post-commit"},
	"push":        {"pre-push"},
	"merge":       {"pre-merge-commit", "commit-msg", "post-merge"},
	"pull":        {"post-merge"},
	"checkout":    {"post-checkout"},
	"switch":      {"post-checkout"},
	"rebase":      {"pre-rebase", "post-rewrite"},
	"am":          {"applypatch-msg", "pre-applypatch", "post-applypatch"},
	"cherry-pick": {"prepare-commit-msg", "commit-msg"},
}

// gitValueOpts are git's global options that take a value.
var gitValueOpts = set("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--exec-path")

// findGit: the hooks `git commit`, `git push` ... run; not with
// -n/--no-verify (commit, push, merge) or a dynamic -C.
func findGit(c *shell.Command, args []string, dir string) (Exec, bool) {
	ex := Exec{Kind: GitHook, Dir: dir}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "-C" && i+1 < len(args) {
			if c.Args[i+1].Dynamic {
				return Exec{}, false
			}
			ex.Dir = abs(args[i+1], ex.Dir, "")
			i++
			continue
		}
		if gitValueOpts[a] {
			i++
			continue
		}
		if !strings.HasPrefix(a, "-") {
			break
		}
	}
	if i >= len(args) {
		return Exec{}, false
	}
	sub := args[i]
	hooks := gitHooks[sub]
	if hooks == nil {
		return Exec{}, false
	}
	for _, a := range args[i+1:] {
		if a == "--" {
			break
		}
		if a == "--no-verify" || (sub == "commit" || sub == "merge") && isShortFlag(a, 'n') || a == "-h" || a == "--help" || a == "--dry-run" {
			if sub != "merge" || a != "-n" { // merge -n is --no-stat; --no-verify skips its hooks
				return Exec{}, false
			}
		}
	}
	ex.Targets = hooks
	ex.Label = "git " + sub
	return ex, true
}

// isShortFlag reports -X alone or in a cluster of short flags (-an, -nm is
// not: m takes a value, so -nmMSG is -n -m MSG).
func isShortFlag(a string, flag byte) bool {
	if len(a) < 2 || a[0] != '-' || a[1] == '-' {
		return false
	}
	for i := 1; i < len(a); i++ {
		if a[i] == flag {
			return true
		}
		if a[i] == 'm' || a[i] == 'F' || a[i] == 'c' || a[i] == 'C' || a[i] == 't' || a[i] == 'S' {
			return false // the rest is this option's value
		}
	}
	return false
}
