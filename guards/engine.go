package guards

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Engine evaluates Actions against a set of packs under one profile.
// Building an Engine only indexes the guards by cheap keys (command names,
// target); a guard is prepared (names split, regexes wrapped) the first time
// its prefilter selects it, and its patterns compile on first use, so a hook
// process pays for the few guards a call can concern, not for every guard.
type Engine struct {
	profile *Profile
	guards  []guard // every guard of the packs that are on, in pack order
	// Prefilter indexes.
	byName      map[string][]*guard // on=command, by command name: filled on first lookup of each name
	globNames   []*guard            // on=command with a "name*" glob
	argGuards   []*guard            // on=command guards with argument conditions (for dynamic command names)
	byOn        map[string][]*guard // every other target
	allCommand  []*guard            // every on=command guard (reference mode)
	noPrefilter bool                // reference mode for tests: evaluate every guard's full conditions
}

type nameSpec struct {
	name string
	glob bool // name ends in * (mkfs*)
	sub  []string
}

// guard is a GuardSpec prepared for matching.
type guard struct {
	spec     *GuardSpec
	family   string
	severity Severity
	hasArgs  bool // some argument-level condition, so a dynamic name can be judged
	access   Access

	once                                                  sync.Once // prepare
	names                                                 []nameSpec
	args, notArgs, stdin, input, paths, notPaths, pattern *lazyRegex
	assigns, notPattern                                   *lazyRegex
	positiveOnce                                          sync.Once
	positive                                              bool
}

// NewEngine indexes packs for a profile. Packs the profile turns off are
// left out. Profile overrides must name guards that exist.
func NewEngine(packs []PackSpec, profile *Profile) (*Engine, error) {
	n := 0
	for pi := range packs {
		if profile.PackOn(packs[pi].Family) {
			n += len(packs[pi].Guards)
		}
	}
	e := &Engine{profile: profile, guards: make([]guard, 0, n), byName: map[string][]*guard{}, byOn: map[string][]*guard{}}
	for pi := range packs {
		p := &packs[pi]
		if !profile.PackOn(p.Family) {
			continue
		}
		for gi := range p.Guards {
			s := &p.Guards[gi]
			sev, err := ParseSeverity(s.Severity)
			if err != nil {
				return nil, fmt.Errorf("pack %s: guard %s: %w", p.Source, s.ID, err)
			}
			e.guards = append(e.guards, guard{spec: s, family: p.Family, severity: sev, access: Access(s.Access),
				hasArgs: len(s.Flags) > 0 || s.Args != "" || s.Input != "" || s.Stdin != "" || s.Paths != "" || len(s.FedBy) > 0 || s.Assigns != ""})
			e.add(&e.guards[len(e.guards)-1])
		}
	}
	if ov := profile.Overrides(); len(ov) > 0 {
		known := map[string]bool{}
		for pi := range packs {
			for gi := range packs[pi].Guards {
				known[packs[pi].Guards[gi].ID] = true
			}
		}
		var errs []error
		for _, id := range ov {
			if !known[id] {
				errs = append(errs, fmt.Errorf("profile %s overrides unknown guard %q", profile.Name, id))
			}
		}
		if len(errs) > 0 {
			return e, errors.Join(errs...)
		}
	}
	return e, nil
}

// prepare splits the guard's command names and wraps its patterns; it runs
// once, when a prefilter first selects the guard.
func (g *guard) prepare() {
	g.once.Do(func() {
		s := g.spec
		for _, c := range s.Commands {
			f := strings.Fields(c)
			ns := nameSpec{name: f[0], sub: f[1:]}
			if strings.HasSuffix(ns.name, "*") {
				ns.glob, ns.name = true, strings.TrimSuffix(ns.name, "*")
			}
			g.names = append(g.names, ns)
		}
		l := &s.Literals
		g.args, g.notArgs = newLazy(s.Args, s.Engine, l.Args), newLazy(s.NotArgs, s.Engine, l.NotArgs)
		g.stdin, g.input = newLazy(s.Stdin, s.Engine, l.Stdin), newLazy(s.Input, s.Engine, l.Input)
		g.paths, g.notPaths = newLazy(s.Paths, s.Engine, l.Paths), newLazy(s.NotPaths, s.Engine, l.NotPaths)
		g.pattern, g.notPattern = newLazy(s.Pattern, s.Engine, l.Pattern), newLazy(s.NotPattern, s.Engine, l.NotPattern)
		g.assigns = newLazy(s.Assigns, s.Engine, l.Assigns)
	})
}

// add indexes a guard by its target. Command guards are found by name on
// demand (guardsNamed): a call runs a handful of distinct commands, so
// indexing every name of every guard up front would cost each hook process
// more than it saves.
func (e *Engine) add(g *guard) {
	if g.spec.On != OnCommand {
		e.byOn[g.spec.On] = append(e.byOn[g.spec.On], g)
		return
	}
	e.allCommand = append(e.allCommand, g)
	for _, c := range g.spec.Commands {
		if name, _, _ := strings.Cut(c, " "); strings.HasSuffix(name, "*") {
			e.globNames = append(e.globNames, g)
			break
		}
	}
	if g.hasArgs {
		e.argGuards = append(e.argGuards, g)
	}
}

