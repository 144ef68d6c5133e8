// Package interp finds what an interpreter one-liner does: the shell
// commands it runs, the programs it executes and the files it removes,
// reads, writes, copies or moves. It covers the code given to python -c,
// perl -e, ruby -e, node -e (also bun, deno eval) and php -r, or fed to
// them on stdin.
//
// It is a small linear tokenizer plus a table of calls, not a parser (Tcl,
// whose syntax is made of commands and words, has its own reader): it
// recognises calls that run shell commands (os.system, subprocess.run,
// child_process.execSync, backticks, %x(), qx{} ...), calls that run a
// program without a shell (os.execvp, spawn, execFile ...), and
// destructive or sensitive library calls (shutil.rmtree, fs.rmSync,
// FileUtils.rm_rf, open(p).read(), Path(p).unlink() ...), and evaluates
// their arguments as far as they are static: string literals, variables
// assigned a literal earlier in the code, concatenation and path joins,
// and the home directory however the language spells it (os.environ['HOME'],
// os.path.expanduser('~'), Path.home(), process.env.HOME, os.homedir(),
// $ENV{HOME}, ENV['HOME'], Dir.home, getenv('HOME') ...). Anything else
// stays Dynamic, with its source text.
//
// interp knows nothing about shell analysis or guards: the shell package
// finds the code on the interpreter's command line, calls Scan, and turns
// each Effect into the commands guards judge (a Shell effect is analysed as
// shell, an Exec effect is a command with that argv, a FileOp is a
// synthetic rm, rmdir, cat, tee, cp or mv).
//
// Scan is bounded: at most 2^18 tokens are scanned (a Problem effect says
// when the rest was cut), and the work spent evaluating expressions is
// linear in the number of tokens. It does no work at package
// initialisation.
package interp

import (
	"iter"
	"path"
	"strings"
)

// Lang is the language of a piece of interpreter code.
type Lang string

// The languages Scan understands. Deno and Bun code is Node.
const (
	Python Lang = "python"
	Node   Lang = "node"
	Perl   Lang = "perl"
	Ruby   Lang = "ruby"
	PHP    Lang = "php"
	Lua    Lang = "lua" // lua -e, luajit: os.execute, io.popen, os.remove, os.rename, io.open
	Tcl    Lang = "tcl" // tclsh, wish, expect: exec, spawn, file delete, open "|cmd" (see tcl.go)
)

// Env is what the code may assume about its environment.
type Env struct {
	// Home is the home directory: the value of os.environ['HOME'],
	// Path.home(), process.env.HOME, $ENV{HOME}, "~" in expanduser ... When
	// empty, these are the literal "~", so that callers can still tell
	// the home directory.
	Home string
}

// Value is a string the code computes.
type Value struct {
	// Text is the static value, or the source text when Dynamic.
	Text string
	// Dynamic is true when the value is only known at run time.
	Dynamic bool
}

// Kind says what an Effect is.
type Kind int

const (
	// Shell: Code is run by a shell (os.system("..."), `...`,
	// subprocess.run("...", shell=True), execSync("...")). When
	// Code.Dynamic is true the command text is only known at run time and
	// Code.Text is its source; an interpolated string (f"rm -rf {d}",
	// `rm ${d}`) is static shell code with each interpolation written as
	// an unknown shell variable (rm -rf ${d}).
	Shell Kind = iota + 1
	// Exec: Argv runs without a shell (subprocess.run([...]), os.execvp,
	// spawn, execFile, perl/ruby system LIST). A static Argv[0] is
	// path-cleaned.
	Exec
	// FileOp: the code changes or reads files through a library call
	// (Op, Recursive, Paths).
	FileOp
	// Problem: the scan was cut short (Msg says why).
	Problem
)

// Op is a file operation.
type Op int

