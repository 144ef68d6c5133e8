package main

import (
	"fmt"
	"os"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/packs"
	"github.com/bulwark-guard/bulwark/profiles"
)

// loadEngine builds the engine for a profile name ("" = the default).
func loadEngine(profile string) (*guards.Engine, string, error) {
	if profile == "" {
		profile = defaultProfile()
	}
	p, err := profiles.Get(profile)
	if err != nil {
		return nil, profile, err
	}
	e, err := guards.NewEngine(packs.Builtin(), p)
	if err != nil {
		return nil, profile, fmt.Errorf("build engine: %w", err)
	}
	return e, profile, nil
}

// defaultProfile is $BULWARK_PROFILE, else the built-in default.
func defaultProfile() string {
	if p := os.Getenv("BULWARK_PROFILE"); p != "" {
		return p
	}
	return profiles.Default
}
