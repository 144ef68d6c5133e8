// Package scan checks an agent's set-up before anything runs: the coding
// clients' settings, hooks and MCP server lists (where package clients says
// they are), the instruction, command, skill and plugin files they read into
// the model's context, the repository's git hooks and package lifecycle
// scripts, and the secrets committed in any of them. It is `bulwark audit`.
//
// The mechanism is here; the rules are guards in packs like every other:
// what a file holds becomes a guards.ConfigFact, judged by the on = "config"
// guards of packs/audit.toml (their severity, reason and fix); instruction
// files are judged by the content guards that judge a Write, and hooks,
// package scripts and MCP command lines by the shell guards, as the hook
// would judge running them (package runfile reads what they run). A file
// that cannot be read or parsed is a finding, never an error.
package scan

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/installer"
	"github.com/bulwark-guard/bulwark/internal/readfile"
	"github.com/bulwark-guard/bulwark/packs"
)

// Options say what to audit.
type Options struct {
	// Dir is the project (absolute): its settings, MCP servers,
	// instruction files, git hooks and package scripts.
	Dir string
	// Home adds the user's files (and the machine's managed ones): the
	// clients' user settings, ~/.claude.json, Claude Desktop, user
	// instruction files, skills and plugins. Env.Home says where home is.
	Home bool
	// Env locates the clients' files (Env.Cwd is set to Dir).
	Env clients.Env
	// Engine judges: the on = "config" guards, and the content and shell
	// guards for instruction files, hooks and scripts. Build it with every
	// pack on (AuditProfile) so that the audit does not depend on a
	// profile.
	Engine *guards.Engine
	// Packs are the packs the engine was built from (to tell the content
	// guards from the rest).
	Packs []guards.PackSpec
}

// AuditProfile turns every pack on: an audit reports every guard that
// fires, with its severity; --fail-on decides what fails.
func AuditProfile() *guards.Profile {
	p, err := guards.NewProfile(guards.ProfileSpec{Name: "audit", Packs: []string{"*"},
		Actions: guards.SeverityActions{Critical: "deny", High: "deny", Medium: "ask", Low: "warn"}})
	if err != nil {
		panic(err) // a constant spec
	}
	return p
}

// Finding is one problem in one file.
type Finding struct {
	Rule     string          // the guard's id
	Title    string          // the guard's title
	Severity guards.Severity // the guard's severity
	File     string          // as shown: relative to Dir, from ~/, or absolute
	Path     string          // absolute
	Line     int             // 1-based; 0 when the finding is about the whole file
	Column   int             // 1-based, in characters; 0 with Line 0
	Evidence string          // what the file holds there, secrets masked
	Message  string          // why it matters
	Fix      string          // what to do instead
	Client   string          // the client whose file it is ("" for git and package files)
	Scope    string          // project, local, user, managed
	Via      []string        // for a script's hit: what runs it, and the file and line
}

// File is one file the audit read.
type File struct {
	File   string // as shown
	Client string
	Kind   string // settings, hooks, mcp, instructions, ..., git-hook, package
	Scope  string
}

// Report is what the audit found.
type Report struct {
	Dir      string
	Home     bool
	HomeDir  string // the home the user files were looked for in
	Files    []File
	Findings []Finding       // by file, then line, then severity
	Rules    map[string]Rule // the guards that fired, by id
}

// Counts are the findings per severity, index by guards.Severity.
func (r *Report) Counts() [4]int {
	var c [4]int
	for _, f := range r.Findings {
		if f.Severity >= 0 && int(f.Severity) < len(c) {
			c[f.Severity]++
		}
	}
	return c
}

// AtLeast counts the findings at or above a severity.
func (r *Report) AtLeast(s guards.Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= s {
			n++
		}
	}
	return n
}

// Audit reads the set-up and reports what it finds.
func Audit(o Options) *Report {
	env := o.Env
	env.Cwd = o.Dir
	s := &scanner{o: o, env: env, e: o.Engine, rep: &Report{Dir: o.Dir, Home: o.Home, HomeDir: env.Home},
		seen: map[string]bool{}, guarded: map[string]bool{}}
	s.protected = protectedTrees(env)
	for _, l := range clients.Locations(env) {
		if !s.wanted(l) {
			continue
		}
		s.location(l)
	}
	if o.Home {
		s.codexTrustAll()
	}
	s.nestedInstructions()
	s.gitHooks()
	s.packageScripts()
	if o.Home {
		s.guardMissing()
	}
	s.finish()
	return s.rep
}

