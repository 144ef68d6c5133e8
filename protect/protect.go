// Package protect is bulwark's self-defence: the set of files and
// directories whose change would switch bulwark off, blind it or loosen it
// (its program, its configuration, state, packs and cache, and every coding
// client's settings, hooks and plugins), and the test of whether a path a
// tool call names touches that set.
//
// The set is computed from where bulwark actually runs and keeps its files,
// not written as a list of patterns: a relocated BULWARK_HOME, a binary
// outside the usual bin directories, a client directory moved by its
// environment variable are all members. A path touches the set after
// normalisation (~, . and .., the /proc aliases of the root and the working
// directory), after resolving symlinks that already exist (bounded), when a
// glob could match a member, and when it is a directory the member sits in
// and the call removes, moves, unpacks over or locks that directory.
//
// The package does nothing at init and nothing until asked: members are
// computed on the first question and only as far as it needs (a read, or a
// question about the program, never learns the clients' locations), and
// the disk is only read for a path that is being written (or copied, or
// run) and that the path's text alone does not already decide.
package protect

import (
	"path"
	"strings"
)

// Owner is whose a member is.
type Owner uint8

const (
	OwnerBulwark Owner = iota // configuration, state, packs, cache
	OwnerProgram              // the bulwark program and the directory it is in
	OwnerClient               // a coding client's settings, hooks or plugins
)

// Level is how strongly a member is protected.
type Level uint8

const (
	// Critical members decide whether and how bulwark is called, or what
	// it does: any write, removal or replacement is a critical tamper.
	Critical Level = iota
	// State members widen what the agent may do without switching bulwark
	// off (a client's trusted folders, allowed tools): a write is high.
	State
)

// Member is one protected file or directory.
type Member struct {
	// Path is absolute and clean, "/"-separated; an element "*" stands for
	// any one name (".../skills/*/.claude-plugin"). Empty when Rel is set.
	Path string
	// Rel, when set, is a relative tail that makes a member in any
	// directory (".claude/settings.json": every project's settings).
	Rel string
	// Tree: Path is a directory and everything beneath it is a member too.
	Tree bool
	// Root is the directory that belongs to the member's owner
	// (~/.claude for ~/.claude/settings.json, ~/.local/bin for the
	// program): removing, moving or unpacking over it or anything below it
	// is as bad as changing the member itself. Directories above it hold
	// other things too (~/.config, ~/.local), so removing one of them is
	// asked, not denied. Empty means Path for a tree, its directory for a
	// file (for Rel members, the same within Rel).
	Root string
	// Judged members are written to by agents in the normal course of work
	// (a project's own settings): a tool write whose content is visible is
	// judged by that content, not refused for the path alone.
	Judged bool
	Owner  Owner
	Level  Level
	What   string // for people: "bulwark's configuration", "Claude Code user settings"
	// Private members are not the agent's to read either: a read of
	// something inside one, or of a directory between it and its Root,
	// counts (ClassRead). The backup store holds what calls deleted or
	// overwrote, secrets included: reading it back would go around the
	// guards on the files' own paths. Only bulwark's own members are
	// private: a read is judged before the clients' members are learnt.
	Private bool
}

// BackupDir is the backup store's directory inside bulwark's state
// directory (package backup keeps it there).
const BackupDir = "backup"

// Op is what a call does to a path.
type Op uint8

const (
	Read   Op = iota // read (only a copy of the program counts)
	Write            // created, overwritten, appended to, truncated, replaced by a link
	Remove           // deleted, moved or renamed away
	Into             // a directory written into under names the call does not show (unpacking, syncing, git checkout)
	Chmod            // permissions changed (Fact.Mode): a touch when the owner loses access it needs
	Chown            // owner, group, ACL or attributes changed
)

func (o Op) String() string {
	return [...]string{"read", "write", "remove", "write into", "change the permissions of", "change the owner of"}[o]
}

