package runfile

import (
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
)

// hooks returns the git hooks a git command runs: the executable files
// named after them in the hooks directory (core.hooksPath when the
// repository's config sets it, else .git/hooks).
func (r *reader) hooks(ex Exec) []guards.Script {
	gitDir, top := findGitDir(ex.Dir, r)
	if gitDir == "" {
		return nil
	}
	hooksDir := filepath.Join(gitDir, "hooks")
	if ex.File != "" {
		hooksDir = ex.File // git -c core.hooksPath=DIR
	} else if cfg, ok := r.read(filepath.Join(gitDir, "config")); ok {
		if hp := gitConfigValue(cfg, "core", "hookspath"); hp != "" {
			hooksDir = abs(hp, top, r.src.Home)
		}
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

// gitConfigValue reads one key of a git config file's section (keys are
// case-insensitive).
func gitConfigValue(cfg, section, key string) string {
	in := false
	val := ""
	for _, l := range strings.Split(cfg, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "[") {
			name := strings.ToLower(strings.Trim(strings.Fields(strings.Trim(l, "[]") + " ")[0], "\""))
			in = name == section
			continue
		}
		if !in {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if ok && strings.ToLower(strings.TrimSpace(k)) == key {
			val = strings.Trim(strings.TrimSpace(v), "\"")
		}
	}
	return val
}
