package main

import (
	"io"

	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/policy"
)

// runtimeOptions are the policy options every subcommand judges with: the
// default locations, this binary's version, and the program's one clock.
func runtimeOptions(stderr io.Writer) policy.Options {
	return policy.Options{Config: config.Options{Version: Version()}, Stderr: stderr, Now: clock}
}

// loadRuntime builds the runtime for a profile ("" = $BULWARK_PROFILE, else
// config.toml's, else the built-in default); see policy.Load.
func loadRuntime(profile string, stderr io.Writer) (*policy.Runtime, error) {
	return policy.Load(profile, runtimeOptions(stderr))
}

// checkConfig reports on the configuration as a call in cwd sees it.
func checkConfig(profile, cwd string) (*policy.Report, error) {
	return policy.Check(profile, cwd, runtimeOptions(nil))
}
