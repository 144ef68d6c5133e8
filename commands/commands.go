// Package commands is what bulwark knows about individual commands, in one
// declarative table (table.go): which options take a value, how a command
// treats the files it names, and whether it runs another command (and
// where that command starts on its command line).
//
// The shell analysis reads it to see through wrappers (sudo, env, timeout,
// nice ...), package runners (npx, uv run, bundle exec ...) and remote
// commands (ssh, docker exec ...), and to skip options; guards read it to
// tell reads from writes and to find a tool's subcommand words (git -C dir
// push). Adding a tool is one line of table.go.
//
// The table is laid out statically by the Go linker, and a lookup is a
// switch generated from it (index_gen.go, `make generate`): the package
// does no work at initialisation, which keeps the hook's start-up cheap.
package commands

//go:generate go run ./internal/genindex

import "strings"

// Kind says whether and how a command runs other code. Most commands run
// nothing (None). The shell analysis follows every other kind.
type Kind uint8

const (
	// None: the command runs no other command (as far as bulwark knows).
	None Kind = iota
	// Wrapper runs the command that starts at its first operand, after
	// Skip more operands (`timeout 5 CMD`, `chroot DIR CMD`), as argv:
	// sudo, doas, nice, nohup, timeout, stdbuf, ionice, setsid, exec,
	// command, builtin ... VAR=value words before the command are its
	// environment when Assigns is set (sudo FOO=1 CMD).
	Wrapper
	// Runner is a package runner: the first operand after its options is
	// a command it runs (npx, bunx, uvx, and the subcommands npm exec,
	// uv run, poetry run, bundle exec ...). Code options run shell code
	// (npx -c CODE). PkgSpec: the command is a package spec whose version
	// is dropped (npx cowsay@1.2 -> cowsay).
	Runner
	// Multicall runs its first word as the command unless it starts with a
	// dash (busybox rm, toybox rm; busybox --list runs nothing).
	Multicall

	// The kinds below have their own code in the shell analysis; their
	// options are still described here.

	Env      // env [OPTS] [VAR=x ...] [CMD]: -S splits a string, -C sets the directory
	Xargs    // xargs [OPTS] CMD: CMD runs with the input's items
	Watch    // watch [OPTS] CMD...: the words joined run as shell code (as argv with -x)
	Flock    // flock [OPTS] FILE (CMD... | -c CODE)
	Shell    // a shell: -c CODE, a script operand, or its stdin
	Su       // su/runuser: -c CODE or a shell reading stdin; runuser -u USER CMD runs CMD
	At       // at/batch: the commands to schedule are read from stdin (unless -f FILE)
	Trap     // trap CODE SIGNAL...: CODE runs later
	Script   // script -c CODE: CODE runs in a new shell
	Awk      // awk: system(), print | "cmd" and "cmd" | getline in the program
	Eval     // eval WORDS: the words joined run as shell code
	Source   // source/. FILE: the file runs in the current shell
	Find     // find -exec/-execdir/-ok/-okdir CMD ;, find -delete
	Cd       // cd/pushd DIR: changes the working directory of later commands
	Popd     // popd: the working directory becomes unknown
	SetsVars // read, mapfile, readarray, getopts, unset: assign (or unset) variables
	Alias    // alias NAME=CODE: CODE runs where NAME is used
	Interp   // an interpreter: Lang; its code is given by a Code option or on stdin
	Remote   // runs a command on another host or in a container (ssh, docker, kubectl ...)
	PkgTool  // a package tool whose subcommands (Subs) may be runners: npm exec, uv run ...
	Git      // git: -c KEY=CODE and -c alias.NAME='!CODE' run shell code; aliases expand
	Editor   // vim/nvim/vi/ex: -c CMD, --cmd CMD, +CMD are ex commands (:!CMD runs the shell)
	Pager    // less: +!CMD runs the shell
	Man      // man: -P CMD / --pager CMD and -H BROWSER run commands
	Entr     // entr CMD (argv), entr -s CODE
	Parallel // GNU parallel CMD ::: ARGS
	Fd       // fd -x CMD / -X CMD run CMD on what it finds
	Make     // make: a makefile on stdin (-f -) is read here; files are the caller's (Exec)
)

