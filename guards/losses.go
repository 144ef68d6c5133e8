package guards

import (
	"path"
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
	"github.com/bulwark-guard/bulwark/shell"
)

// LossOp is what a call would do to what a path holds now.
type LossOp uint8

const (
	// LossDelete: the path is unlinked (rm, rmdir, unlink, find -delete,
	// shutil.rmtree, fs.rmSync ...). Its inode survives in a hard link.
	LossDelete LossOp = iota + 1
	// LossReplace: another file takes the path's name and the old one is
	// unlinked (mv or install onto it, ln -f, sed -i and perl -i, which
	// write a new file and rename it over, an rsync --delete target). A hard
	// link keeps it too.
	LossReplace
	// LossOverwrite: the file is rewritten in place (a > redirect, cp onto
	// it, tee, truncate, dd of=, shred, a Write or Edit tool). The inode
	// itself changes, so only a copy keeps the old content.
	LossOverwrite
	// LossMove: the path is renamed to Dest (mv SRC DST). It is lost to
	// the project only when Dest lies outside it, which the caller decides.
	LossMove
	// LossGitDiscard: uncommitted changes under Path are discarded
	// (git checkout -- P, git restore, git reset --hard, git switch -f,
	// git rm -f). Args are the pathspecs; none means the whole work tree.
	LossGitDiscard
	// LossGitClean: git clean removes untracked files. Args are the
	// command's own arguments after "clean".
	LossGitClean
	// LossGitStashDrop: stash entries are dropped (git stash drop /
	// clear). Args name them; none means every entry.
	LossGitStashDrop
)

var lossNames = [...]string{"", "delete", "replace", "overwrite", "move", "git-discard", "git-clean", "git-stash-drop"}

func (o LossOp) String() string {
	if int(o) < len(lossNames) {
		return lossNames[o]
	}
	return "effect?"
}

// A Loss is something a call would destroy if it ran. The engine derives
// losses from the same facts its guards see (commands with their resolved
// arguments, redirections and cwd; the paths of file tools), so a caller that
// keeps what a call destroys (the backup) never parses a command itself.
// Deriving them costs no system call: whether a path exists is for the caller
// to find out, and only when there are losses.
type Loss struct {
	Op LossOp
	// Path is absolute, ~ expanded, joined to the command's own cwd
	// (after `cd DIR &&`). For git losses it is the directory git runs in
	// (with -C applied). For a find, it is the root.
	Path string
	// Dest is where an LossMove sends Path.
	Dest string
	// Sources are what cp, mv, install and ln put at Path. When Path is an
	// existing directory they land inside it, as Path/base(source), unless
	// NoTargetDir (-T); IntoDir (-t DIR) says Path is that directory.
	Sources     []string
	IntoDir     bool
	NoTargetDir bool
	// SourcesDynamic: some source is only known at run time, so what
	// lands in a target directory is not known either.
	SourcesDynamic bool
	// Recursive: the whole tree under Path (rm -r, rsync --delete, cp -r).
	Recursive bool
	// Glob: Path holds unquoted glob characters, to expand when kept.
	Glob bool
	// Dynamic: part of Path is only known at run time, so it cannot be kept.
	Dynamic bool
	// Find is the expression of the find command whose -delete or -exec
	// does this, after its roots: only the entries under Path that match it
	// are affected.
	Find []string
	// Args: for git losses, see the ops above.
	Args []string
	// Ambiguous: git checkout without "--", whose arguments may be branches
	// rather than paths; only arguments that exist as paths are pathspecs.
	Ambiguous bool
	// Cmd is the command that does it, as evidence ("rm -rf build").
	Cmd string
}

// Losses derives what act would destroy, without an engine (for the
// PostToolUse step, which records what a backed-up call left behind).
func Losses(act *Action) []Loss {
	if act.Command == "" && len(act.Paths) == 0 {
		return nil
	}
	return (&Engine{}).buildFacts(act).losses()
}

// remoteVia are the Via entries after which a command runs on another host
// or in a container: its paths are not this machine's files.
func remoteVia(via []string) bool {
	for _, v := range via {
		switch {
		case v == "ssh" || strings.HasPrefix(v, "ssh "), v == "gcloud compute ssh",
			strings.HasSuffix(v, " exec") && v != "npm exec" && v != "pnpm exec" && v != "yarn exec" && v != "bundle exec",
			v == "docker run", v == "podman run":
			return true
		}
	}
	return false
}