// Fact is one path a call touches.
type Fact struct {
	Path    string // as the call names it: absolute, relative to Cwd, ~/..., /proc/self/root/...
	Cwd     string // the directory a relative Path is in ("" unknown)
	Op      Op
	Glob    bool   // unquoted glob characters in Path are patterns
	Dynamic bool   // Path holds parts only known at run time ($X, $(...)); they match any name
	Mode    string // for Chmod: the mode as written ("000", "u-x", "go-w")
	// Deep, when set, says the call acts on everything under Path whose
	// name matches Deep (find ROOT -name PAT -delete, find -exec rm {}):
	// "*" for anything at any depth.
	Deep string
}

// Class is how bad a touch is.
type Class uint8

const (
	ClassNone  Class = iota
	ClassBroad       // a directory above the owner's (~/.config, ~/.local) is removed, moved or unpacked over
	ClassState       // a state member is written
	ClassWrite       // a member, or its owner's directory, is written, removed, replaced or locked
	ClassRead        // a private member is read (or copied)
)

// Touch says which member a fact touches and how.
type Touch struct {
	Member *Member
	Class  Class
	// Ancestor: the path is a directory the member is in, not the member.
	Ancestor bool
	// Path is the path that touched, absolute, after symlinks; Link is the
	// symlink on the way, when one redirected the path ("" when none).
	Path, Link string
	// Uncertain: the path matched only through a part known at run time.
	Uncertain bool
}

// Set is the protected set of one environment. Its members are computed on
// the first question, and only as far as the question needs: bulwark's own
// for a read or a question about the program, the clients' too for anything
// else (see Env.LoadClients). A Set is for one goroutine.
type Set struct {
	env     Env
	built   uint8 // builtNone, builtOwn or builtAll
	members []member
	cache   *walker
}

// How far a Set's members are computed.
const (
	builtNone uint8 = iota
	builtOwn        // bulwark's own members (every private one among them)
	builtAll        // and the clients'
)

// member is a Member prepared for matching.
type member struct {
	m        *Member
	elems    []string // of Path, or of Rel (Path's split on first need: see el)
	n        int      // number of elements
	star     bool     // Path has an element "*"
	rel      bool
	rootLen  int      // elements of Root (of the Rel root for Rel members)
	real     string   // Path with existing symlinks resolved ("" until resolveMembers)
	resolved []string // its elements
}

// el returns the member's elements.
func (pm *member) el() []string {
	if pm.elems == nil {
		pm.elems = split(pm.m.Path)
	}
	return pm.elems
}

// countElems is len(split(p)) for a clean absolute path, without splitting.
func countElems(p string) int {
	if p == "/" {
		return 0
	}
	return strings.Count(p, "/")
}

// New returns the protected set of an environment.
func New(env Env) *Set { return &Set{env: env} }

// Env returns what the set was built from. Its Clients are filled in only
// once a question needed them (Members always does).
func (s *Set) Env() *Env {
	s.build(builtOwn)
	return &s.env
}

// Vars returns the values in force of the variables that move bulwark's
// files (Env.Vars), without building the set: the shell analysis expands
// them as the agent's shell will (shell.Env.Vars).
func (s *Set) Vars() map[string]string { return s.env.Vars }

// Members lists the members (for doctor and the tests).
func (s *Set) Members() []Member {
	s.build(builtAll)
	out := make([]Member, len(s.members))
	for i := range s.members {
		out[i] = *s.members[i].m
	}
	return out
}

// build computes the members up to level (builtOwn or builtAll).
func (s *Set) build(level uint8) {
	if s.built >= level {
		return
	}
	if s.built == builtNone {
		s.built = builtOwn
		if c := s.env.Complete; c != nil {
			s.env.Complete = nil
			c(&s.env)
		}
		s.prepare(s.env.ownMembers())
	}
	if level == builtAll {
		s.built = builtAll
		if l := s.env.LoadClients; l != nil {
			s.env.LoadClients = nil
			s.env.Clients = l(&s.env)
		}
		var clients []Member
		for _, m := range s.env.Clients {
			if !s.has(m) {
				clients = addMember(clients, m)
			}
		}
		s.prepare(clients)
	}
}

// has reports whether the set has a member of m's path, relative tail and
// tree-ness already.
func (s *Set) has(m Member) bool {
	for i := range s.members {
		x := s.members[i].m
		if x.Path == m.Path && x.Rel == m.Rel && x.Tree == m.Tree {
			return true
		}
	}
	return false
}

