package guards

// SetNoPrefilter switches the engine to its reference mode, in which every
// guard's full conditions are evaluated with no command-name, keyword or
// required-literal prefilter. Tests compare it with the fast path.
func (e *Engine) SetNoPrefilter(on bool) {
	e.noPrefilter = on
	if !on {
		return
	}
	for i := range e.guards {
		g := &e.guards[i]
		g.prepare()
		for _, l := range []*lazyRegex{g.args, g.notArgs, g.stdin, g.input, g.paths, g.notPaths, g.pattern, g.notPattern, g.assigns} {
			if l != nil {
				l.lits = nil
			}
		}
	}
}
