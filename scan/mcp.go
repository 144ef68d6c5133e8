package scan

import (
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/bulwark-guard/bulwark/commands"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/redact"
	"github.com/bulwark-guard/bulwark/shell"
)

// server is one MCP server entry, in any client's format, with where its
// parts are in the file.
type server struct {
	name       string
	off        int
	command    string
	commandOff int
	args       []string
	argOffs    []int
	url        string
	urlOff     int
	env        []keyValue
	headers    []keyValue
}

type keyValue struct {
	key, value string
	off        int
}

// mcpServers judges the servers of an mcpServers object (Claude Code,
// Claude Desktop, Cursor, Gemini CLI and extensions share the shape).
func (s *scanner) mcpServers(c *fileCtx, servers *node) {
	for _, m := range servers.object() {
		v := m.val
		if v == nil || v.kind != jObject {
			continue
		}
		sv := &server{name: m.key, off: m.keyOff}
		if cmd := v.get("command"); cmd != nil {
			sv.command, sv.commandOff = cmd.text(), cmd.off
		}
		for _, a := range v.get("args").array() {
			if a.kind == jString {
				sv.args = append(sv.args, a.str)
				sv.argOffs = append(sv.argOffs, a.off)
			}
		}
		for _, k := range []string{"url", "httpUrl", "serverUrl"} {
			if u := v.get(k); u != nil && u.kind == jString {
				sv.url, sv.urlOff = u.str, u.off
				break
			}
		}
		for _, e := range v.get("env").object() {
			if e.val.kind == jString {
				sv.env = append(sv.env, keyValue{key: e.key, value: e.val.str, off: e.val.off})
			}
		}
		for _, e := range v.get("headers").object() {
			if e.val.kind == jString {
				sv.headers = append(sv.headers, keyValue{key: e.key, value: e.val.str, off: e.val.off})
			}
		}
		s.mcpServer(c, m.key, sv)
	}
}

// mcpServer judges one server: what it runs (unpinned packages, code from
// URLs or git, shells, the shell guards on its command line), whether it is
// behind bulwark's proxy, secrets written into it, and plain HTTP.
func (s *scanner) mcpServer(c *fileCtx, name string, sv *server) {
	argv := sv.argv()
	if len(argv) > 0 {
		upstream, wrapped := unwrapProxy(argv)
		if !wrapped {
			s.fact(c, sv.commandOff, guards.ConfigFact{Condition: guards.CondMCPUnwrapped, Evidence: name + ": " + shellJoin(argv),
				Detail: "The server " + quote(name) + " talks to the agent directly: bulwark judges neither its tool calls nor their results."})
		}
		s.mcpCommand(c, name, sv, upstream)
	}
	if sv.url != "" {
		s.mcpURL(c, name, sv)
	}
	for _, kv := range sv.env {
		s.literalSecret(c, name, "env", kv.key, kv.value, kv.off)
	}
	for _, kv := range sv.headers {
		s.literalSecret(c, name, "headers", kv.key, kv.value, kv.off)
	}
	for i, a := range sv.args {
		if f := liveIn(a); f != nil {
			s.fact(c, sv.argOffs[i], guards.ConfigFact{Condition: guards.CondMCPLiteralSecret, Evidence: name + " args: " + redact.Mask(a),
				Detail: "The server " + quote(name) + " gets a " + f.Kind + " on its command line, where every process can read it and the file holds it in the clear."})
		}
	}
}

// argv is the command and its arguments; a command written as one string
// with its arguments is split as a shell would.
func (sv *server) argv() []string {
	if sv.command == "" {
		return nil
	}
	if len(sv.args) == 0 && strings.ContainsAny(sv.command, " \t") {
		if f := shellFields(sv.command); len(f) > 0 {
			return f
		}
	}
	return append([]string{sv.command}, sv.args...)
}

