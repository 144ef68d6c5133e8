package guards

import (
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
)

// ProfileSpec says which packs are on and what each severity does.
// Profiles are TOML in profiles/, compiled into Go code at build time.
type ProfileSpec struct {
	Name        string            `toml:"name"`
	Description string            `toml:"description"`
	Packs       []string          `toml:"packs"`   // families that are on; "*" for all
	Actions     SeverityActions   `toml:"actions"` // what each severity does
	Guards      map[string]string `toml:"guards"`  // per-guard overrides: id -> action
}

// SeverityActions maps each severity to an action name.
type SeverityActions struct {
	Critical string `toml:"critical"`
	High     string `toml:"high"`
	Medium   string `toml:"medium"`
	Low      string `toml:"low"`
}

// Profile is a validated ProfileSpec.
type Profile struct {
	Name      string
	packs     map[string]bool // nil: all
	bySev     [4]Decision
	overrides map[string]Decision
}

// ParseProfile decodes and validates a profile, strictly.
func ParseProfile(source string, data []byte) (ProfileSpec, error) {
	var p ProfileSpec
	md, err := toml.Decode(string(data), &p)
	if err != nil {
		return ProfileSpec{}, fmt.Errorf("profile %s: %w", source, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return ProfileSpec{}, fmt.Errorf("profile %s: unknown keys: %s", source, strings.Join(keys, ", "))
	}
	if _, err := NewProfile(p); err != nil {
		return ProfileSpec{}, fmt.Errorf("profile %s: %w", source, err)
	}
	return p, nil
}

// NewProfile validates a spec into a Profile.
func NewProfile(s ProfileSpec) (*Profile, error) {
	var errs []error
	p := &Profile{Name: s.Name, overrides: map[string]Decision{}}
	if s.Name == "" {
		errs = append(errs, errors.New("name is empty"))
	}
	for i, a := range []string{s.Actions.Low, s.Actions.Medium, s.Actions.High, s.Actions.Critical} {
		d, err := ParseDecision(a)
		if err != nil {
			errs = append(errs, fmt.Errorf("actions.%s: %w", Severity(i), err))
		}
		p.bySev[i] = d
	}
	for i := 1; i < 4; i++ {
		if p.bySev[i] < p.bySev[i-1] {
			errs = append(errs, fmt.Errorf("actions.%s (%s) is weaker than actions.%s (%s)", Severity(i), p.bySev[i], Severity(i-1), p.bySev[i-1]))
		}
	}
	if len(s.Packs) == 0 {
		errs = append(errs, errors.New("packs is empty (use [\"*\"] for all)"))
	}
	if !contains(s.Packs, "*") {
		p.packs = map[string]bool{}
		for _, f := range s.Packs {
			p.packs[f] = true
		}
	}
	for id, a := range s.Guards {
		d, err := ParseDecision(a)
		if err != nil {
			errs = append(errs, fmt.Errorf("guards.%q: %w", id, err))
		}
		p.overrides[id] = d
	}
	return p, errors.Join(errs...)
}

// PackOn reports whether a family's pack is on in this profile.
func (p *Profile) PackOn(family string) bool { return p.packs == nil || p.packs[family] }

// Decide is what the profile does with a guard of the given severity.
func (p *Profile) Decide(id string, sev Severity) Decision {
	if d, ok := p.overrides[id]; ok {
		return d
	}
	return p.bySev[sev]
}

// Overrides lists the guard ids the profile overrides (for validation).
func (p *Profile) Overrides() []string {
	ids := make([]string, 0, len(p.overrides))
	for id := range p.overrides {
		ids = append(ids, id)
	}
	return ids
}
