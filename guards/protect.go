package guards

import (
	"path"
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
	"github.com/bulwark-guard/bulwark/protect"
	"github.com/bulwark-guard/bulwark/shell"
)

// Guards with on = "protected" fire on what a call does to bulwark's
// protected set (see package protect): the mechanism is here, the words
// (title, reason, severity, what to do instead) are in the pack.
const OnProtected = "protected"

// Conditions an on = "protected" guard tests.
const (
	// A protected file or directory (or its owner's directory) is written,
	// removed, replaced, unpacked over or locked.
	CondProtectedWrite = "write"
	// A directory above a member's owner (~/.config, ~/.local) is removed,
	// moved or unpacked over.
	CondProtectedAncestor = "ancestor"
	// A client's state (trust, allowed tools) is written.
	CondProtectedState = "state"
	// A private member (the backup store) is read or copied, by a tool or
	// by any command that reads the files it names.
	CondProtectedRead = "read"
	// bulwark is run with a subcommand that changes it (install, uninstall,
	// allow, ...), by any name, path, copy or link.
	CondProgramRun = "program-run"
	// The bulwark program is copied or linked.
	CondProgramCopy = "program-copy"
	// A variable that moves bulwark's files or a client's settings, or
	// switches hooks off, is set where it reaches a later bulwark or agent.
	// The guard's commands are the agents a command-line assignment
	// reaches.
	CondRelocate = "relocate"
	// Like relocate, for an assignment in the command line that reaches no
	// agent: only bulwark's own variables and the clients' count.
	CondRelocateShell = "relocate-shell"
)

// SetProtected gives the engine the protected set of the environment it
// judges for. Without one, the engine uses the conventional set of each
// call's home (protect.Conventional), judged by path text only.
func (e *Engine) SetProtected(s *protect.Set) { e.protected = s }

func (e *Engine) protectedSet(act *Action) *protect.Set {
	if e.protected != nil {
		return e.protected
	}
	if e.conventional == nil {
		e.conventional = map[string]*protect.Set{}
	}
	s, ok := e.conventional[act.Home]
	if !ok {
		s = protect.New(protect.Conventional(act.Home))
		e.conventional[act.Home] = s
	}
	return s
}

// pathFact is one path a call touches, as the protected set sees it.
type pathFact struct {
	f      protect.Fact
	raw    string
	cmd    string // the command that touches it; "" for a tool's own path
	via    []string
	capped bool
	note   string
	tool   bool // a tool's own path (Write, Edit ...): its content is visible
	copy   bool // a read that copies the file elsewhere (cp SRC, cat SRC > x, ln -s SRC)
	recurs bool // with a copy: the whole tree (cp -r)
	// The set's answer, asked once for every guard that looks.
	checked bool
	touch   protect.Touch
	touched bool
}

// check asks the protected set about the fact, once.
func (p *pathFact) check(set *protect.Set) (protect.Touch, bool) {
	if !p.checked {
		p.checked = true
		p.touch, p.touched = set.Check(p.f)
	}
	return p.touch, p.touched
}