// unwrapProxy returns the upstream command of a server run through
// `bulwark mcp proxy [flags] -- CMD ARGS`, and whether it is.
func unwrapProxy(argv []string) ([]string, bool) {
	base := strings.ToLower(filepath.Base(strings.ReplaceAll(argv[0], `\`, "/")))
	if !strings.HasPrefix(base, "bulwark") || len(argv) < 3 || argv[1] != "mcp" || argv[2] != "proxy" {
		return argv, false
	}
	for i := 3; i < len(argv); i++ {
		if argv[i] == "--" {
			return argv[i+1:], true
		}
	}
	return nil, true
}

// mcpCommand judges what a stdio server runs.
func (s *scanner) mcpCommand(c *fileCtx, name string, sv *server, argv []string) {
	if len(argv) == 0 {
		return
	}
	line := shellJoin(argv)
	prog := progName(argv[0])
	if cs := commands.Lookup(prog); cs != nil && cs.Kind == commands.Shell || prog == "cmd" || prog == "powershell" || prog == "pwsh" {
		s.fact(c, sv.commandOff, guards.ConfigFact{Condition: guards.CondMCPShell, Evidence: name + ": " + line,
			Detail: "The server " + quote(name) + " starts as " + prog + " code, which can run anything and hides what it runs from the client's server list."})
	}
	a := shell.Analyze(line, shell.Env{Home: s.env.Home, Cwd: s.o.Dir})
	for i := range a.Commands {
		cm := &a.Commands[i]
		for _, p := range packageSpecs(cm) {
			switch kind, why := classifyPackage(p.spec, p.eco); kind {
			case pkgRemote:
				s.fact(c, sv.commandOff, guards.ConfigFact{Condition: guards.CondMCPRemoteSource, Evidence: name + ": " + line,
					Detail: "The server " + quote(name) + " runs " + quote(p.spec) + " " + why + "."})
			case pkgUnpinned:
				s.fact(c, sv.commandOff, guards.ConfigFact{Condition: guards.CondMCPUnpinned, Evidence: name + ": " + line,
					Detail: "The server " + quote(name) + " runs " + quote(p.spec) + " through " + cm.Name + " " + why + "."})
			}
		}
	}
	s.shellLine(c, sv.commandOff, line, s.o.Dir)
}

// progName is a program's base name, without a Windows extension.
func progName(p string) string {
	b := strings.ToLower(filepath.Base(strings.ReplaceAll(p, `\`, "/")))
	for _, ext := range []string{".exe", ".cmd", ".bat", ".ps1"} {
		b = strings.TrimSuffix(b, ext)
	}
	return b
}

// pkgRef is a package a runner fetches, and its ecosystem.
type pkgRef struct {
	spec string
	eco  string // "npm" or "python"
}

// runners are the package runners whose operand (or --package/--from
// value) is a package spec, with its ecosystem: the runner kinds of package
// commands with PkgSpec, and the subcommand runners.
func runnerEco(cm *shell.Command) (*commands.Spec, string, int) {
	name := cm.Name
	if cs := commands.Lookup(name); cs != nil && cs.Kind == commands.Runner && cs.PkgSpec {
		return cs, ecoOf(name), 0
	}
	if len(cm.Args) > 0 {
		if cs := commands.LookupSub(name, cm.Args[0].Value); cs != nil && cs.Kind == commands.Runner {
			return cs, ecoOf(name), 1
		}
	}
	return nil, "", 0
}

func ecoOf(name string) string {
	switch name {
	case "uvx", "uv", "pipx":
		return "python"
	}
	return "npm"
}

// packageSpecs lists the package specs a runner command fetches: the
// values of its package options and its first operand.
func packageSpecs(cm *shell.Command) []pkgRef {
	cs, eco, start := runnerEco(cm)
	if cs == nil {
		return nil
	}
	var out []pkgRef
	fromOpt := false
	for i := start; i < len(cm.Args); i++ {
		w := cm.Args[i].Value
		if w == "--" {
			if i+1 < len(cm.Args) && !fromOpt {
				out = append(out, pkgRef{cm.Args[i+1].Value, eco})
			}
			break
		}
		if strings.HasPrefix(w, "-") && len(w) > 1 {
			opt, val, hasVal := strings.Cut(w, "=")
			isPkg := opt == "-p" || opt == "--package" || opt == "--from" || opt == "--with" || opt == "--spec"
			if !hasVal && cs.TakesValue(opt) && i+1 < len(cm.Args) {
				val, hasVal = cm.Args[i+1].Value, true
				i++
			}
			if isPkg && hasVal {
				out = append(out, pkgRef{val, eco})
				if opt != "--with" {
					fromOpt = true
				}
			}
			continue
		}
		if !fromOpt {
			out = append(out, pkgRef{w, eco})
		}
		break
	}
	return out
}

type pkgKind int

const (
	pkgPinned pkgKind = iota
	pkgUnpinned
	pkgRemote
	pkgLocal
)

// classifyPackage says whether a package spec is pinned to one version,
// floats (no version, a range, a dist-tag), or comes from a URL or a git
// ref, and why.
func classifyPackage(spec, eco string) (pkgKind, string) {
	ls := strings.ToLower(spec)
	switch {
	case spec == "" || strings.Contains(spec, "$"):
		return pkgPinned, "" // not known statically: nothing to say
	case strings.HasPrefix(ls, "git+") || strings.HasPrefix(ls, "git:") || strings.HasPrefix(ls, "github:") ||
		strings.HasPrefix(ls, "gitlab:") || strings.HasPrefix(ls, "bitbucket:") || strings.HasPrefix(ls, "gist:") ||
		strings.Contains(ls, " @ git+") || strings.Contains(ls, "@git+"):
		return pkgRemote, "from a git repository: whatever the ref points to when the server starts"
	case strings.HasPrefix(ls, "http://") || strings.HasPrefix(ls, "https://") || strings.Contains(ls, " @ http"):
		return pkgRemote, "from a URL: whatever the server there sends when it starts"
	case strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "/") || strings.HasPrefix(spec, "~") || strings.HasPrefix(ls, "file:"):
		return pkgLocal, ""
	}
	if eco == "python" {
		name, ver, ok := cutPythonVersion(spec)
		if !ok {
			return pkgUnpinned, "with no version, so each start runs the newest release of " + name
		}
		if !exactVersion(ver) {
			return pkgUnpinned, "with the version range " + quote(ver) + ", so each start may run a newer release"
		}
		return pkgPinned, ""
	}
	// npm: [@scope/]name[@version]; user/repo is a GitHub shorthand.
	body := spec
	scoped := strings.HasPrefix(body, "@")
	if scoped {
		body = body[1:]
	}
	name, ver, hasVer := strings.Cut(body, "@")
	if !scoped && strings.Contains(name, "/") {
		return pkgRemote, "from GitHub (" + spec + " is a repository shorthand): whatever its default branch holds when the server starts"
	}
	if scoped {
		name = "@" + name
	}
	switch {
	case !hasVer || ver == "":
		return pkgUnpinned, "with no version, so each start runs whatever the registry's latest release of " + name + " is then"
	case !exactVersion(ver):
		return pkgUnpinned, "at " + quote(ver) + " (a tag or range, not one version), so each start may run a newer release"
	}
	return pkgPinned, ""
}

// cutPythonVersion splits name==1.2.3 (or name@1.2.3, name>=1, name~=1).
func cutPythonVersion(spec string) (name, ver string, ok bool) {
	if i := strings.IndexAny(spec, "=<>~!@"); i > 0 {
		name, ver = spec[:i], spec[i:]
		if strings.HasPrefix(ver, "==") && !strings.HasPrefix(ver, "===") {
			return name, ver[2:], true
		}
		if strings.HasPrefix(ver, "@") {
			return name, ver[1:], true
		}
		return name, ver, true // a range: not exact
	}
	if i := strings.IndexByte(spec, '['); i > 0 {
		return spec[:i], "", false
	}
	return spec, "", false
}

// exactVersion: one release, 1.2.3 (with a pre-release or build suffix),
// not a range, a tag or a wildcard.
func exactVersion(v string) bool {
	v = strings.TrimPrefix(v, "v")
	if v == "" || strings.ContainsAny(v, "^~<>=*xX|, ") {
		return false
	}
	dots := 0
	for i, r := range v {
		switch {
		case r >= '0' && r <= '9':
		case r == '.':
			dots++
		case r == '-' || r == '+':
			return dots >= 1 && i > 0
		default:
			return false
		}
	}
	return dots >= 1
}

// mcpURL judges a remote server's URL: plain HTTP to another host, and the
// shell/URL guards (secrets in it).
func (s *scanner) mcpURL(c *fileCtx, name string, sv *server) {
	u, err := url.Parse(sv.url)
	if err != nil {
		return
	}
	if strings.EqualFold(u.Scheme, "http") && !loopback(u.Hostname()) {
		s.fact(c, sv.urlOff, guards.ConfigFact{Condition: guards.CondMCPPlainHTTP, Evidence: name + ": " + redact.Mask(sv.url),
			Detail: "The server " + quote(name) + " is reached over plain HTTP: anyone on the network path can read its tool calls and results, and change them."})
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			s.literalSecret(c, name, "url", k, v, sv.urlOff)
		}
	}
	if f := liveIn(sv.url); f != nil {
		s.fact(c, sv.urlOff, guards.ConfigFact{Condition: guards.CondMCPLiteralSecret, Evidence: name + " url: " + redact.Mask(sv.url),
			Detail: "The server's URL holds a " + f.Kind + " in the clear."})
	}
}

func loopback(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	// net/netip, not net: the hook binary links this package, and net
	// would make it a dynamically linked, cgo-started program.
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Zone() == "" && ip.IsLoopback()
}

// literalSecret judges one env, header or URL parameter value: a secret
// written into the file instead of taken from the environment. Secrets are
// redact's: a live value of one of its formats, or a value assigned to a
// credential name (its generic rules) that is not a reference or a
// placeholder.
func (s *scanner) literalSecret(c *fileCtx, name, where, key, value string, off int) {
	if isReference(value) || strings.TrimSpace(value) == "" {
		return
	}
	probe := key + "=" + value
	if strings.EqualFold(key, "authorization") || strings.EqualFold(key, "proxy-authorization") {
		probe = key + ": " + value
	}
	kind := ""
	for _, f := range redact.Secrets(probe) {
		if f.Start < len(key) {
			continue
		}
		v := probe[f.Start:f.End]
		if f.Live || f.Generic && !isPlaceholder(v) && len(v) >= 8 {
			kind = f.Kind
			break
		}
	}
	if kind == "" {
		return
	}
	s.fact(c, off, guards.ConfigFact{Condition: guards.CondMCPLiteralSecret, Evidence: name + " " + where + ": " + redact.Mask(probe),
		Detail: "The server " + quote(name) + " gets " + key + " (" + secretName(kind) + ") written into the file, where anyone who can read the file, the repository or a backup has it."})
}

func secretName(kind string) string {
	switch kind {
	case "password", "password-assignment", "authorization", "bearer", "password-flag":
		return "a credential"
	}
	return "a " + kind
}

// liveIn returns the first live secret of a text, or nil.
func liveIn(s string) *redact.Finding {
	for _, f := range redact.Secrets(s) {
		if f.Live {
			return &f
		}
	}
	return nil
}

// isReference: the value names a variable or secret store instead of
// holding the secret (${VAR}, $VAR, ${env:VAR}, {env:VAR}, %VAR%, env:VAR,
// op://, a "Bearer ${TOKEN}" header).
func isReference(v string) bool {
	t := strings.TrimSpace(v)
	if i := strings.IndexByte(t, ' '); i > 0 && (strings.EqualFold(t[:i], "bearer") || strings.EqualFold(t[:i], "basic") || strings.EqualFold(t[:i], "token")) {
		t = strings.TrimSpace(t[i+1:])
	}
	return strings.HasPrefix(t, "$") || strings.HasPrefix(t, "{env:") || strings.HasPrefix(t, "env:") ||
		strings.HasPrefix(t, "%") && strings.HasSuffix(t, "%") || strings.HasPrefix(t, "op://") ||
		strings.HasPrefix(t, "{{") && strings.HasSuffix(t, "}}")
}

// isPlaceholder: a value that stands for a secret to fill in.
func isPlaceholder(v string) bool {
	l := strings.ToLower(v)
	for _, w := range []string{"your", "xxx", "<", ">", "changeme", "change-me", "change_me", "example", "placeholder", "replace", "todo", "insert", "redacted", "***", "..."} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// shellJoin quotes argv as one shell command line.
func shellJoin(argv []string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`|&;<>()*?[]{}#~!") {
			b.WriteString(a)
			continue
		}
		b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
	}
	return b.String()
}

// shellFields splits a command string into words as a shell would (static
// words only).
func shellFields(cmd string) []string {
	a := shell.Analyze(cmd, shell.Env{})
	if len(a.Commands) == 0 {
		return strings.Fields(cmd)
	}
	c := a.Commands[0]
	out := []string{c.Name}
	if c.Path != "" {
		out[0] = c.Path
	}
	for _, w := range c.Args {
		out = append(out, w.Value)
	}
	return out
}

var _ = regexp.MustCompile
var _ = sort.Strings
var _ sync.Once
