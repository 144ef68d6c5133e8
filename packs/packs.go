// Package packs holds bulwark's built-in guard packs: one TOML file per attack
// family, compiled by `make generate` into builtin_gen.go as one string
// constant in the encoding of guards.CompilePacks (the prefilter index
// included), so the hook neither decodes TOML nor builds Go values for them:
// it reads the few guards a call concerns straight from read-only data. A
// test checks that the generated form is what the TOML says now.
package packs

//go:generate go run ../internal/specgen/gen

import (
	"sync"

	"github.com/bulwark-guard/bulwark/guards"
)

var set = sync.OnceValue(func() *guards.PackSet {
	ps, err := guards.LoadPackSet(builtinSet)
	if err != nil {
		panic("packs: builtin_gen.go is not a compiled pack set: run `make generate`")
	}
	return ps
})

var decoded = sync.OnceValue(func() []guards.PackSpec { return set().Packs() })

// Set returns the built-in packs in compiled form (what the hook uses).
func Set() *guards.PackSet { return set() }

// Builtin returns the built-in packs, validated, in file-name order, decoded
// in full on the first call. Callers must not modify them.
func Builtin() []guards.PackSpec { return decoded() }

// Fingerprint identifies this version of the built-in packs (any change to
// them changes it).
func Fingerprint() string { return builtinFingerprint }