// ShellEnv reports the environment variables whose value programs run as
// shell code (or as a command line): pagers, editors, git's ssh and diff
// commands, less's input filters, browsers. VAR=CODE before a command is
// code that command may run.
func ShellEnv(name string) bool {
	switch name {
	case "PAGER", "MANPAGER", "GIT_PAGER", "SYSTEMD_PAGER", "PSQL_PAGER", "BAT_PAGER", "DELTA_PAGER",
		"EDITOR", "VISUAL", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "SUDO_EDITOR", "KUBE_EDITOR", "FCEDIT",
		"GIT_SSH_COMMAND", "GIT_EXTERNAL_DIFF", "GIT_PROXY_COMMAND", "RSYNC_RSH", "CVS_RSH",
		"LESSOPEN", "LESSCLOSE", "BROWSER", "PROMPT_COMMAND":
		return true
	}
	return false
}

// Access is how a command treats the files its operands name.
type Access uint8

const (
	// ReadWrite: unknown commands; their operands may be read or written,
	// so guards on reads (secrets) and on writes (persistence) both see them.
	ReadWrite Access = iota
	// Read: the operands are only read (cat, grep, less, jq ...), unless
	// one of InPlace is given (sed -i, perl -i).
	Read
	// Write: the operands are created, changed or removed (rm, touch,
	// chmod, tee, mv ...).
	Write
	// Copy: the operands are read, and the last one (of two or more) is
	// written (cp, rsync, ln, install ...).
	Copy
	// Names: the operands name files without reading or changing their
	// content, or are only printed (echo, ls, stat, realpath, export ...).
	Names
)

// Spec is what bulwark knows about one command (or one subcommand, named
// "tool sub": "npm exec", "uv tool run").
type Spec struct {
	Name string
	// Alias names another entry that this command is the same as
	// (bundler is bundle): Lookup returns that entry.
	Alias string
	Kind  Kind

	// Options, getopt_long style. Short lists the short options that take
	// a value (-u root, -uroot, or the rest of a cluster: -nu root);
	// ShortOpt those whose value is optional and only attached (xargs
	// -i[R]). Long lists, space-separated, the long options that take a
	// value (--user root, --user=root); LongOpt those whose value is
	// optional and only attached (--replace[=R]). With LongAll every long
	// option takes a value except those in LongFlags (docker run). Plus
	// is set for commands whose options may also start with + (set +o,
	// bash +x). Permute: options may follow operands (GNU getopt
	// permutation), so they are read until "--". OldStyle lists the
	// letters of an old-style first word, a cluster written without its
	// dash whose value-taking letters take the following words in order
	// (tar xzf a.tar).
	Short, ShortOpt string
	Long, LongOpt   string
	LongAll         bool
	LongFlags       string
	Plus, Permute   bool
	OldStyle        string

	// Running another command. Skip is the number of operands before the
	// command (timeout DURATION, chroot NEWROOT, flock FILE). NoRun lists
	// the short flags with which the command runs nothing (sudo -l, -v,
	// -e; command -v). StdinShell lists the short flags with which, given
	// no command, it runs a shell reading stdin (sudo -s, sudo -i).
	// Assigns: VAR=value words before the command are its environment.
	// Code lists the short options, and CodeLong the long ones
	// (space-separated), whose value is code to run (su -c, npx -c,
	// flock -c, python -c, perl -e ...). PkgSpec: see Runner.
	Skip       int
	NoRun      string
	StdinShell string
	Assigns    bool
	Code       string
	CodeLong   string
	PkgSpec    bool

	// Lang is the language of an Interp ("python", "node", "perl",
	// "ruby", "php", "deno").
	Lang string
	// Versioned: the name may carry a version suffix (python3.12, pypy3,
	// perl5.36, php8.2).
	Versioned bool
	// Subs lists, space-separated, the subcommands of a PkgTool that have
	// their own Spec ("exec x" for npm: "npm exec", "npm x").
	Subs string

	// Files. InPlace lists, space-separated, the options that make a Read
	// command write its operands (sed -i, perl -i).
	Access  Access
	InPlace string
	// Net: a network client; an operand that looks like host[:port] is a
	// destination (curl, nc, telnet ...). Downloads: it fetches a file
	// over the network, and its -o/-O output is that file (curl, wget).
	// KeyOpt is the short option whose value is a key the command uses and
	// never prints (ssh -i KEY).
	Net, Downloads bool
	KeyOpt         byte
}

