package guards

import (
	"path"
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
	"github.com/bulwark-guard/bulwark/shell"
)

// facts is everything guards can look at in one Action, derived once.
type facts struct {
	act      *Action
	analysis *shell.Analysis // nil when there is no shell command
	commands []cmdFact
	files    []fileFact
	contents []contentFact
	urls     []string
	// notRun is set while adding the commands of a script being written
	// (they do not run now); it is copied into their cmdFact and fileFact.
	notRun bool

	effects      *Effects // what the call leaves for its session (see Effects)
	scriptBudget int      // files runScripts may still read
	contentTexts []text   // f.contents as the content guards saw them
	sendsCache   []send
	sendsDone    bool

	paths []pathFact   // what the call does to each path (protected set); built on first need
	after []afterState // client settings files as a tool write would leave them
	// vars are the hook's own values of the variables that move bulwark's
	// files (the protected set's): the agent's shell has them too.
	vars map[string]string
}

// shellEnv is the environment the shell analysis gives the call's shell
// code (the command line, a script it runs, a script being written) that
// starts in cwd.
func (f *facts) shellEnv(cwd string) shell.Env {
	return shell.Env{Home: f.act.Home, Cwd: cwd, Vars: f.vars}
}

// cmdFact is one command that would run, prepared for matching.
type cmdFact struct {
	c        *shell.Command
	name     string   // lower-case base name
	words    []string // positional arguments, skipping known global options (for "git push")
	joined   string   // arguments joined by single spaces
	operands []operand
	via      []string // Command.Via plus where the command came from (a script being written)
	// feeds are the later commands of the same line that read this one's
	// output (it is in their FedBy), by index in facts.commands.
	feeds []int
	// capSeverity is set for commands that are not certain to run as seen:
	// a dynamic command name, a script being written rather than run.
	capSeverity bool
	note        string // why the severity was capped, for the reason
	notRun      bool   // a command of a script being written, not run by this call
}

type operand struct {
	arg     string // the whole argument it came from ("of=/dev/sda")
	prev    string // the argument before it ("-i" in ssh -i KEY)
	raw     string
	norm    string
	dynamic bool
}

type fileFact struct {
	raw, norm string
	lower     string // norm lower-cased, for the literal prefilters
	access    Access
	cmd       string // command that names the path; "" for a tool's own path
	via       []string
	// capped and note carry over from a command that is not certain to run
	// as seen (a script being written): its hits are capped at high.
	capped bool
	note   string
	// redirect is set for a file the shell opens for the command (< > >>):
	// a guard's except_commands never excuses it, because the command did
	// not choose to touch it (`ssh host 'cat > x' < ~/.ssh/id_rsa`).
	redirect bool
	notRun   bool // named by a script being written, not touched by this call
	cmdIndex int  // index in facts.commands of the command that names it; -1 for a tool's own path
}

type contentFact struct {
	path string // normalised
	text string
	by   string
	// before, when set, is the file as it is now (text is the whole file
	// after the write): a content guard that fires on both is about what
	// was there already, not about this write.
	before    string
	hasBefore bool
}

func (e *Engine) buildFacts(act *Action) *facts {
	f := &facts{act: act, vars: e.protectedSet(act).Vars()}
	if act.Command != "" {
		f.analysis = shell.Analyze(act.Command, f.shellEnv(act.Cwd))
		f.addCommands(f.analysis, nil, "")
		f.runScripts(0, 1)
		for _, w := range f.analysis.Writes {
			f.contents = append(f.contents, contentFact{
				path: NormalizePath(w.Path.Value, act.Cwd, act.Home, w.Path.Dynamic),
				text: w.Content, by: w.By,
			})
		}
	}
	for _, p := range act.Paths {
		f.files = append(f.files, fileFact{raw: p.Path, norm: NormalizePath(p.Path, act.Cwd, act.Home, false), access: p.Access, cmdIndex: -1})
	}
	for _, c := range act.Contents {
		f.contents = append(f.contents, contentFact{path: NormalizePath(c.Path, act.Cwd, act.Home, false), text: c.Text, by: act.Tool})
	}
	if len(e.list(OnProtected)) > 0 {
		f.after = e.afterStates(act, e.protectedSet(act))
		for _, st := range f.after {
			f.contents = append(f.contents, contentFact{path: NormalizePath(st.path, act.Cwd, act.Home, false),
				text: st.after, by: st.by, before: st.before, hasBefore: true})
		}
	}
	f.urls = append(f.urls, act.URLs...)
	// A script being written is analysed as if it ran, so `deploy.sh` holding
	// `rm -rf ~` is seen; it is not running yet, so its hits are capped.
	for _, c := range f.contents {
		if isShellScript(c.path, c.text) {
			a := shell.Analyze(c.text, f.shellEnv(path.Dir(c.path)))
			f.notRun = true
			f.addCommands(a, []string{"script " + path.Base(c.path)}, "it is written into "+c.path+", not run yet")
			f.notRun = false
		}
	}
	return f
}

