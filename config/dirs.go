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

func home() string {
	h := os.Getenv("HOME")
	if !filepath.IsAbs(h) {
		return ""
	}
	return h
}