// matchProtected runs the on = "protected" guards.
func (e *Engine) matchProtected(f *facts, hs *hitSet) {
	list := e.list(OnProtected)
	if len(list) == 0 {
		return
	}
	set := e.protectedSet(f.act)
	pf := f.pathFacts()
	for _, g := range list {
		switch g.spec.Condition {
		case CondProtectedWrite, CondProtectedAncestor, CondProtectedState:
			if g.spec.Condition == CondProtectedWrite {
				// A settings file judged by its content: a tool write that
				// takes bulwark's hook or the deny rules out of it.
				if ev, ok := f.hookRemoved(set); ok {
					hs.add(g, ev, nil, false, "")
					continue
				}
			}
			want := map[string]protect.Class{CondProtectedWrite: protect.ClassWrite,
				CondProtectedAncestor: protect.ClassBroad, CondProtectedState: protect.ClassState}[g.spec.Condition]
			for i := range pf {
				p := &pf[i]
				if p.f.Op == protect.Read {
					continue
				}
				t, ok := p.check(set)
				if !ok || t.Class != want {
					continue
				}
				if t.Member.Judged && p.tool && want == protect.ClassWrite {
					continue // judged by its content (hook-removed, content guards)
				}
				capped, note := p.capped, p.note
				if capped && want == protect.ClassBroad {
					continue // a script being written: only a direct hit counts
				}
				if t.Uncertain && note == "" {
					capped, note = true, "part of the path is only known at run time"
				}
				hs.add(g, touchEvidence(p, t), p.via, capped, note)
				break
			}
		case CondProtectedRead:
			if ev, via, ok := f.privateRead(set); ok {
				hs.add(g, ev, via, false, "")
			}
		case CondProgramCopy:
			for i := range pf {
				p := &pf[i]
				if !p.copy {
					continue
				}
				abs, _ := protect.Normalize(p.f.Path, p.f.Cwd, f.act.Home)
				if abs != "" && (set.IsProgram(abs) || p.recurs && isProgramDir(set, abs)) {
					hs.add(g, p.raw+" ("+p.cmd+": the bulwark program)", p.via, p.capped, p.note)
					break
				}
			}
		case CondProgramRun:
			for i := range f.commands {
				cf := &f.commands[i]
				if ev, ok := runsProgram(set, f, cf); ok {
					hs.add(g, ev, cf.via, false, "")
					break
				}
			}
		case CondRelocate, CondRelocateShell:
			if ev, via, ok := f.relocation(set, g); ok {
				hs.add(g, ev, via, false, "")
			}
		}
	}
}

// privateRead finds a read of a private member: any file the call's
// commands (or a Read tool) read, by the engine's own file facts, which
// know every command's direction. find and fd only list names.
func (f *facts) privateRead(set *protect.Set) (string, []string, bool) {
	for i := range f.files {
		ff := &f.files[i]
		if ff.access == AccessWrite || ff.notRun || ff.cmd == "find" || ff.cmd == "fd" {
			continue
		}
		t, ok := set.Check(protect.Fact{Path: ff.norm, Cwd: f.act.Cwd, Op: protect.Read,
			Glob: strings.ContainsAny(ff.norm, "*?["), Dynamic: strings.ContainsAny(ff.norm, "$`")})
		if ok && t.Class == protect.ClassRead {
			ev := ff.raw
			if ff.cmd != "" {
				ev = ff.cmd + " reads " + ff.raw
			}
			return ev + " (" + t.Member.What + ")", ff.via, true
		}
	}
	return "", nil, false
}

func touchEvidence(p *pathFact, t protect.Touch) string {
	ev := p.raw
	if p.cmd != "" {
		ev = p.cmd + " " + p.f.Op.String() + " " + p.raw
	}
	where := t.Member.What
	if t.Ancestor {
		where = "holds " + where
	}
	if t.Link != "" {
		where += ", through the symlink " + t.Link
	}
	return ev + " (" + where + ")"
}

// isProgramDir reports the directory the program is in (cp -r ~/.local/bin
// copies it); copying a wider tree (a backup of home) is not a copy of the
// program to run.
func isProgramDir(set *protect.Set, dir string) bool {
	for _, p := range set.Env().Program {
		if p != "" && path.Dir(path.Clean(p)) == path.Clean(dir) {
			return true
		}
	}
	return false
}

// pathFacts lists every path the call touches with what it does to it.
func (f *facts) pathFacts() []pathFact {
	if f.paths != nil {
		return f.paths
	}
	act := f.act
	out := []pathFact{}
	for _, p := range act.Paths {
		op := protect.Write
		if p.Access == AccessRead {
			op = protect.Read
		}
		out = append(out, pathFact{f: protect.Fact{Path: p.Path, Cwd: act.Cwd, Op: op}, raw: p.Path, tool: true})
	}
	for i := range f.commands {
		out = f.commands[i].pathFacts(act, f.findPattern(i), out)
	}
	f.paths = out
	return out
}

