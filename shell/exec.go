package shell

import (
	"path"
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
)

// ExecKind says how the content of a file runs.
type ExecKind string

const (
	// ExecShell: a shell reads the file as shell code: `bash x.sh`,
	// `sh x`, `source x`, `. x`, `sh -s < x`, `sh < x`, `cat x | sh`.
	ExecShell ExecKind = "shell"
	// ExecInterp: an interpreter runs the file: `python3 x.py`,
	// `node x.js`, `ruby x.rb`, `perl x.pl`, `php x.php`,
	// `deno run x.ts`, `bun x.ts`, `python3 < x.py`.
	ExecInterp ExecKind = "interpreter"
	// ExecDirect: the file is run by its path (`./x`, `bin/x`, `/tmp/x`):
	// the kernel reads its #! line, or it is a binary.
	ExecDirect ExecKind = "direct"
	// ExecMake: make runs the recipes of Targets (none: the default goal)
	// from File (-f), or from the makefile make finds in Dir.
	ExecMake ExecKind = "make"
	// ExecPackageScript: a package manager runs the package.json scripts
	// Targets (`npm run build` runs prebuild, build, postbuild; `npm test`,
	// `pnpm build`, `yarn lint`, `bun run dev`) of the project in Dir.
	ExecPackageScript ExecKind = "package-script"
	// ExecPackageInstall: installing the project in Dir runs its lifecycle
	// scripts Targets (preinstall, install, postinstall, prepare ...):
	// `npm install` / `npm ci` (with no package named), `pnpm install`,
	// `yarn`, `bun install`.
	ExecPackageInstall ExecKind = "package-install"
	// ExecJust: just runs the recipes Targets from File (--justfile) or
	// the justfile it finds in Dir.
	ExecJust ExecKind = "just"
	// ExecTask: task runs the tasks Targets from File (--taskfile) or the
	// Taskfile it finds in Dir.
	ExecTask ExecKind = "task"
	// ExecGitHook: git runs the hooks Targets (`git commit`: pre-commit,
	// prepare-commit-msg, commit-msg, post-commit; `git push`: pre-push
	// ...) from File (-c core.hooksPath=DIR), or from the repository's
	// hooks directory (.git/hooks, or core.hooksPath in its config) of
	// the repository in Dir.
	ExecGitHook ExecKind = "git-hook"
	// ExecGitAlias: `git NAME` where NAME is not one of git's commands:
	// an alias from the git config of the repository in Dir (or the
	// user's), whose `!CODE` value runs as shell code, or a git-NAME
	// program on PATH. Targets is [NAME], Args its arguments. (An alias
	// given on the command line, git -c alias.NAME=..., is analysed as it
	// stands.)
	ExecGitAlias ExecKind = "git-alias"
)

// Exec is a file whose content runs when the command runs: a script given
// to a shell or an interpreter, a program run by its path, or a project
// file (Makefile, package.json, justfile, Taskfile, git hooks) whose
// recipes or scripts run. The analysis never reads files: Exec says which
// file and what of it runs, so that a caller that may read the disk (the
// hook, judging the call at exec time) can judge its content. Code that
// the analysis sees itself (bash -c CODE, a heredoc or a static pipe into a
// shell, bash <(...), make -f - fed by a heredoc) has no Exec: it is
// already analysed as nested commands.
//
// Commands run on another host or in a container (Via "ssh HOST",
// "docker exec" ...) have no Exec: their files are not this machine's.
type Exec struct {
	Kind ExecKind
	// File is the file as the shell sees it, after expansion: the
	// script operand ("x.sh", "./build"), the file stdin is read from
	// (Stdin), make's -f, just's --justfile, task's --taskfile, git's
	// core.hooksPath. It is empty when the tool finds its own file in
	// Dir (Makefile, package.json, justfile, Taskfile.yml, .git/hooks).
	// File.Dynamic is set when it is only known at run time.
	File Word
	// Path is File resolved against the directory it is opened in (the
	// command's Cwd; Dir for make, just, task and git): absolute, or
	// starting with "~/" when Env.Home is unknown. It is "" when File is
	// empty or dynamic, or relative to a directory that is not known. A
	// shell run on a name without a slash (`bash x.sh`, `source x`) may
	// also find it on PATH; Path is the one in the directory.
	Path string
	// Dir is the directory a project tool works in (make -C, npm
	// --prefix, pnpm -C, yarn --cwd, just -d, task -d, git -C), resolved
	// against Cwd; the command's Cwd otherwise; "" when not known.
	Dir string
	// Lang is, for ExecShell, the shell that reads the file ("bash",
	// "sh", ..., or "source" for source and . in the current shell); for
	// ExecInterp, the language ("python", "node", "perl", "ruby", "php";
	// deno and bun run "node" code); for the other kinds, the tool
	// ("make", "npm", "pnpm", "yarn", "bun", "just", "task", "git").
	Lang string
	// Targets are what of the file runs: make targets, package.json
	// scripts, just recipes (and their arguments, which only the justfile
	// tells apart), task names, git hooks, lifecycle scripts.
	Targets []string
	// Args are the words given to the script ($1 ... of a shell script,
	// sys.argv[1:]), make's and task's VAR=value operands, and what
	// follows -- for npm run, just and task.
	Args []Word
	// Stdin is set when the file is read on the command's standard input
	// (`sh < x.sh`, `sh -s < x`, `cat x.sh | bash`, `python3 - < x.py`).
	Stdin bool
}

