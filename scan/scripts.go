package scan

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/gitconfig"
	"github.com/bulwark-guard/bulwark/runfile"
)

// runfileSource reads the files a judged command runs (package runfile).
type runfileSource = runfile.Source

// gitHooks judges the repository's git hooks (the hooks directory, or
// core.hooksPath) as the hook would judge running them, and reports a
// hooks path that anyone can write or that lies outside the repository.
func (s *scanner) gitHooks() {
	gitDir := s.gitDir()
	if gitDir == "" {
		return
	}
	hooksDir := filepath.Join(gitDir, "hooks")
	cfgPath := filepath.Join(gitDir, "config")
	if data, err := readBounded(cfgPath); err == nil {
		if hp, off := gitConfigValue(string(data), "core", "hookspath"); hp != "" {
			dir := hp
			switch {
			case strings.HasPrefix(hp, "~/") && s.env.Home != "":
				dir = filepath.Join(s.env.Home, hp[2:])
			case !filepath.IsAbs(hp):
				dir = filepath.Join(s.o.Dir, hp)
			}
			hooksDir = filepath.Clean(dir)
			c := &fileCtx{path: cfgPath, show: s.show(cfgPath), kind: "git-config", scope: "project", data: data}
			s.rep.Files = append(s.rep.Files, File{File: c.show, Kind: c.kind, Scope: c.scope})
			_, inRepo := under(hooksDir, s.o.Dir)
			switch {
			case s.isTemp(hooksDir) || worldWritable(filepath.Join(hooksDir, "x")):
				s.fact(c, off, guards.ConfigFact{Condition: guards.CondHooksPath, Evidence: "core.hooksPath = " + hp,
					Detail: "git runs its hooks from " + hooksDir + ", which any process on the machine can write."})
			case !inRepo:
				s.fact(c, off, guards.ConfigFact{Condition: guards.CondHooksPath, Evidence: "core.hooksPath = " + hp,
					Detail: "git runs this repository's hooks from " + hooksDir + ", outside the repository."})
			}
		}
	}
	ents, err := os.ReadDir(hooksDir)
	if err != nil {
		return
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || strings.HasSuffix(name, ".sample") || strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(hooksDir, name)
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			continue // git runs only executable hooks
		}
		c := &fileCtx{path: p, show: s.show(p), kind: "git-hook", scope: "project"}
		if !s.read(c) || isBinary(c.data) {
			continue
		}
		s.unicode(c)
		s.secrets(c)
		s.scriptHits(c, shellJoin([]string{p}), s.o.Dir)
	}
}

// gitDir finds the repository's git directory: Dir/.git, or where a .git
// file points (worktrees, submodules).
func (s *scanner) gitDir() string {
	g := filepath.Join(s.o.Dir, ".git")
	fi, err := os.Stat(g)
	if err != nil {
		return ""
	}
	if fi.IsDir() {
		return g
	}
	data, err := readBounded(g)
	if err != nil {
		return ""
	}
	if p, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:"); ok {
		p = strings.TrimSpace(p)
		if !filepath.IsAbs(p) {
			p = filepath.Join(s.o.Dir, p)
		}
		return filepath.Clean(p)
	}
	return ""
}

// gitConfigValue reads one key of a git config file's section (the last
// one set, as git does), and its offset.
func gitConfigValue(cfg, section, key string) (string, int) {
	e, ok := gitconfig.Last(gitconfig.Parse(cfg), section, key)
	if !ok {
		return "", -1
	}
	return e.Value, e.Offset
}

// packageScripts judges package.json's install lifecycle scripts as the
// hook judges `npm install` (package runfile reads them), each at its line.
func (s *scanner) packageScripts() {
	p := filepath.Join(s.o.Dir, "package.json")
	c := &fileCtx{path: p, show: s.show(p), kind: "package", scope: "project"}
	if _, err := os.Stat(p); err != nil || !s.read(c) {
		return
	}
	if _, err := parseJSON(c.data, false); err != nil {
		if je, ok := err.(*jsonError); ok {
			s.brokenAt(c, je.line, je.col, "not valid JSON: "+je.msg)
		}
		return
	}
	s.unicode(c)
	s.secrets(c)
	s.scriptHits(c, "npm install", s.o.Dir)
}

// viaLine finds the line of a script's hit in the file: the last "FILE:N"
// of its Via that names the file (shortened as the engine shortens paths:
// relative to dir, or from ~).
func viaLine(via []string, file, dir, home string) int {
	line := 0
	for _, v := range via {
		i := strings.LastIndexByte(v, ':')
		if i <= 0 {
			continue
		}
		n, err := strconv.Atoi(v[i+1:])
		if err != nil || n <= 0 {
			continue
		}
		name := v[:i]
		p := name
		switch {
		case strings.HasPrefix(name, "~/") && home != "":
			p = filepath.Join(home, name[2:])
		case !filepath.IsAbs(name):
			p = filepath.Join(dir, name)
		}
		if filepath.Clean(p) == file {
			line = n
		} else if line == 0 {
			line = -n // a line of another file: the best there is
		}
	}
	if line < 0 {
		return 0
	}
	return line
}