// guardsNamed returns the command guards one of whose names (first word)
// is name, finding them on the first lookup (no allocation to compare:
// substrings of the specs).
func (e *Engine) guardsNamed(name string) []*guard {
	if list, ok := e.byName[name]; ok {
		return list
	}
	var list []*guard
	for _, g := range e.allCommand {
		for _, c := range g.spec.Commands {
			if first, _, _ := strings.Cut(c, " "); first == name {
				list = append(list, g)
				break
			}
		}
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
	v := Verdict{Profile: e.profile.Name}
	var hits []Hit
	if act.Event == PostToolUse {
		hits = e.matchOutput(act)
	} else {
		f := e.buildFacts(act)
		hits = e.matchFacts(f)
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
		Evidence: maskSecrets(clip(evidence, 200)), Reason: reason, Instead: g.spec.Instead,
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
			}
		}
	}
	for _, g := range e.byOn[OnFile] {
		for i := range f.files {
			if ff := &f.files[i]; g.matchFile(ff) {
				hs.add(g, ff.raw, ff.via, ff.capped, ff.note)
				break
			}
		}
	}
	contentLower := make([]string, len(f.contents))
	for i, c := range f.contents {
		contentLower[i] = strings.ToLower(c.text)
	}
	for _, g := range e.byOn[OnContent] {
		for i, c := range f.contents {
			g.prepare()
			if g.paths != nil && !g.paths.match(c.path) || g.notPaths != nil && g.notPaths.match(c.path) {
				continue
			}
			if ev, ok := e.matchText(g, c.text, contentLower[i]); ok {
				hs.add(g, c.path+": "+ev, nil, false, "")
				break
			}
		}
	}
	for _, g := range e.byOn[OnURL] {
		for _, u := range f.urls {
			if ev, ok := e.matchText(g, u, strings.ToLower(u)); ok {
				hs.add(g, ev, nil, false, "")
				break
			}
		}
	}
	if a := f.analysis; a != nil {
		for _, g := range e.byOn[OnAnalysis] {
			if ev, ok := matchAnalysis(g, f); ok {
				hs.add(g, ev, nil, false, "")
			}
		}
	}
	return hs.hits
}

func (e *Engine) matchOutput(act *Action) []Hit {
	hs := &hitSet{e: e}
	if act.Output == "" {
		return nil
	}
	lower := strings.ToLower(act.Output)
	for _, g := range e.byOn[OnOutput] {
		if ev, ok := e.matchText(g, act.Output, lower); ok {
			hs.add(g, ev, nil, false, "")
		}
	}
	return hs.hits
}

// commandCandidates is the prefilter for on=command guards: only guards that
// name this command (or, for a dynamic name, that can judge its arguments).
func (e *Engine) commandCandidates(cf *cmdFact) []*guard {
	if e.noPrefilter {
		return e.allCommand
	}
	if cf.c.NameDynamic {
		return e.argGuards
	}
	out := e.guardsNamed(cf.name)
	if len(e.globNames) > 0 {
		var extra []*guard
		for _, g := range e.globNames {
			g.prepare()
			for _, n := range g.names {
				if n.glob && strings.HasPrefix(cf.name, n.name) && !containsGuard(out, g) && !containsGuard(extra, g) {
					extra = append(extra, g)
				}
			}
		}
		if extra != nil {
			out = append(append([]*guard{}, out...), extra...)
		}
	}
	return out
}

func (g *guard) nameMatches(cf *cmdFact) bool {
	g.prepare()
	if cf.c.NameDynamic && !g.positiveArgs() {
		return false
	}
	for _, n := range g.names {
		if cf.c.NameDynamic {
			// Any name: judged by its arguments (positiveArgs holds).
		} else if n.glob && !strings.HasPrefix(cf.name, n.name) || !n.glob && cf.name != n.name {
			continue
		}
		if len(n.sub) > len(cf.words) {
			continue
		}
		ok := true
		for i, s := range n.sub {
			if cf.words[i] != s {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
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
			if len(subs) <= len(d.words) && slicesEqual(d.words[:len(subs)], subs) {
				return true
			}
		}
	}
	return false
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
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
	if g.notArgs != nil && g.notArgs.match(cf.joined) {
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
			if g.paths.match(o.norm) && (g.notPaths == nil || !g.notPaths.match(o.norm)) {
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
	return g.paths.match(f.norm) && (g.notPaths == nil || !g.notPaths.match(f.norm))
}

// matchText runs a text guard: keyword prefilter, then the pattern.
// lower is strings.ToLower(text), computed once per text by the caller.
func (e *Engine) matchText(g *guard, text, lower string) (string, bool) {
	if !e.noPrefilter && !hasKeywordLower(lower, g.spec.Keywords) {
		return "", false
	}
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
		if g.notPattern == nil || !g.notPattern.match(text[start:end]) {
			return snippet(text, start, end, g.spec.Secret), true
		}
		off = max(end, start+1)
	}
	return "", false
}

func hasKeywordLower(lower string, keywords []string) bool {
	for _, k := range keywords {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return false
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

// snippet shows a match with a little context; a secret match is masked.
func snippet(text string, start, end int, secret bool) string {
	m := text[start:end]
	if secret {
		m = maskValue(m)
	}
	lo, hi := max(0, start-24), min(len(text), end+24)
	for lo > 0 && !utf8.RuneStart(text[lo]) {
		lo--
	}
	for hi < len(text) && !utf8.RuneStart(text[hi]) {
		hi++
	}
	s := text[lo:start] + m + text[end:hi]
	s = strings.Join(strings.Fields(s), " ")
	if lo > 0 {
		s = "…" + s
	}
	if hi < len(text) {
		s += "…"
	}
	return s
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
