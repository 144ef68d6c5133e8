// Package shell turns a shell command line into the simple commands that would
// really run, seeing through quoting, wrappers (sudo, env, xargs, find -exec ...),
// nesting (bash -c, eval, heredocs and pipes into shells, $(...)), simple static
// data flow (X=~; rm -rf $X) and interpreter one-liners (python -c, node -e ...).
//
// It knows nothing about guards: it only says what would run, with which
// arguments, redirections and inputs. Words that cannot be resolved statically
// are kept, marked dynamic, with their source text, so that a caller never
// mistakes them for harmless literals.
//
// It never reads files. A command that runs the content of a file (a
// script given to a shell or an interpreter, a program run by its path,
// make, npm run, npm install, just, task, git hooks) carries an Exec
// record: which file, resolved against the command's working directory,
// and what of it runs (make targets, package.json scripts, hooks ...), so
// that a caller judging the call when it runs can read and judge the file
// without parsing the command line again.
//
// What bulwark knows about individual commands (options that take a
// value, wrappers, runners) is in package commands; interpreter code
// (python -c ...) is read by package interp.
package shell

// MaxDepth bounds nesting (bash -c inside eval inside $(...) ...). Deeper
// commands are not analysed; Analysis.DepthExceeded is set and the limit is
// listed in Analysis.Limits.
const MaxDepth = 8

// Env is what the analysis may assume about the environment.
type Env struct {
	// Home is the value of ~ and $HOME. When empty, ~ and $HOME are kept as
	// the literal "~" so that callers can still recognise the home directory.
	Home string
	// Cwd is the working directory the command starts in; `cd DIR` inside the
	// command changes it for the commands that follow (see Command.Cwd).
	Cwd string
	// Vars are environment variables whose values the caller knows the
	// command's shell has (the hook's own BULWARK_HOME, XDG_CONFIG_HOME ...:
	// the agent's shell inherits the same environment). They expand
	// statically, in every form ($X, ${X}, "$X"/y, ${X:-d}, ${X%/}, cd $X),
	// until the command line assigns or unsets them. Any other variable the
	// line does not assign is the environment's, unknown: dynamic.
	Vars map[string]string
}

// Word is one argument after quote removal and static expansion.
type Word struct {
	// Value is the resolved text. Parts that could not be resolved are kept as
	// their source text ("$X", "$(date)", "*.go" stays a glob).
	Value string
	// Dynamic is true when any part of the word depends on run-time state
	// (an unset or non-literal variable, a command substitution, arithmetic).
	//
	// ${VAR:-default} (and ${VAR-d}, ${VAR:=d}, ${VAR=d}) with a VAR that
	// the command line does not assign (nor Env.Vars give) is dynamic, since VAR may be set in
	// the environment: when the default is a path (it starts with / or ~),
	// Value is the default (`rm -rf ${DIR:-/}` -> "/", dynamic) so that
	// guards see the dangerous possible value; otherwise Value is the
	// source text (`echo ${HF_TOKEN:-unset}` -> "${HF_TOKEN:-unset}") so
	// that the variable stays visible. When VAR was assigned (or unset)
	// earlier in the line, the expansion is resolved statically.
	//
	// ~ is the home directory (Env.Home); ~root is /root and ~NAME is
	// /home/NAME.
	Dynamic bool
	// Glob is true when the word has unquoted glob characters (* ? [).
	Glob bool
}

// Redirect is one redirection of a simple command.
type Redirect struct {
	// Op is the operator as written: ">", ">>", "<", ">|", "&>", "&>>", "<>", ">&", "<&", "<<", "<<-", "<<<".
	Op string
	// Target is the file (or fd number for >& / <&); for heredocs and
	// here-strings it is empty and the body is in Command.Stdin.
	// Op carries the fd prefix when one is written ("2>", "2>>", "3<&").
	Target Word
	// Write is true for redirections that create, truncate or append to Target.
	Write bool
}