// prepare adds members, prepared for matching, after those the set has.
func (s *Set) prepare(all []Member) {
	if s.members == nil {
		s.members = make([]member, 0, len(all))
	}
	for i := range all {
		m := &all[i]
		pm := member{m: m}
		switch {
		case m.Rel != "":
			pm.rel = true
			pm.elems = strings.Split(strings.Trim(path.Clean("/"+m.Rel), "/"), "/")
			pm.n = len(pm.elems)
			pm.rootLen = len(pm.elems) - 1
			if m.Tree {
				pm.rootLen = len(pm.elems)
			}
			if m.Root != "" {
				pm.rootLen = countElems(path.Clean("/" + m.Root))
			}
		case path.IsAbs(m.Path):
			m.Path = path.Clean(m.Path)
			pm.n = countElems(m.Path)
			pm.star = strings.Contains(m.Path, "*")
			root := m.Root
			if root == "" {
				root = m.Path
				if !m.Tree {
					root = path.Dir(m.Path)
				}
			}
			pm.rootLen = countElems(path.Clean(root))
		default:
			continue // not absolute: nothing to protect
		}
		s.members = append(s.members, pm)
	}
}

// Check reports the strongest touch of the set by one fact.
func (s *Set) Check(f Fact) (Touch, bool) {
	if f.Path == "" {
		return Touch{}, false
	}
	if f.Op == Read {
		// Only a private member can be read in a way that counts
		// (classify), and every private member is bulwark's own.
		s.build(builtOwn)
	} else {
		s.build(builtAll)
	}
	if len(s.members) == 0 {
		return Touch{}, false
	}
	home := s.env.Home
	p := f.Path
	glob := f.Glob
	uncertain := false
	if f.Dynamic {
		// Run-time parts: each matches any text within one name. A path that
		// starts with one ($DIR/settings.json) has an unknown prefix and is
		// matched by its tail, and only when enough of it is literal.
		var lead bool
		p, lead = wildDynamic(p)
		glob, uncertain = true, true
		if lead {
			tail := strings.TrimPrefix(path.Clean("/"+p), "/")
			if strings.HasPrefix(tail, string(runTime)+"/") {
				tail = tail[2:]
			}
			return s.best(split("/"+tail), false, f.Op, f.Mode, glob, true, "", "")
		}
	}
	abs, tail := Normalize(p, f.Cwd, home)
	if f.Deep != "" && abs != "" {
		return s.deep(abs, f)
	}
	if abs == "" {
		if tail == "" {
			return Touch{}, false
		}
		return s.best(split("/"+tail), false, f.Op, f.Mode, glob, uncertain, "", "")
	}
	t, ok := s.best(split(abs), true, f.Op, f.Mode, glob, uncertain, abs, "")
	if ok && t.Class == ClassWrite || f.Op == Read || s.env.FS == nil || glob {
		return t, ok
	}
	// Symlinks that already exist: the path's real place. Only for writes
	// that the text alone has not already decided.
	if s.cache == nil {
		s.cache = newWalker(s.env.FS)
	}
	var real, link string
	if f.Op == Remove {
		// rm and mv act on a symlink itself, not on what it points to: only
		// the directories on the way are followed.
		dir, base := path.Split(abs)
		real, link = s.cache.resolve(dir)
		real = path.Join(real, base)
	} else {
		real, link = s.cache.resolve(abs)
	}
	if real == abs {
		return t, ok
	}
	s.resolveMembers()
	if t2, ok2 := s.best(split(real), true, f.Op, f.Mode, false, uncertain, real, link); ok2 && (!ok || t2.Class > t.Class) {
		return t2, true
	}
	return t, ok
}

