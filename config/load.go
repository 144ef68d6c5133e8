package config

import (
	"errors"
	"fmt"
	"github.com/bulwark-guard/bulwark/internal/atomicfile"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/packs"
)

// Options say where to look. Zero values mean the defaults.
type Options struct {
	Dir      string // config directory; default Dir()
	StateDir string // state directory (for the cache); default StateDir()
	Home     string // for ~ in paths; default $HOME
	Version  string // bulwark's version: part of the cache key
	NoCache  bool   // parse everything afresh and neither read nor write the cache (validate, doctor)
}

func (o Options) withDefaults() Options {
	if o.Dir == "" {
		o.Dir = Dir()
	}
	if o.StateDir == "" {
		o.StateDir = StateDir()
	}
	if o.Home == "" {
		o.Home = home()
	}
	return o
}

// Loaded is the user's configuration: config.toml and the user packs.
type Loaded struct {
	File     string // config.toml's path when it exists, else ""
	Config   Config // zero when there is none or it is broken
	Broken   bool   // config.toml exists but could not be used (see Problems)
	Packs    []guards.PackSpec
	Problems []Problem
	// Cached reports whether the result came from the cache.
	Cached bool
}

// stamp identifies one version of a file.
type stamp struct {
	path        string
	size, mtime int64
}

func stampOf(path string, fi fs.FileInfo) stamp {
	return stamp{path, fi.Size(), fi.ModTime().UnixNano()}
}

// cacheMagic starts the cache file; bump it when the encoding changes.
const cacheMagic = "bulwark-cache-5\n"

// Load reads config.toml and the user packs. It never fails: what cannot be
// used is left out and reported in Problems, and bulwark runs on what is left
// (never on less than the built-in protection). With no config.toml and no
// packs.d it costs two failed stats.
//
// User packs (and config.toml, whose TOML decoding costs more than the rest
// of a hook call) are parsed, validated and their examples run only when a
// file changed; the result is cached under the state directory keyed by every file's path,
// size and modification time and by bulwark's version.
func Load(o Options) *Loaded {
	o = o.withDefaults()
	l := &Loaded{}
	if o.Dir == "" {
		return l
	}
	cfgPath := filepath.Join(o.Dir, ConfigFileName)
	cfgInfo, cfgErr := os.Stat(cfgPath)
	var cfgStamp stamp
	switch {
	case cfgErr == nil && cfgInfo.Mode().IsRegular():
		cfgStamp = stampOf(cfgPath, cfgInfo)
		l.File = cfgPath
	case cfgErr == nil:
		l.Problems = append(l.Problems, Problem{Level: Error, File: cfgPath, Msg: "not a regular file; ignored"})
	case !errors.Is(cfgErr, fs.ErrNotExist):
		l.Problems = append(l.Problems, Problem{Level: Error, File: cfgPath, Msg: cfgErr.Error() + "; using the built-in defaults"})
	}
	packsDir := filepath.Join(o.Dir, PacksDirName)
	packFiles, listProbs := listPacks(packsDir, false)
	if l.File == "" && len(packFiles) == 0 && len(listProbs) == 0 {
		return l // nothing configured: the common case, two stats
	}

	var snap *snapshot
	cachePath := ""
	if !o.NoCache && o.StateDir != "" {
		cachePath = filepath.Join(o.StateDir, "cache", "user.bin")
		snap = readSnapshot(cachePath, cacheKey(o.Version)+" "+o.Home)
	}
	dirty := false

	// config.toml
	if snap != nil && snap.cfg == cfgStamp {
		l.Config, l.Broken = snap.config, snap.cfgBroken
		l.Problems = append(l.Problems, snap.cfgProblems...)
	} else {
		dirty = true
		snap = &snapshot{cfg: cfgStamp, packs: snapPacks(snap)}
		if l.File != "" {
			data, err := os.ReadFile(cfgPath)
			if err == nil {
				snap.config, snap.cfgProblems, err = ParseConfig(cfgPath, data, o.Home)
			}
			if err != nil {
				snap.config, snap.cfgBroken = Config{}, true
				snap.cfgProblems = []Problem{{Level: Error, File: cfgPath, Msg: strings.TrimPrefix(err.Error(), cfgPath+": ")}}
			}
		}
		l.Config, l.Broken = snap.config, snap.cfgBroken
		l.Problems = append(l.Problems, snap.cfgProblems...)
	}

	// Pack files: packs.d, then the extra directories.
	l.Problems = append(l.Problems, listProbs...)
	for _, d := range l.Config.PackDirs {
		files, probs := listPacks(d, true)
		packFiles = append(packFiles, files...)
		l.Problems = append(l.Problems, probs...)
	}
	if snap.packs != nil && slices.Equal(snap.packs.stamps, packFiles) {
		l.Packs = snap.packs.packs
		l.Problems = append(l.Problems, snap.packs.problems...)
	} else {
		dirty = true
		pk, probs := buildPacks(packFiles)
		snap.packs = &packSnap{stamps: packFiles, packs: pk, problems: probs}
		l.Packs = pk
		l.Problems = append(l.Problems, probs...)
	}
	if dirty {
		if cachePath != "" {
			writeSnapshot(cachePath, cacheKey(o.Version)+" "+o.Home, snap) // ~ in config.toml expands to o.Home
		}
	} else {
		l.Cached = true
	}
	return l
}