// lifecycleScripts are the package.json scripts an install runs in the
// project itself.
var lifecycleScripts = [...]string{"preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"}

// execOf returns the Exec of a command about to be emitted, or nil. head
// is the command word as written (after expansion), cwd the command's
// working directory.
func execOf(spec *commands.Spec, head xword, name string, args []xword, in stdinInfo, sc *scope, cwd string) *Exec {
	if sc.remote || head.Dynamic {
		return nil
	}
	if strings.IndexByte(head.Value, '/') >= 0 {
		e := &Exec{Kind: ExecDirect, File: head.Word, Args: words(args)}
		e.Path = resolveIn(e.File, cwd)
		return e
	}
	if spec == nil {
		return nil
	}
	var e *Exec
	switch spec.Kind {
	case commands.Shell:
		e = shellScript(spec, name, args, in)
	case commands.Source:
		if len(args) > 0 && !args[0].procSubst {
			e = &Exec{Kind: ExecShell, Lang: "source", File: args[0].Word, Args: words(args[1:])}
			if isStdinPath(args[0]) {
				e = stdinExec(ExecShell, "source", in, nil)
			}
		}
	case commands.Interp:
		e = interpScript(spec, name, args, in)
	}
	switch spec.Name {
	case "npm", "pnpm", "yarn":
		e = packageScript(spec, args, cwd)
	case "make":
		e = makeExec(spec, args, in, cwd)
	case "just":
		e = projectExec(ExecJust, spec, args, cwd)
	case "task":
		e = projectExec(ExecTask, spec, args, cwd)
	case "git":
		e = gitHooks(spec, args, cwd)
	}
	if e == nil {
		return nil
	}
	if e.Dir == "" && (e.Kind == ExecPackageScript || e.Kind == ExecPackageInstall) {
		e.Dir = cwd // no directory option: the command's own
	}
	if e.Path == "" && e.File.Value != "" {
		dir := cwd
		switch e.Kind {
		case ExecMake, ExecJust, ExecTask, ExecGitHook:
			dir = e.Dir
		}
		e.Path = resolveIn(e.File, dir)
	}
	return e
}

// words returns the Words of xwords (nil for none).
func words(xs []xword) []Word {
	if len(xs) == 0 {
		return nil
	}
	out := make([]Word, len(xs))
	for i := range xs {
		out[i] = xs[i].Word
	}
	return out
}

// resolveIn resolves a file word against dir: "" when it is dynamic,
// empty, or relative to an unknown dir.
func resolveIn(w Word, dir string) string {
	v := w.Value
	switch {
	case w.Dynamic || v == "" || v == "-":
		return ""
	case strings.HasPrefix(v, "/") || v == "~" || strings.HasPrefix(v, "~/"):
		return path.Clean(v)
	case !strings.HasPrefix(dir, "/") && !strings.HasPrefix(dir, "~"):
		return "" // an unknown (or relative) directory
	}
	return path.Join(dir, v)
}

