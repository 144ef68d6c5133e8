package guards

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