// Command is one simple command that would run.
type Command struct {
	// Name is the command name as it would be looked up, reduced to its base
	// name: "/usr/bin/rm" -> "rm", "\rm" -> "rm", "busybox rm" -> "rm".
	Name string
	// NameDynamic is true when the name itself is not static ("$CMD -rf ~").
	// Name then holds the source text.
	NameDynamic bool
	// Path is the name as written when it names a file by its path
	// ("./deploy.sh", "/tmp/x", "bin/run"): the file that runs. "" for a
	// name looked up on PATH.
	Path string
	// Line is the line, in the analysed text, of the top-level statement
	// the command belongs to (1 for a one-line command; for a script, the
	// line that runs it, also for commands nested in it).
	Line int
	// Args are argv[1:], resolved.
	Args []Word
	// Assigns are VAR=value prefixes of the command (and env's VAR=value).
	Assigns map[string]string
	// Redirects are the command's own redirections (and those of the compound
	// command it is part of, e.g. `{ ...; } > f`).
	Redirects []Redirect
	// Stdin is the command's standard input when it is known statically:
	// a heredoc or here-string body, the output of an upstream `echo`/`printf`
	// (base64 -d decoded where the payload is literal), a literal xargs input.
	Stdin      string
	StdinKnown bool
	// FedBy names the commands whose output reaches this command: upstream
	// commands of its pipeline, and commands inside $(...), `...` or <(...)
	// that appear in its arguments or redirections. Names are base names,
	// with wrappers removed ("curl", "wget", "base64").
	FedBy []string
	// Via records how this command was reached, outermost first:
	// "sudo", "env", "xargs", "find -exec", "bash -c", "eval", "heredoc",
	// "pipe", "$(...)", "python -c", "shutil.rmtree" ... Empty for a plain
	// top-level command.
	//
	// The entries used are:
	//   - wrappers, by base name: "sudo", "doas", "env", "command", "builtin",
	//     "exec", "nice", "nohup", "time", "timeout", "stdbuf", "ionice",
	//     "chroot", "busybox", "toybox", "xargs", "watch"; the `time` keyword
	//     adds "time", `coproc` adds "coproc";
	//   - "find -exec" (also for -execdir, -ok, -okdir) and "find -delete";
	//   - code run by a shell: "bash -c" (any shell's -c, whatever the shell
	//     is called), "eval", "source" (source/. of a static <(...)),
	//     "bash script" (a shell run on a static <(...)), "alias" (the value
	//     of alias NAME=VALUE), "su -c" / "runuser -c", "at" / "batch"
	//     (commands scheduled from static stdin), and for a shell's static
	//     stdin "heredoc", "here-string" or "pipe" (preceded by "sudo",
	//     "doas" or "su" for `sudo -s <<< ...`);
	//   - after any of those, "base64", "base32" or "hex" when the code was
	//     decoded from a literal payload;
	//   - substitutions: "$(...)", "`...`", "<(...)", ">(...)";
	//   - "function NAME" for the body of a function declaration;
	//   - interpreter code: "python -c", "python stdin", "perl -e",
	//     "perl stdin", "ruby -e", "node -e" (also bun), "node stdin",
	//     "deno eval", "php -r", "php stdin", followed by the call that runs
	//     the command as written ("os.system", "subprocess.run",
	//     "child_process.execSync" or "execSync", "shutil.rmtree",
	//     "Path.unlink", "`...`" for backticks, %x() and qx{});
	//   - package runners, at the same depth, after the runner command
	//     itself (which is listed as written): "npx", "npm exec", "npm x",
	//     "pnpm exec", "pnpm dlx", "yarn dlx", "yarn exec", "bunx",
	//     "bun x", "uvx" (also uv tool run), "uv run", "pipx run",
	//     "poetry run", "pipenv run", "bundle exec", "rye run",
	//     "hatch run", "pdm run", "conda run", "mamba run",
	//     "micromamba run", and "python -m" (the module is the command
	//     name: `python -m twine upload` -> `twine upload`); "npx -c" /
	//     "npm exec -c" for shell code run by the runner (one level deeper);
	//   - commands run on another host or in a container, one level deeper,
	//     after the command that runs them: "ssh HOST" (HOST as written,
	//     "ssh" when dynamic), "gcloud compute ssh", "docker exec",
	//     "docker compose exec", "docker-compose exec", "podman exec",
	//     "kubectl exec", "oc exec", "docker run", "podman run". Their
	//     Cwd is "" and ~ stays "~" (the remote home is unknown); ssh's
	//     `-o ProxyCommand=CMD` / `LocalCommand=CMD` run CMD locally:
	//     "ssh -o ProxyCommand" / "ssh -o LocalCommand";
	//   - "redirection" for the synthetic ":" command of a statement made
	//     only of redirections (`> ~/.bash_history`, `</dev/tcp/h/p`).
	Via []string
	// Depth is the nesting depth (0 for the top level). Code in strings and
	// substitutions (bash -c, eval, heredoc or pipe into a shell, $(...),
	// <(...), interpreter code) is one level deeper than the command that
	// runs it; compound commands ((...), {...}, if, loops, functions) and
	// wrappers do not add depth.
	Depth int
	// Cwd is the directory the command runs in when known (after `cd DIR &&`,
	// `git -C` is NOT applied here); "" when it became dynamic. `env -C DIR`
	// and tar's `-C DIR` / `--directory DIR` set it to DIR for that command
	// (tar's member operands are relative to DIR; its -f archive, opened
	// from the starting directory, is then rewritten as an absolute path;
	// several different -C or a dynamic one give ""). Commands run on
	// another host or in a container (Via "ssh HOST", "docker exec" ...)
	// have Cwd "".
	Cwd string
	// Background is true for `cmd &`.
	Background bool
	// Synthetic is true for commands the analysis derived rather than read
	// literally: `find -delete` (as rm), `shutil.rmtree(p)` (as rm -rf p),
	// `open(p).read()` and `Path(p).read_text()` (as cat p),
	// `shutil.copy(a, b)` / `fs.copyFileSync` (as cp a b; copytree and
	// fs.cpSync with {recursive: true} as cp -r), `shutil.move`,
	// `os.rename`, `os.replace`, `fs.renameSync` (as mv a b), and the ":" command that carries the
	// redirections of a statement with no command (Via "redirection").
	// Via says where it came from.
	Synthetic bool
	// Exec is set when the command runs the content of a file: a script
	// (`bash x.sh`, `python3 x.py`, `./x`, `source x`, `sh < x`), or the
	// recipes or scripts of a project file (`make build`, `npm run dev`,
	// `npm install`, `just`, `task`, `git commit` and its hooks). It says
	// which file and what of it runs, resolved as far as the command line
	// allows; see Exec. The analysis does not read files.
	Exec *Exec
}

