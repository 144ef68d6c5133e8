// Package config locates bulwark's configuration and state and reads the
// user's config.toml and user packs.
package config

import (
	"os"
	"path/filepath"
)

// EnvHome, when set, holds all of bulwark's config and state.
const EnvHome = "BULWARK_HOME"

// Dir returns bulwark's configuration directory: $BULWARK_HOME, else
// $XDG_CONFIG_HOME/bulwark, else ~/.config/bulwark. With no usable HOME it
// returns "" and callers run on the embedded defaults.
func Dir() string {
	d, _ := Locate(getenvHome)
	return d
}

// StateDir returns where bulwark keeps state (the audit log): $BULWARK_HOME,
// else $XDG_STATE_HOME/bulwark, else ~/.local/state/bulwark; "" when there is
// no usable HOME.
func StateDir() string {
	_, d := Locate(getenvHome)
	return d
}

// LocateVars are the variables Locate reads.
var LocateVars = []string{EnvHome, "XDG_CONFIG_HOME", "XDG_STATE_HOME", "HOME"}

// Locate is where the configuration and state directories are for an
// environment (Dir and StateDir for the process's own). getenv("HOME")
// must return a usable home or "". The protected set asks it what a
// changed variable would move.
func Locate(getenv func(string) string) (configDir, stateDir string) {
	if d := getenv(EnvHome); d != "" {
		return d, d
	}
	h, hKnown := "", false
	home := func() string { // looked up only when needed: it costs a stat
		if !hKnown {
			h, hKnown = getenv("HOME"), true
		}
		return h
	}
	if d := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		configDir = filepath.Join(d, "bulwark")
	} else if h := home(); h != "" {
		configDir = filepath.Join(h, ".config", "bulwark")
	}
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		stateDir = filepath.Join(d, "bulwark")
	} else if h := home(); h != "" {
		stateDir = filepath.Join(h, ".local", "state", "bulwark")
	}
	return configDir, stateDir
}

// getenvHome is os.Getenv with HOME only when it is usable.
func getenvHome(k string) string {
	if k == "HOME" {
		return home()
	}
	return os.Getenv(k)
}

// Home is $HOME when it is an existing directory, else "".
func Home() string { return home() }

// home is $HOME when it is an existing directory. A HOME that does not exist
// is treated as none: bulwark must not create a home directory just to keep
// its state there (the hook then runs on the defaults and says it could not
// log).
func home() string {
	h := os.Getenv("HOME")
	if !filepath.IsAbs(h) {
		return ""
	}
	if fi, err := os.Stat(h); err != nil || !fi.IsDir() {
		return ""
	}
	return h
}

// File names inside the configuration directory.
const (
	ConfigFileName  = "config.toml"
	PacksDirName    = "packs.d"
	ProjectFileName = ".bulwark.toml"
)

// ConfigFile is the user's config.toml ("" with no config directory).
func ConfigFile() string { return join(Dir(), ConfigFileName) }

func join(dir, name string) string {
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, name)
}