func snapPacks(s *snapshot) *packSnap {
	if s == nil {
		return nil
	}
	return s.packs
}

// listPacks lists the *.toml files in dir (hidden files skipped), following
// symlinks. A missing packs.d is normal; a missing extra directory is a
// warning.
func listPacks(dir string, mustExist bool) ([]stamp, []Problem) {
	if !mustExist {
		// A stat is cheaper than opening a directory that is not there
		// (the first open in a process also sets up the runtime's poller).
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !mustExist {
			return nil, nil
		}
		return nil, []Problem{{Level: Error, File: dir, Msg: fmt.Sprintf("cannot read pack directory: %v", errors.Unwrap(err))}}
	}
	var out []stamp
	var probs []Problem
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".toml") || strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		fi, err := os.Stat(path)
		if err != nil {
			probs = append(probs, Problem{Level: Error, File: path, Msg: err.Error() + "; pack ignored"})
			continue
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, stampOf(path, fi))
	}
	return out, probs
}

// builtinFamilies are the families user packs may not use: the built-in
// ones (a user pack extends bulwark with its own family) and "project".
func builtinFamilies() map[string]bool {
	m := map[string]bool{ProjectFamily: true}
	for _, p := range packs.Builtin() {
		m[p.Family] = true
	}
	return m
}

// buildPacks parses and validates user packs, runs their examples, and checks
// their ids against the built-in packs and each other. A broken pack is left
// out whole; the others stay.
func buildPacks(files []stamp) ([]guards.PackSpec, []Problem) {
	var out []guards.PackSpec
	var probs []Problem
	reserved := builtinFamilies()
	ids := map[string]string{}
	for _, p := range packs.Builtin() {
		for _, g := range p.Guards {
			ids[g.ID] = "the built-in pack " + p.Source
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f.path)
		if err != nil {
			probs = append(probs, Problem{Level: Error, File: f.path, Msg: err.Error() + "; pack ignored"})
			continue
		}
		p, ps := checkPack(f.path, data, reserved, ids)
		probs = append(probs, ps...)
		if p != nil {
			out = append(out, *p)
		}
	}
	return out, probs
}

