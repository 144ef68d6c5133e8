// Package runfile reads, when a command runs it, the code a file holds:
// a shell or interpreter script (`bash x.sh`, `./x`, `python3 x.py`,
// `source x`), the recipes a make target would run (with make's
// variables), a package.json script or the install lifecycle scripts
// (`npm run build`, `npm ci`, `pnpm install`, `yarn`), a justfile recipe,
// a Taskfile task, the git hooks `git commit` or `git push` run, and the
// git alias `git NAME` runs (from the repository's or the user's git
// config; package gitconfig reads the format). What
// it returns is judged like a command line, so a script's content is the
// truth at the moment it runs, however harmless its name.
//
// No file is read unless a command executes one: the shell analysis
// decides that (shell.Command.Exec). Reading is bounded (MaxFileBytes per file,
// MaxFiles per call), relative to the command's working directory, and a
// file that is missing, unreadable or binary simply yields nothing (the
// command is still judged as written). The parsers (make, package.json,
// just, Taskfile) are small, forgiving and fuzzed; what they cannot read
// they leave out rather than guess.
package runfile

import (
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/readfile"
	"github.com/bulwark-guard/bulwark/shell"
)

// Bounds.
const (
	MaxFileBytes = 256 << 10 // bytes read of one file; the rest is not judged
	MaxFiles     = 16        // files read for one call
	maxScripts   = 256       // scripts (recipe lines, hooks ...) returned for one command
	maxTargets   = 64        // make targets / just recipes / tasks followed for one command
)

// Kind is how a command runs a file's code.
type Kind int

const (
	Script    Kind = iota + 1 // a shell or interpreter script file
	Make                      // make targets' recipes
	PkgScript                 // a package.json script (npm run NAME ...)
	Lifecycle                 // package.json install lifecycle (npm install, npm ci ...)
	Just                      // justfile recipes
	Task                      // Taskfile tasks
	GitHook                   // git hooks
	GitAlias                  // a git alias from the git config
)

// Exec is one command that runs code from a file.
type Exec struct {
	Kind    Kind
	Lang    string   // Script: "sh", "python", "node", "perl", "ruby", "php"; "" = by shebang or extension
	File    string   // the file as named ("" = the tool's default file in Dir)
	Targets []string // make targets, the script name, just recipes, tasks, git hook names
	Vars    map[string]string
	Dir     string       // where it runs (absolute)
	Tool    string       // the tool: make, npm, pnpm, yarn, bun, just, task, git; the shell or language
	Label   string       // the command as the verdict names it: "make build", "npm run test"
	Args    []shell.Word // GitAlias: the words after the alias
}

// Source reads the files a command runs; it is the guards.ScriptSource
// the runtime gives the engine. The zero value reads from disk.
type Source struct {
	// ReadFile reads at most n bytes of a file; nil reads from disk.
	ReadFile func(path string, n int64) ([]byte, error)
	// Home is the home directory ($HOME in make variables, ~ in paths).
	Home string
}

var _ guards.ScriptSource = (*Source)(nil)

// Scripts returns the code the command would run from files, read now.
// written maps absolute paths to content that the same command line wrote
// just before (`cat > x.sh <<EOF ... EOF; bash x.sh`): that content is
// what runs, so it is used instead of the disk. budget counts the files read
// for the whole call.
func (s *Source) Scripts(c *shell.Command, cwd string, written map[string]string, budget *int) []guards.Script {
	ex, ok := fromShell(c, cwd)
	if !ok {
		return nil
	}
	if ex.File != "" && strings.HasPrefix(ex.File, "~") {
		if ex.File = abs(ex.File, ex.Dir, s.Home); ex.File == "" {
			return nil
		}
	}
	r := &reader{src: s, written: written, budget: budget}
	var out []guards.Script
	switch ex.Kind {
	case Script:
		out = r.script(ex)
	case Make:
		out = r.make(ex)
	case PkgScript, Lifecycle:
		out = r.pkg(ex)
	case Just:
		out = r.just(ex)
	case Task:
		out = r.task(ex)
	case GitHook:
		out = r.hooks(ex)
	case GitAlias:
		out = r.gitAlias(ex)
	}
	if len(out) > maxScripts {
		out = out[:maxScripts]
	}
	return out
}

// reader reads files for one call within its budget.
type reader struct {
	src     *Source
	written map[string]string
	budget  *int
}

// read returns a file's text (bounded), or false when it is missing,
// unreadable, binary, or past the call's budget.
func (r *reader) read(p string) (string, bool) {
	if t, ok := r.written[p]; ok {
		return t, true
	}
	if r.budget != nil {
		if *r.budget <= 0 {
			return "", false
		}
		*r.budget--
	}
	var data []byte
	var err error
	if r.src.ReadFile != nil {
		data, err = r.src.ReadFile(p, MaxFileBytes)
	} else {
		data, err = readfile.Regular(p, MaxFileBytes)
	}
	if err != nil || isBinary(data) {
		return "", false
	}
	return string(data), true
}

// projectFile reads the file a project tool works from: the one it was
// given (ex.File, relative to ex.Dir), or else the first of names that
// exists in ex.Dir (make's GNUmakefile, makefile, Makefile ...).
func (r *reader) projectFile(ex Exec, names ...string) (p, text string, ok bool) {
	if ex.File != "" {
		p = abs(ex.File, ex.Dir, r.src.Home)
		text, ok = r.read(p)
		return p, text, ok
	}
	for _, name := range names {
		q := filepath.Join(ex.Dir, name)
		if t, ok := r.read(q); ok {
			return q, t, true
		}
	}
	return "", "", false
}

// probe reads a small file without spending the call's budget.
func (r *reader) probe(p string) (string, bool) {
	saved := r.budget
	r.budget = nil
	defer func() { r.budget = saved }()
	return r.read(p)
}

// isBinary reports content that is not text (an ELF or Mach-O binary, a
// NUL byte early on): nothing a parser here can judge.
func isBinary(b []byte) bool {
	head := b[:min(len(b), 4096)]
	for _, c := range head {
		if c == 0 {
			return true
		}
	}
	return false
}

// abs joins a path named relative to dir.
func abs(p, dir, home string) string {
	switch {
	case p == "~" || strings.HasPrefix(p, "~/"):
		if home == "" {
			return ""
		}
		return filepath.Join(home, p[1:])
	case filepath.IsAbs(p):
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// lineOf is the 1-based line of byte offset i in text.
func lineOf(text string, i int) int {
	return 1 + strings.Count(text[:min(max(i, 0), len(text))], "\n")
}