// scanner is one audit in progress.
type scanner struct {
	o         Options
	env       clients.Env
	e         *guards.Engine
	rep       *Report
	seen      map[string]bool // files read
	guarded   map[string]bool // clients with bulwark's pre-tool hook somewhere
	protected []string        // client hook and settings trees (the agent cannot write there)
	codex     []codexHooksFile
	// codexStates is the hook trust of ~/.codex/config.toml.
	codexStates     map[string]clients.CodexHookState
	codexStatesRead bool
	contentIDs      map[string]bool
	budget          int // files read so far (bounded: maxFiles)
}

// wanted reports whether a location is in the audit's scope.
func (s *scanner) wanted(l clients.Location) bool {
	switch l.Scope {
	case installer.ScopeProject, installer.ScopeLocal:
		return true
	}
	return s.o.Home
}

// Bounds of one audit.
const (
	maxFileBytes = 1 << 20 // bytes read of one file (the rest is not judged)
	maxFiles     = 5000    // files read in all
	maxTreeFiles = 1000    // files read under one tree location
	maxTreeDepth = 8
)

// fileCtx is one file being judged.
type fileCtx struct {
	path   string // absolute
	show   string
	client string
	kind   string
	scope  string
	data   []byte
}

// location reads one of the clients' locations: a file, a tree, or a
// pattern with one "*" element.
func (s *scanner) location(l clients.Location) {
	paths := []string{l.Path}
	if strings.Contains(l.Path, "*") {
		paths, _ = filepath.Glob(l.Path)
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			if !os.IsNotExist(err) {
				s.broken(s.ctx(p, l), 0, "cannot read: "+err.Error())
			}
			continue
		}
		if fi.IsDir() {
			if l.Tree {
				s.tree(p, l)
			}
			continue
		}
		s.file(p, l)
	}
}

// ctx describes a file of a location.
func (s *scanner) ctx(p string, l clients.Location) *fileCtx {
	return &fileCtx{path: p, show: s.show(p), client: l.Client, kind: string(l.Kind), scope: string(l.Scope)}
}