const (
	// Remove deletes Paths[0] (rm -f; rm -r -f when Recursive):
	// shutil.rmtree, os.remove, fs.rmSync, FileUtils.rm_rf, unlink ...
	Remove Op = iota + 1
	// RemoveDir removes the (empty) directory Paths[0]: os.rmdir, Dir.rmdir.
	RemoveDir
	// Read reads Paths[0]: open(p).read(), Path(p).read_text(),
	// fs.readFileSync, File.read, file_get_contents ...
	Read
	// Write truncates and writes Paths[0]: open(p, 'w'), fs.writeFileSync ...
	Write
	// Append appends to Paths[0]: open(p, 'a'), fs.appendFileSync ...
	Append
	// Copy copies Paths[0] to Paths[1] (cp; cp -r when Recursive):
	// shutil.copy, shutil.copytree, fs.copyFileSync, fs.cpSync ...
	Copy
	// Move renames Paths[0] to Paths[1]: shutil.move, os.rename,
	// fs.renameSync ...
	Move
	// Chmod sets the permissions of Paths to Mode (chmod; chmod -R when
	// Recursive): os.chmod, Path.chmod, fs.chmodSync, File.chmod,
	// FileUtils.chmod_R, perl and PHP chmod.
	Chmod
	// Chown gives Paths to Owner (chown; chown -R when Recursive):
	// os.chown, shutil.chown, fs.chownSync, FileUtils.chown, perl and PHP
	// chown, PHP chgrp.
	Chown
)

// Effect is one thing the code does.
type Effect struct {
	Kind Kind
	// Call is the call as written, without a leading dot ("os.system",
	// "subprocess.run", "execSync", "shutil.rmtree", "Path.unlink" for a
	// pathlib method, "`...`" for backticks, %x() and qx{}).
	Call string
	// Code is the shell code of a Shell effect.
	Code Value
	// Argv is the argument vector of an Exec effect.
	Argv []Value
	// Op, Recursive and Paths describe a FileOp.
	Op        Op
	Recursive bool
	Paths     []Value
	// Mode is a Chmod's mode as chmod takes it, in octal digits ("700",
	// "000", "4755"; dynamic when the code computes it); Owner is a
	// Chown's owner as chown takes it (UID:GID, USER, :GROUP).
	Mode, Owner Value
	// Msg explains a Problem.
	Msg string
	// Offset is the byte offset in the code of the token where the scan
	// found the call (a script file's verdict names its line).
	Offset int
}

// Scan returns the effects of code in lang, in source order. The caller
// may stop early (the scan stops with it).
func Scan(code string, lang Lang, env Env) iter.Seq[Effect] {
	return func(yield func(Effect) bool) {
		home := env.Home
		if home == "" {
			home = "~"
		}
		s := &scanner{lang: lang, code: code, home: home, yield: yield}
		if lang == Tcl {
			s.steps = 8*len(code) + 10000
			s.scanTcl(code, 0, 0)
			return
		}
		s.tokenize()
		if s.stopped {
			return
		}
		s.matchBrackets()
		s.steps = 8*len(s.toks) + 10000
		s.scan()
	}
}

// emit reports one effect, unless the caller has stopped the scan.
func (s *scanner) emit(e Effect) {
	if s.stopped {
		return
	}
	e.Offset = s.at
	if !s.yield(e) {
		s.stopped = true
	}
}

// shell reports static shell code; blank code runs nothing.
func (s *scanner) shell(text, callName string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	s.emit(Effect{Kind: Shell, Call: callName, Code: Value{Text: text}})
}

// shellWord reports a shell command computed by the code; an empty one
// runs nothing.
func (s *scanner) shellWord(w Value, callName string) {
	if w.Text == "" {
		return
	}
	s.emit(Effect{Kind: Shell, Call: callName, Code: w})
}

// argv reports a program run without a shell.
func (s *scanner) argv(argv []Value, callName string) {
	if len(argv) == 0 {
		return
	}
	if argv[0].Dynamic {
		argv[0].Text = strings.TrimSpace(argv[0].Text)
	} else {
		argv[0].Text = path.Clean(argv[0].Text)
	}
	s.emit(Effect{Kind: Exec, Call: callName, Argv: argv})
}
