package policy

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/protect"
)

// Protected is the protected set of this runtime: where this bulwark runs
// and keeps its files, as in force for this process, and every client's
// settings, hooks and plugins. Building it costs nothing; what it needs to
// learn (the program's resolved path) is learnt on its first question.
func (r *Runtime) Protected() *protect.Set {
	if r.protected == nil {
		r.protected = protect.New(r.protectEnv())
	}
	return r.protected
}

func (r *Runtime) protectEnv() protect.Env {
	o := r.opts
	home := o.Home
	if home == "" {
		home = config.Home()
	}
	cfgDir, stDir := o.Dir, o.StateDir
	if cfgDir == "" {
		cfgDir = config.Dir()
	}
	if stDir == "" {
		stDir = config.StateDir()
	}
	vars := map[string]string{}
	for _, k := range append(append([]string{"BULWARK_PROFILE"}, config.LocateVars...), protect.SwitchVarNames()...) {
		if v, ok := os.LookupEnv(k); ok {
			vars[k] = v
		}
	}
	env := protect.Env{
		Home:      home,
		ConfigDir: cfgDir,
		StateDir:  stDir,
		PackDirs:  r.Config.PackDirs,
		Vars:      vars,
		Locate:    config.Locate,
		Profile:   r.Profile,
		FS:        protect.OS,
		LookPath:  exec.LookPath,
	}
	if home != "" {
		d1, d2 := config.Locate(func(k string) string {
			if k == "HOME" {
				return home
			}
			return ""
		})
		env.Defaults = []string{d1, d2}
	}
	env.Program = programPaths()
	if runtime.GOOS != "linux" {
		// The resolved program (a symlink in a bin directory; on Linux
		// os.Executable is resolved already): learnt when the set is first
		// asked.
		env.Complete = func(e *protect.Env) {
			for _, p := range e.Program {
				if real, err := filepath.EvalSymlinks(p); err == nil && real != p && !slices.Contains(e.Program, real) {
					e.Program = append(e.Program, real)
				}
			}
		}
	}
	env.LoadClients = func(*protect.Env) []protect.Member {
		// The clients' locations: learnt when a question needs them.
		cwd, _ := os.Getwd()
		return clients.Members(clients.Locations(clients.EnvFrom(home, cwd, os.Getenv)))
	}
	env.ClientVars = map[string]string{}
	for _, k := range clients.VarNames {
		env.ClientVars[k] = "moves a coding client's settings (and its hooks)"
		if v, ok := os.LookupEnv(k); ok {
			env.Vars[k] = v
		}
	}
	return env
}

// programPaths are the paths of the running bulwark, cheaply: as the client
// ran it (argv[0], when it names a path) and as the kernel knows it
// (os.Executable: one readlink on Linux).
func programPaths() []string {
	var out []string
	if a := os.Args[0]; filepath.Base(a) != a {
		if abs, err := filepath.Abs(a); err == nil {
			out = append(out, abs)
		}
	}
	if exe, err := os.Executable(); err == nil && !slices.Contains(out, exe) {
		out = append(out, exe)
	}
	// bulwark-mcp, beside it, is bulwark's MCP side (the proxy stands
	// between the client and its servers): the same program.
	for _, p := range out[:len(out):len(out)] {
		out = append(out, filepath.Join(filepath.Dir(p), "bulwark-mcp"))
	}
	return out
}