// show names a file for people: relative to the project, from ~/, or
// absolute.
func (s *scanner) show(p string) string {
	if rel, ok := under(p, s.o.Dir); ok {
		return filepath.ToSlash(rel)
	}
	if s.env.Home != "" {
		if rel, ok := under(p, s.env.Home); ok {
			return "~/" + filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(p)
}

// under reports p's path below dir.
func under(p, dir string) (string, bool) {
	if dir == "" {
		return "", false
	}
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return rel, true
}

// read reads a file, bounded; a file it cannot read is a broken-file
// finding and false.
func (s *scanner) read(c *fileCtx) bool {
	if s.seen[c.path] {
		return false
	}
	s.seen[c.path] = true
	if s.budget++; s.budget > maxFiles {
		return false
	}
	data, err := readBounded(c.path)
	if err != nil {
		s.broken(c, 0, "cannot read: "+err.Error())
		return false
	}
	c.data = data
	s.rep.Files = append(s.rep.Files, File{File: c.show, Client: c.client, Kind: c.kind, Scope: c.scope})
	return true
}

// readBounded reads at most maxFileBytes of a regular file.
func readBounded(p string) ([]byte, error) { return readfile.Regular(p, maxFileBytes) }

// file judges one file of a location by what it is.
func (s *scanner) file(p string, l clients.Location) {
	c := s.ctx(p, l)
	if !s.read(c) {
		return
	}
	s.judgeFile(c)
}

// judgeFile routes a file to its checks by its client, kind and name.
func (s *scanner) judgeFile(c *fileCtx) {
	base := filepath.Base(c.path)
	if isBinary(c.data) {
		return
	}
	s.unicode(c)
	s.secrets(c)
	switch {
	case strings.HasSuffix(base, ".json") && (c.kind == string(clients.KindSettings) || c.kind == string(clients.KindHooks) ||
		c.kind == string(clients.KindState) || c.kind == string(clients.KindMCP) || c.kind == string(clients.KindPlugins)):
		s.jsonFile(c)
	case base == "config.toml" && c.client == "codex":
		s.codexConfig(c)
	case isInstructionFile(c, base):
		s.instructions(c)
	case isScriptFile(base, c.data) && (c.kind == string(clients.KindDefinitions) || c.kind == string(clients.KindPlugins) || c.kind == string(clients.KindHooks)):
		s.script(c)
	}
}

// isInstructionFile: text the client reads into the model's context.
func isInstructionFile(c *fileCtx, base string) bool {
	switch c.kind {
	case string(clients.KindInstructions):
		return true
	case string(clients.KindDefinitions), string(clients.KindPlugins):
		ext := strings.ToLower(filepath.Ext(base))
		return ext == ".md" || ext == ".mdc" || ext == ".txt" || ext == ".toml" && strings.Contains(filepath.ToSlash(c.path), "/commands/")
	}
	return false
}

// tree reads the files under a tree location, bounded, skipping what no
// client reads (version control, dependencies).
func (s *scanner) tree(root string, l clients.Location) {
	n := 0
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		if depth > maxTreeDepth || n >= maxTreeFiles {
			return
		}
		ents, err := os.ReadDir(dir)
		if err != nil {
			s.broken(s.ctx(dir, l), 0, "cannot list: "+err.Error())
			return
		}
		for _, e := range ents {
			if n >= maxTreeFiles {
				return
			}
			p := filepath.Join(dir, e.Name())
			switch {
			case e.IsDir():
				if skipDir(e.Name()) {
					continue
				}
				walk(p, depth+1)
			case e.Type().IsRegular():
				n++
				s.file(p, l)
			}
		}
	}
	walk(root, 0)
}

// skipDir names directories no client reads instructions or settings from.
func skipDir(name string) bool {
	switch name {
	case ".git", "node_modules", ".venv", "venv", "__pycache__", "vendor", "dist", "build", "target", ".cache":
		return true
	}
	return false
}

// isBinary: a NUL byte early on.
func isBinary(b []byte) bool {
	return slices.Contains(b[:min(len(b), 8192)], 0)
}

// nestedInstructions finds instruction files below the project root that
// the clients read when they work there (a monorepo's packages/x/AGENTS.md):
// files named like a project instruction location's file, bounded.
func (s *scanner) nestedInstructions() {
	names := map[string]clients.Location{}
	for _, l := range clients.Locations(s.env) {
		if l.Kind == clients.KindInstructions && !l.Tree && l.ProjectRel != "" && !strings.Contains(l.ProjectRel, "/") {
			names[l.ProjectRel] = l
		}
	}
	n := 0
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		if depth > maxTreeDepth || n > 20000 {
			return
		}
		ents, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range ents {
			n++
			p := filepath.Join(dir, e.Name())
			if e.IsDir() {
				if !skipDir(e.Name()) && !strings.HasPrefix(e.Name(), ".") {
					walk(p, depth+1)
				}
				continue
			}
			if l, ok := names[e.Name()]; ok && depth > 0 && e.Type().IsRegular() {
				s.file(p, l)
			}
		}
	}
	walk(s.o.Dir, 0)
}

// protectedTrees are the client locations the agent cannot write under
// bulwark (settings, hooks, plugins): a hook running a script from there
// runs what the user put there.
func protectedTrees(env clients.Env) []string {
	var out []string
	for _, l := range clients.Locations(env) {
		switch l.Kind {
		case clients.KindSettings, clients.KindHooks, clients.KindPlugins, clients.KindPolicy:
			if !strings.Contains(l.Path, "*") {
				out = append(out, l.Path)
			}
		}
	}
	return out
}

func (s *scanner) isProtected(p string) bool {
	for _, t := range s.protected {
		if p == t {
			return true
		}
		if _, ok := under(p, t); ok {
			return true
		}
	}
	return false
}

// fact judges one config fact at a byte offset of a file.
func (s *scanner) fact(c *fileCtx, off int, f guards.ConfigFact) {
	line, col := 0, 0
	if off >= 0 && c.data != nil {
		line, col = lineCol(c.data, off)
	}
	s.hits(c, line, col, s.e.MatchConfig(f), nil)
}

