// Package clients is the one description of each coding client bulwark
// guards: Claude Code, Codex CLI, Cursor and Gemini CLI. Each client's file
// (claude.go, codex.go, cursor.go, gemini.go) says everything about it that
// the rest of bulwark needs:
//
//   - its hook protocol (the codec registered under its name in package
//     hooks, which decodes events and encodes verdicts; see Protocol);
//   - where it reads settings, hooks, plugins, trust and MCP servers, at
//     every scope and honouring its relocation variables (Locations);
//   - the settings file install edits at each scope and what install adds
//     there (SettingsPath, Spec, Options);
//   - its enable and trust switches, and what doctor checks for it
//     (CheckClient, CheckFile, CheckHandler);
//   - the canary event doctor sends through the installed hook, and how to
//     read the answer (Canary, Decision).
//
// The installer engine (package installer), the hook command, install,
// uninstall and doctor all read these descriptions; none of them switches on
// a client's name. Adding a client is its protocol in hooks/NEW.go and its
// description in clients/NEW.go, listed in All.
package clients

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/hooks"
	"github.com/bulwark-guard/bulwark/installer"
)

// Client is one coding client's description. The zero value of every
// optional function field means "nothing to do" for that client.
type Client struct {
	// Name is the client's name on bulwark's command lines (--client) and
	// in the hook command install writes: "claude".
	Name string
	// Title is the client's name for people: "Claude Code".
	Title string
	// Spec is the settings-file format install and uninstall edit.
	Spec *installer.Spec
	// Scopes are the scopes install can write, user first.
	Scopes []installer.Scope
	// TimeoutUnit is the unit of the "timeout" of a hook handler in the
	// client's settings.
	TimeoutUnit time.Duration

	userDir      func(env Env) string
	settingsPath func(s installer.Scope, env Env) (string, error)
	locations    func(env Env) []Location
	options      func(env Env, req Request, o *installer.Options)
	installNotes func(env Env, ch *installer.Change) []string
	checkClient  func(env Env) []Finding
	checkFile    func(env Env, path string, root *installer.Value, rec *installer.Record) []Finding
	checkHandler func(event string, h *installer.Value) []Finding
	canary       func(command, cwd string) []byte
	decision     func(stdout []byte) string
}

// All returns every client bulwark supports, in display order (Claude Code
// first: it is the default and the best covered).
func All() []*Client { return []*Client{Claude, Codex, Cursor, Gemini} }

// Names returns the clients' names in display order.
func Names() []string {
	var out []string
	for _, c := range All() {
		out = append(out, c.Name)
	}
	return out
}

// Lookup returns the client called name.
func Lookup(name string) (*Client, error) {
	for _, c := range All() {
		if c.Name == name {
			return c, nil
		}
	}
	return nil, fmt.Errorf("unknown client %q (want %s)", name, strings.Join(Names(), ", "))
}

// Protocol returns the client's hook codec (package hooks).
func (c *Client) Protocol() (hooks.Client, error) { return hooks.Lookup(c.Name) }

// Env is what a client's paths are resolved against: the home directory,
// the project directory, the operating system and the environment variables
// the clients read to relocate their files.
type Env struct {
	Home string // $HOME; "" when there is no usable home
	Cwd  string // the project directory (project scope); the current directory by default
	// GOOS selects the managed/system paths ("" = runtime.GOOS).
	GOOS string
	// Root is the directory managed/system paths are under ("" = the real
	// file system root). Tests point it into a temporary directory; the
	// clients themselves cannot be redirected.
	Root string
	// Vars holds the environment variables that move a client's files
	// (VarNames); a missing or empty entry is unset.
	Vars map[string]string
}

// VarNames are the environment variables that relocate a client's files.
var VarNames = []string{
	"CLAUDE_CONFIG_DIR",               // Claude Code: ~/.claude (and ~/.claude.json inside it)
	"CODEX_HOME",                      // Codex: ~/.codex
	"GEMINI_CLI_HOME",                 // Gemini CLI: the directory holding .gemini (default $HOME)
	"GEMINI_CLI_SYSTEM_SETTINGS_PATH", // Gemini CLI: the system (override) settings file
	"GEMINI_CLI_SYSTEM_DEFAULTS_PATH", // Gemini CLI: the system defaults file
	"GEMINI_CLI_TRUSTED_FOLDERS_PATH", // Gemini CLI: trustedFolders.json
}

// EnvFrom builds an Env from a home, a project directory and a getenv
// function (os.Getenv, or a lookup in a hook event's environment). Only
// VarNames are read.
func EnvFrom(home, cwd string, getenv func(string) string) Env {
	e := Env{Home: home, Cwd: cwd, Vars: map[string]string{}}
	if getenv != nil {
		for _, n := range VarNames {
			if v := getenv(n); v != "" {
				e.Vars[n] = v
			}
		}
	}
	return e
}

// EnvFromOS reads Env from this process: $HOME (or the user's home
// directory when HOME is not absolute), the current directory and VarNames.
func EnvFromOS() (Env, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return Env{}, err
	}
	home := os.Getenv("HOME")
	if !filepath.IsAbs(home) {
		if h, err := os.UserHomeDir(); err == nil && filepath.IsAbs(h) {
			home = h
		} else {
			home = ""
		}
	}
	return EnvFrom(home, cwd, os.Getenv), nil
}

