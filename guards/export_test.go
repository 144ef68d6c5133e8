package guards

import "time"

// SetNoPrefilter switches the engine to its reference mode, in which every
// guard's full conditions are evaluated with no command-name, keyword or
// required-literal prefilter. Tests compare it with the fast path.
func (e *Engine) SetNoPrefilter(on bool) {
	e.noPrefilter = on
	if !on {
		return
	}
	for si := range e.sets {
		es := &e.sets[si]
		for gi := 0; gi < es.ps.NumGuards(); gi++ {
			if g := e.guardAt(es, gi); g != nil {
				g.prepare()
			}
		}
	}
	for _, g := range e.guards {
		if g == nil {
			continue
		}
		for _, l := range []*lazyRegex{g.args, g.notArgs, g.stdin, g.input, g.paths, g.notPaths, g.pattern, g.notPattern, g.assigns} {
			if l != nil {
				l.lits = ""
			}
		}
	}
}

// Accel is a pattern's anchored search, for tests (nil Prefixes: none).
type Accel struct{ a *accel }

func NewAccel(expr string) Accel { return Accel{newAccel(expr)} }

func (a Accel) Prefixes() []string {
	var out []string
	for _, p := range a.a.prefixes {
		out = append(out, p.s)
	}
	return out
}

func (a Accel) Usable(s string) bool { return a.a.usable(s) }

func (a Accel) Find(s string) (start, end int, found bool) {
	start, end, found, _ = a.a.find(s, lowerASCII(s), func() bool { return false })
	return start, end, found
}

// RegexFields lists a guard's regex fields' expressions.
func RegexFields(g *GuardSpec) []string {
	var out []string
	for _, f := range g.regexFields() {
		if f.expr != "" {
			out = append(out, f.expr)
		}
	}
	return out
}

// NewAccel2 is NewAccel for a regexp2 pattern.
func NewAccel2(expr string) Accel { return Accel{newAccel2(expr)} }

// Find2 is Find for a regexp2 pattern (timedOut: an attempt timed out).
func (a Accel) Find2(s string) (start, end int, found, timedOut bool) {
	return a.a.find2(s, lowerASCII(s), []rune(s), time.Minute, func() bool { return false })
}
