// Package policy is bulwark's composition root: it loads the built-in packs
// and profiles, the user's config.toml and packs, and per call the project's
// .bulwark.toml, and judges an Action with the engine and then the policy
// step (overrides, allow rules, project raises). The hook, `check`, `list`,
// `validate` and `doctor` all judge through a Runtime, so they agree.
//
// The rule "a critical guard is never lowered" lives here and only here:
// Build refuses such entries (with a Problem), and Policy.adjust, which both
// Apply and Runtime.Decide use, never applies a Lower to a critical hit.
package policy

import (
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/packs"
	"github.com/bulwark-guard/bulwark/profiles"
	"github.com/bulwark-guard/bulwark/protect"
	"github.com/bulwark-guard/bulwark/runfile"
	"github.com/bulwark-guard/bulwark/session"
)

// Options say where a Runtime finds its configuration and how it reports.
type Options struct {
	Config config.Options   // config and state directories, home, version, cache use
	Stderr io.Writer        // problems in the user's configuration, one line each; nil discards
	Now    func() time.Time // the clock for allow-rule expiry; nil means time.Now
}

// Runtime is everything a call is judged with: the built-in packs, the
// user's packs and config.toml, and (per call, from the call's cwd) the
// project's .bulwark.toml. It never runs on less than the built-in
// protection of its profile: whatever in the user's or the project's
// configuration cannot be used is left out and reported.
type Runtime struct {
	Profile    string           // the profile's name
	Config     config.Config    // the user's config.toml (zero when absent or broken); Config.Log is for the audit log
	ConfigFile string           // its path, "" when there is none
	Problems   []config.Problem // what was left out of the user's configuration, and why

	opts       config.Options
	spec       guards.ProfileSpec
	profile    *guards.Profile
	user       []guards.PackSpec // the user's packs (after the built-in ones)
	userSet    *guards.PackSet   // user compiled; nil when there are none
	packs      []guards.PackSpec // built-in, then user packs, decoded on first use (not by the hook)
	engine     *guards.Engine    // for calls without project guards; built on first use
	userPolicy *Policy           // for Decide; built on first use
	stderr     io.Writer
	now        func() time.Time
	protected  *protect.Set // self-defence; built on first use
}

// Load loads the user's configuration and builds the runtime for a profile
// ("" = $BULWARK_PROFILE, else config.toml's profile, else the built-in
// default). Problems in the user's configuration are written to o.Stderr
// ("bulwark: FILE: guard ID: problem") and never make it fail; only an
// unknown profile name does.
func Load(profile string, o Options) (*Runtime, error) {
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	l := config.Load(o.Config)
	r := &Runtime{Config: l.Config, ConfigFile: l.File, Problems: l.Problems, opts: o.Config, stderr: o.Stderr, now: o.Now}
	if profile == "" {
		profile = os.Getenv("BULWARK_PROFILE")
	}
	if profile == "" {
		profile = l.Config.Profile
	}
	if profile == "" {
		profile = profiles.Default
	}
	r.Profile = profile
	spec, err := profiles.Spec(profile)
	if err != nil {
		return nil, err
	}
	if len(l.Packs) > 0 {
		r.user = l.Packs
		for _, p := range l.Packs {
			spec = withFamily(spec, p.Family)
		}
	}
	r.spec = spec
	if r.profile, err = guards.NewProfile(spec); err != nil {
		return nil, err
	}
	r.report(config.Errors(l.Problems))
	return r, nil
}

// withFamily turns a user or project pack's family on in a profile that
// lists its packs: packs the user installed are always on.
func withFamily(s guards.ProfileSpec, family string) guards.ProfileSpec {
	if slices.Contains(s.Packs, "*") || slices.Contains(s.Packs, family) {
		return s
	}
	s.Packs = append(slices.Clip(s.Packs), family)
	return s
}

func (r *Runtime) report(ps []config.Problem) {
	for _, p := range ps {
		if p.Level != config.Note {
			fmt.Fprintf(r.stderr, "bulwark: %s\n", p)
		}
	}
}

// Packs are the packs in use outside any project: the built-in packs, then
// the user's. Callers must not modify them.
func (r *Runtime) Packs() []guards.PackSpec {
	if r.packs == nil {
		r.packs = append(slices.Clip(packs.Builtin()), r.user...)
	}
	return r.packs
}

// UserPacks are the user's packs in use (after the built-in ones).
func (r *Runtime) UserPacks() []guards.PackSpec { return r.user }

// Decide is what happens to a hit of this guard outside any project: the
// profile's action, then the user's overrides (allow rules aside, as they
// depend on the call). For `bulwark list`.
func (r *Runtime) Decide(id string, sev guards.Severity) guards.Decision {
	if r.userPolicy == nil {
		r.userPolicy, _ = BuildWith(&r.Config, r.ConfigFile, nil, r.Engine().Severity, r.profile, r.now())
		if r.userPolicy == nil {
			r.userPolicy = &Policy{}
		}
	}
	return r.userPolicy.adjust(id, sev, r.profile.Decide(id, sev))
}

// PackOn reports whether a family's pack is on (user packs always are).
func (r *Runtime) PackOn(family string) bool { return r.profile.PackOn(family) }

// Engine is the engine for calls outside any project with its own guards:
// built-in and user packs.
func (r *Runtime) Engine() *guards.Engine {
	if r.engine == nil {
		r.engine = r.build(nil, r.profile)
	}
	return r.engine
}

