package guards

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bulwark-guard/bulwark/protect"
	"github.com/bulwark-guard/bulwark/redact"
)

// Engine evaluates Actions against a set of packs under one profile.
// The packs come compiled (PackSet), with their prefilter index built when
// they were compiled, so building an Engine costs a few words per pack; a
// guard is decoded from its set the first time a prefilter selects it
// (its command name, its target), prepared then, and its patterns compile
// on first use, so a hook process pays for the few guards a call can
// concern, not for every guard.
type Engine struct {
	profile *Profile
	sets    []engineSet
	guards  []*guard // by index over all sets, in pack order; nil until decoded
	nguards int
	// Prefilter caches, filled on first use.
	byName      map[string][]*guard // on=command, by first word of a command name
	lists       [len(onTargets)][]*guard
	listed      [len(onTargets)]bool
	argGuards   []*guard // on=command guards with argument conditions (for dynamic command names)
	argListed   bool
	noPrefilter bool // reference mode for tests: evaluate every guard's full conditions
	// protected is the protected set (self-defence) the engine judges
	// against; nil: each call's conventional set, kept in conventional.
	protected    *protect.Set
	conventional map[string]*protect.Set
	lim          limits
}

// engineSet is one compiled set in an engine.
type engineSet struct {
	ps     *PackSet
	base   int       // index of its first guard in Engine.guards
	on     []bool    // per pack: on in the profile
	kw, pl *litIndex // its keyword and paths literal tables, built on first use
}

// guard is a GuardSpec prepared for matching.
type guard struct {
	spec     *GuardSpec
	decoded  GuardSpec // the spec, decoded from its set for matching
	lits     [9]litSet // required literals of its regex fields (RegexLiterals order), still encoded
	family   string
	lim      *limits // the engine's time budget
	severity Severity
	hasArgs  bool // some argument-level condition, so a dynamic name can be judged
	access   Access

	once                                                  sync.Once // prepare
	args, notArgs, stdin, input, paths, notPaths, pattern *lazyRegex
	assigns, notPattern                                   *lazyRegex
	positiveOnce                                          sync.Once
	positive                                              bool
}

// NewEngine indexes packs for a profile. Packs the profile turns off are
// left out. Profile overrides must name guards that exist. Packs decoded
// from a PackSet (the built-in ones) are used in their compiled form; others
// are compiled here.
func NewEngine(packs []PackSpec, profile *Profile) (*Engine, error) {
	var sets []*PackSet
	for i := 0; i < len(packs); {
		if ps := packs[i].set; ps != nil && setPacksAt(packs[i:], ps) {
			sets = append(sets, ps)
			i += ps.NumPacks()
			continue
		}
		j := i + 1
		for j < len(packs) && packs[j].set == nil {
			j++
		}
		for pi := i; pi < j; pi++ {
			p := &packs[pi]
			for gi := range p.Guards {
				if _, err := ParseSeverity(p.Guards[gi].Severity); err != nil {
					return nil, fmt.Errorf("pack %s: guard %s: %w", p.Source, p.Guards[gi].ID, err)
				}
			}
		}
		ps, err := LoadPackSet(CompilePacks(packs[i:j]))
		if err != nil {
			return nil, err // unreachable: CompilePacks writes what LoadPackSet reads
		}
		sets = append(sets, ps)
		i = j
	}
	return NewSetEngine(profile, sets...)
}

// setPacksAt reports whether packs starts with every pack of ps, as
// ps.Packs decoded them (and nobody replaced their guards since).
func setPacksAt(packs []PackSpec, ps *PackSet) bool {
	if len(packs) < ps.NumPacks() {
		return false
	}
	for i, p := range ps.packs {
		q := &packs[i]
		if q.set != ps || q.setIndex != i || len(q.Guards) != len(p.Guards) ||
			len(p.Guards) > 0 && &q.Guards[0] != &p.Guards[0] {
			return false
		}
	}
	return true
}