// Analysis is the result of analysing one command line.
type Analysis struct {
	// Commands lists every simple command that would (or could) run, in
	// source order, nested ones after the command that runs them.
	Commands []Command
	// ParseError is set when the top-level command line does not parse.
	// Commands is then a best-effort split of the raw text (see Fallback).
	ParseError error
	// Problems are parse errors of nested code (a bash -c string, an eval
	// argument, a python one-liner's shell string) that was analysed as far
	// as possible.
	Problems []string
	// DepthExceeded is true when nesting went deeper than MaxDepth.
	DepthExceeded bool
	// Limits lists, one message each, the analysis limits the command line
	// reached: more than 10,000 commands, the work or parse budget, nesting
	// deeper than MaxDepth (or than the parser is given), a value or word
	// larger than 1 MiB or more expansion than the budget allows,
	// interpreter code cut. Code past a limit was not (fully) analysed:
	// Commands lists what was seen, which may not be all that runs, so a
	// caller must fail closed on a limit (guards: shell.limit, critical).
	// Hostile input reaches limits; commands people write do not.
	Limits []string
	// Writes are files whose content the command writes from static text:
	// `cat > deploy.sh <<EOF ... EOF`, `echo '...' >> ~/.bashrc`,
	// `printf ... | tee file`.
	Writes []FileWrite
	// Assignments are the variable assignments that are not command
	// prefixes: `HISTSIZE=0`, `export PATH=...`, `declare -x X=1`,
	// `local`, `readonly`, `typeset`. (Prefixes of a command, `X=1 cmd`,
	// are in Command.Assigns.)
	Assignments []Assignment
}

// Assignment is one variable assignment statement.
type Assignment struct {
	Name  string
	Value Word
	// By is "" for a bare assignment, else the builtin that assigns:
	// "export", "declare", "local", "readonly", "typeset".
	By    string
	Depth int
	Via   []string
}

// FileWrite is static content written to a file by a command.
type FileWrite struct {
	Path    Word
	Content string
	Append  bool
	By      string // command name that writes it (cat, echo, tee ...)
}
