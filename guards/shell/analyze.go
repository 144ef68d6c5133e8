package shell

// Analyze parses src as bash and returns the simple commands that would run.
// It never panics on any input and is bounded in time by the size of src and
// MaxDepth.
func Analyze(src string, env Env) *Analysis {
	panic("TODO: implemented in the shell analysis work")
}
