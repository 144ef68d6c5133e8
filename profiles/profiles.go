// Package profiles holds the built-in profiles (minimal, balanced, strict):
// which packs are on and what each severity does. Like the packs they are
// TOML compiled into Go code at build time.
package profiles

//go:generate go run ../internal/specgen/gen

import (
	"fmt"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
)

// Default is the profile used when none is chosen.
const Default = "balanced"

// Names lists the built-in profile names.
func Names() []string {
	names := make([]string, len(builtin))
	for i, p := range builtin {
		names[i] = p.Name
	}
	return names
}

// Spec returns a built-in profile's spec by name.
func Spec(name string) (guards.ProfileSpec, error) {
	for _, p := range builtin {
		if p.Name == name {
			return p, nil
		}
	}
	return guards.ProfileSpec{}, fmt.Errorf("unknown profile %q (want %s)", name, strings.Join(Names(), ", "))
}

// Get returns a built-in profile, ready for an Engine.
func Get(name string) (*guards.Profile, error) {
	s, err := Spec(name)
	if err != nil {
		return nil, err
	}
	return guards.NewProfile(s)
}