// losses lists what the call would destroy. Only the commands of the call
// itself count (not those of a script it writes, which do not run now).
func (f *facts) losses() []Loss {
	act := f.act
	var out []Loss
	if act.Kind == KindWrite || act.Kind == KindMCP {
		for _, p := range act.Paths {
			if p.Access == AccessRead {
				continue
			}
			if act.Kind == KindMCP && !strings.HasPrefix(p.Path, "/") {
				continue // relative to the server's own root, which we do not know
			}
			out = append(out, Loss{Op: LossOverwrite, Path: absPath(p.Path, act.Cwd, act.Home), Cmd: act.Tool + " " + p.Path})
		}
	}
	for i := range f.commands {
		cf := &f.commands[i]
		if cf.notRun || remoteVia(cf.c.Via) || cf.c.NameDynamic {
			continue
		}
		out = append(out, f.commandLosses(i)...)
	}
	return out
}

func (f *facts) commandLosses(i int) []Loss {
	cf := &f.commands[i]
	c := cf.c
	e := lossBuilder{cwd: c.Cwd, home: f.act.Home, cmd: renderCommand(cf)}
	for _, r := range c.Redirects {
		if overwritingRedirect(r) && !isFDWord(r.Target.Value) && !strings.HasPrefix(r.Target.Value, "/dev/") {
			e.add(LossOverwrite, r.Target)
		}
	}
	if via := findVia(c.Via); via != "" && c.Synthetic || via == "find -exec" {
		// Run by find -delete or -exec on what it finds: the files affected
		// are the matches under each root, not the root itself.
		if root, expr, ok := f.findOf(i); ok {
			for _, eff := range e.forCommand(cf) {
				if eff.Path == root.Path || strings.HasPrefix(eff.Path, root.Path+"/") && strings.HasSuffix(eff.Path, "/{}") {
					eff.Path, eff.Glob, eff.Find, eff.Recursive = root.Path, root.Glob, expr, true
					eff.Dynamic = eff.Dynamic || root.Dynamic
				}
				e.out = append(e.out, eff)
			}
			return e.out
		}
	}
	e.out = append(e.out, e.forCommand(cf)...)
	return e.out
}

// findVia returns "find -delete" or "find -exec" when the command was run
// by find (the last such entry of its Via).
func findVia(via []string) string {
	for j := len(via) - 1; j >= 0; j-- {
		if via[j] == "find -delete" || via[j] == "find -exec" {
			return via[j]
		}
	}
	return ""
}

// findOf finds the find command that ran command i (the closest one before
// it at the same depth) and returns its first root and its expression.
func (f *facts) findOf(i int) (Loss, []string, bool) {
	c := f.commands[i].c
	for j := i - 1; j >= 0; j-- {
		fc := f.commands[j].c
		if fc.Name != "find" || fc.Depth != c.Depth {
			continue
		}
		roots, k := shell.FindRoots(fc.Args)
		var expr []string
		for _, w := range fc.Args[k:] {
			expr = append(expr, w.Value)
		}
		e := lossBuilder{cwd: fc.Cwd, home: f.act.Home}
		// The synthetic command names one root; match it below.
		for _, r := range roots {
			eff := e.effect(LossDelete, r)
			for _, a := range c.Args {
				p := absPath(strings.TrimSuffix(a.Value, "/{}"), c.Cwd, f.act.Home)
				if p == eff.Path {
					return eff, expr, true
				}
			}
		}
		return Loss{}, nil, false
	}
	return Loss{}, nil, false
}

func overwritingRedirect(r shell.Redirect) bool {
	if !r.Write || r.Target.Value == "" {
		return false
	}
	op := strings.TrimLeft(r.Op, "0123456789")
	switch op {
	case ">", ">|", "&>", ">&":
		return true
	}
	return false // >>, &>>, <> keep what is there
}

type lossBuilder struct {
	cwd, home, cmd string
	out            []Loss
}

func (e *lossBuilder) effect(op LossOp, w shell.Word) Loss {
	eff := Loss{Op: op, Glob: w.Glob, Dynamic: w.Dynamic, Cmd: e.cmd}
	v := w.Value
	switch {
	case w.Dynamic:
		eff.Path = v
	case strings.HasPrefix(v, "~") && e.home == "":
		eff.Path, eff.Dynamic = v, true
	case !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "~") && e.cwd == "":
		eff.Path, eff.Dynamic = v, true // the directory it is relative to became dynamic
	default:
		eff.Path = absPath(v, e.cwd, e.home)
	}
	return eff
}

