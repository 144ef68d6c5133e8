package runfile

import (
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/gitconfig"
	"github.com/bulwark-guard/bulwark/shell"
)

// hooks returns the git hooks a git command runs: the executable files
// named after them in the hooks directory (core.hooksPath when the git
// config sets it, the repository's or the user's, else .git/hooks).
func (r *reader) hooks(ex Exec) []guards.Script {
	gitDir, top := findGitDir(ex.Dir, r)
	if gitDir == "" {
		return nil
	}
	hooksDir := filepath.Join(gitDir, "hooks")
	if ex.File != "" {
		hooksDir = ex.File // git -c core.hooksPath=DIR
	} else if hp, ok := gitconfig.Last(r.gitConfigs(gitDir), "core", "hookspath"); ok && hp.Value != "" {
		hooksDir = abs(hp.Value, top, r.src.Home)
	}
	var out []guards.Script
	for _, h := range ex.Targets {
		p := filepath.Join(hooksDir, h)
		text, ok := r.read(p)
		if !ok {
			continue
		}
		lang := scriptLang(p, text)
		if lang == "" {
			continue
		}
		code := text
		if lang != "sh" {
			if i := strings.IndexByte(code, '\n'); i >= 0 && strings.HasPrefix(code, "#!") {
				code = code[i:]
			}
		}
		out = append(out, guards.Script{Lang: lang, Code: code, File: p, Line: 1, Label: ex.Label + " (" + h + " hook)", Dir: top})
	}
	return out
}

// findGitDir finds the repository's git directory from dir upwards: a
// .git directory, or a .git file pointing to one (worktrees, submodules).
// It reads .git/HEAD to tell, so each level costs one failed open (not
// counted in the call's file budget: the walk is bounded by the depth).
func findGitDir(dir string, r *reader) (gitDir, top string) {
	for d, n := dir, 0; n < 64; n++ {
		g := filepath.Join(d, ".git")
		if _, ok := r.probe(filepath.Join(g, "HEAD")); ok {
			return g, d
		}
		if t, ok := r.probe(g); ok {
			if p, ok := strings.CutPrefix(strings.TrimSpace(t), "gitdir:"); ok {
				return abs(strings.TrimSpace(p), d, ""), d
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return "", ""
}

// gitConfigs reads the git config that applies in the repository whose git
// directory is gitDir, in git's order (a later value wins): the user's
// (~/.config/git/config, ~/.gitconfig), then the repository's. The system
// file is not read: only root can change it.
func (r *reader) gitConfigs(gitDir string) []gitconfig.Entry {
	var out []gitconfig.Entry
	if h := r.src.Home; h != "" {
		out = append(out, r.gitConfig(filepath.Join(h, ".config", "git", "config"), 0)...)
		out = append(out, r.gitConfig(filepath.Join(h, ".gitconfig"), 0)...)
	}
	if gitDir != "" {
		out = append(out, r.gitConfig(filepath.Join(gitDir, "config"), 0)...)
	}
	return out
}

// gitAlias returns what `git NAME ARGS` runs when NAME is an alias in the
// git config: a value starting with ! is shell code, run by sh from the
// top of the work tree with ARGS as "$@"; any other value is git's own
// arguments, run as `git VALUE ARGS` (whose first word may be another
// alias, judged in turn). A NAME that no config defines runs a git-NAME
// program from PATH, which is not read here.
func (r *reader) gitAlias(ex Exec) []guards.Script {
	if len(ex.Targets) != 1 {
		return nil
	}
	name := strings.ToLower(ex.Targets[0])
	gitDir, top := findGitDir(ex.Dir, r)
	e, ok := gitconfig.Last(r.gitConfigs(gitDir), "alias", name)
	if !ok || strings.TrimSpace(e.Value) == "" {
		return nil
	}
	label := ex.Label + " (git alias " + ex.Targets[0] + ")"
	if code, ok := strings.CutPrefix(e.Value, "!"); ok {
		dir := top
		if dir == "" {
			dir = ex.Dir // outside a repository git runs it where it is
		}
		if len(ex.Args) > 0 {
			// git runs sh -c 'CODE "$@"' CODE ARGS...
			code = "set --" + quoteArgs(ex.Args) + "; " + code + ` "$@"`
		}
		return []guards.Script{{Lang: "sh", Code: code, File: e.File, Line: e.Line, Label: label, Dir: dir}}
	}
	return []guards.Script{{Lang: "sh", Code: "git " + e.Value + quoteArgs(ex.Args), File: e.File, Line: e.Line, Label: label, Dir: ex.Dir}}
}

// quoteArgs writes words for the shell, each after a space: a static word
// single-quoted, a word only known at run time as an unknown variable.
func quoteArgs(ws []shell.Word) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteByte(' ')
		if w.Dynamic {
			b.WriteString(`"${__git_alias_arg}"`)
			continue
		}
		b.WriteString("'" + strings.ReplaceAll(w.Value, "'", `'\''`) + "'")
	}
	return b.String()
}
