package main

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/installer"
	"github.com/bulwark-guard/bulwark/policy"
)

// Profile resolution. The hook takes --profile from its command line (the
// installer always writes one), else $BULWARK_PROFILE, else config.toml's
// profile, else the built-in default. The commands that judge on the user's
// behalf (check, list, explain) resolve it the same way, with the installed
// hook's --profile standing in for the hook's command line, so that they
// say what the hook would do, and they say where the profile came from.

// profileRank orders profiles from least to most strict.
var profileRank = map[string]int{"minimal": 0, "balanced": 1, "strict": 2}

// resolveProfile picks the profile as the installed hook would: the flag,
// else the installed hooks' --profile (the strictest, if they differ), else
// $BULWARK_PROFILE. "" means config.toml's or the default (see
// profileSource once the runtime is loaded).
func resolveProfile(flagVal string) (name, from string) {
	if flagVal != "" {
		return flagVal, "--profile"
	}
	if p, from := installedProfile(); p != "" {
		return p, from
	}
	if p := os.Getenv("BULWARK_PROFILE"); p != "" {
		return p, "$BULWARK_PROFILE"
	}
	return "", ""
}

// profileSource completes resolveProfile's answer once the runtime is
// loaded: config.toml's profile or the built-in default.
func profileSource(from string, rt *policy.Runtime) string {
	switch {
	case from != "":
		return from
	case rt.Config.Profile != "" && rt.ConfigFile != "":
		return rt.ConfigFile
	default:
		return "the built-in default"
	}
}

// installedProfile is the --profile of the installed hooks, from the
// install manifest: "" when bulwark is not installed. Where hooks with
// different profiles are installed (user and project, or two clients), all
// of them run and the strictest answer wins, so the strictest is used.
func installedProfile() (name, from string) {
	p, err := manifestPath()
	if err != nil {
		return "", ""
	}
	m, err := installer.LoadManifest(p)
	if err != nil || len(m.Files) == 0 {
		return "", ""
	}
	seen := map[string][]string{}
	for _, r := range m.Files {
		if _, ok := profileRank[r.Profile]; ok {
			where := fmt.Sprintf("%s %s", r.Client, r.Scope)
			seen[r.Profile] = append(seen[r.Profile], where)
		}
	}
	if len(seen) == 0 {
		return "", ""
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return profileRank[names[i]] > profileRank[names[j]] })
	name = names[0]
	where := slices.Sorted(slices.Values(seen[name]))
	if len(names) == 1 {
		return name, "the installed hook (" + strings.Join(where, ", ") + ")"
	}
	var all []string
	for _, n := range names {
		all = append(all, n+": "+strings.Join(slices.Sorted(slices.Values(seen[n])), ", "))
	}
	return name, "the strictest installed hook (" + strings.Join(all, "; ") + ")"
}

// configProfile is the profile config.toml names ("" when none, or when
// the file cannot be used).
func configProfile() (profile, file string) {
	l := config.Load(config.Options{Version: Version()})
	return l.Config.Profile, l.File
}