// NewSetEngine indexes compiled pack sets for a profile, in order.
func NewSetEngine(profile *Profile, sets ...*PackSet) (*Engine, error) {
	e := &Engine{profile: profile, sets: make([]engineSet, len(sets))}
	n := 0
	for i, ps := range sets {
		es := &e.sets[i]
		es.ps, es.base, es.on = ps, n, make([]bool, ps.NumPacks())
		for pi := range es.on {
			es.on[pi] = profile.PackOn(ps.Family(pi))
		}
		n += ps.NumGuards()
	}
	e.nguards = n
	e.guards = make([]*guard, n)
	if ov := profile.Overrides(); len(ov) > 0 {
		var errs []error
		for _, id := range ov {
			if es, _ := e.find(id); es == nil {
				errs = append(errs, fmt.Errorf("profile %s overrides unknown guard %q", profile.Name, id))
			}
		}
		if len(errs) > 0 {
			return e, errors.Join(errs...)
		}
	}
	return e, nil
}

// find returns the set and index of the guard with this id.
func (e *Engine) find(id string) (*engineSet, int) {
	for i := range e.sets {
		if gi, ok := e.sets[i].ps.Lookup(id); ok {
			return &e.sets[i], gi
		}
	}
	return nil, -1
}

// Severity returns the severity of the guard with this id, in any pack
// (on or off).
func (e *Engine) Severity(id string) (Severity, bool) {
	es, gi := e.find(id)
	if es == nil {
		return 0, false
	}
	var g GuardSpec
	var lits [9]litSet
	es.ps.spec(gi, &g, &lits)
	sev, err := ParseSeverity(g.Severity)
	return sev, err == nil
}

// guardAt returns guard gi of set es, decoding it on first use; nil when its
// pack is off.
func (e *Engine) guardAt(es *engineSet, gi int) *guard {
	pi := es.ps.guardPack(gi)
	if !es.on[pi] {
		return nil
	}
	if g := e.guards[es.base+gi]; g != nil {
		return g
	}
	g := &guard{family: es.ps.Family(pi), lim: &e.lim}
	es.ps.spec(gi, &g.decoded, &g.lits)
	s := &g.decoded
	g.spec = s
	g.severity, _ = ParseSeverity(s.Severity) // validated when the set was compiled
	g.access = Access(s.Access)
	g.hasArgs = s.hasArgs()
	e.guards[es.base+gi] = g
	return g
}

// prepare wraps the guard's patterns (they compile on first use); it runs
// once, when a prefilter first selects the guard.
func (g *guard) prepare() {
	g.once.Do(func() {
		s, l, lim := g.spec, &g.lits, g.lim
		g.args, g.notArgs = newLazy(s.Args, s.Engine, l[0], lim), newLazy(s.NotArgs, s.Engine, l[1], lim)
		g.stdin, g.input = newLazy(s.Stdin, s.Engine, l[2], lim), newLazy(s.Input, s.Engine, l[3], lim)
		g.paths, g.notPaths = newLazy(s.Paths, s.Engine, l[4], lim), newLazy(s.NotPaths, s.Engine, l[5], lim)
		g.pattern, g.notPattern = newLazy(s.Pattern, s.Engine, l[6], lim), newLazy(s.NotPattern, s.Engine, l[7], lim)
		g.assigns = newLazy(s.Assigns, s.Engine, l[8], lim)
	})
}

// list returns the guards (of packs that are on) of one target, in pack
// order, decoding them on first use.
func (e *Engine) list(on string) []*guard {
	k := onIndex(on)
	if k < 0 {
		return nil
	}
	if !e.listed[k] {
		e.listed[k] = true
		for si := range e.sets {
			es := &e.sets[si]
			n, off := es.ps.onList(k)
			for i := 0; i < n; i++ {
				if g := e.guardAt(es, es.ps.listAt(off, i)); g != nil {
					e.lists[k] = append(e.lists[k], g)
				}
			}
		}
	}
	return e.lists[k]
}

// fileCandidates are the on=file guards that can match one of files: those
// whose paths literals one of the files' paths holds, found with the sets'
// literal index without decoding the others (matchFile tests the same
// literals first, so no verdict changes).
func (e *Engine) fileCandidates(files []fileFact) []*guard {
	if len(files) == 0 {
		return nil
	}
	if e.noPrefilter {
		return e.list(OnFile)
	}
	var out []*guard
	k := onIndex(OnFile)
	for si := range e.sets {
		es := &e.sets[si]
		if es.pl == nil {
			es.pl = es.ps.litIndex(hNPl, hPl)
		}
		fs := make([]found, 0, len(files))
		for j := range files {
			if f := es.pl.scan(files[j].lower); !f.empty() {
				fs = append(fs, f)
			}
		}
		n, off := es.ps.onList(k)
		for i := 0; i < n; i++ {
			gi := es.ps.listAt(off, i)
			// No path holds any literal (the common case): only a guard
			// whose prefilter has no group can match.
			if pre := es.ps.prefilter(gi); pre != "" && (len(fs) == 0 && u16(pre, 0) > 0 || len(fs) > 0 && !anyFile(pre, fs)) {
				continue
			}
			if g := e.guardAt(es, gi); g != nil {
				out = append(out, g)
			}
		}
	}
	return out
}