// Commands that remove what they name, and commands whose operands are not
// files they write (interpreters run a script with arguments; git and the
// directory walkers name paths they read or create).
var (
	removers   = set("rm", "unlink", "rmdir", "shred", "srm", "wipe", "trash", "trash-put", "rimraf", "del")
	nonWriters = set("python", "python2", "python3", "node", "deno", "bun", "ruby", "php", "pwsh", "powershell",
		"duckdb", "sqlite3", "mkdir", "touch", "cd", "pushd", "popd", "find", "fd", "tree", "du", "test", "[", "[[",
		"git", "go", "cargo", "make", "npm", "pnpm", "yarn", "npx", "pip", "pip3", "uv", "bulwark", "man", "help",
		"which", "command", "type", "open", "xdg-open", "sleep", "true", "false", "kill", "pkill", "ps", "date", "id")
	// Commands whose -o is not an output file (ssh options, unzip's
	// overwrite, mount options, tar's no-same-owner).
	otherDashO = set("ssh", "scp", "sftp", "sshfs", "autossh", "mosh", "unzip", "mount", "tar", "bsdtar", "cpio", "mv", "cp", "ln")
	archivers  = set("tar", "bsdtar", "gtar", "unzip", "7z", "7za", "7zz", "cpio", "ar", "unrar", "jar", "pax")
	// git subcommands that rewrite the work tree or the repository.
	gitWriters = set("apply", "am", "checkout", "restore", "reset", "clean", "stash", "pull", "merge", "rebase",
		"cherry-pick", "revert", "switch", "clone", "worktree", "mv", "rm", "submodule", "filter-branch", "read-tree", "checkout-index")
)