// stdinExec is the Exec of a program reading a file on stdin, or nil when
// stdin is not a file (or its content is known and analysed already).
func stdinExec(kind ExecKind, lang string, in stdinInfo, args []xword) *Exec {
	if in.known || in.file == nil {
		return nil
	}
	return &Exec{Kind: kind, Lang: lang, File: *in.file, Stdin: true, Args: words(args)}
}

// shellScript is the Exec of a shell running a script file.
func shellScript(spec *commands.Spec, name string, args []xword, in stdinInfo) *Exec {
	code, noexec, sflag := false, false, false
	i := scanOpts(args, spec, func(o opt) bool {
		switch o.short {
		case 'c':
			code = true
		case 'n':
			noexec = !o.plus
		case 's':
			sflag = true
		}
		return true
	})
	if code || noexec {
		return nil
	}
	if i < len(args) && args[i].Value == "-" && !args[i].Dynamic {
		return stdinExec(ExecShell, name, in, args[i+1:])
	}
	if sflag || i >= len(args) {
		return stdinExec(ExecShell, name, in, args[i:])
	}
	if isStdinPath(args[i]) {
		return stdinExec(ExecShell, name, in, args[i+1:])
	}
	if args[i].procSubst {
		return nil // bash <(...): a pipe, analysed when its output is static
	}
	return &Exec{Kind: ExecShell, Lang: name, File: args[i].Word, Args: words(args[i+1:])}
}

// interpScript is the Exec of an interpreter running a script file
// (python3 x.py, deno run x.ts, bun x.ts), or of bun running a
// package.json script or installing.
func interpScript(spec *commands.Spec, name string, args []xword, in stdinInfo) *Exec {
	lang := spec.Lang
	switch name {
	case "deno":
		if len(args) == 0 || args[0].Dynamic || args[0].Value != "run" {
			return nil
		}
		spec, args, lang = commands.Lookup("deno run"), args[1:], "node"
	case "bun":
		if len(args) > 0 && !args[0].Dynamic {
			switch sub := args[0].Value; {
			case sub == "install" || sub == "i":
				if len(operands(commands.Lookup("bun"), args[1:])) == 0 {
					return &Exec{Kind: ExecPackageInstall, Lang: "bun", Targets: lifecycleScripts[:]}
				}
				return nil
			case sub == "run":
				args = args[1:]
				if k := scanOpts(args, spec, nil); k < len(args) && !looksLikeFile(args[k]) {
					return &Exec{Kind: ExecPackageScript, Lang: "bun", Targets: []string{args[k].Value}, Args: words(args[k+1:])}
				}
			case !looksLikeFile(args[0]) && !strings.HasPrefix(sub, "-"):
				return nil // bun test, bun build, bun add ...: bun's own commands
			}
		}
	}
	if lang == "deno" {
		return nil
	}
	code := false
	i := scanOpts(args, spec, func(o opt) bool {
		if o.short != 0 && strings.IndexByte(spec.Code, o.short) >= 0 || o.long != "" && commands.HasWord(spec.CodeLong, o.long) ||
			lang == "python" && o.short == 'm' {
			code = true
			return false
		}
		return true
	})
	switch {
	case code:
		return nil
	case i < len(args) && args[i].Value == "-" && !args[i].Dynamic:
		return stdinExec(ExecInterp, lang, in, args[i+1:])
	case i < len(args) && args[i].procSubst:
		return nil
	case i < len(args):
		return &Exec{Kind: ExecInterp, Lang: lang, File: args[i].Word, Args: words(args[i+1:])}
	}
	return stdinExec(ExecInterp, lang, in, nil)
}

// looksLikeFile reports whether an operand names a file rather than a
// package.json script: it has a slash or a script extension.
func looksLikeFile(w xword) bool {
	v := w.Value
	if w.Dynamic || strings.IndexByte(v, '/') >= 0 {
		return true
	}
	switch path.Ext(v) {
	case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx", ".jsx":
		return true
	}
	return false
}