// broken is a file that cannot be read or parsed.
func (s *scanner) broken(c *fileCtx, off int, msg string) {
	f := guards.ConfigFact{Condition: guards.CondBrokenFile, Evidence: msg,
		Detail: "bulwark could not check " + c.show + " (" + msg + "), and the client may not read it either."}
	line, col := 0, 0
	if off > 0 && c.data != nil {
		line, col = lineCol(c.data, off)
	}
	s.hits(c, line, col, s.e.MatchConfig(f), nil)
}

// brokenAt is broken with a line and column known.
func (s *scanner) brokenAt(c *fileCtx, line, col int, msg string) {
	f := guards.ConfigFact{Condition: guards.CondBrokenFile, Evidence: msg,
		Detail: "bulwark could not check " + c.show + " (" + msg + "), and the client may not read it either."}
	s.hits(c, line, col, s.e.MatchConfig(f), nil)
}

// hits adds the engine's hits as findings at a line of a file.
func (s *scanner) hits(c *fileCtx, line, col int, hits []guards.Hit, via []string) {
	for _, h := range hits {
		if line > 0 && col == 0 {
			col = 1
		}
		s.rep.Findings = append(s.rep.Findings, Finding{
			Rule: h.GuardID, Title: h.Title, Severity: h.Severity, File: c.show, Path: c.path,
			Line: line, Column: col, Evidence: h.Evidence, Message: h.Reason, Fix: h.Instead,
			Client: c.client, Scope: c.scope, Via: append(slices.Clone(via), h.Via...),
		})
	}
}

// finish sorts the findings and drops repeats (the same rule at the same
// place, and a generic secret finding where a more specific rule already
// reported that value).
func (s *scanner) finish() {
	fs := s.rep.Findings
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.File != b.File {
			return fileOrder(a.File) < fileOrder(b.File) || fileOrder(a.File) == fileOrder(b.File) && a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		return a.Rule < b.Rule
	})
	type key struct {
		file string
		line int
		rule string
	}
	seen := map[key]bool{}
	specific := map[key]bool{} // file and line with a specific secret finding
	for _, f := range fs {
		if f.Rule != secretRule && strings.Contains(f.Rule, "secret") {
			specific[key{f.File, f.Line, ""}] = true
		}
	}
	out := fs[:0]
	for _, f := range fs {
		k := key{f.File, f.Line, f.Rule + "\x00" + f.Evidence}
		if seen[k] || f.Rule == secretRule && specific[key{f.File, f.Line, ""}] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	s.rep.Findings = out
	s.rep.Rules = map[string]Rule{}
	for _, f := range out {
		if _, ok := s.rep.Rules[f.Rule]; ok {
			continue
		}
		ru := Rule{ID: f.Rule, Title: f.Title, Severity: f.Severity, Reason: f.Message, Instead: f.Fix}
		ru.Family, _, _ = strings.Cut(f.Rule, ".")
		if g := s.spec(f.Rule); g != nil {
			ru.Reason = g.Reason
			if sev, err := guards.ParseSeverity(g.Severity); err == nil {
				ru.Severity = sev
			}
		}
		s.rep.Rules[f.Rule] = ru
	}
	sort.SliceStable(s.rep.Files, func(i, j int) bool {
		return fileOrder(s.rep.Files[i].File) < fileOrder(s.rep.Files[j].File) ||
			fileOrder(s.rep.Files[i].File) == fileOrder(s.rep.Files[j].File) && s.rep.Files[i].File < s.rep.Files[j].File
	})
}

// packs are the packs the engine was built from: Options.Packs, or the
// built-in ones.
func (s *scanner) packs() []guards.PackSpec {
	if s.o.Packs != nil {
		return s.o.Packs
	}
	return packs.Builtin()
}

// spec is the guard with an id, or nil.
func (s *scanner) spec(id string) *guards.GuardSpec {
	ps := s.packs()
	for i := range ps {
		for j := range ps[i].Guards {
			if ps[i].Guards[j].ID == id {
				return &ps[i].Guards[j]
			}
		}
	}
	return nil
}

// secretRule is the guard of CondSecret in the built-in packs.
const secretRule = "audit.secret"

// fileOrder puts the project's files first, then home's, then the rest.
func fileOrder(show string) int {
	switch {
	case strings.HasPrefix(show, "~/"):
		return 1
	case strings.HasPrefix(show, "/"):
		return 2
	}
	return 0
}