// Var returns an environment variable's value ("" when unset).
func (e Env) Var(name string) string { return e.Vars[name] }

func (e Env) goos() string {
	if e.GOOS != "" {
		return e.GOOS
	}
	return runtime.GOOS
}

// system places a managed/system path under Root.
func (e Env) system(p string) string {
	if e.Root == "" {
		return p
	}
	return filepath.Join(e.Root, filepath.FromSlash(strings.TrimPrefix(strings.ReplaceAll(p, `\`, "/"), "C:")))
}

// underHome joins a path under the home directory ("" without a home).
func (e Env) underHome(elem ...string) string {
	if e.Home == "" {
		return ""
	}
	return filepath.Join(append([]string{e.Home}, elem...)...)
}

// UserDir is the client's user-level directory (~/.claude, ~/.codex,
// ~/.cursor, ~/.gemini, honouring the relocation variables); "" without a
// home.
func (c *Client) UserDir(env Env) string { return c.userDir(env) }

// SettingsPath returns the file install edits for the client at scope s.
func (c *Client) SettingsPath(s installer.Scope, env Env) (string, error) {
	if !c.HasScope(s) {
		return "", fmt.Errorf("scope %s does not exist for %s (it has %s)", s, c.Name, joinScopes(c.Scopes))
	}
	return c.settingsPath(s, env)
}

// HasScope reports whether install can write scope s for the client.
func (c *Client) HasScope(s installer.Scope) bool {
	for _, x := range c.Scopes {
		if x == s {
			return true
		}
	}
	return false
}

func joinScopes(ss []installer.Scope) string {
	var out []string
	for _, s := range ss {
		out = append(out, string(s))
	}
	return strings.Join(out, ", ")
}

var errNoHome = errors.New("no usable HOME: cannot locate the user settings")

// Request is what the user asked install for, beyond the binary and profile.
type Request struct {
	Binary     string // the absolute bulwark executable the hook runs
	Profile    string
	BulwarkDir string // bulwark's config dir (its files are protected too)
	DenyNative bool   // --deny-native (Claude Code)
}

// Options returns the installer options for the request: the hook command's
// binary and profile, and whatever the client adds (Claude Code's backstop
// deny rules).
func (c *Client) Options(env Env, req Request) installer.Options {
	o := installer.Options{Binary: req.Binary, Profile: req.Profile}
	if c.options != nil {
		c.options(env, req, &o)
	}
	return o
}

// InstallNotes are what the user must be told after an install changed a
// file (Codex: trust the hooks).
func (c *Client) InstallNotes(env Env, ch *installer.Change) []string {
	if c.installNotes == nil {
		return nil
	}
	return c.installNotes(env, ch)
}

// Level is how serious a doctor finding is.
type Level int

const (
	Info Level = iota
	OK
	Warn
	Fail
)

// Finding is one line of doctor's report.
type Finding struct {
	Level Level
	Text  string
}

func finding(l Level, format string, args ...any) Finding {
	return Finding{l, fmt.Sprintf(format, args...)}
}

// CheckClient returns the client-wide findings: managed settings that make
// user hooks inert, switches that turn hooks off, trust.
func (c *Client) CheckClient(env Env) []Finding {
	if c.checkClient == nil {
		return nil
	}
	return c.checkClient(env)
}

// CheckFile returns the client-specific findings for one settings file that
// (path) holds bulwark's hooks; rec is its install record (nil when none).
func (c *Client) CheckFile(env Env, path string, root *installer.Value, rec *installer.Record) []Finding {
	if c.checkFile == nil {
		return nil
	}
	return c.checkFile(env, path, root, rec)
}

// CheckHandler returns the findings for one bulwark hook handler (beyond
// the timeout, which doctor checks in TimeoutUnit for every client).
func (c *Client) CheckHandler(event string, h *installer.Value) []Finding {
	if c.checkHandler == nil {
		return nil
	}
	return c.checkHandler(event, h)
}

// Canary is the client's pre-action event for a shell command run in cwd,
// as the client would send it; its session is CanarySession.
func (c *Client) Canary(command, cwd string) []byte { return c.canary(command, cwd) }

// CanarySession is the session id of doctor's canary events. The hook
// keeps such events out of the audit log.
const CanarySession = "bulwark-doctor"

// Decision reads a hook's exit-0 stdout in the client's protocol: "deny",
// "ask", "allow" or "none" (no decision).
func (c *Client) Decision(stdout []byte) string { return c.decision(stdout) }

// hasFallback reports whether a bulwark handler's command ends in the shell
// fallback that blocks when the binary cannot answer
// (installer.FailClosedCommand); commands written before it have none.
func hasFallback(h *installer.Value) bool {
	pc, _ := installer.ParseCommand(h.Get("command").Str())
	return pc.FailClosed
}

// gitRoot returns the nearest directory at or above dir holding .git, or dir.
func gitRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// String is the client's Name.
func (c *Client) String() string { return c.Name }