func isShellScript(p, text string) bool {
	switch path.Ext(p) {
	case ".sh", ".bash", ".zsh", ".ksh", ".command":
		return true
	}
	switch path.Base(p) {
	// Files a shell runs by itself: direnv's .envrc on cd, the rc files at
	// login or for every new shell.
	case ".envrc", ".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile", ".zshenv", ".zlogin", ".kshrc", ".mkshrc":
		return true
	}
	if strings.HasPrefix(text, "#!") {
		line, _, _ := strings.Cut(text, "\n")
		return strings.HasSuffix(line, "sh") || strings.Contains(line, "sh ") || strings.Contains(line, "/env bash")
	}
	return false
}

func (f *facts) addCommands(a *shell.Analysis, via []string, capNote string) {
	act := f.act
	cmds := a.Commands
	// A bare assignment (HISTSIZE=0, PROMPT_COMMAND=...) runs no command but
	// changes the shell; guards see it as the equivalent `export NAME=VALUE`.
	for _, as := range a.Assignments {
		if as.By != "" {
			continue // export/declare/local...: already a command
		}
		if len(cmds) == len(a.Commands) {
			cmds = append([]shell.Command(nil), a.Commands...)
		}
		cmds = append(cmds, shell.Command{
			Name: "export", Synthetic: true, Depth: as.Depth,
			Args: []shell.Word{{Value: as.Name + "=" + as.Value.Value, Dynamic: as.Value.Dynamic}},
			Via:  append(append([]string{}, as.Via...), "assignment"),
		})
	}
	for i := range cmds {
		c := &cmds[i]
		cf := cmdFact{c: c, name: strings.ToLower(c.Name), via: append(append([]string{}, via...), c.Via...), notRun: f.notRun}
		if capNote != "" {
			cf.capSeverity, cf.note = true, capNote
		} else if c.NameDynamic {
			cf.capSeverity, cf.note = true, "the command name is only known at run time"
		}
		cwd := act.Cwd
		if c.Cwd != "" {
			cwd = c.Cwd
		}
		vals := make([]string, len(c.Args))
		for j, w := range c.Args {
			vals[j] = w.Value
		}
		cf.joined = strings.Join(vals, " ")
		cf.words = positionalWords(cf.name, c.Args)
		afterDD := false
		for j, w := range c.Args {
			if w.Value == "--" && !afterDD {
				afterDD = true
				continue
			}
			prev := ""
			if j > 0 {
				prev = c.Args[j-1].Value
			}
			for _, cand := range pathCandidates(w.Value, afterDD) {
				cf.operands = append(cf.operands, operand{arg: w.Value, prev: prev, raw: cand, norm: NormalizePath(cand, cwd, act.Home, w.Dynamic), dynamic: w.Dynamic})
			}
		}
		f.commands = append(f.commands, cf)
		f.addCommandFiles(&cf, len(f.commands)-1, cwd)
		f.addCommandURLs(&cf)
	}
	start := len(f.commands) - len(cmds)
	f.downloadThenRun(start)
	f.linkFeeds(start)
}

