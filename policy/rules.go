package policy

import (
	"github.com/bulwark-guard/bulwark/guards"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Policy is the user's and the project's say over the engine's hits, applied
// after Evaluate: per-guard overrides and allow rules. It never adds hits and
// it never hides one: an allowed hit stays in the verdict with Decision Allow.
//
// Order, per hit: Lower (the user's config lowers a non-critical guard), then
// Raise (the user's or the project's config raises a guard), then the allow
// rules (the user's config only).
type Policy struct {
	Allow []AllowRule
	Raise map[string]guards.Decision // guard id -> at least this
	Lower map[string]guards.Decision // guard id -> at most this; never applied to a critical hit
	// Now is the clock for expiry; nil means time.Now.
	Now func() time.Time
}

// AllowRule lets a guard's hit through. A rule names one guard and may narrow
// it to an exact command or a pattern, and to a directory. A critical guard can
// only be allowed by exact command. An allowed hit keeps its place in the
// verdict with Decision Allow and AllowedBy set.
type AllowRule struct {
	Guard   string         // guard id (required)
	Command string         // exact command text (see Subject); "" = any
	Pattern *regexp.Regexp // regex over the command text; nil = any
	Dir     string         // absolute and clean: only when the call's cwd is inside it; "" = anywhere
	Expires time.Time      // zero: never
	Reason  string         // why the user allowed it
	Source  string         // where the rule is written ("config.toml [[allow]] #2"), for reports
	ID      string         // the rule's id (config.AllowSpec.ID)
}

// Matches reports whether the rule allows hit h of act at time now.
func (r *AllowRule) Matches(act *guards.Action, h *guards.Hit, now time.Time) bool {
	if r.Guard != h.GuardID {
		return false
	}
	if !r.Expires.IsZero() && !now.Before(r.Expires) {
		return false
	}
	if r.Command == "" && h.Severity == guards.Critical {
		return false // critical: exact command only
	}
	if r.Dir != "" && !InDir(act.Cwd, r.Dir) {
		return false
	}
	if r.Command != "" && strings.TrimSpace(Subject(act)) != r.Command {
		return false
	}
	if r.Pattern != nil && !r.Pattern.MatchString(Subject(act)) {
		return false
	}
	return true
}

// Describe names the rule and its reason, for Hit.AllowedBy:
// "rule 3f9a2c (config.toml [[allow]] #2): my feature branches".
func (r *AllowRule) Describe() string {
	s := r.Source
	if s == "" {
		s = "allow rule for " + r.Guard
	}
	if r.ID != "" {
		s = "rule " + r.ID + " (" + s + ")"
	}
	if r.Reason != "" {
		s += ": " + r.Reason
	}
	return s
}

// Subject is the text exact-command and pattern allow rules look at: the
// shell command for shell calls, else the tool name and its first path or
// URL ("Read ~/.ssh/config", "WebFetch https://example.com").
func Subject(act *guards.Action) string {
	if act.Command != "" {
		return act.Command
	}
	switch {
	case len(act.Paths) > 0:
		return act.Tool + " " + act.Paths[0].Path
	case len(act.URLs) > 0:
		return act.Tool + " " + act.URLs[0]
	case act.Query != "":
		return act.Tool + " " + act.Query
	}
	return act.Tool
}

// InDir reports whether path is dir or inside it. Both must be absolute;
// they are compared after filepath.Clean, without resolving symlinks.
func InDir(path, dir string) bool {
	if path == "" || dir == "" || !filepath.IsAbs(path) {
		return false
	}
	path, dir = filepath.Clean(path), filepath.Clean(dir)
	if path == dir || dir == string(filepath.Separator) {
		return true
	}
	return strings.HasPrefix(path, dir+string(filepath.Separator))
}

// adjust is the one place where the user's and the project's overrides
// change what a guard does: Lower first, never below what the profile gives a
// critical guard, then Raise.
func (p *Policy) adjust(id string, sev guards.Severity, d guards.Decision) guards.Decision {
	if p == nil {
		return d
	}
	if l, ok := p.Lower[id]; ok && sev != guards.Critical && l < d {
		d = l
	}
	if r, ok := p.Raise[id]; ok && r > d {
		d = r
	}
	return d
}

// Empty reports whether the policy changes nothing.
func (p *Policy) Empty() bool {
	return p == nil || len(p.Allow) == 0 && len(p.Raise) == 0 && len(p.Lower) == 0
}

// Apply adjusts each hit's decision and recomputes the verdict's Decision,
// hit order and Flag the way Evaluate does.
func (p *Policy) Apply(act *guards.Action, v *guards.Verdict) {
	if p.Empty() || len(v.Hits) == 0 {
		return
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	var t time.Time
	for i := range v.Hits {
		h := &v.Hits[i]
		h.Decision = p.adjust(h.GuardID, h.Severity, h.Decision)
		if h.Decision == guards.Allow {
			continue
		}
		for j := range p.Allow {
			r := &p.Allow[j]
			if r.Guard != h.GuardID {
				continue
			}
			if t.IsZero() {
				t = now()
			}
			if r.Matches(act, h, t) {
				h.Decision = guards.Allow
				h.AllowedBy = r.Describe()
				if r.ID != "" {
					h.AllowID = "rule:" + r.ID
				}
				break
			}
		}
	}
	v.Decision = guards.Allow
	for i := range v.Hits {
		if v.Hits[i].Decision > v.Decision {
			v.Decision = v.Hits[i].Decision
		}
	}
	hits := v.Hits
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Decision != hits[j].Decision {
			return hits[i].Decision > hits[j].Decision
		}
		return hits[i].Severity > hits[j].Severity
	})
	v.Flag = act.Event == guards.PostToolUse && v.Decision >= guards.Ask
}