func anyFile(pre string, fs []found) bool {
	for _, f := range fs {
		if allGroups(pre, f) {
			return true
		}
	}
	return false
}

// textCand is a text guard whose keywords occur in some of the texts.
type textCand struct {
	g  *guard
	in []bool // per text: one of its keywords occurs
}

// textCandidates are the guards of a text target (content, url, output)
// one of whose keywords occurs in one of the texts (lower-cased), found in
// one pass over each text with the sets' keyword index; the others are not
// decoded. In reference mode every guard is a candidate for every text.
func (e *Engine) textCandidates(on string, lower []string) []textCand {
	if len(lower) == 0 {
		return nil
	}
	var out []textCand
	k := onIndex(on)
	for si := range e.sets {
		es := &e.sets[si]
		n, off := es.ps.onList(k)
		if n == 0 {
			continue
		}
		var fs []found
		if !e.noPrefilter {
			if es.kw == nil {
				es.kw = es.ps.litIndex(hNKw, hKw)
			}
			fs = make([]found, len(lower))
			for j := range lower {
				fs[j] = es.kw.scan(lower[j])
			}
		}
		for i := 0; i < n; i++ {
			gi := es.ps.listAt(off, i)
			in := make([]bool, len(lower))
			any := false
			pre := es.ps.prefilter(gi)
			for j := range lower {
				in[j] = e.noPrefilter || pre != "" && anyOf(pre, fs[j])
				any = any || in[j]
			}
			if !any {
				continue
			}
			if g := e.guardAt(es, gi); g != nil {
				out = append(out, textCand{g, in})
			}
		}
	}
	return out
}

// argList is the on=command guards that can judge a command whose name is
// dynamic.
func (e *Engine) argList() []*guard {
	if !e.argListed {
		e.argListed = true
		for si := range e.sets {
			es := &e.sets[si]
			for i := 0; i < int(es.ps.h[hNArgs]); i++ {
				if g := e.guardAt(es, es.ps.listAt(es.ps.h[hArgs], i)); g != nil {
					e.argGuards = append(e.argGuards, g)
				}
			}
		}
	}
	return e.argGuards
}

// guardsNamed returns the command guards one of whose names (first word)
// is name, looked up in the sets' sorted name tables on the first lookup.
func (e *Engine) guardsNamed(name string) []*guard {
	if list, ok := e.byName[name]; ok {
		return list
	}
	var list []*guard
	for si := range e.sets {
		es := &e.sets[si]
		es.ps.named(name, func(gi int) {
			if g := e.guardAt(es, gi); g != nil {
				list = append(list, g)
			}
		})
	}
	if e.byName == nil {
		e.byName = map[string][]*guard{}
	}
	e.byName[name] = list
	return list
}

func containsGuard(list []*guard, g *guard) bool {
	for _, x := range list {
		if x == g {
			return true
		}
	}
	return false
}

// Evaluate judges one Action. It never panics on well-formed Actions; the
// hook still recovers and fails closed if it does.
func (e *Engine) Evaluate(act *Action) Verdict {
	start := time.Now()
	e.lim = limits{deadline: act.CPUDeadline}
	// A deadline passed before judging starts checks nothing in time.
	e.lim.incomplete = act.CPUDeadline < 0 || act.CPUDeadline > 0 && cpuTime() >= act.CPUDeadline
	v := Verdict{Profile: e.profile.Name}
	var hits []Hit
	if act.Event == PostToolUse {
		var out *text
		hits, out = e.matchOutput(act)
		v.Effects = outputEffects(act, out)
	} else {
		f := e.buildFacts(act)
		hits = e.matchFacts(f)
		v.Effects = f.effects
		v.Losses = f.losses()
	}
	for i := range hits {
		if hits[i].Decision > v.Decision {
			v.Decision = hits[i].Decision
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Decision != hits[j].Decision {
			return hits[i].Decision > hits[j].Decision
		}
		return hits[i].Severity > hits[j].Severity
	})
	v.Hits = hits
	v.Flag = act.Event == PostToolUse && v.Decision >= Ask
	v.Duration = time.Since(start)
	return v
}