// pathFacts appends what one command does to the paths it names.
func (cf *cmdFact) pathFacts(act *Action, deep string, out []pathFact) []pathFact {
	c := cf.c
	cwd := act.Cwd
	if c.Cwd != "" {
		cwd = c.Cwd
	}
	add := func(w shell.Word, p string, op protect.Op) {
		out = append(out, pathFact{f: protect.Fact{Path: p, Cwd: cwd, Op: op, Glob: w.Glob, Dynamic: w.Dynamic},
			raw: p, cmd: cf.name, via: cf.via, capped: cf.capSeverity, note: cf.note})
	}
	writesRedirect := false
	for _, r := range c.Redirects {
		if r.Target.Value == "" || (r.Op == ">&" || r.Op == "<&") && isFDWord(r.Target.Value) {
			continue
		}
		if r.Write {
			writesRedirect = true
			add(r.Target, r.Target.Value, protect.Write)
		}
	}
	if cf.c.NameDynamic {
		return out
	}
	name := cf.name
	pos := positionals(name, c.Args)
	// Output flags name a file any command writes (-o FILE, --output=FILE).
	for j, w := range c.Args {
		if j > 0 && outputFlag(c.Args[j-1].Value) && !otherDashO.has(name) {
			add(w, w.Value, protect.Write)
		}
		if v, ok := outputFlagValue(w.Value); ok {
			add(w, v, protect.Write)
		}
	}
	copySrc := func(w shell.Word, recursive bool) {
		out = append(out, pathFact{f: protect.Fact{Path: w.Value, Cwd: cwd, Op: protect.Read, Glob: w.Glob, Dynamic: w.Dynamic},
			raw: w.Value, cmd: name, via: cf.via, capped: cf.capSeverity, note: cf.note, copy: true, recurs: recursive})
	}
	if deep != "" {
		// find ROOT ... -delete / -exec CMD {}: the command acts on what
		// find finds under ROOT.
		for _, w := range pos {
			if root, ok := strings.CutSuffix(w.Value, "/{}"); ok {
				op := protect.Write
				if removers.has(name) || hasRemoveVia(cf) {
					op = protect.Remove
				}
				out = append(out, pathFact{f: protect.Fact{Path: root, Cwd: cwd, Op: op, Deep: deep},
					raw: w.Value, cmd: name, via: cf.via, capped: cf.capSeverity, note: cf.note})
			}
		}
	}
	switch {
	case removers.has(name):
		for _, w := range pos {
			add(w, w.Value, protect.Remove)
		}
	case name == "mv" || name == "cp" || name == "install" || name == "ln" || name == "rsync" || name == "scp" ||
		name == "gcp" || name == "ditto" || name == "rclone":
		cf.copyFacts(cwd, pos, add, copySrc)
	case name == "mount":
		// mount [--bind] SRC DIR: DIR's contents are hidden behind SRC.
		if len(pos) >= 2 {
			w := pos[len(pos)-1]
			add(w, w.Value, protect.Into)
		}
	case name == "chmod":
		mode, rest := chmodMode(c.Args)
		for _, w := range rest {
			out = append(out, pathFact{f: protect.Fact{Path: w.Value, Cwd: cwd, Op: protect.Chmod, Mode: mode, Glob: w.Glob, Dynamic: w.Dynamic},
				raw: w.Value, cmd: name, via: cf.via, capped: cf.capSeverity, note: cf.note})
		}
	case name == "chown" || name == "chgrp" || name == "chattr" || name == "setfacl" || name == "chflags":
		skip := 1
		if name == "setfacl" || hasLongPrefix(c.Args, "--reference") {
			skip = 0
		}
		for i, w := range pos {
			if i >= skip && !(name == "chattr" && w.Value != "" && strings.IndexByte("+-=", w.Value[0]) >= 0) {
				add(w, w.Value, protect.Chown)
			}
		}
	case name == "dd":
		for _, w := range c.Args {
			if v, ok := strings.CutPrefix(w.Value, "of="); ok {
				add(w, v, protect.Write)
			}
			if v, ok := strings.CutPrefix(w.Value, "if="); ok {
				copySrc(shell.Word{Value: v, Dynamic: w.Dynamic}, false)
			}
		}
	case archivers.has(name):
		cf.archiveFacts(cwd, pos, add, copySrc)
	case name == "git":
		if len(cf.words) > 0 && gitWriters.has(cf.words[0]) {
			dir := gitDir(c.Args, cwd)
			if cf.words[0] == "clone" && len(cf.words) >= 3 {
				dir = cf.words[2]
				for _, w := range pos {
					if strings.ToLower(w.Value) == dir {
						dir = w.Value
					}
				}
			}
			if cf.words[0] == "worktree" && len(cf.words) >= 3 && cf.words[1] == "add" {
				dir = cf.words[2]
			}
			add(shell.Word{Value: dir}, dir, protect.Into)
		}
	case name == "patch":
		dir := cwd
		for j, w := range c.Args {
			if (w.Value == "-d" || w.Value == "--directory") && j+1 < len(c.Args) {
				dir = c.Args[j+1].Value
			} else if v, ok := strings.CutPrefix(w.Value, "--directory="); ok {
				dir = v
			}
		}
		add(shell.Word{Value: dir}, dir, protect.Into)
		for i, w := range pos {
			if i == 0 {
				add(w, w.Value, protect.Write) // the file to patch
			}
		}
	case name == "sed" || name == "gsed" || name == "perl" || name == "ruby" || name == "awk" || name == "gawk":
		if inPlace(name, c.Args) {
			for i, w := range pos {
				if i == 0 && !hasScriptFlag(name, c.Args) {
					continue // the script
				}
				add(w, w.Value, protect.Write)
			}
		}
	case name == "tee" || name == "truncate" || name == "sponge" || name == "shred":
		for _, w := range pos {
			add(w, w.Value, protect.Write)
		}
	case inPlaceTable(name, c.Args):
		// A reading command told to edit in place (yq -i, dasel -w ...):
		// its operands are written (the expression too, harmlessly).
		for _, w := range pos {
			add(w, w.Value, protect.Write)
		}
	case nonWriters.has(name) || readsOnly(name):
		if writesRedirect {
			for _, w := range pos {
				copySrc(w, false) // cat SRC > DST copies SRC
			}
		}
	default:
		// Anything else may write what it names (prettier --write,
		// yq -i, an editor, a tool we do not know).
		for _, w := range pos {
			for _, cand := range pathCandidates(w.Value, false) {
				add(w, cand, protect.Write)
			}
		}
	}
	return out
}