// linkFeeds records, for each command, the later commands at the same depth
// that name it as a feeder: `echo "$T" | docker login --password-stdin`
// gives echo a feed into docker.
func (f *facts) linkFeeds(start int) {
	for i := start; i < len(f.commands); i++ {
		cf := &f.commands[i]
		for j := i + 1; j < len(f.commands) && j < i+16; j++ {
			d := f.commands[j].c
			if d.Depth == cf.c.Depth && fedBySlice(d.FedBy, cf.c.Name) {
				cf.feeds = append(cf.feeds, j)
			}
		}
	}
}

// downloadThenRun finds files a downloader writes that a later command of
// the same line runs (`curl -o /tmp/i.sh URL && bash /tmp/i.sh`,
// `wget -qO x URL; chmod +x x; ./x`): that is `curl | sh` in two steps, so
// the running command is reported as fed by the downloader, and guards on
// piping downloads into a shell see it. Which commands fetch a file is
// package commands' (Spec.Downloads); which file a command runs as code is
// the shell analysis' (Command.Exec).
func (f *facts) downloadThenRun(start int) {
	got := map[string]string{} // normalised path -> downloader
	for i := start; i < len(f.commands); i++ {
		cf := &f.commands[i]
		if spec := commands.Lookup(cf.name); spec != nil && spec.Downloads {
			for _, o := range cf.operands {
				if outputFlag(o.prev) || isOutputFlagArg(o.arg) || isShortCluster(o.prev, 'o', 'O') {
					got[o.norm] = cf.name
				}
			}
			for _, r := range cf.c.Redirects {
				if r.Write && r.Target.Value != "" && !isFDWord(r.Target.Value) {
					got[NormalizePath(r.Target.Value, f.act.Cwd, f.act.Home, r.Target.Dynamic)] = cf.name
				}
			}
			continue
		}
		if len(got) == 0 {
			continue
		}
		file, direct := f.fileRun(cf)
		tool := got[file]
		if file != "" && tool != "" && !direct {
			if !fedBySlice(cf.c.FedBy, tool) {
				cf.c.FedBy = append(cf.c.FedBy, tool)
			}
			continue
		}
		if tool == "" && cf.c.Exec == nil && cf.name != "" && !cf.c.NameDynamic {
			// A program found on PATH (`curl -o ~/.local/bin/t URL && t`):
			// the command's name is the downloaded file's base name.
			for p, t := range got {
				if path.Base(p) == cf.name {
					file, tool = p, t
					break
				}
			}
		}
		if tool != "" {
			// Run directly by its path (./x, /tmp/x) or found on PATH:
			// report it as `sh FILE` fed by the downloader.
			run := &shell.Command{Name: "sh", Args: []shell.Word{{Value: file}}, FedBy: []string{tool},
				Via: append(append([]string{}, cf.via...), "downloaded then run"), Synthetic: true, Depth: cf.c.Depth}
			f.commands = append(f.commands, cmdFact{c: run, name: "sh", joined: file, via: run.Via,
				operands: []operand{{arg: file, raw: file, norm: file}}, capSeverity: cf.capSeverity, note: cf.note, notRun: cf.notRun})
		}
	}
}

// fileRun returns the normalised path of the file a command runs as code
// (a script given to a shell or an interpreter, source FILE, a program run
// by its path, as the shell analysis' Exec records it), and whether it is
// run by its path. PowerShell, which the shell analysis does not model,
// runs its first operand.
func (f *facts) fileRun(cf *cmdFact) (file string, direct bool) {
	cwd := f.act.Cwd
	if cf.c.Cwd != "" {
		cwd = cf.c.Cwd
	}
	if ex := cf.c.Exec; ex != nil {
		switch ex.Kind {
		case shell.ExecShell, shell.ExecInterp, shell.ExecDirect:
			if ex.File.Value == "" {
				return "", false
			}
			return NormalizePath(ex.File.Value, cwd, f.act.Home, ex.File.Dynamic), ex.Kind == shell.ExecDirect
		}
		return "", false
	}
	if (cf.name == "pwsh" || cf.name == "powershell") && len(cf.operands) > 0 {
		return cf.operands[0].norm, false
	}
	return "", false
}