// build makes an engine of the built-in packs (compiled at build time), the
// user's (compiled once per process) and the project's, if any; if the
// user's packs break it (they were validated, so this should not happen) it
// falls back to the built-in packs.
func (r *Runtime) build(project *guards.PackSpec, prof *guards.Profile) *guards.Engine {
	sets := []*guards.PackSet{packs.Set()}
	if len(r.user) > 0 {
		if r.userSet == nil {
			r.userSet, _ = guards.LoadPackSet(guards.CompilePacks(r.user))
		}
		sets = append(sets, r.userSet)
	}
	if project != nil {
		ps, _ := guards.LoadPackSet(guards.CompilePacks([]guards.PackSpec{*project}))
		sets = append(sets, ps)
	}
	e, err := guards.NewSetEngine(prof, sets...)
	if err == nil {
		e.SetProtected(r.Protected())
		return e
	}
	fmt.Fprintf(r.stderr, "bulwark: user packs: %v; running on the built-in packs\n", err)
	base, _ := profiles.Get(r.Profile)
	e, err = guards.NewSetEngine(base, packs.Set())
	if err != nil {
		// The built-in packs and profiles are tested together; this is a bug.
		panic(fmt.Sprintf("build engine: %v", err))
	}
	e.SetProtected(r.Protected())
	return e
}

// Evaluate judges one call: the engine (with the project's guards, if the
// call's cwd is in a project with a .bulwark.toml), then the policy step
// (overrides, allow rules, project raises).
func (r *Runtime) Evaluate(act *guards.Action) guards.Verdict {
	start := time.Now()
	opts := r.opts
	if act.Home != "" {
		opts.Home = act.Home
	}
	proj := config.LoadProject(act.Cwd, opts)
	engine := r.Engine
	if proj != nil {
		r.report(proj.Problems)
		if proj.Pack != nil {
			engine = func() *guards.Engine {
				prof, err := guards.NewProfile(withFamily(r.spec, config.ProjectFamily))
				if err != nil {
					return r.Engine()
				}
				return r.build(proj.Pack, prof)
			}
		}
	}
	store, rec := r.sessionMemory(act)
	if act.Scripts == nil && act.Command != "" && act.Event != guards.PostToolUse {
		act.Scripts = &runfile.Source{Home: act.Home}
		defer func() { act.Scripts = nil }()
	}
	e := engine()
	v := e.Evaluate(act)
	pol, probs := BuildWith(&r.Config, r.ConfigFile, proj, e.Severity, r.profile, r.now())
	r.report(probs)
	if pol != nil {
		pol.Now = r.now
	}
	pol.Apply(act, &v)
	r.remember(store, rec, act, &v)
	if rec != nil && act.Memory == guards.Memory(rec) {
		act.Memory = nil
	}
	v.Duration = time.Since(start)
	return v
}

// sessionMemory loads the record of the call's session (one small read)
// and hands it to the engine as the call's Memory. Calls without a session
// id or a state directory have none.
func (r *Runtime) sessionMemory(act *guards.Action) (*session.Store, *session.Record) {
	if act.SessionID == "" || act.Memory != nil {
		return nil, nil
	}
	dir := r.opts.StateDir
	if dir == "" {
		dir = config.StateDir()
	}
	if dir == "" {
		return nil, nil
	}
	store := session.Open(dir, nil)
	rec, err := store.Load(act.Client, act.SessionID)
	if err != nil {
		fmt.Fprintf(r.stderr, "bulwark: %v\n", err)
	}
	if rec.Empty() {
		return store, nil
	}
	act.Memory = rec
	return store, rec
}

// remember adds what the call does to its session's record: at PreToolUse
// unless the call is denied (it will not run), and at PostToolUse (what its
// output showed). A record that cannot be written is reported and never
// changes the verdict.
func (r *Runtime) remember(store *session.Store, loaded *session.Record, act *guards.Action, v *guards.Verdict) {
	if store == nil || v.Effects == nil || act.Event != guards.PostToolUse && v.Decision >= guards.Deny {
		return
	}
	if loaded != nil && !loaded.Remember(v.Effects) {
		return // nothing new (the same script written again): no lock, no write
	}
	if err := store.Update(act.Client, act.SessionID, v.Effects); err != nil {
		fmt.Fprintf(r.stderr, "bulwark: %v\n", err)
	}
}

// Report is the state of the user's configuration and of the project around
// a directory, parsed afresh (the cache is neither read nor written), for
// `bulwark validate` and `bulwark doctor`.
type Report struct {
	Profile     string
	ConfigFile  string            // "" when there is none
	UserPacks   []guards.PackSpec // the user packs in use
	ProjectFile string            // the .bulwark.toml that applies to cwd, "" if none
	ActiveAllow int               // allow rules in force now
	// Problems: Error (something is ignored), Warning, Note (expired allow
	// rules); each names its file and, where there is one, the guard.
	Problems []config.Problem
}

// Check reports on the configuration as a call in cwd would see it.
func Check(profile, cwd string, o Options) (*Report, error) {
	o.Config.NoCache = true
	o.Stderr = io.Discard
	r, err := Load(profile, o)
	if err != nil {
		return nil, err
	}
	rep := &Report{Profile: r.Profile, ConfigFile: r.ConfigFile, Problems: append([]config.Problem{}, r.Problems...)}
	rep.UserPacks = r.UserPacks()
	all := r.Packs()
	proj := config.LoadProject(cwd, r.opts)
	if proj != nil {
		rep.ProjectFile = proj.File
		rep.Problems = append(rep.Problems, proj.Problems...)
		if proj.Pack != nil {
			all = append(slices.Clip(all), *proj.Pack)
		}
	}
	pol, probs := Build(&r.Config, r.ConfigFile, proj, all, r.profile, r.now())
	rep.Problems = append(rep.Problems, probs...)
	if pol != nil {
		rep.ActiveAllow = len(pol.Allow)
	}
	return rep, nil
}
