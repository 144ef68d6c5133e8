package config

import (
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"github.com/BurntSushi/toml"
	"github.com/bulwark-guard/bulwark/guards"
)

// ProjectFamily is the family of the guards a project's .bulwark.toml adds.
const ProjectFamily = "project"

// Project is a project's .bulwark.toml files, merged. An agent can write
// files in the project, so a project can only tighten: it adds guards
// (family "project") and raises actions. Lowering entries and allow rules
// are ignored, each with a Problem.
type Project struct {
	File     string            // the nearest file (for messages)
	Files    []string          // every file that applies, nearest first
	Pack     *guards.PackSpec  // the project's guards, validated; nil if none (or broken)
	Raise    map[string]string // guard id -> action, as written (checked against the guards by BuildPolicy)
	Problems []Problem
	// RaiseFile names the file each Raise entry comes from (the stricter
	// one when several files raise the same guard).
	RaiseFile map[string]string
}

// projectSpec is .bulwark.toml as written.
type projectSpec struct {
	Family      string            `toml:"family"`
	Title       string            `toml:"title"`
	Description string            `toml:"description"`
	Guards      toml.Primitive    `toml:"guards"` // [[guards]]: guards to add; [guards]: raises, like [overrides]
	Overrides   map[string]string `toml:"overrides"`
	Allow       []toml.Primitive  `toml:"allow"`
}

// FindProjects lists the .bulwark.toml files that apply to cwd, nearest
// first: every one from cwd up to the repository root, the outermost
// directory on the way that holds .git (a .git in a subdirectory, a
// vendored or nested repository, does not end the walk), never past home;
// with no repository, up to home (outside home, up to the root).
func FindProjects(cwd, home string) []string {
	if cwd == "" || !filepath.IsAbs(cwd) {
		return nil
	}
	dir := filepath.Clean(cwd)
	if home != "" {
		home = filepath.Clean(home)
	}
	type level struct {
		file string // "" when the directory has no .bulwark.toml
		git  bool
	}
	var levels []level
	for i := 0; i < 256; i++ {
		l := level{}
		p := filepath.Join(dir, ProjectFileName)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			l.file = p
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			l.git = true
		}
		levels = append(levels, l)
		parent := filepath.Dir(dir)
		if dir == home || parent == dir {
			break
		}
		dir = parent
	}
	top := len(levels) - 1
	for i := len(levels) - 1; i >= 0; i-- {
		if levels[i].git {
			top = i
			break
		}
	}
	var out []string
	for _, l := range levels[:top+1] {
		if l.file != "" {
			out = append(out, l.file)
		}
	}
	return out
}

// FindProject returns the nearest project file for cwd ("" when none).
func FindProject(cwd, home string) string {
	if fs := FindProjects(cwd, home); len(fs) > 0 {
		return fs[0]
	}
	return ""
}

// LoadProject finds, loads and merges the project files for cwd (nil if
// none): guards of every file are added, and of two raises of the same
// guard the stricter wins. Like user packs, each file's guards are
// validated and their examples run only when the file changed; the result
// is cached per file.
func LoadProject(cwd string, o Options) *Project {
	o = o.withDefaults()
	files := FindProjects(cwd, o.Home)
	if len(files) == 0 {
		return nil
	}
	var parts []*Project
	for _, f := range files {
		if p := loadProjectFile(f, o); p != nil {
			parts = append(parts, p)
		}
	}
	return mergeProjects(parts)
}

func loadProjectFile(path string, o Options) *Project {
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	st := stampOf(path, fi)
	cachePath := ""
	key := ""
	if !o.NoCache && o.StateDir != "" {
		h := fnv.New64a()
		h.Write([]byte(path))
		cachePath = filepath.Join(o.StateDir, "cache", fmt.Sprintf("project-%016x.bin", h.Sum64()))
		key = cacheKey(o.Version)
		if p := readProject(cachePath, key, st); p != nil {
			return p
		}
	}
	data, err := os.ReadFile(path)
	var p *Project
	if err != nil {
		p = &Project{File: path, Problems: []Problem{{Level: Error, File: path, Msg: err.Error() + "; ignored"}}}
	} else {
		p = ParseProject(path, data)
	}
	if cachePath != "" {
		writeProject(cachePath, key, st, p)
	}
	return p
}

// mergeProjects merges project files, nearest first. A guard id defined by
// two files is kept from the nearer one (the farther is reported).
func mergeProjects(parts []*Project) *Project {
	if len(parts) == 0 {
		return nil
	}
	if len(parts) == 1 {
		p := *parts[0]
		p.Files = []string{p.File}
		if len(p.Raise) > 0 && p.RaiseFile == nil {
			p.RaiseFile = map[string]string{}
			for id := range p.Raise {
				p.RaiseFile[id] = p.File
			}
		}
		return &p
	}
	out := &Project{File: parts[0].File}
	var pack *guards.PackSpec
	seen := map[string]string{}
	for _, p := range parts {
		out.Files = append(out.Files, p.File)
		out.Problems = append(out.Problems, p.Problems...)
		for id, a := range p.Raise {
			if old, ok := out.Raise[id]; !ok || stricter(old, a) == a && a != old {
				if out.Raise == nil {
					out.Raise, out.RaiseFile = map[string]string{}, map[string]string{}
				}
				out.Raise[id], out.RaiseFile[id] = a, p.File
			}
		}
		if p.Pack == nil {
			continue
		}
		if pack == nil {
			pack = &guards.PackSpec{Family: ProjectFamily, Title: p.Pack.Title, Description: p.Pack.Description, Source: p.Pack.Source}
		} else {
			pack.Source += ", " + p.Pack.Source
		}
		for _, g := range p.Pack.Guards {
			if where, dup := seen[g.ID]; dup {
				out.Problems = append(out.Problems, Problem{Level: Warning, File: p.File, Guard: g.ID,
					Msg: "also defined in " + where + " (nearer the working directory), which is used; ignored"})
				continue
			}
			seen[g.ID] = p.File
			pack.Guards = append(pack.Guards, g)
		}
	}
	out.Pack = pack
	return out
}