// hitSet collects hits, one per guard (the first evidence wins).
type hitSet struct {
	e    *Engine
	seen map[*guard]bool
	hits []Hit
}

func (h *hitSet) add(g *guard, evidence string, via []string, capped bool, note string) {
	if h.seen[g] {
		return
	}
	if h.seen == nil {
		h.seen = map[*guard]bool{}
	}
	h.seen[g] = true
	sev := g.severity
	reason := g.spec.Reason
	if capped && sev > High {
		sev = High
	}
	if note != "" {
		reason = reason + " (Not certain: " + note + ".)"
	}
	h.hits = append(h.hits, Hit{
		GuardID: g.spec.ID, Title: g.spec.Title, Severity: sev,
		Decision: h.e.profile.Decide(g.spec.ID, sev),
		Evidence: evidenceText(evidence), Reason: reason, Instead: g.spec.Instead,
		Via: via,
	})
}

func (e *Engine) matchFacts(f *facts) []Hit {
	hs := &hitSet{e: e}
	for i := range f.commands {
		cf := &f.commands[i]
		for _, g := range e.commandCandidates(cf) {
			if ev, ok := g.matchCommand(f, cf); ok {
				hs.add(g, ev, cf.via, cf.capSeverity, cf.note)
				if g.family == credentialFamily && g.severity >= High && !cf.notRun {
					f.credentialRead(g.spec.ID, "")
				}
			}
		}
	}
	// Each target's guards are decoded only when the call has such a thing.
	for i := range f.files {
		f.files[i].lower = lowerASCIIFast(f.files[i].norm) // once, for every guard's literals
	}
	for _, g := range e.fileCandidates(f.files) {
		// A guard fires once; for the credential guards every file they
		// match is remembered for the session.
		cred, hit := g.family == credentialFamily && g.severity >= High && g.access != AccessWrite, false
		for i := range f.files {
			if ff := &f.files[i]; g.matchFile(ff) {
				if !hit {
					hs.add(g, ff.raw, ff.via, ff.capped, ff.note)
					hit = true
				}
				if !cred {
					break
				}
				if !ff.notRun && ff.access != AccessWrite {
					f.credentialRead(g.spec.ID, ff.norm)
				}
			}
		}
	}
	// Self-defence, by what the call does to the protected set (its
	// reasons name the file; content guards then add what the text does).
	e.matchProtected(f, hs)
	contents := make([]text, len(f.contents))
	for i, c := range f.contents {
		contents[i] = newText(c.text)
	}
	f.contentTexts = contents // the secrets found in them are remembered (collectEffects)
	for _, tc := range e.textCandidates(OnContent, lowers(contents)) {
		g := tc.g
		for i, c := range f.contents {
			if !tc.in[i] {
				continue
			}
			g.prepare()
			if g.paths != nil && !g.paths.match(c.path) || g.notPaths != nil && g.notPaths.excuses(c.path) {
				continue
			}
			if ev, ok := e.matchText(g, &contents[i]); ok {
				if c.hasBefore {
					before := newText(c.before)
					if _, was := e.matchText(g, &before); was {
						continue // already in the file: not this write's doing
					}
				}
				hs.add(g, c.path+": "+ev, nil, false, "")
				break
			}
		}
	}
	urls := make([]text, len(f.urls))
	for i, u := range f.urls {
		urls[i] = newText(u)
	}
	for _, tc := range e.textCandidates(OnURL, lowers(urls)) {
		for i := range urls {
			if !tc.in[i] {
				continue
			}
			if ev, ok := e.matchText(tc.g, &urls[i]); ok {
				hs.add(tc.g, ev, nil, false, "")
				break
			}
		}
	}
	if m := f.act.Memory; m != nil && !m.Empty() {
		for _, g := range e.list(OnSession) {
			if ev, ok := f.matchSession(g); ok {
				hs.add(g, ev, nil, false, "")
			}
		}
	}
	f.collectEffects(e, hs)
	if a := f.analysis; a != nil {
		for _, g := range e.list(OnAnalysis) {
			if ev, ok := matchAnalysis(g, f); ok {
				hs.add(g, ev, nil, false, "")
			}
		}
	}
	e.addIncomplete(hs)
	return hs.hits
}

