package guards

// SetNoPrefilter switches the engine to its reference mode, in which every
// guard's full conditions are evaluated with no command-name or keyword
// prefilter. Tests compare it with the fast path.
func (e *Engine) SetNoPrefilter(on bool) { e.noPrefilter = on }
