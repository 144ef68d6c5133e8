package clients

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/hooks"
	"github.com/bulwark-guard/bulwark/installer"
)

// TestEveryClientHasAProtocol: the descriptions and the hook codecs name
// the same clients, and every description is complete.
func TestEveryClientHasAProtocol(t *testing.T) {
	names := slices.Clone(Names())
	slices.Sort(names)
	if got := hooks.ClientNames(); !slices.Equal(got, names) {
		t.Errorf("hooks speaks %v, clients describes %v", got, names)
	}
	for _, c := range All() {
		if p, err := c.Protocol(); err != nil || p.Name() != c.Name {
			t.Errorf("%s: protocol %v, %v", c, p, err)
		}
		if c.Spec == nil || c.Spec.Client != c.Name || len(c.Spec.Events) == 0 || c.Title == "" || c.TimeoutUnit == 0 ||
			c.canary == nil || c.decision == nil || c.settingsPath == nil || c.userDir == nil || len(c.Scopes) == 0 {
			t.Errorf("%s: incomplete description", c)
		}
		if c.Scopes[0] != installer.ScopeUser {
			t.Errorf("%s: user scope is not first: %v", c, c.Scopes)
		}
		// The canary is an event the client's own codec decodes.
		p, _ := c.Protocol()
		act, err := p.Decode(c.Canary("git status", "/tmp"), hooks.Env{Home: "/h"})
		if err != nil || act.Command != "git status" || act.SessionID != CanarySession {
			t.Errorf("%s: canary decodes to %+v, %v", c, act, err)
		}
	}
}

func locationPaths(ls []Location) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Path)
	}
	return out
}

