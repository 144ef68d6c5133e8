// Command gen regenerates packs/builtin_gen.go and profiles/builtin_gen.go
// from the TOML beside them. Run it with `make generate` (go generate).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bulwark-guard/bulwark/internal/specgen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// run works from the packs or profiles directory (go generate's working
// directory) or from the repository root.
func run() error {
	root := "."
	if _, err := os.Stat("go.mod"); err != nil {
		root = ".."
	}
	packs, err := specgen.LoadPacks(filepath.Join(root, "packs"))
	if err != nil {
		return err
	}
	src, err := specgen.RenderPacks(packs)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "packs", "builtin_gen.go"), src, 0o644); err != nil {
		return err
	}
	profiles, err := specgen.LoadProfiles(filepath.Join(root, "profiles"))
	if err != nil {
		return err
	}
	src, err = specgen.Render("profiles", "builtin", profiles)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, "profiles", "builtin_gen.go"), src, 0o644)
}
