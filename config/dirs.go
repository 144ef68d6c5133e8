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
	if d := os.Getenv(EnvHome); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "bulwark")
	}
	if h := home(); h != "" {
		return filepath.Join(h, ".config", "bulwark")
	}
	return ""
}

// StateDir returns where bulwark keeps state (the audit log): $BULWARK_HOME,
// else $XDG_STATE_HOME/bulwark, else ~/.local/state/bulwark; "" when there is
// no usable HOME.
func StateDir() string {
	if d := os.Getenv(EnvHome); d != "" {
		return d
	}
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "bulwark")
	}
	if h := home(); h != "" {
		return filepath.Join(h, ".local", "state", "bulwark")
	}
	return ""
}

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