// TestLocations: every settings file install writes is listed, with the
// relocation variables honoured, project files carry their ProjectRel, and
// nothing is listed twice or relative.
func TestLocations(t *testing.T) {
	env := Env{Home: "/home/u", Cwd: "/home/u/proj", GOOS: "linux"}
	ls := Locations(env)
	paths := locationPaths(ls)
	for _, want := range []string{
		"/home/u/.claude/settings.json", "/home/u/.claude.json", "/home/u/.claude/plugins",
		"/home/u/.claude/skills/*/.claude-plugin", "/home/u/proj/.claude/settings.json",
		"/home/u/proj/.claude/settings.local.json", "/home/u/proj/.mcp.json",
		"/etc/claude-code/managed-settings.json", "/etc/claude-code/managed-settings.d",
		"/home/u/.codex/hooks.json", "/home/u/.codex/config.toml", "/home/u/proj/.codex/hooks.json", "/etc/codex/requirements.toml",
		"/home/u/.gemini/settings.json", "/home/u/.gemini/extensions", "/home/u/proj/.gemini/settings.json", "/etc/gemini-cli/settings.json",
		"/home/u/.cursor/hooks.json", "/home/u/proj/.cursor/hooks.json", "/etc/cursor/hooks.json",
		"/home/u/proj/CLAUDE.md", "/home/u/proj/AGENTS.md", "/home/u/proj/GEMINI.md", "/home/u/proj/.cursor/rules",
		"/home/u/.claude/CLAUDE.md", "/home/u/.config/Claude/claude_desktop_config.json",
	} {
		if !slices.Contains(paths, want) {
			t.Errorf("missing %s", want)
		}
	}
	seen := map[string]bool{}
	for _, l := range ls {
		if !filepath.IsAbs(l.Path) || filepath.Clean(l.Path) != l.Path {
			t.Errorf("%s: path %q is not absolute and clean", l.Client, l.Path)
		}
		if seen[l.Path] {
			t.Errorf("%s listed twice", l.Path)
		}
		seen[l.Path] = true
		isProject := l.Scope == installer.ScopeProject || l.Scope == installer.ScopeLocal
		if isProject != (l.ProjectRel != "") || (isProject && filepath.Join(env.Cwd, filepath.FromSlash(l.ProjectRel)) != l.Path) {
			t.Errorf("%s: scope %s with ProjectRel %q", l.Path, l.Scope, l.ProjectRel)
		}
		if l.Kind == "" || l.Note == "" || l.Client == "" {
			t.Errorf("%+v: incomplete", l)
		}
	}
	// Every file install writes at a scope is a location (the managed
	// drop-in lies in the managed-settings.d tree).
	for _, c := range All() {
		for _, s := range c.Scopes {
			p, err := c.SettingsPath(s, env)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(paths, p) && !slices.Contains(paths, filepath.Dir(p)) {
				t.Errorf("%s %s: %s is not in Locations", c, s, p)
			}
		}
	}

	moved := Env{Home: "/home/u", Cwd: "/p", GOOS: "linux", Vars: map[string]string{
		"CLAUDE_CONFIG_DIR": "/cfg/claude/", "CODEX_HOME": "/cfg/codex", "GEMINI_CLI_HOME": "/cfg/g",
		"GEMINI_CLI_SYSTEM_SETTINGS_PATH": "/opt/gem/sys.json", "GEMINI_CLI_TRUSTED_FOLDERS_PATH": "/cfg/tf.json",
	}}
	paths = locationPaths(Locations(moved))
	for _, want := range []string{"/cfg/claude/settings.json", "/cfg/claude/.claude.json", "/cfg/codex/hooks.json",
		"/cfg/g/.gemini/settings.json", "/opt/gem/sys.json", "/cfg/tf.json"} {
		if !slices.Contains(paths, want) {
			t.Errorf("relocated: missing %s in %v", want, paths)
		}
	}
	for _, gone := range []string{"/home/u/.claude/settings.json", "/home/u/.claude.json", "/home/u/.codex/hooks.json", "/home/u/.gemini/settings.json"} {
		if slices.Contains(paths, gone) {
			t.Errorf("relocated: %s still listed", gone)
		}
	}

	mac := locationPaths(Locations(Env{Home: "/Users/u", GOOS: "darwin"}))
	if !slices.Contains(mac, "/Library/Application Support/ClaudeCode/managed-settings.json") ||
		!slices.Contains(mac, "/Library/Application Support/GeminiCli/settings.json") {
		t.Errorf("macOS managed paths: %v", mac)
	}
	// No home and no project: only the system-wide files.
	for _, l := range Locations(Env{GOOS: "linux"}) {
		if l.Scope != installer.ScopeManaged {
			t.Errorf("without home or project: %+v", l)
		}
	}
	// Tests can move the system root.
	for _, l := range Locations(Env{GOOS: "linux", Root: "/tmp/r"}) {
		if !strings.HasPrefix(l.Path, "/tmp/r/") {
			t.Errorf("Root not applied: %s", l.Path)
		}
	}
}

func TestEnvFrom(t *testing.T) {
	vars := map[string]string{"CLAUDE_CONFIG_DIR": "/c", "PATH": "/bin", "CODEX_HOME": ""}
	e := EnvFrom("/h", "/p", func(k string) string { return vars[k] })
	if e.Var("CLAUDE_CONFIG_DIR") != "/c" || len(e.Vars) != 1 {
		t.Errorf("EnvFrom read %v", e.Vars)
	}
}

func TestVersions(t *testing.T) {
	for in, want := range map[string]string{"2.1.332 (Claude Code)": "2.1.332", "codex-cli 0.171.0\n": "0.171.0", "v1.2": "", "x 10.20.30.4 y": "10.20.30.4"} {
		if got := findVersion(in); got != want {
			t.Errorf("findVersion(%q) = %q, want %q", in, got, want)
		}
	}
	if !versionLess("2.1.294", OnFailureSince) || versionLess("2.1.295", OnFailureSince) || versionLess("2.2.0", OnFailureSince) || !versionLess("2.1.9", "2.1.10") {
		t.Error("versionLess")
	}
}

// No client member of the protected set is private: the set answers a read
// from bulwark's own members alone, before it learns the clients'
// (protect.Env.LoadClients).
func TestMembersNotPrivate(t *testing.T) {
	for _, m := range Members(Locations(EnvFrom("/home/dev", "/home/dev/project", func(string) string { return "" }))) {
		if m.Private {
			t.Errorf("%s (%s) is private", m.Path+m.Rel, m.What)
		}
	}
}