// operands returns the operands of args (the words that are not
// options), with options read as spec describes.
func operands(spec *commands.Spec, args []xword) []xword {
	var out []xword
	k := scanOpts(args, spec, func(o opt) bool {
		if o.operand {
			out = append(out, args[o.i])
		}
		return true
	})
	if spec == nil || !spec.Permute {
		return args[k:]
	}
	return append(out, args[k:]...)
}

// packageScript is the Exec of npm, pnpm or yarn running package.json
// scripts (npm run NAME, npm test, pnpm NAME, yarn NAME) or installing
// the project (npm install, npm ci, pnpm install, yarn).
func packageScript(spec *commands.Spec, args []xword, cwd string) *Exec {
	name := spec.Name
	var dir *Word
	i := scanOpts(args, spec, func(o opt) bool {
		if o.hasVal && (o.long == "prefix" || o.long == "cwd" || o.long == "dir" || name == "pnpm" && o.short == 'C') {
			d := o.val.Word
			dir = &d
		}
		return true
	})
	e := &Exec{Lang: name}
	if dir != nil {
		if e.Dir = resolveIn(*dir, cwd); e.Dir == "" {
			return nil // a project whose directory is not known
		}
	}
	sub, rest := "", args[min(i, len(args)):]
	if len(rest) > 0 {
		if rest[0].Dynamic {
			return nil
		}
		sub, rest = rest[0].Value, rest[1:]
	}
	prePost := name == "npm" || name == "yarn" // they run preNAME and postNAME too
	script := func(s string, more []xword) *Exec {
		e.Kind = ExecPackageScript
		if prePost {
			e.Targets = []string{"pre" + s, s, "post" + s}
		} else {
			e.Targets = []string{s}
		}
		e.Args = words(more)
		return e
	}
	install := func() *Exec {
		if len(operands(spec, rest)) > 0 {
			return nil // installs the packages named: their scripts are not here
		}
		e.Kind, e.Targets = ExecPackageInstall, lifecycleScripts[:]
		return e
	}
	switch sub {
	case "run", "run-script", "rum", "urn":
		k := scanOpts(rest, spec, nil)
		if k >= len(rest) || rest[k].Dynamic {
			return nil // lists the scripts
		}
		more := rest[k+1:]
		if len(more) > 0 && more[0].Value == "--" && !more[0].Dynamic {
			more = more[1:] // npm run build -- ARGS: ARGS go to the script
		}
		return script(rest[k].Value, more)
	case "test", "t", "tst", "start", "stop", "restart":
		s := sub
		if s == "t" || s == "tst" {
			s = "test"
		}
		return script(s, rest)
	case "install", "i", "ci", "clean-install", "install-clean", "ic", "isntall", "add":
		if sub == "add" {
			return nil
		}
		return install()
	case "":
		if name == "yarn" {
			return install() // bare yarn installs
		}
		return nil
	}
	if name != "npm" && !strings.HasPrefix(sub, "-") && !pkgBuiltin(name, sub) {
		return script(sub, rest) // pnpm build, yarn lint
	}
	return nil
}

// pkgBuiltin reports the subcommands of pnpm and yarn that are their own
// commands, not package.json scripts (`pnpm build` runs the script build,
// `pnpm update` updates).
func pkgBuiltin(name, sub string) bool {
	switch sub {
	case "add", "audit", "bin", "cache", "config", "create", "dedupe", "dlx", "exec", "help", "import", "info",
		"init", "install", "i", "link", "list", "ls", "outdated", "pack", "patch", "publish", "rebuild", "remove",
		"rm", "run", "unlink", "up", "update", "upgrade", "version", "why", "workspace", "workspaces", "licenses":
		return true
	}
	if name == "pnpm" {
		switch sub {
		case "fetch", "prune", "store", "env", "setup", "deploy", "doctor", "root", "server", "recursive", "-r", "patch-commit":
			return true
		}
	}
	if name == "yarn" {
		switch sub {
		case "global", "login", "logout", "owner", "policies", "tag", "team", "autoclean", "check", "generate-lock-entry",
			"upgrade-interactive", "node", "npm", "plugin", "set", "unplug", "constraints", "explain", "stage", "search":
			return true
		}
	}
	return false
}