func fedBySlice(list []string, name string) bool {
	for _, x := range list {
		if x == name {
			return true
		}
	}
	return false
}

// isShortCluster reports a cluster of short flags ending in one of last
// (curl -fsSLo FILE, wget -qO FILE).
func isShortCluster(arg string, last ...byte) bool {
	if len(arg) < 3 || arg[0] != '-' || arg[1] == '-' {
		return false
	}
	for _, b := range last {
		if arg[len(arg)-1] == b {
			return true
		}
	}
	return false
}

// pathCandidates returns what in one argument may name a file: the argument
// itself, the value of --opt=VALUE / key=VALUE, and curl's @file.
func pathCandidates(arg string, afterDD bool) []string {
	if arg == "" {
		return nil
	}
	if afterDD {
		return []string{arg}
	}
	if strings.HasPrefix(arg, "-") {
		if _, v, ok := strings.Cut(arg, "="); ok && v != "" {
			return []string{strings.TrimPrefix(v, "@")}
		}
		return nil
	}
	out := []string{strings.TrimPrefix(arg, "@")}
	if k, v, ok := strings.Cut(arg, "="); ok && v != "" && isIdent(k) {
		out = append(out, strings.TrimPrefix(v, "@"))
	}
	return out
}

// isFDWord reports whether a >& / <& target is a descriptor ("1", "2-", "-")
// rather than a file (`>& /dev/tcp/host/port` sends stdout and stderr there).
func isFDWord(s string) bool {
	s = strings.TrimSuffix(s, "-")
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// outputFlag reports whether f names the file a command writes its output to, whatever the
// command: the value after them is a write (`curl -o ~/.bashrc`).
func outputFlag(f string) bool {
	switch f {
	case "-o", "--output", "--out", "-O", "--output-document", "--outfile":
		return true
	}
	return false
}

// isOutputFlagArg reports --output=FILE style arguments.
func isOutputFlagArg(arg string) bool {
	for _, f := range []string{"--output=", "--out=", "--output-document=", "--outfile="} {
		if strings.HasPrefix(arg, f) {
			return true
		}
	}
	return false
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// positionalWords returns the first four words of a command that are not
// options, skipping the values of the tool's global options that take one
// (package commands: `git -C dir push` -> push, `kubectl -n prod delete`
// -> delete).
func positionalWords(name string, args []shell.Word) []string {
	spec := commands.Lookup(name)
	var words []string
	skip := false
	for _, a := range args {
		v := a.Value
		if skip {
			skip = false
			continue
		}
		if len(words) == 0 && strings.HasPrefix(v, "+") && (name == "cargo" || name == "rustup" || name == "rustc") {
			continue // cargo +nightly publish: a toolchain, not a subcommand
		}
		if strings.HasPrefix(v, "-") && len(v) > 1 {
			if v == "--" {
				continue
			}
			if spec.TakesValue(v) {
				skip = true
			}
			continue
		}
		words = append(words, strings.ToLower(v))
		if len(words) == 4 {
			break
		}
	}
	return words
}

// How commands touch the files they name is in package commands
// (Spec.Access); unknown commands are readwrite, so both read guards
// (secrets) and write guards (persistence) see them.

// nameSet is a small set of names. It is a list, not a map: a package-level
// map is built at package init, which every hook process would pay for sets
// it may never consult; a list of a few dozen names is as quick to search.
type nameSet []string

func set(names ...string) nameSet { return names }

func (s nameSet) has(name string) bool {
	for _, n := range s {
		if n == name {
			return true
		}
	}
	return false
}

func (f *facts) addCommandFiles(cf *cmdFact, idx int, cwd string) {
	act := f.act
	for _, r := range cf.c.Redirects {
		if r.Target.Value == "" || (r.Op == ">&" || r.Op == "<&") && isFDWord(r.Target.Value) {
			continue // a file descriptor duplication (2>&1), not a file
		}
		acc := AccessRead
		if r.Write {
			acc = AccessWrite
		}
		f.files = append(f.files, fileFact{raw: r.Target.Value, norm: NormalizePath(r.Target.Value, cwd, act.Home, r.Target.Dynamic), access: acc, cmd: cf.name, via: cf.via, capped: cf.capSeverity, note: cf.note, redirect: true, notRun: cf.notRun, cmdIndex: idx})
	}
	ops := cf.operands
	spec := commands.Lookup(cf.name)
	if len(ops) == 0 || spec != nil && spec.Access == commands.Names {
		return
	}
	accessOf := func(i int) Access {
		switch {
		case spec == nil:
		case spec.Access == commands.Read:
			if spec.InPlace != "" && hasAnyFlag(cf.c.Args, strings.Fields(spec.InPlace)) {
				return AccessWrite
			}
			return AccessRead
		case spec.Access == commands.Write:
			return AccessWrite
		case spec.Access == commands.Copy:
			if i == len(ops)-1 && len(ops) > 1 {
				return AccessWrite
			}
			return AccessRead
		}
		if cf.name == "dd" {
			if strings.HasPrefix(ops[i].arg, "of=") {
				return AccessWrite
			}
			return AccessRead
		}
		return AccessReadWrite
	}
	for i, o := range ops {
		if spec != nil && spec.KeyOpt != 0 && len(o.prev) == 2 && o.prev[0] == '-' && o.prev[1] == spec.KeyOpt {
			continue // an identity file the command uses, never prints
		}
		acc := accessOf(i)
		if outputFlag(o.prev) || isOutputFlagArg(o.arg) {
			acc = AccessWrite // curl -o FILE, gpg --output FILE, wget -O FILE
		}
		f.files = append(f.files, fileFact{raw: o.raw, norm: o.norm, access: acc, cmd: cf.name, via: cf.via, capped: cf.capSeverity, note: cf.note, notRun: cf.notRun, cmdIndex: idx})
	}
}

// isSSHFamily reports the ssh clients (ssh, scp, sftp, ssh-copy-id,
// autossh, mosh): in package commands, the commands whose -i names a key.
func isSSHFamily(name string) bool {
	s := commands.Lookup(name)
	return s != nil && s.KeyOpt == 'i'
}

func (f *facts) addCommandURLs(cf *cmdFact) {
	spec := commands.Lookup(cf.name)
	net := spec != nil && spec.Net
	for _, a := range cf.c.Args {
		v := a.Value
		if i := strings.Index(v, "://"); i > 0 && isScheme(v[:i]) {
			f.urls = append(f.urls, v)
			continue
		}
		if net && !strings.HasPrefix(v, "-") && !strings.HasPrefix(v, "/") &&
			!strings.HasPrefix(v, "~") && !strings.HasPrefix(v, ".") && !strings.HasPrefix(v, "@") &&
			strings.ContainsAny(v, ".:") && !strings.ContainsAny(v, " \t") { // a header ("Authorization: token X") is not a URL
			f.urls = append(f.urls, v)
		}
	}
}

func isScheme(s string) bool {
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return false
		}
	}
	return s != ""
}

// hasAnyFlag reports whether args carry one of flags, understanding clusters
// of short flags (-rf has -r and -f) and --long=value.
func hasAnyFlag(args []shell.Word, flags []string) bool {
	for _, f := range flags {
		if hasFlag(args, f) {
			return true
		}
	}
	return false
}

func hasFlag(args []shell.Word, flag string) bool {
	long := strings.HasPrefix(flag, "--") || len(flag) > 2
	for _, a := range args {
		v := a.Value
		if v == "--" {
			return false
		}
		if !strings.HasPrefix(v, "-") || len(v) < 2 {
			continue
		}
		if long {
			if v == flag || strings.HasPrefix(v, flag+"=") {
				return true
			}
			continue
		}
		// Short flag: -X alone or inside a cluster of letters (-rfv, -fr).
		if strings.HasPrefix(v, "--") {
			continue
		}
		if v == flag {
			return true
		}
		cluster := v[1:]
		if strings.IndexFunc(cluster, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }) >= 0 {
			// -n5, -o=file: only the first letter is a flag.
			if cluster[0] == flag[1] {
				return true
			}
			continue
		}
		if strings.IndexByte(cluster, flag[1]) >= 0 {
			return true
		}
	}
	return false
}
