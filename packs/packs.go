// Package packs holds bulwark's built-in guard packs: one TOML file per attack
// family, compiled into builtin_gen.go at build time (`make generate`) so the
// hook never decodes TOML for them. A test checks that the generated form is
// what the TOML says now.
package packs

//go:generate go run ../internal/specgen/gen

import "github.com/bulwark-guard/bulwark/guards"

// Builtin returns the built-in packs, validated, in file-name order.
// Callers must not modify them.
func Builtin() []guards.PackSpec { return builtin }