// findPattern is, for a command run by find on what it finds (-delete,
// -exec), the name pattern of that find (-name; "*" when it has none, or
// more tests than one -name, or -iname, -path, -regex, which this does
// not read); "" for other commands.
func (f *facts) findPattern(i int) string {
	cf := &f.commands[i]
	from := false
	for _, v := range cf.via {
		if v == "find -delete" || v == "find -exec" || strings.HasPrefix(v, "find -exec") {
			from = true
		}
	}
	if !from {
		return ""
	}
	for j := i - 1; j >= 0; j-- {
		fc := &f.commands[j]
		if fc.name != "find" {
			continue
		}
		pat, n := "*", 0
		for k, a := range fc.c.Args {
			switch a.Value {
			case "-name":
				if k+1 < len(fc.c.Args) && !fc.c.Args[k+1].Dynamic {
					pat = fc.c.Args[k+1].Value
				}
				n++
			case "-iname", "-path", "-ipath", "-wholename", "-regex", "-iregex", "-o", "-or", "!", "-not":
				return "*"
			}
		}
		if n > 1 {
			return "*"
		}
		return pat
	}
	return "*"
}

func hasRemoveVia(cf *cmdFact) bool {
	for _, v := range cf.via {
		if v == "find -delete" {
			return true
		}
	}
	return false
}

// copyFacts handles the copy, move and link commands: sources are read (a
// copy of the program is a signal), moved sources removed, and the
// destination written, where it lands under a directory destination, and
// written into for a recursive copy or sync.
func (cf *cmdFact) copyFacts(cwd string, pos []shell.Word, add func(shell.Word, string, protect.Op), copySrc func(shell.Word, bool)) {
	c := cf.c
	name := cf.name
	target := ""
	for j, w := range c.Args {
		if (w.Value == "-t" || w.Value == "--target-directory") && j+1 < len(c.Args) && name != "rsync" && name != "scp" {
			target = c.Args[j+1].Value
		} else if v, ok := strings.CutPrefix(w.Value, "--target-directory="); ok {
			target = v
		}
	}
	recursive := name == "rsync" && hasAnyFlag(c.Args, []string{"-r", "-a", "--recursive", "--archive", "--delete"}) ||
		hasAnyFlag(c.Args, []string{"-r", "-R", "-a", "--recursive", "--archive"})
	if name == "rclone" && len(pos) > 0 {
		pos = pos[1:] // the subcommand (copy, sync, move)
	}
	if name == "install" && hasAnyFlag(c.Args, []string{"-d", "--directory"}) {
		return // makes directories
	}
	var srcs []shell.Word
	var dst shell.Word
	switch {
	case target != "":
		srcs, dst = pos, shell.Word{Value: target}
	case len(pos) >= 2:
		srcs, dst = pos[:len(pos)-1], pos[len(pos)-1]
	case len(pos) == 1 && name == "ln":
		srcs, dst = pos, shell.Word{Value: "."}
	default:
		for _, w := range pos {
			copySrc(w, recursive)
		}
		return
	}
	if isRemote(dst.Value) {
		for _, w := range srcs {
			copySrc(w, recursive)
		}
		return
	}
	dirDst := target != "" || strings.HasSuffix(dst.Value, "/") || len(srcs) > 1
	for _, s := range srcs {
		if isRemote(s.Value) {
			continue
		}
		copySrc(s, recursive)
		if name == "mv" {
			add(s, s.Value, protect.Remove)
		}
		base := path.Base(strings.TrimSuffix(s.Value, "/"))
		if name == "rsync" && strings.HasSuffix(s.Value, "/") {
			// rsync x/ dst: x's contents land in dst itself.
			add(dst, dst.Value, protect.Into)
			continue
		}
		landing := strings.TrimSuffix(dst.Value, "/") + "/" + base
		if recursive {
			add(dst, landing, protect.Into)
		} else {
			add(dst, landing, protect.Write)
		}
	}
	switch {
	case dirDst && recursive && name != "mv":
	case name == "ln" || hasAnyFlag(c.Args, []string{"-T", "--no-target-directory"}):
		// The destination itself is replaced (ln -sf replaces a link; -T
		// never goes inside).
		if !dirDst {
			add(dst, dst.Value, protect.Remove)
			add(dst, dst.Value, protect.Write)
		}
	case !dirDst:
		add(dst, dst.Value, protect.Write)
		if recursive {
			add(dst, dst.Value, protect.Into)
		}
	}
}