// checkPack validates one user pack fully: TOML, structure, regexes, family,
// unique ids (against ids, which it extends), examples.
func checkPack(path string, data []byte, reserved map[string]bool, ids map[string]string) (*guards.PackSpec, []Problem) {
	p, err := guards.ParsePack(path, data)
	if err != nil {
		return nil, packProblems(path, err)
	}
	var probs []Problem
	if reserved[p.Family] {
		probs = append(probs, Problem{Level: Error, File: path, Msg: fmt.Sprintf("family %q is taken (built-in or reserved): give your pack its own family; pack ignored", p.Family)})
	}
	for _, g := range p.Guards {
		if where, ok := ids[g.ID]; ok {
			probs = append(probs, Problem{Level: Error, File: path, Guard: g.ID, Msg: "id already defined in " + where + "; pack ignored"})
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	if err := guards.CheckExamples([]guards.PackSpec{p}); err != nil {
		return nil, packProblems(path, err)
	}
	for _, g := range p.Guards {
		ids[g.ID] = path
	}
	return &p, nil
}

// packProblems splits a pack error ("pack SOURCE: guard ID: msg", joined) into
// Problems naming the file and the guard.
func packProblems(path string, err error) []Problem {
	var out []Problem
	for _, line := range strings.Split(err.Error(), "\n") {
		if line == "" {
			continue
		}
		line = strings.TrimPrefix(line, "pack "+path+": ")
		p := Problem{Level: Error, File: path}
		if rest, ok := strings.CutPrefix(line, "guard "); ok {
			if id, msg, ok := strings.Cut(rest, ": "); ok {
				p.Guard, line = id, msg
			}
		}
		p.Msg = line + "; pack ignored"
		out = append(out, p)
	}
	return out
}

// cacheKey is bulwark's version and the built-in packs' fingerprint (a
// development build keeps its version while its packs change), computed
// when they were generated, so the hook reads no pack to make it.
func cacheKey(version string) string {
	// The shape of GuardSpec too: a new field changes the encoding (and
	// TestCodecCoversEveryField makes sure the codec learns it).
	return version + " " + packs.Fingerprint() + " " + strconv.Itoa(reflect.TypeFor[guards.GuardSpec]().NumField())
}

type snapshot struct {
	cfg         stamp
	config      Config
	cfgBroken   bool
	cfgProblems []Problem
	packs       *packSnap
}

type packSnap struct {
	stamps   []stamp
	packs    []guards.PackSpec
	problems []Problem
}

func readSnapshot(path, key string) *snapshot {
	data, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(data), cacheMagic) {
		return nil
	}
	// The decoded strings share data's memory (no copy); data is never
	// written again.
	d := &decoder{s: unsafe.String(unsafe.SliceData(data), len(data)), off: len(cacheMagic)}
	if d.str() != key {
		return nil
	}
	s := &snapshot{}
	s.cfg = stamp{d.str(), d.int(), d.int()}
	s.config = d.config()
	s.cfgBroken = d.bool()
	s.cfgProblems = d.problems()
	if d.bool() {
		ps := &packSnap{}
		ps.stamps = d.stamps()
		n := d.count(4)
		for range n {
			ps.packs = append(ps.packs, d.pack())
		}
		ps.problems = d.problems()
		s.packs = ps
	}
	if d.err || d.off != len(d.s) {
		return nil
	}
	return s
}

func writeSnapshot(path, key string, s *snapshot) {
	e := &encoder{b: []byte(cacheMagic)}
	e.str(key)
	e.str(s.cfg.path)
	e.int(s.cfg.size)
	e.int(s.cfg.mtime)
	e.config(&s.config)
	e.bool(s.cfgBroken)
	e.problems(s.cfgProblems)
	e.bool(s.packs != nil)
	if s.packs != nil {
		e.stamps(s.packs.stamps)
		e.uint(uint64(len(s.packs.packs)))
		for i := range s.packs.packs {
			e.pack(&s.packs.packs[i])
		}
		e.problems(s.packs.problems)
	}
	_ = writeAtomic(path, e.b, 0o600)
}

// writeAtomic replaces a file atomically (see atomicfile.Write).
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	return atomicfile.Write(path, data, mode)
}

// Errors lists the problems at Error and Warning level (what the hook
// reports), sorted by file.
func Errors(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Level != Note {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}