func (e *lossBuilder) add(op LossOp, w shell.Word) *Loss {
	e.out = append(e.out, e.effect(op, w))
	return &e.out[len(e.out)-1]
}

// absPath joins p to cwd and expands a leading ~ (the shell analysis has
// already expanded it when it knew the home directory).
func absPath(p, cwd, home string) string {
	switch {
	case p == "~" && home != "":
		p = home
	case strings.HasPrefix(p, "~/") && home != "":
		p = home + p[1:]
	case !strings.HasPrefix(p, "/"):
		p = cwd + "/" + p
	}
	return path.Clean(p)
}

// operands returns the arguments that are not options or option values;
// which options take a value is the command's in package commands.
func operands(args []shell.Word, spec *commands.Spec) []shell.Word {
	var out []shell.Word
	afterDD := false
	for i := 0; i < len(args); i++ {
		v := args[i].Value
		switch {
		case afterDD || v == "-" || !strings.HasPrefix(v, "-") || args[i].Dynamic && !strings.HasPrefix(v, "-"):
			out = append(out, args[i])
		case v == "--":
			afterDD = true
		case strings.HasPrefix(v, "--"):
			if spec.TakesValue(v) {
				i++
			}
		case spec != nil:
			// A cluster of short flags: a value option (or a code option,
			// perl -e CODE) ends it, taking the rest of the cluster or the
			// next argument.
			for k := 1; k < len(v); k++ {
				if strings.IndexByte(spec.Short, v[k]) >= 0 || strings.IndexByte(spec.Code, v[k]) >= 0 {
					if k == len(v)-1 {
						i++
					}
					break
				}
			}
		}
	}
	return out
}

// optValue returns the value of a value option (-t DIR, -tDIR, --target-directory=DIR).
func optValue(args []shell.Word, short, long string) (shell.Word, bool) {
	for i, a := range args {
		v := a.Value
		if v == "--" {
			break
		}
		switch {
		case long != "" && v == long, short != "" && v == short:
			if i+1 < len(args) {
				return args[i+1], true
			}
		case long != "" && strings.HasPrefix(v, long+"="):
			return shell.Word{Value: v[len(long)+1:], Dynamic: a.Dynamic, Glob: a.Glob}, true
		case short != "" && strings.HasPrefix(v, short) && len(v) > 2 && !strings.HasPrefix(v, "--"):
			return shell.Word{Value: v[2:], Dynamic: a.Dynamic, Glob: a.Glob}, true
		}
	}
	return shell.Word{}, false
}

// forCommand is the command-specific part: which operands it destroys, how.
func (e *lossBuilder) forCommand(cf *cmdFact) []Loss {
	c := cf.c
	args := c.Args
	var out []Loss
	add := func(op LossOp, w shell.Word) *Loss {
		out = append(out, e.effect(op, w))
		return &out[len(out)-1]
	}
	name := cf.name
	switch name {
	case "gsed":
		name = "sed"
	case "gawk":
		name = "awk"
	}
	switch name {
	case "rm", "unlink", "rmdir", "srm", "wipe":
		rec := name != "rmdir" && name != "unlink" && hasAnyFlag(args, []string{"-r", "-R", "--recursive"})
		for _, w := range operands(args, nil) {
			add(LossDelete, w).Recursive = rec
		}
	case "shred":
		for _, w := range operands(args, commands.Lookup("shred")) {
			add(LossOverwrite, w)
		}
	case "truncate":
		for _, w := range operands(args, commands.Lookup("truncate")) {
			add(LossOverwrite, w)
		}
	case "tee":
		if !hasAnyFlag(args, []string{"-a", "--append"}) {
			for _, w := range operands(args, nil) {
				add(LossOverwrite, w)
			}
		}
	case "dd":
		for _, a := range args {
			if strings.HasPrefix(a.Value, "of=") && !strings.HasPrefix(a.Value, "of=/dev/") {
				add(LossOverwrite, shell.Word{Value: a.Value[3:], Dynamic: a.Dynamic, Glob: a.Glob})
			}
		}
	case "cp", "install", "ln", "mv":
		e.copyLike(name, args, add)
	case "rsync":
		e.rsync(args, add)
	case "sed":
		if !hasAnyFlag(args, []string{"-i", "--in-place"}) {
			break
		}
		ops := operands(args, commands.Lookup("sed"))
		if len(ops) > 0 && ops[0].Value == "" {
			ops = ops[1:] // BSD sed -i '' (no backup suffix)
		}
		if !hasAnyFlag(args, []string{"-e", "--expression", "-f", "--file"}) && len(ops) > 0 {
			ops = ops[1:] // the script
		}
		for _, w := range ops {
			add(LossReplace, w)
		}
	case "perl":
		if !perlInPlace(args) {
			break
		}
		ops := operands(args, commands.Lookup("perl"))
		if !hasAnyFlag(args, []string{"-e", "-E"}) && len(ops) > 0 {
			ops = ops[1:] // the script file
		}
		for _, w := range ops {
			add(LossReplace, w)
		}
	case "awk":
		if v, ok := optValue(args, "-i", "--include"); !ok || !strings.HasPrefix(v.Value, "inplace") {
			break
		}
		ops := operands(args, commands.Lookup("awk"))
		if !hasAnyFlag(args, []string{"-f", "--file"}) && len(ops) > 0 {
			ops = ops[1:] // the program
		}
		for _, w := range ops {
			if !strings.Contains(w.Value, "=") { // var=value assignments are not files
				add(LossReplace, w)
			}
		}
	case "git":
		e.git(args, add)
	}
	return out
}