// addIncomplete adds the guards that fire when the evaluation could not
// decide everything in time (condition incomplete): what was not checked
// counts against the call, whatever the visible part earned.
func (e *Engine) addIncomplete(hs *hitSet) {
	if !e.lim.incomplete {
		return
	}
	for _, g := range e.list(OnAnalysis) {
		if g.spec.Condition == CondIncomplete {
			hs.add(g, "a pattern timed out or the time budget ran out", nil, false, "")
		}
	}
}

func (e *Engine) matchOutput(act *Action) ([]Hit, *text) {
	hs := &hitSet{e: e}
	if act.Output == "" {
		return nil, nil
	}
	out := newText(act.Output)
	for _, tc := range e.textCandidates(OnOutput, []string{out.lower}) {
		if ev, ok := e.matchText(tc.g, &out); ok {
			hs.add(tc.g, ev, nil, false, "")
		}
	}
	e.addIncomplete(hs)
	return hs.hits, &out
}

// commandCandidates is the prefilter for on=command guards: only guards that
// name this command (or, for a dynamic name, that can judge its arguments).
func (e *Engine) commandCandidates(cf *cmdFact) []*guard {
	if e.noPrefilter {
		return e.list(OnCommand)
	}
	if cf.c.NameDynamic {
		return e.argList()
	}
	out := e.guardsNamed(cf.name)
	var extra []*guard
	for si := range e.sets {
		es := &e.sets[si]
		es.ps.globs(cf.name, func(gi int) {
			if g := e.guardAt(es, gi); g != nil && !containsGuard(out, g) && !containsGuard(extra, g) {
				extra = append(extra, g)
			}
		})
	}
	if extra != nil {
		out = append(append([]*guard{}, out...), extra...)
	}
	return out
}

func (g *guard) nameMatches(cf *cmdFact) bool {
	g.prepare()
	if cf.c.NameDynamic && !g.positiveArgs() {
		return false
	}
	// Command names are lower case with single spaces (ValidatePack): a
	// name, maybe a glob ("mkfs*"), then subcommand words, read in place.
	for _, c := range g.spec.Commands {
		name, sub, _ := strings.Cut(c, " ")
		prefix, glob := strings.CutSuffix(name, "*")
		if cf.c.NameDynamic {
			// Any name: judged by its arguments (positiveArgs holds).
		} else if glob && !strings.HasPrefix(cf.name, prefix) || !glob && cf.name != name {
			continue
		}
		if subWordsMatch(sub, cf.words) {
			return true
		}
	}
	return false
}

// subWordsMatch reports whether words starts with the space-separated words
// of sub.
func subWordsMatch(sub string, words []string) bool {
	for i := 0; sub != ""; i++ {
		var w string
		w, sub, _ = strings.Cut(sub, " ")
		if i >= len(words) || words[i] != w {
			return false
		}
	}
	return true
}

// positiveArgs reports whether the guard has an argument condition that a
// command must positively show (a flag, a path, a feeder, or a pattern that
// does not match empty arguments). Only such guards judge a command whose
// name is unknown: a guard made of exclusions alone would fire on every
// `$CMD ...`. Computed on first need, so patterns still compile lazily.
func (g *guard) positiveArgs() bool {
	g.prepare()
	g.positiveOnce.Do(func() {
		s := g.spec
		g.positive = len(s.Flags) > 0 || g.paths != nil || len(s.FedBy) > 0 || len(s.Assigns) > 0 && !g.assigns.match("") ||
			g.args != nil && !g.args.match("") || g.input != nil && !g.input.match("") || g.stdin != nil && !g.stdin.match("")
	})
	return g.positive
}

// feedsInto reports whether one of the commands reading cf's output is named
// in names (with subcommand words: "docker login").
func feedsInto(f *facts, cf *cmdFact, names []string) bool {
	for _, j := range cf.feeds {
		d := &f.commands[j]
		for _, n := range names {
			first, rest, _ := strings.Cut(n, " ")
			if d.name != first {
				continue
			}
			subs := strings.Fields(rest)
			if len(subs) <= len(d.words) && slices.Equal(d.words[:len(subs)], subs) {
				return true
			}
		}
	}
	return false
}