// archiveFacts: extracting writes into the directory (tar -C, unzip -d,
// 7z -o, or the working directory); creating an archive reads its inputs.
func (cf *cmdFact) archiveFacts(cwd string, pos []shell.Word, add func(shell.Word, string, protect.Op), copySrc func(shell.Word, bool)) {
	c := cf.c
	name := cf.name
	extract := false
	dir := ""
	switch name {
	case "unzip", "unrar":
		extract = true
		for j, w := range c.Args {
			if w.Value == "-d" && j+1 < len(c.Args) {
				dir = c.Args[j+1].Value
			}
		}
	case "7z", "7za", "7zz":
		if len(pos) > 0 && (pos[0].Value == "x" || pos[0].Value == "e") {
			extract = true
		}
		for _, w := range c.Args {
			if v, ok := strings.CutPrefix(w.Value, "-o"); ok && v != "" {
				dir = v
			}
		}
	case "cpio":
		extract = hasAnyFlag(c.Args, []string{"-i", "--extract"})
		for j, w := range c.Args {
			if w.Value == "-D" && j+1 < len(c.Args) {
				dir = c.Args[j+1].Value
			}
		}
	case "ar", "jar":
		if len(c.Args) > 0 && strings.Contains(strings.TrimPrefix(c.Args[0].Value, "-"), "x") {
			extract = true
		}
	default: // tar, bsdtar, gtar, pax
		for i, w := range c.Args {
			v := w.Value
			switch {
			case v == "--extract" || v == "--get" || v == "-x":
				extract = true
			case i == 0 && !strings.HasPrefix(v, "-") && strings.Contains(v, "x") && !strings.Contains(v, "/"):
				extract = true // tar xzf a.tgz
			case strings.HasPrefix(v, "-") && !strings.HasPrefix(v, "--") && strings.Contains(v, "x"):
				extract = true // -xzf
			case name == "pax" && v == "-r":
				extract = true
			}
		}
		// The shell analysis applies -C to the command's working directory.
	}
	if !extract {
		for _, w := range pos {
			copySrc(w, true)
		}
		return
	}
	if dir == "" {
		dir = cwd
	}
	add(shell.Word{Value: dir}, dir, protect.Into)
}

// inPlaceTable reports a command the command table says edits its files in
// place with one of the options given (InPlace).
func inPlaceTable(name string, args []shell.Word) bool {
	s := commands.Lookup(name)
	return s != nil && s.InPlace != "" && hasAnyFlag(args, strings.Fields(s.InPlace))
}

// readsOnly reports a command that only reads (or only names) the files
// it is given, per the command table.
func readsOnly(name string) bool {
	s := commands.Lookup(name)
	return s != nil && (s.Access == commands.Read || s.Access == commands.Names)
}

// positionals are a command's arguments that are not options (after --,
// everything), skipping the values of the options that take one (package
// commands).
func positionals(name string, args []shell.Word) []shell.Word {
	var out []shell.Word
	spec := commands.Lookup(name)
	after := false
	for j := 0; j < len(args); j++ {
		v := args[j].Value
		if after {
			out = append(out, args[j])
			continue
		}
		if v == "--" {
			after = true
			continue
		}
		if strings.HasPrefix(v, "-") && len(v) > 1 {
			if spec.TakesValue(v) {
				j++
			}
			continue
		}
		out = append(out, args[j])
	}
	return out
}

// outputFlagValue reads --output=FILE and the like.
func outputFlagValue(arg string) (string, bool) {
	for _, f := range []string{"--output=", "--out=", "--output-document=", "--outfile="} {
		if v, ok := strings.CutPrefix(arg, f); ok && v != "" {
			return v, true
		}
	}
	return "", false
}