// makeExec is the Exec of make: its makefile (-f), directory (-C),
// targets and VAR=value operands. A makefile on stdin whose text is known
// is analysed as it stands (see makeStdin); -n, -q, -v and -h run no
// recipe.
func makeExec(spec *commands.Spec, args []xword, in stdinInfo, cwd string) *Exec {
	e := &Exec{Kind: ExecMake, Lang: "make", Dir: cwd}
	dirKnown, norun := true, false
	i := scanOpts(args, spec, func(o opt) bool {
		switch {
		case o.short == 'C' || o.long == "directory":
			if !o.hasVal {
				break
			}
			if d := resolveIn(o.val.Word, e.Dir); d != "" {
				e.Dir = d
			} else {
				dirKnown = false
			}
		case o.short == 'f' || o.long == "file" || o.long == "makefile":
			if o.hasVal && e.File.Value == "" {
				e.File = o.val.Word
			}
		case o.operand:
			addMakeOperand(e, args[o.i])
		case strings.IndexByte(spec.NoRun, o.short) >= 0 && o.short != 0 || commands.HasWord("just-print dry-run recon question version help", o.long):
			norun = true
		}
		return true
	})
	for _, w := range args[i:] {
		addMakeOperand(e, w)
	}
	if norun {
		return nil
	}
	if !dirKnown {
		e.Dir = ""
	}
	if v := e.File.Value; v == "-" || v == "/dev/stdin" || v == "/dev/fd/0" || v == "/proc/self/fd/0" {
		if in.known {
			return nil // analysed: see makeStdin
		}
		if in.file == nil {
			e.File = Word{Value: v, Dynamic: true}
		} else {
			e.File, e.Stdin = *in.file, true
			e.Path = resolveIn(e.File, cwd) // stdin is opened by the shell, in cwd
		}
	}
	return e
}

func addMakeOperand(e *Exec, w xword) {
	if isAssignWord(w) {
		e.Args = append(e.Args, w.Word)
		return
	}
	if v := w.Value; v != "" && strings.Trim(v, "0123456789") != "" { // make -j 4: not a target
		e.Targets = append(e.Targets, v)
	}
}

// projectExec is the Exec of just and task: their file, directory and
// what to run.
func projectExec(kind ExecKind, spec *commands.Spec, args []xword, cwd string) *Exec {
	e := &Exec{Kind: kind, Lang: spec.Name, Dir: cwd}
	norun, dirKnown := false, true
	k := scanOpts(args, spec, func(o opt) bool {
		switch {
		case o.operand:
			if w := args[o.i]; isAssignWord(w) {
				e.Args = append(e.Args, w.Word)
			} else {
				e.Targets = append(e.Targets, w.Value)
			}
		case o.short == 'f' && kind == ExecJust || o.short == 't' && kind == ExecTask || o.long == "justfile" || o.long == "taskfile":
			if o.hasVal {
				e.File = o.val.Word
			}
		case o.short == 'd' || o.long == "working-directory" || o.long == "dir":
			if !o.hasVal {
				break
			}
			if d := resolveIn(o.val.Word, cwd); d != "" {
				e.Dir = d
			} else {
				dirKnown = false
			}
		case o.short != 0 && strings.IndexByte(spec.NoRun, o.short) >= 0,
			commands.HasWord("list list-all summary dump evaluate variables show init fmt edit completion completions dry dry-run status version help", o.long):
			norun = true
		}
		return true
	})
	e.Args = append(e.Args, words(args[k:])...)
	if norun {
		return nil
	}
	if !dirKnown {
		e.Dir = ""
	}
	return e
}