// ParseProject decodes and validates a .bulwark.toml.
func ParseProject(path string, data []byte) *Project {
	p := &Project{File: path}
	bad := func(level Level, guard, format string, args ...any) {
		p.Problems = append(p.Problems, Problem{Level: level, File: path, Guard: guard, Msg: fmt.Sprintf(format, args...)})
	}
	var s projectSpec
	md, err := toml.Decode(string(data), &s)
	if err != nil {
		bad(Error, "", "%v; ignored", err)
		return p
	}
	var specs []guards.GuardSpec
	switch md.Type("guards") {
	case "ArrayHash":
		if err := md.PrimitiveDecode(s.Guards, &specs); err != nil {
			bad(Error, "", "guards: %v; the project's guards are ignored", err)
			specs = nil
		}
	case "Hash":
		var m map[string]string
		if err := md.PrimitiveDecode(s.Guards, &m); err != nil {
			bad(Error, "", "guards: %v; ignored", err)
		}
		for id, a := range m {
			if s.Overrides == nil {
				s.Overrides = map[string]string{}
			}
			s.Overrides[id] = stricter(s.Overrides[id], a)
		}
	case "":
	default:
		bad(Error, "", "guards must be [[guards]] tables (guards to add) or a [guards] table (actions to raise); ignored")
	}
	guardKeys := false
	for _, k := range md.Undecoded() {
		if len(k) > 0 && k[0] == "allow" {
			continue
		}
		if len(k) > 0 && k[0] == "guards" {
			guardKeys = true
			bad(Error, "", "unknown key %s; the project's guards are ignored", k)
			continue
		}
		bad(Warning, "", "unknown key %s ignored (a project file can add [[guards]] and raise actions in [overrides])", k)
	}
	if len(s.Allow) > 0 {
		bad(Warning, "", "[[allow]] ignored: a project cannot allow anything (allow rules belong in your own config.toml: bulwark allow ...)")
	}
	for id, a := range s.Overrides {
		if _, err := guards.ParseDecision(a); err != nil {
			bad(Error, id, "overrides: %v; ignored", err)
			continue
		}
		if a == "allow" {
			bad(Warning, id, "overrides: %q ignored: a project can only raise actions", a)
			continue
		}
		if p.Raise == nil {
			p.Raise = map[string]string{}
		}
		p.Raise[id] = a
	}
	if len(specs) == 0 || guardKeys {
		return p
	}
	if s.Family != "" && s.Family != ProjectFamily {
		bad(Error, "", "family must be %q (or left out); the project's guards are ignored", ProjectFamily)
		return p
	}
	spec := guards.PackSpec{Family: ProjectFamily, Title: s.Title, Description: s.Description, Guards: specs, Source: path}
	if strings.TrimSpace(spec.Title) == "" {
		spec.Title = "Project guards"
	}
	if err := guards.ValidatePack(&spec); err != nil {
		for _, pr := range packProblems(path, err) {
			pr.Msg = strings.TrimSuffix(pr.Msg, "; pack ignored") + "; the project's guards are ignored"
			p.Problems = append(p.Problems, pr)
		}
		return p
	}
	if err := guards.CheckExamples([]guards.PackSpec{spec}); err != nil {
		for _, pr := range packProblems(path, err) {
			pr.Msg = strings.TrimSuffix(pr.Msg, "; pack ignored") + "; the project's guards are ignored"
			p.Problems = append(p.Problems, pr)
		}
		return p
	}
	p.Pack = &spec
	return p
}

const projectMagic = "bulwark-project-4\n"

func readProject(path, key string, st stamp) *Project {
	data, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(data), projectMagic) {
		return nil
	}
	d := &decoder{s: unsafe.String(unsafe.SliceData(data), len(data)), off: len(projectMagic)}
	if d.str() != key || (stamp{d.str(), d.int(), d.int()}) != st {
		return nil
	}
	p := &Project{File: st.path}
	if d.bool() {
		pk := d.pack()
		p.Pack = &pk
	}
	if n := d.count(2); n > 0 {
		p.Raise = make(map[string]string, n)
		for range n {
			k := d.str()
			p.Raise[k] = d.str()
		}
	}
	p.Problems = d.problems()
	if d.err || d.off != len(d.s) {
		return nil
	}
	return p
}

func writeProject(path, key string, st stamp, p *Project) {
	e := &encoder{b: []byte(projectMagic)}
	e.str(key)
	e.str(st.path)
	e.int(st.size)
	e.int(st.mtime)
	e.bool(p.Pack != nil)
	if p.Pack != nil {
		e.pack(p.Pack)
	}
	keys := sortedKeys(p.Raise)
	e.uint(uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		e.str(p.Raise[k])
	}
	e.problems(p.Problems)
	_ = writeAtomic(path, e.b, 0o600)
}

// stricter is the stricter of two actions as written ("" = unset); one that
// does not parse loses, so that it is reported once and the other applies.
func stricter(a, b string) string {
	da, errA := guards.ParseDecision(a)
	db, errB := guards.ParseDecision(b)
	switch {
	case errA != nil:
		return b
	case errB != nil || da >= db:
		return a
	}
	return b
}