// deep judges a call on everything under a directory whose name matches a
// pattern: a member inside it at any depth is touched when the member's own
// name, or the name of a directory on the way to it, matches (find's -name
// matches names that start with a dot too); everything inside a tree member
// is that member.
func (s *Set) deep(abs string, f Fact) (Touch, bool) {
	elems := split(abs)
	var out Touch
	consider := func(pm *member, c Class, anc bool) {
		if c > out.Class {
			out = Touch{Member: pm.m, Class: c, Ancestor: anc, Path: abs}
		}
	}
	for i := range s.members {
		pm := &s.members[i]
		if pm.rel {
			// A member in any project: under this directory when its last
			// element's name matches a pattern that names it (not "*":
			// find /tmp -delete is not about projects' settings).
			if last := pm.elems[len(pm.elems)-1]; f.Deep != "*" && deepMatch(f.Deep, last) {
				consider(pm, classify(pm, relInside, pm.n, f.Op, f.Mode), false)
			}
			continue
		}
		me := pm.el()
		rel := relate0(elems, me)
		switch rel {
		case relInside:
			if pm.m.Tree {
				consider(pm, classify(pm, relInside, len(elems), f.Op, f.Mode), false)
			}
		case relAncestor:
			for j := len(elems); j < len(me); j++ {
				if deepMatch(f.Deep, me[j]) {
					r := relAncestor
					if j == len(me)-1 {
						r = relInside
					}
					consider(pm, classify(pm, r, j+1, f.Op, f.Mode), r == relAncestor)
					break
				}
			}
			if pm.m.Tree && f.Deep == "*" {
				consider(pm, classify(pm, relInside, pm.n, f.Op, f.Mode), false)
			}
		}
	}
	return out, out.Class != ClassNone
}