// perlInPlace reports perl's -i (alone or in a cluster: -pi, -i.bak, -0777pi).
func perlInPlace(args []shell.Word) bool {
	for _, a := range args {
		v := a.Value
		if v == "--" || !strings.HasPrefix(v, "-") || strings.HasPrefix(v, "--") {
			if v == "--" {
				return false
			}
			continue
		}
		for k := 1; k < len(v); k++ {
			ch := v[k]
			if ch == 'i' {
				return true
			}
			if spec := commands.Lookup("perl"); strings.IndexByte(spec.Short, ch) >= 0 || strings.IndexByte(spec.Code, ch) >= 0 {
				break // the rest of the cluster is this option's value
			}
		}
	}
	return false
}

// copyLike handles cp, install, ln and mv: the destination (or the files of
// the same names inside a destination directory) is overwritten (cp) or
// replaced (install, ln -f, mv); mv also moves its sources away.
func (e *lossBuilder) copyLike(name string, args []shell.Word, add func(LossOp, shell.Word) *Loss) {
	if hasAnyFlag(args, []string{"-n", "--no-clobber", "-b", "--backup"}) || name == "install" && hasAnyFlag(args, []string{"-d", "--directory"}) {
		return // nothing is overwritten, or the command keeps its own backup
	}
	if name == "ln" && !hasAnyFlag(args, []string{"-f", "--force"}) {
		return // ln refuses an existing destination
	}
	ops := operands(args, commands.Lookup(name))
	dest, into := optValue(args, "-t", "--target-directory")
	if !into {
		if len(ops) < 2 {
			return
		}
		dest, ops = ops[len(ops)-1], ops[:len(ops)-1]
	}
	op := LossReplace
	if name == "cp" {
		op = LossOverwrite
	}
	eff := add(op, dest)
	eff.IntoDir = into
	eff.NoTargetDir = hasAnyFlag(args, []string{"-T", "--no-target-directory"})
	eff.Recursive = name == "cp" && hasAnyFlag(args, []string{"-r", "-R", "--recursive", "-a", "--archive"})
	for _, s := range ops {
		se := e.effect(op, s)
		eff.SourcesDynamic = eff.SourcesDynamic || se.Dynamic
		eff.Sources = append(eff.Sources, se.Path)
	}
	if name == "mv" {
		d := *eff
		for _, s := range ops {
			m := add(LossMove, s)
			m.Dest, m.Recursive = d.Path, true
			m.Dynamic = m.Dynamic || d.Dynamic
		}
	}
}