// gitHooks is the Exec of a git command that runs hooks.
func gitHooks(spec *commands.Spec, args []xword, cwd string) *Exec {
	e := &Exec{Kind: ExecGitHook, Lang: "git", Dir: cwd}
	i := scanOpts(args, spec, func(o opt) bool {
		switch {
		case o.short == 'C' && o.hasVal:
			e.Dir = resolveIn(o.val.Word, e.Dir)
		case o.short == 'c' && o.hasVal:
			if k, v, ok := strings.Cut(o.val.Value, "="); ok && strings.EqualFold(k, "core.hooksPath") {
				e.File = Word{Value: v, Dynamic: o.val.Dynamic}
			}
		}
		return true
	})
	if i >= len(args) || args[i].Dynamic {
		return nil
	}
	sub, rest := args[i].Value, args[i+1:]
	if !gitBuiltin(sub) && !strings.HasPrefix(sub, "-") && !gitAliasGiven(args[:i], sub) {
		e.Kind, e.Targets, e.Args = ExecGitAlias, []string{sub}, words(rest)
		return e
	}
	noVerify := false
	sspec := commands.Lookup("git " + sub)
	scanOpts(rest, sspec, func(o opt) bool {
		if o.long == "no-verify" || o.short == 'n' && (sub == "commit" || sub == "am") {
			noVerify = true
		}
		return true
	})
	var hooks []string
	switch sub {
	case "commit":
		hooks = []string{"pre-commit", "prepare-commit-msg", "commit-msg", "post-commit"}
	case "merge", "pull":
		hooks = []string{"pre-merge-commit", "prepare-commit-msg", "commit-msg", "post-merge"}
	case "push":
		hooks = []string{"pre-push"}
	case "checkout", "switch":
		hooks = []string{"post-checkout"}
	case "rebase":
		hooks = []string{"pre-rebase", "post-checkout", "post-rewrite"}
	case "am":
		hooks = []string{"applypatch-msg", "pre-applypatch", "post-applypatch"}
	default:
		return nil
	}
	for _, h := range hooks {
		if noVerify && (h == "pre-commit" || h == "commit-msg" || h == "pre-merge-commit" || h == "pre-push" ||
			h == "applypatch-msg" || h == "pre-applypatch") {
			continue
		}
		e.Targets = append(e.Targets, h)
	}
	if len(e.Targets) == 0 {
		return nil
	}
	return e
}

// gitAliasGiven reports a -c alias.NAME=... for sub among git's options.
func gitAliasGiven(opts []xword, sub string) bool {
	for _, w := range opts {
		if k, _, ok := strings.Cut(w.Value, "="); ok && strings.EqualFold(k, "alias."+sub) {
			return true
		}
	}
	return false
}

// gitBuiltin reports git's own commands (and the common git-NAME programs
// that come with it), which no alias can replace.
func gitBuiltin(sub string) bool {
	switch sub {
	case "add", "am", "annotate", "apply", "archive", "bisect", "blame", "branch", "bugreport", "bundle", "cat-file",
		"check-attr", "check-ignore", "check-mailmap", "check-ref-format", "checkout", "checkout-index", "cherry",
		"cherry-pick", "citool", "clean", "clone", "column", "commit", "commit-graph", "commit-tree", "config",
		"count-objects", "credential", "credential-cache", "credential-store", "describe", "diagnose", "diff",
		"diff-files", "diff-index", "diff-tree", "difftool", "fast-export", "fast-import", "fetch", "fetch-pack",
		"filter-branch", "fmt-merge-msg", "for-each-ref", "for-each-repo", "format-patch", "fsck", "gc",
		"get-tar-commit-id", "grep", "gui", "hash-object", "help", "hook", "http-backend", "index-pack", "init",
		"instaweb", "interpret-trailers", "log", "ls-files", "ls-remote", "ls-tree", "mailinfo", "mailsplit",
		"maintenance", "merge", "merge-base", "merge-file", "merge-index", "merge-tree", "mergetool", "mktag",
		"mktree", "multi-pack-index", "mv", "name-rev", "notes", "pack-objects", "pack-refs", "patch-id", "prune",
		"pull", "push", "range-diff", "read-tree", "rebase", "receive-pack", "reflog", "remote", "repack", "replace",
		"request-pull", "rerere", "reset", "restore", "rev-list", "rev-parse", "revert", "rm", "send-email",
		"send-pack", "shortlog", "show", "show-branch", "show-index", "show-ref", "sparse-checkout", "stage", "stash",
		"status", "stripspace", "submodule", "switch", "symbolic-ref", "tag", "unpack-file", "unpack-objects",
		"update-index", "update-ref", "update-server-info", "upload-archive", "upload-pack", "var", "verify-commit",
		"verify-pack", "verify-tag", "version", "whatchanged", "worktree", "write-tree", "lfs", "flow", "p4", "svn",
		"cvsimport", "filter-repo", "gitk", "k":
		return true
	}
	return false
}