func deepMatch(pattern, name string) bool {
	if pattern == "*" {
		return true
	}
	if name == "*" {
		return false // a member element that stands for any name: not this one in particular
	}
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// relate0 compares two absolute paths' elements literally ("*" in the
// member matches any name).
func relate0(p, m []string) relation {
	n := min(len(p), len(m))
	for i := 0; i < n; i++ {
		if m[i] != "*" && p[i] != m[i] {
			return relNone
		}
	}
	if len(p) >= len(m) {
		return relInside
	}
	return relAncestor
}

// resolveMembers resolves the existing part of every member path once (a
// home reached through a symlink, /tmp on macOS), so that a resolved fact
// compares with resolved members.
func (s *Set) resolveMembers() {
	for i := range s.members {
		pm := &s.members[i]
		if pm.rel || pm.resolved != nil {
			continue
		}
		lit := pm.m.Path
		rest := ""
		if j := strings.Index(lit, "/*"); j >= 0 {
			lit, rest = lit[:j], lit[j:]
		}
		real, _ := s.cache.resolve(lit)
		pm.real = real + rest
		pm.resolved = split(pm.real)
	}
}

// best finds the strongest touch of a path's elements; abs says whether
// they start at the root (else the path's start is unknown: a run-time part,
// another process's working directory).
func (s *Set) best(elems []string, isAbs bool, op Op, mode string, glob, uncertain bool, abs, link string) (Touch, bool) {
	var out Touch
	minOverlap := 1
	if uncertain {
		// A run-time part stands for any name: require two literal
		// elements to line up, so that `$OUT/config.toml` does not stand
		// for every config.toml there is.
		minOverlap = 2
	}
	if isAbs && !uncertain {
		minOverlap = 0
	}
	for i := range s.members {
		pm := &s.members[i]
		best := ClassNone
		anc := false
		visit := func(rel relation, depth int) {
			if pm.rel && rel == relAncestor && depth == 0 {
				return
			}
			if c := classify(pm, rel, depth, op, mode); c > best {
				best, anc = c, rel == relAncestor
			}
		}
		if isAbs && !glob && !uncertain && !pm.rel && !pm.star {
			// The common case, two plain absolute paths: compared as
			// strings, nothing split.
			mp := pm.m.Path
			if link != "" && pm.real != "" {
				mp = pm.real
			}
			switch {
			case abs == mp:
				visit(relInside, pm.n)
			case pm.m.Tree && strings.HasPrefix(abs, mp+"/"):
				visit(relInside, countElems(abs))
			case abs == "/" || strings.HasPrefix(mp, abs+"/"):
				visit(relAncestor, countElems(abs))
			}
		} else {
			me := pm.el()
			if link != "" && pm.resolved != nil {
				me = pm.resolved
			}
			align(elems, me, isAbs, !pm.rel, pm.m.Tree, glob, minOverlap, visit)
		}
		if best == ClassBroad && (!s.exists(pm) || op == Remove && isAbs && s.holdsHome(elems)) {
			// Removing the home directory or the root is the filesystem
			// guards' to judge; it is not self-defence that makes it bad.
			best = ClassNone
		}
		if best > out.Class {
			out = Touch{Member: pm.m, Class: best, Ancestor: anc, Path: abs, Link: link, Uncertain: uncertain}
		}
	}
	return out, out.Class != ClassNone
}

// classify says how bad an operation is on a path that stands in rel to a
// member; depth is how many of the member's elements an ancestor covers.
func classify(pm *member, rel relation, depth int, op Op, mode string) Class {
	if op == Read {
		if pm.m.Private && (rel == relInside || rel == relAncestor && depth >= pm.rootLen) {
			return ClassRead
		}
		return ClassNone
	}
	if op == Chmod {
		// A directory must stay readable and searchable, the program
		// readable and executable, a file readable; anything else the
		// owner may do to permissions is not tampering (chmod 600, go-w).
		need := bitR
		if rel == relAncestor || pm.m.Tree && depth == pm.n || pm.m.Owner == OwnerProgram {
			need = bitR | bitX
		}
		if !cutsAccess(mode, need) {
			return ClassNone
		}
		if pm.m.Level == State {
			return ClassNone
		}
		return ClassWrite // locked out: unreachable, at any depth
	}
	if pm.m.Level == State {
		if rel == relInside {
			return ClassState
		}
		return ClassNone
	}
	switch rel {
	case relInside:
		return ClassWrite
	case relAncestor:
		if op == Write {
			// A directory cannot be overwritten as a file: a write names
			// something inside it, which is another fact.
			return ClassNone
		}
		// The owner's own directory (and below) is the member's; above it,
		// removing or unpacking over a directory is asked.
		if depth >= pm.rootLen {
			return ClassWrite
		}
		if op == Remove || op == Into {
			return ClassBroad
		}
	}
	return ClassNone
}

// holdsHome reports a path that is the home directory or one above it.
func (s *Set) holdsHome(elems []string) bool {
	if len(elems) == 0 {
		return true
	}
	if s.env.Home == "" {
		return false
	}
	h := split(path.Clean(s.env.Home))
	if len(elems) > len(h) {
		return false
	}
	for i := range elems {
		if elems[i] != h[i] {
			return false
		}
	}
	return true
}

// exists reports whether a member is on disk (always true without a file
// system): removing a broad directory is only asked about when it really
// holds a member.
func (s *Set) exists(pm *member) bool {
	if s.env.FS == nil || pm.rel || strings.Contains(pm.m.Path, "*") {
		return true
	}
	_, err := s.env.FS.Lstat(pm.m.Path)
	return err == nil
}

// wildDynamic replaces the run-time parts of a path ($X, ${X}, $(...),
// `...`) by "*" and reports whether the path starts with one.
func wildDynamic(p string) (string, bool) {
	var b strings.Builder
	lead := false
	for i := 0; i < len(p); {
		c := p[i]
		if c != '$' && c != '`' {
			b.WriteByte(c)
			i++
			continue
		}
		if b.Len() == 0 {
			lead = true
		}
		j := skipExpansion(p, i)
		b.WriteByte(runTime)
		i = j
	}
	return b.String(), lead
}

// skipExpansion returns the index after the expansion starting at p[i].
func skipExpansion(p string, i int) int {
	if p[i] == '`' {
		if k := strings.IndexByte(p[i+1:], '`'); k >= 0 {
			return i + k + 2
		}
		return len(p)
	}
	if i+1 < len(p) && (p[i+1] == '{' || p[i+1] == '(') {
		open, closeC := p[i+1], byte('}')
		if open == '(' {
			closeC = ')'
		}
		depth := 0
		for j := i + 1; j < len(p); j++ {
			switch p[j] {
			case open:
				depth++
			case closeC:
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(p)
	}
	j := i + 1
	for j < len(p) && (p[j] == '_' || p[j] >= 'a' && p[j] <= 'z' || p[j] >= 'A' && p[j] <= 'Z' || p[j] >= '0' && p[j] <= '9') {
		j++
	}
	if j == i+1 && j < len(p) {
		j++ // $1, $@, $$
	}
	return j
}