func (e *lossBuilder) rsync(args []shell.Word, add func(LossOp, shell.Word) *Loss) {
	ops := operands(args, commands.Lookup("rsync"))
	if len(ops) < 2 {
		return
	}
	local := func(v string) bool {
		if strings.HasPrefix(v, "rsync://") {
			return false
		}
		colon := strings.IndexByte(v, ':')
		return colon < 0 || strings.IndexByte(v[:colon], '/') >= 0
	}
	deletes := false
	for _, a := range args {
		if v := a.Value; v == "--del" || strings.HasPrefix(v, "--delete") {
			deletes = true
		}
	}
	dst := ops[len(ops)-1]
	if deletes && local(dst.Value) {
		add(LossReplace, dst).Recursive = true
	}
	if hasAnyFlag(args, []string{"--remove-source-files"}) {
		for _, s := range ops[:len(ops)-1] {
			if local(s.Value) {
				add(LossDelete, s).Recursive = true
			}
		}
	}
}

// git finds the git subcommands that discard work.
func (e *lossBuilder) git(args []shell.Word, add func(LossOp, shell.Word) *Loss) {
	dir := shell.Word{Value: "."}
	gitSpec := commands.Lookup("git")
	i := 0
	for ; i < len(args); i++ {
		v := args[i].Value
		if !strings.HasPrefix(v, "-") {
			break
		}
		switch {
		case v == "-C" && i+1 < len(args):
			next := args[i+1]
			if strings.HasPrefix(next.Value, "/") || dir.Value == "." {
				dir = next
			} else {
				dir = shell.Word{Value: dir.Value + "/" + next.Value, Dynamic: dir.Dynamic || next.Dynamic}
			}
			i++
		case v == "--git-dir" || v == "--work-tree" || strings.HasPrefix(v, "--git-dir=") || strings.HasPrefix(v, "--work-tree="):
			return // a detached work tree: not worth guessing
		case gitSpec.TakesValue(v):
			i++
		}
	}
	if i >= len(args) {
		return
	}
	sub, rest := args[i].Value, args[i+1:]
	flag := func(fs ...string) bool { return hasAnyFlag(rest, fs) }
	// The options of these subcommands that take a value (the commands
	// table describes git's global options only).
	specs := func(opts *commands.Spec) []string {
		var out []string
		for _, w := range operands(rest, opts) {
			out = append(out, w.Value)
		}
		return out
	}
	discard := func(pathspecs []string, ambiguous bool) {
		eff := add(LossGitDiscard, dir)
		eff.Args, eff.Ambiguous = pathspecs, ambiguous
	}
	switch sub {
	case "checkout":
		if flag("-p", "--patch") {
			return
		}
		for j, w := range rest {
			if w.Value == "--" {
				if ps := specsOf(rest[j+1:]); len(ps) > 0 {
					discard(ps, false)
				}
				return
			}
		}
		if flag("-f", "--force") {
			discard(nil, false)
			return
		}
		if flag("-b", "-B", "--orphan", "--detach") {
			return
		}
		if ps := specs(&commands.Spec{Long: "conflict pathspec-from-file"}); len(ps) > 0 {
			discard(ps, true)
		}
	case "restore":
		if flag("-p", "--patch") || flag("-S", "--staged") && !flag("-W", "--worktree") {
			return
		}
		if ps := specs(&commands.Spec{Short: "s", Long: "source conflict pathspec-from-file"}); len(ps) > 0 {
			discard(ps, false)
		}
	case "reset":
		if flag("--hard") {
			discard(nil, false)
		}
	case "switch":
		if flag("-f", "--force", "--discard-changes") {
			discard(nil, false)
		}
	case "rm":
		if flag("-f", "--force") && !flag("--cached", "-n", "--dry-run") {
			if ps := specs(&commands.Spec{Long: "pathspec-from-file"}); len(ps) > 0 {
				discard(ps, false)
			}
		}
	case "clean":
		if flag("-n", "--dry-run") {
			return
		}
		eff := add(LossGitClean, dir)
		for _, w := range rest {
			eff.Args = append(eff.Args, w.Value)
			eff.Dynamic = eff.Dynamic || w.Dynamic
		}
	case "stash":
		if len(rest) == 0 {
			return
		}
		switch rest[0].Value {
		case "drop":
			eff := add(LossGitStashDrop, dir)
			eff.Args = specsOf(rest[1:])
			if len(eff.Args) == 0 {
				eff.Args = []string{"stash@{0}"}
			}
		case "clear":
			add(LossGitStashDrop, dir)
		}
	}
}

func specsOf(ws []shell.Word) []string {
	var out []string
	for _, w := range ws {
		if !strings.HasPrefix(w.Value, "-") {
			out = append(out, w.Value)
		}
	}
	return out
}