// Lookup returns the spec of the command called name (a base name, as
// the shell analysis reports it), or nil when bulwark knows nothing
// particular about it. A name with a version suffix (python3.12) finds a
// Versioned spec (python).
func Lookup(name string) *Spec {
	if s := find(name); s != nil {
		return s
	}
	if name == "" || (name[len(name)-1] < '0' || name[len(name)-1] > '9') && name[len(name)-1] != '.' {
		return nil
	}
	base := strings.TrimRight(name, "0123456789.")
	if base == name || base == "" {
		return nil
	}
	if s := find(base); s != nil && s.Versioned {
		return s
	}
	return nil
}

// LookupSub returns the spec of `name sub` when name is a PkgTool that
// lists sub in its Subs, else nil.
func LookupSub(name, sub string) *Spec {
	return Lookup(name).Sub(sub)
}

// Sub returns the spec of the subcommand sub of s when s lists it in its
// Subs (npm: exec, x), else nil.
func (s *Spec) Sub(sub string) *Spec {
	if s == nil || s.Subs == "" || !HasWord(s.Subs, sub) {
		return nil
	}
	// Build the key on the stack (no allocation for short names).
	var buf [48]byte
	key := append(append(append(buf[:0], s.Name...), ' '), sub...)
	return find(string(key))
}

// find returns the entry called name (following an Alias), or nil.
func find(name string) *Spec {
	i := index(name)
	if i < 0 {
		return nil
	}
	if s := &table[i]; s.Alias != "" {
		return find(s.Alias)
	}
	return &table[i]
}

// TakesValue reports whether the option word opt ("-C", "--git-dir"),
// written alone, takes the next word as its value: an option that takes a
// value, or one whose value is code (perl -e CODE, su --command CODE), as
// the shell analysis' option scanner reads them.
func (s *Spec) TakesValue(opt string) bool {
	if s == nil || len(opt) < 2 || opt[0] != '-' {
		return false
	}
	if opt[1] == '-' {
		name := opt[2:]
		if name == "" || strings.IndexByte(name, '=') >= 0 {
			return false
		}
		return s.LongTakesValue(name) || HasWord(s.CodeLong, name)
	}
	return len(opt) == 2 && (strings.IndexByte(s.Short, opt[1]) >= 0 || strings.IndexByte(s.Code, opt[1]) >= 0)
}

// LongTakesValue reports whether the long option --name takes a value.
func (s *Spec) LongTakesValue(name string) bool {
	if s.LongAll {
		return !HasWord(s.LongFlags, name)
	}
	return HasWord(s.Long, name)
}

// HasWord reports whether the space-separated list has word w.
func HasWord(list, w string) bool {
	if w == "" {
		return false
	}
	for list != "" {
		i := strings.IndexByte(list, ' ')
		if i < 0 {
			return list == w
		}
		if list[:i] == w {
			return true
		}
		list = list[i+1:]
	}
	return false
}

// All returns the table, sorted by name (for tests and documentation).
func All() []Spec { return table }
