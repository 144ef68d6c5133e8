package policy

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
)

// Build turns the user's config (cfg, read from file) and the project
// (may be nil) into the policy step for these guards (built-in, user and
// project packs) under this profile. What it cannot honour is left out, each
// with a Problem: unknown guard ids, lowering a critical guard, allowing a
// critical guard other than by exact command, a project entry that would
// lower; expired allow rules are left out with a Note.
func Build(cfg *config.Config, file string, proj *config.Project, all []guards.PackSpec, prof *guards.Profile, now time.Time) (*Policy, []config.Problem) {
	return BuildWith(cfg, file, proj, func(id string) (guards.Severity, bool) {
		for pi := range all {
			for gi := range all[pi].Guards {
				if g := &all[pi].Guards[gi]; g.ID == id {
					s, err := guards.ParseSeverity(g.Severity)
					return s, err == nil
				}
			}
		}
		return 0, false
	}, prof, now)
}

// BuildWith is Build with the guards given by a lookup of their severity by
// id (the hook's engine answers from its compiled index, decoding nothing).
func BuildWith(cfg *config.Config, file string, proj *config.Project, severity func(id string) (guards.Severity, bool), prof *guards.Profile, now time.Time) (*Policy, []config.Problem) {
	if (cfg == nil || len(cfg.Overrides) == 0 && len(cfg.Allow) == 0) && (proj == nil || len(proj.Raise) == 0) {
		return nil, nil
	}
	// The severities of the guards the entries name.
	sev := map[string]guards.Severity{}
	lookup := func(id string) {
		if _, ok := sev[id]; ok {
			return
		}
		sev[id] = -1
		if s, ok := severity(id); ok {
			sev[id] = s
		}
	}
	if cfg != nil {
		for id := range cfg.Overrides {
			lookup(id)
		}
		for _, a := range cfg.Allow {
			lookup(a.Guard)
		}
	}
	if proj != nil {
		for id := range proj.Raise {
			lookup(id)
		}
	}
	pol := &Policy{}
	var probs []config.Problem
	warn := func(level config.Level, f, guard, format string, args ...any) {
		probs = append(probs, config.Problem{Level: level, File: f, Guard: guard, Msg: fmt.Sprintf(format, args...)})
	}
	known := func(f, id, what string) (guards.Severity, bool) {
		s := sev[id]
		if s < 0 {
			warn(config.Warning, f, id, "%s: no such guard; ignored", what)
			return 0, false
		}
		return s, true
	}
	if cfg != nil {
		for _, id := range slices.Sorted(maps.Keys(cfg.Overrides)) {
			d, err := guards.ParseDecision(cfg.Overrides[id])
			if err != nil {
				continue // reported by ParseConfig
			}
			s, ok := known(file, id, "overrides")
			if !ok {
				continue
			}
			base := prof.Decide(id, s)
			switch {
			case d >= base:
				setMap(&pol.Raise, id, d)
			case s == guards.Critical:
				warn(config.Warning, file, id, "overrides: a critical guard cannot be lowered (%s -> %s); ignored. Allow an exact command instead: bulwark allow %s --command '...'", base, d, id)
			default:
				setMap(&pol.Lower, id, d)
			}
		}
		for _, a := range cfg.Allow {
			where := fmt.Sprintf("[[allow]] #%d", a.Index)
			s, ok := known(file, a.Guard, where)
			if !ok {
				continue
			}
			if s == guards.Critical && a.Command == "" {
				warn(config.Warning, file, a.Guard, "%s: a critical guard can only be allowed by exact command (command = '...'); ignored", where)
				continue
			}
			if !a.Expires.IsZero() && !now.Before(a.Expires) {
				warn(config.Note, file, a.Guard, "%s expired on %s; ignored (delete it or extend expires)", where, a.Expires.Format(time.RFC3339))
				continue
			}
			r := AllowRule{Guard: a.Guard, Command: a.Command, Dir: a.Cwd, Expires: a.Expires, Reason: a.Reason, Source: config.ConfigFileName + " " + where, ID: a.ID()}
			if a.Pattern != "" {
				re, err := regexp.Compile(a.Pattern)
				if err != nil {
					continue // reported by ParseConfig
				}
				r.Pattern = re
			}
			pol.Allow = append(pol.Allow, r)
		}
	}
	if proj != nil {
		for _, id := range slices.Sorted(maps.Keys(proj.Raise)) {
			d, err := guards.ParseDecision(proj.Raise[id])
			if err != nil {
				continue
			}
			file := proj.File
			if f := proj.RaiseFile[id]; f != "" {
				file = f
			}
			s, ok := known(file, id, "overrides")
			if !ok {
				continue
			}
			if base := prof.Decide(id, s); d < base {
				warn(config.Warning, file, id, "overrides: %q ignored: it would lower the action (%s); a project can only raise", d, base)
				continue
			}
			if old, ok := pol.Raise[id]; !ok || d > old {
				setMap(&pol.Raise, id, d)
			}
		}
	}
	if pol.Empty() {
		return nil, probs
	}
	return pol, probs
}

func setMap(m *map[string]guards.Decision, id string, d guards.Decision) {
	if *m == nil {
		*m = map[string]guards.Decision{}
	}
	(*m)[id] = d
}
