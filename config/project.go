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

// Project is a project's .bulwark.toml. An agent can write files in the
// project, so a project can only tighten: it adds guards (family "project")
// and raises actions. Lowering entries and allow rules are ignored, each
// with a Problem.
type Project struct {
	File     string
	Pack     *guards.PackSpec  // the project's guards, validated; nil if none (or broken)
	Raise    map[string]string // guard id -> action, as written (checked against the guards by BuildPolicy)
	Problems []Problem
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

// FindProject looks for .bulwark.toml from cwd upwards, stopping after the
// git root (a directory holding .git) or home, whichever comes first, or at
// the filesystem root. It returns "" when there is none.
func FindProject(cwd, home string) string {
	if cwd == "" || !filepath.IsAbs(cwd) {
		return ""
	}
	dir := filepath.Clean(cwd)
	if home != "" {
		home = filepath.Clean(home)
	}
	for {
		p := filepath.Join(dir, ProjectFileName)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
		if dir == home {
			return ""
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// LoadProject finds and loads the project file for cwd (nil if none). Like
// user packs, the project's guards are validated and their examples run only
// when the file changed; the result is cached per file.
func LoadProject(cwd string, o Options) *Project {
	o = o.withDefaults()
	path := FindProject(cwd, o.Home)
	if path == "" {
		return nil
	}
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