// matchCommand checks every condition of an on=command guard.
func (g *guard) matchCommand(f *facts, cf *cmdFact) (string, bool) {
	s := g.spec
	if !g.nameMatches(cf) {
		return "", false
	}
	if len(s.Flags) > 0 && !hasAnyFlag(cf.c.Args, s.Flags) {
		return "", false
	}
	if len(s.NotFlags) > 0 && hasAnyFlag(cf.c.Args, s.NotFlags) {
		return "", false
	}
	if g.args != nil && !g.args.match(cf.joined) {
		return "", false
	}
	if g.notArgs != nil && g.notArgs.excuses(cf.joined) {
		return "", false
	}
	if g.stdin != nil && !(cf.c.StdinKnown && g.stdin.match(cf.c.Stdin)) {
		return "", false
	}
	if g.input != nil && !g.input.match(cf.joined) && !(cf.c.StdinKnown && g.input.match(cf.c.Stdin)) {
		return "", false
	}
	feeder := ""
	if len(s.FedBy) > 0 {
		if feeder = fedBy(cf, s.FedBy); feeder == "" {
			return "", false
		}
	}
	if s.Dynamic && !hasDynamicOperand(cf) {
		return "", false
	}
	if g.assigns != nil && !anyAssign(cf, g.assigns) {
		return "", false
	}
	if len(s.NotFeeds) > 0 && feedsInto(f, cf, s.NotFeeds) {
		return "", false
	}
	if g.paths != nil {
		found := false
		for _, o := range cf.operands {
			if g.paths.match(o.norm) && (g.notPaths == nil || !g.notPaths.excuses(o.norm)) {
				found = true
				break
			}
		}
		if !found {
			return "", false
		}
	}
	if feeder != "" {
		return feeder + " output into " + renderCommand(cf), true
	}
	return renderCommand(cf), true
}

// fedBy returns the first of names that feeds the command, or "".
func fedBy(cf *cmdFact, names []string) string {
	for _, f := range cf.c.FedBy {
		if contains(names, strings.ToLower(f)) {
			return f
		}
	}
	return ""
}

// anyAssign reports whether one of the command's NAME=value prefixes (and
// env's) matches, tested as "NAME=value".
func anyAssign(cf *cmdFact, re *lazyRegex) bool {
	for k, v := range cf.c.Assigns {
		if re.match(k + "=" + v) {
			return true
		}
	}
	return false
}

func hasDynamicOperand(cf *cmdFact) bool {
	for _, w := range cf.c.Args {
		if w.Dynamic && !strings.HasPrefix(w.Value, "-") {
			return true
		}
	}
	return false
}

func (g *guard) matchFile(f *fileFact) bool {
	g.prepare()
	switch g.access {
	case AccessRead:
		if f.access == AccessWrite {
			return false
		}
	case AccessWrite:
		if f.access == AccessRead {
			return false
		}
	}
	if f.cmd != "" && !f.redirect && contains(g.spec.ExceptCommands, f.cmd) {
		return false
	}
	return g.paths.matchLower(f.norm, f.lower) && (g.notPaths == nil || !g.notPaths.excusesLower(f.norm, f.lower))
}

// text is one text that text guards look at, with what they share: its
// lower-cased form and, found on first need, the secrets in it.
type text struct {
	s, lower string
	secrets  []redact.Finding
	scanned  bool
}

func newText(s string) text { return text{s: s, lower: strings.ToLower(s)} }

// findSecrets returns the secrets of redact's list in the text (one scan,
// shared by every secret guard).
func (t *text) findSecrets() []redact.Finding {
	if !t.scanned {
		t.secrets, t.scanned = redact.Secrets(t.s), true
	}
	return t.secrets
}

// lowers are the texts' lower-cased forms.
func lowers(ts []text) []string {
	out := make([]string, len(ts))
	for i := range ts {
		out[i] = ts[i].lower
	}
	return out
}