// chmodMode splits chmod's arguments into the mode and the files. The mode
// is the first argument that is not an option, even one that looks like
// one (chmod -x FILE).
func chmodMode(args []shell.Word) (string, []shell.Word) {
	mode := ""
	var files []shell.Word
	after := false
	for _, a := range args {
		v := a.Value
		switch {
		case after:
			files = append(files, a)
			continue
		case v == "--":
			after = true
			continue
		case strings.HasPrefix(v, "--reference="):
			mode = v
			continue
		case v == "-R" || v == "-v" || v == "-c" || v == "-f" || v == "-h" || v == "-H" || v == "-L" || v == "-P" ||
			v == "-Rv" || v == "-vR" || v == "-Rf" || v == "-fR" || strings.HasPrefix(v, "--") && mode == "":
			continue
		}
		if mode == "" {
			mode = v
			if a.Dynamic {
				mode = "$"
			}
			continue
		}
		files = append(files, a)
	}
	return mode, files
}

func hasLongPrefix(args []shell.Word, prefix string) bool {
	for _, a := range args {
		if strings.HasPrefix(a.Value, prefix) {
			return true
		}
	}
	return false
}

// inPlace reports whether a stream editor edits its files in place:
// sed -i, perl -i / -pi, ruby -i, awk -i inplace (gawk's inplace
// extension, however it is spelled).
func inPlace(name string, args []shell.Word) bool {
	switch name {
	case "awk", "gawk":
		for j, a := range args {
			v := a.Value
			if (v == "-i" || v == "--include") && j+1 < len(args) && strings.TrimSuffix(args[j+1].Value, ".awk") == "inplace" {
				return true
			}
			if v == "-iinplace" || v == "--include=inplace" || v == "-i=inplace" || v == "--include=inplace.awk" {
				return true
			}
		}
		return false
	case "perl", "ruby":
		for _, a := range args {
			v := a.Value
			if v == "--" {
				break
			}
			if strings.HasPrefix(v, "-") && !strings.HasPrefix(v, "--") && strings.Contains(v, "i") && !strings.HasPrefix(v, "-I") {
				// -i, -pi, -i.bak, -pie: the cluster has i before any e.
				if k := strings.IndexByte(v, 'e'); k < 0 || strings.IndexByte(v, 'i') < k {
					return true
				}
			}
		}
		return false
	}
	return hasAnyFlag(args, []string{"-i", "--in-place"}) || hasLongPrefix(args, "-i.") || hasLongPrefix(args, "--in-place=")
}

// hasScriptFlag reports whether the script comes from -e/-f, so that the
// first operand is a file.
func hasScriptFlag(name string, args []shell.Word) bool {
	for _, a := range args {
		v := a.Value
		switch name {
		case "sed", "gsed":
			if v == "-e" || v == "-f" || strings.HasPrefix(v, "--expression") || strings.HasPrefix(v, "--file") {
				return true
			}
		case "awk", "gawk":
			if v == "-f" || strings.HasPrefix(v, "--file") {
				return true
			}
		case "perl", "ruby":
			if strings.HasPrefix(v, "-") && strings.Contains(v, "e") {
				return true
			}
		}
	}
	return false
}

// gitDir is the directory git works in: -C (each one relative to the
// last), --work-tree, else the working directory.
func gitDir(args []shell.Word, cwd string) string {
	dir := cwd
	for j := 0; j < len(args); j++ {
		v := args[j].Value
		switch {
		case v == "-C" && j+1 < len(args):
			j++
			d := args[j].Value
			if strings.HasPrefix(d, "/") || strings.HasPrefix(d, "~") {
				dir = d
			} else {
				dir = strings.TrimSuffix(dir, "/") + "/" + d
			}
		case strings.HasPrefix(v, "--work-tree="):
			dir = strings.TrimPrefix(v, "--work-tree=")
		case (v == "--work-tree" || v == "-c" || v == "--git-dir" || v == "--namespace") && j+1 < len(args):
			j++
			if v == "--work-tree" {
				dir = args[j].Value
			}
		case !strings.HasPrefix(v, "-"):
			return dir
		}
	}
	return dir
}

// isRemote reports an scp/rsync remote (host:path), not a local path.
func isRemote(s string) bool {
	i := strings.IndexByte(s, ':')
	return i > 0 && !strings.Contains(s[:i], "/")
}