// matchText runs a text guard's pattern, or for a guard made of secret
// formats, finds the live secrets of those formats; the caller has run its
// keyword prefilter (textCandidates).
func (e *Engine) matchText(g *guard, t *text) (string, bool) {
	if len(g.spec.Secrets) > 0 {
		for _, f := range t.findSecrets() {
			if f.Live && contains(g.spec.Secrets, f.Kind) {
				return snippet(t.s, f.Start, f.End, true), true
			}
		}
		return "", false
	}
	text, lower := t.s, t.lower
	g.prepare()
	// A match that not_pattern excuses (a placeholder, a documented example
	// key) does not count; a later match in the same text still may. The
	// search is bounded so a text full of placeholders stays cheap.
	off := 0
	for tries := 0; tries < 64 && off <= len(text); tries++ {
		var start, end int
		var ok bool
		if off == 0 {
			start, end, ok = g.pattern.findLower(text, lower)
		} else {
			// Lower-casing may change byte lengths, so lower[off:] need not
			// be the same region: filter on the region itself.
			start, end, ok = g.pattern.find(text[off:])
		}
		if !ok {
			return "", false
		}
		start, end = off+start, off+end
		if g.notPattern == nil || !g.notPattern.excuses(text[start:end]) {
			return snippet(text, start, end, g.spec.Secret), true
		}
		off = max(end, start+1)
	}
	return "", false
}

func matchAnalysis(g *guard, f *facts) (string, bool) {
	a := f.analysis
	switch g.spec.Condition {
	case CondUnparsed:
		if a.ParseError != nil {
			return a.ParseError.Error(), true
		}
		if len(a.Problems) > 0 {
			return a.Problems[0], true
		}
	case CondDepth:
		if a.DepthExceeded {
			return "nesting deeper than the analysis follows", true
		}
	case CondLimit:
		if len(a.Limits) > 0 {
			return a.Limits[0], true
		}
	case CondDynamicName:
		for i := range f.commands {
			if f.commands[i].c.NameDynamic {
				return renderCommand(&f.commands[i]), true
			}
		}
	}
	return "", false
}

// renderCommand is the evidence for a command: its name and arguments,
// quoted where needed.
func renderCommand(cf *cmdFact) string {
	var b strings.Builder
	b.WriteString(cf.c.Name)
	for _, a := range cf.c.Args {
		b.WriteByte(' ')
		if a.Value == "" || strings.ContainsAny(a.Value, " \t\n'\"") && !a.Dynamic {
			b.WriteString("'" + strings.ReplaceAll(a.Value, "'", `'\''`) + "'")
		} else {
			b.WriteString(a.Value)
		}
		if b.Len() > 240 {
			break
		}
	}
	return b.String()
}

// snippet shows a match with a little context. Secrets anywhere in it are
// masked before it is cut, so that a secret cut in half at the edge of the
// context does not show in part; a secret match shows only its first four
// characters. A long match shows its start.
func snippet(text string, start, end int, secret bool) string {
	shown := min(end, start+maxEvidence*utf8.UTFMax)
	for shown > start && shown < len(text) && !utf8.RuneStart(text[shown]) {
		shown--
	}
	lo, hi := max(0, start-24), min(len(text), shown+24)
	for lo > 0 && !utf8.RuneStart(text[lo]) {
		lo--
	}
	for hi < len(text) && !utf8.RuneStart(text[hi]) {
		hi++
	}
	masked := redact.MaskRegion(text, lo, hi) // text[lo:hi], masked
	m := masked[start-lo : shown-lo]
	if secret {
		m = maskValue(text[start:end])
	}
	s := masked[:start-lo] + m + masked[shown-lo:]
	s = strings.Join(strings.Fields(s), " ")
	if lo > 0 {
		s = "…" + s
	}
	if hi < len(text) {
		s += "…"
	}
	return s
}

// maxEvidence bounds Hit.Evidence, in runes.
const maxEvidence = 200

// evidenceText is what a hit shows of its evidence: masked, then cut to
// maxEvidence runes (masking first, so a secret that straddles the cut is
// not half shown).
func evidenceText(s string) string {
	if len(s) > maxEvidence*utf8.UTFMax {
		s = redact.MaskRegion(s, 0, maxEvidence*utf8.UTFMax+1)
	} else {
		s = maskSecrets(s)
	}
	return clip(s, maxEvidence)
}

// maskValue keeps a secret's first four characters, enough to recognise its
// kind (AKIA, ghp_, sk-a), and hides the rest.
func maskValue(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:4]) + strings.Repeat("*", min(len(r)-4, 16))
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
