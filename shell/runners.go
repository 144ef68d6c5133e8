package shell

import (
	"path"
	"strings"
)

// Package runners (npx, uv run, bundle exec, python -m ...) and remote
// commands (ssh, docker exec, kubectl exec ...) run another command. The
// runner itself is emitted as it is written (guards match `npx prisma ...`,
// `docker exec ...`), and the command it runs is emitted after it:
//
//   - a package runner's command with Via "npx", "npm exec", "pnpm exec",
//     "pnpm dlx", "yarn dlx", "yarn exec", "bunx", "bun x", "uvx",
//     "uv run", "pipx run", "poetry run", "pipenv run", "bundle exec",
//     "rye run", "hatch run", "pdm run", "conda run" (also mamba and
//     micromamba) or "python -m", at the same depth (like sudo). For
//     python -m the module is the command name (`python -m twine upload`
//     -> `twine upload`); a package spec's version is dropped
//     (`npx cowsay@1.2` -> `cowsay`). `npx -c CMD` and `npm exec -c CMD`
//     run CMD as shell code, one level deeper;
//   - a remote or container command one level deeper, with Via
//     "ssh HOST", "docker exec", "docker compose exec",
//     "docker-compose exec", "podman exec", "docker run", "podman run",
//     "kubectl exec", "oc exec" or "gcloud compute ssh". These run
//     elsewhere (another host, a container): guards should keep that in
//     mind. ssh and gcloud --command join the words into shell code, as
//     the remote shell does; exec/run pass them as argv.

// runnerOpts describes the options of a runner: short options that take a
// value, long options that take a value. Long options not listed are
// taken as flags (with --opt=value forms handled).
type runnerOpts struct {
	short string
	long  []string
}

// pkgRunners maps "runner subcommand" (or "runner" alone) to its options.
var pkgRunners = map[string]runnerOpts{
	"npx":            {"p", []string{"package", "call", "workspace", "w", "cache", "registry", "userconfig"}},
	"npm exec":       {"pw", []string{"package", "call", "workspace", "cache", "registry", "userconfig"}},
	"npm x":          {"pw", []string{"package", "call", "workspace", "cache", "registry", "userconfig"}},
	"pnpm exec":      {"C", []string{"filter", "dir", "workspace-concurrency", "reporter"}},
	"pnpm dlx":       {"C", []string{"package", "dir", "reporter"}},
	"yarn dlx":       {"p", []string{"package"}},
	"yarn exec":      {"", nil},
	"bunx":           {"p", []string{"package"}},
	"bun x":          {"p", []string{"package"}},
	"uvx":            {"p", []string{"from", "with", "with-editable", "with-requirements", "python", "index", "index-url", "extra-index-url", "find-links", "directory", "project", "cache-dir", "config-file", "color", "constraints", "overrides", "build-constraints", "env-file"}},
	"uv tool run":    {"p", []string{"from", "with", "with-editable", "with-requirements", "python", "index", "index-url", "extra-index-url", "find-links", "directory", "project", "cache-dir", "config-file", "color", "constraints", "overrides", "build-constraints", "env-file"}},
	"uv run":         {"p", []string{"with", "with-editable", "with-requirements", "python", "package", "directory", "project", "env-file", "extra", "group", "only-group", "no-group", "index", "index-url", "extra-index-url", "find-links", "cache-dir", "config-file", "color", "no-extra"}},
	"pipx run":       {"", []string{"spec", "python", "pip-args", "index-url", "path"}},
	"poetry run":     {"C", []string{"directory", "project"}},
	"pipenv run":     {"", []string{"python"}},
	"bundle exec":    {"", []string{"gemfile"}},
	"rye run":        {"", []string{"pyproject"}},
	"hatch run":      {"", []string{"env"}},
	"pdm run":        {"pg", []string{"project", "venv"}},
	"conda run":      {"np", []string{"name", "prefix", "cwd"}},
	"mamba run":      {"np", []string{"name", "prefix", "cwd"}},
	"micromamba run": {"np", []string{"name", "prefix", "cwd"}},
}

// runnerKey returns the key of pkgRunners for name and args, and the
// number of argument words it consumed (the subcommand).
func runnerKey(name string, args []xword) (string, int) {
	switch name {
	case "npx", "bunx", "uvx":
		return name, 0
	case "npm", "pnpm", "yarn", "bun", "uv", "pipx", "poetry", "pipenv", "bundle", "bundler", "rye", "hatch", "pdm",
		"conda", "mamba", "micromamba":
		// The subcommand is the first word (global options before it are
		// rare; they are not skipped).
		if len(args) == 0 || args[0].Dynamic {
			return "", 0
		}
		sub := args[0].Value
		if name == "uv" && sub == "tool" && len(args) > 1 && args[1].Value == "run" {
			return "uv tool run", 2
		}
		if k := runnerSub(name, sub); k != "" {
			return k, 1
		}
	}
	return "", 0
}

// runnerSub returns the pkgRunners key of `name sub` (without building a
// string on the hot path), or "".
func runnerSub(name, sub string) string {
	switch name + "/" + sub {
	case "npm/exec":
		return "npm exec"
	case "npm/x":
		return "npm x"
	case "pnpm/exec":
		return "pnpm exec"
	case "pnpm/dlx":
		return "pnpm dlx"
	case "yarn/dlx":
		return "yarn dlx"
	case "yarn/exec":
		return "yarn exec"
	case "bun/x":
		return "bun x"
	case "uv/run":
		return "uv run"
	case "pipx/run":
		return "pipx run"
	case "poetry/run":
		return "poetry run"
	case "pipenv/run":
		return "pipenv run"
	case "bundle/exec", "bundler/exec":
		return "bundle exec"
	case "rye/run":
		return "rye run"
	case "hatch/run":
		return "hatch run"
	case "pdm/run":
		return "pdm run"
	case "conda/run":
		return "conda run"
	case "mamba/run":
		return "mamba run"
	case "micromamba/run":
		return "micromamba run"
	}
	return ""
}

// runnerOperand skips a runner's options and returns the index of the
// command it runs (len(args) when none), and the -c/--call shell code.
func runnerOperand(key string, o runnerOpts, args []xword) (int, *xword) {
	for i := 0; i < len(args); i++ {
		w := args[i]
		v := w.Value
		if w.Dynamic || len(v) < 2 || v[0] != '-' {
			return i, nil
		}
		if v == "--" {
			return i + 1, nil
		}
		if (key == "npx" || key == "npm exec" || key == "npm x") && (v == "-c" || v == "--call") {
			if i+1 < len(args) {
				return len(args), &args[i+1]
			}
			return len(args), nil
		}
		if strings.HasPrefix(v, "--") {
			if strings.IndexByte(v, '=') >= 0 {
				if strings.HasPrefix(v, "--call=") && (key == "npx" || key == "npm exec" || key == "npm x") {
					x := args[i]
					x.Value = v[len("--call="):]
					return len(args), &x
				}
				continue
			}
			for _, l := range o.long {
				if l == v[2:] {
					i++
					break
				}
			}
			continue
		}
		// A cluster of short flags; the last may take a value.
		// -p PKG takes the next word; -pPKG has it attached.
		if len(v) == 2 && strings.IndexByte(o.short, v[1]) >= 0 {
			i++
		}
	}
	return len(args), nil
}

// pkgName reduces a package spec to the command it provides:
// "@scope/pkg@1.2" -> "pkg", "cowsay@latest" -> "cowsay", "ruff==0.4" -> "ruff".
func pkgName(v string) string {
	if i := strings.IndexAny(v, "=<>~!["); i > 0 {
		v = v[:i]
	}
	if i := strings.LastIndexByte(v, '@'); i > 0 {
		v = v[:i]
	}
	return v
}

// runnerRun analyses what a package runner or a remote command runs. It
// reports whether name was one.
func (a *analyzer) runnerRun(name string, args []xword, in stdinInfo, c *ctx, sc *scope) bool {
	if key, skip := runnerKey(name, args); key != "" {
		o := pkgRunners[key]
		rest := args[skip:]
		i, code := runnerOperand(key, o, rest)
		via := key
		if key == "uv tool run" {
			via = "uvx"
		}
		if code != nil {
			if !code.substOnly {
				a.nestedText(code.Value, c, sc, in, viaDecoded(via+" -c", *code)...)
			}
			return true
		}
		if i >= len(rest) {
			return true
		}
		argv := append([]xword{}, rest[i:]...)
		switch key {
		case "npx", "pnpm dlx", "yarn dlx", "bunx", "bun x", "uvx", "uv tool run", "pipx run":
			if !argv[0].Dynamic {
				argv[0].Value = pkgName(argv[0].Value)
			}
		}
		a.run(&invocation{argv: argv, via: []string{via}, in: in}, c, sc)
		return true
	}
	switch name {
	case "ssh":
		a.sshRun(args, in, c, sc)
		return true
	case "docker", "podman", "docker-compose", "kubectl", "oc", "gcloud":
		return a.containerRun(name, args, in, c, sc)
	}
	if interpLang(name) == "python" {
		return a.pythonModule(args, in, c, sc)
	}
	return false
}

// pythonModule handles python -m MODULE ARGS: MODULE runs as a command.
func (a *analyzer) pythonModule(args []xword, in stdinInfo, c *ctx, sc *scope) bool {
	for i := 0; i < len(args); i++ {
		w := args[i]
		v := w.Value
		if w.Dynamic || len(v) < 2 || v[0] != '-' || v == "--" || strings.HasPrefix(v, "--") {
			return false
		}
		for j := 1; j < len(v); j++ {
			switch v[j] {
			case 'm':
				mod := v[j+1:]
				rest := args[i+1:]
				if mod == "" {
					if len(rest) == 0 || rest[0].Dynamic {
						return false
					}
					mod, rest = rest[0].Value, rest[1:]
				}
				if mod == "" {
					return false
				}
				argv := make([]xword, 0, len(rest)+1)
				argv = append(argv, xword{Word: Word{Value: mod}})
				argv = append(argv, rest...)
				a.run(&invocation{argv: argv, via: []string{"python -m"}, in: in}, c, sc)
				return true
			case 'c':
				return false
			case 'W', 'X':
				if j == len(v)-1 {
					i++
				}
				j = len(v)
			}
		}
	}
	return false
}

// sshOptVals are ssh's options that take a value.
const sshOptVals = "BbcDEeFIiJLlmOopQRSWw"

// sshRun analyses the remote command of ssh [opts] HOST [CMD...], or a
// shell script fed on its stdin when there is no command.
func (a *analyzer) sshRun(args []xword, in stdinInfo, c *ctx, sc *scope) {
	i, flags := skipOpts(args, sshOptVals)
	// -o ProxyCommand=CMD / LocalCommand=CMD run CMD locally, as shell code.
	for k := 0; k < i && k < len(args); k++ {
		v := args[k].Value
		opt := ""
		switch {
		case v == "-o" && k+1 < len(args):
			opt = args[k+1].Value
		case strings.HasPrefix(v, "-o"):
			opt = v[2:]
		default:
			continue
		}
		key, val, ok := strings.Cut(opt, "=")
		if !ok {
			key, val, ok = strings.Cut(opt, " ")
		}
		if ok && (strings.EqualFold(key, "ProxyCommand") || strings.EqualFold(key, "LocalCommand")) &&
			!strings.EqualFold(strings.TrimSpace(val), "none") {
			a.nestedText(val, c, sc, stdinInfo{}, "ssh -o "+key)
		}
	}
	if strings.ContainsAny(flags, "NVGQ") || i >= len(args) {
		return
	}
	host := args[i].Value
	via := "ssh " + host
	if args[i].Dynamic {
		via = "ssh"
	}
	rest := args[i+1:]
	if len(rest) == 0 {
		if in.known && !strings.ContainsAny(flags, "n") {
			a.nestedText(in.text, c, remoteScope(), stdinInfo{}, append([]string{via}, viaDecodedOut(in.kind, &outInfo{decoded: in.decoded})...)...)
		}
		return
	}
	a.remoteShell(rest, in, c, sc, via)
}

// remoteShell joins words into shell code run elsewhere (ssh, gcloud
// --command), one level deeper.
func (a *analyzer) remoteShell(words []xword, in stdinInfo, c *ctx, sc *scope, via string) {
	parts := make([]string, 0, len(words))
	for _, w := range words {
		parts = append(parts, w.Value)
	}
	a.nestedText(strings.Join(parts, " "), c, remoteScope(), in, viaDecoded(via, words...)...)
}

// remoteScope is the shell state on another host or in a container: no
// variables of the local command line, unknown working directory (Cwd ""),
// and an unknown home directory (~ stays "~").
func remoteScope() *scope {
	return &scope{lost: true, env: &Env{}}
}

// remoteArgv runs argv in a container one level deeper.
func (a *analyzer) remoteArgv(argv []xword, in stdinInfo, c *ctx, sc *scope, via string) {
	if len(argv) == 0 {
		return
	}
	if c.depth+1 > MaxDepth {
		a.res.DepthExceeded = true
		return
	}
	nc := c.nested(c.src, via)
	a.run(&invocation{argv: argv, in: in}, nc, remoteScope())
}

var (
	dockerGlobal  = runnerOpts{"cHl", []string{"config", "context", "host", "log-level", "tlscacert", "tlscert", "tlskey"}}
	composeGlobal = runnerOpts{"fp", []string{"file", "project-name", "project-directory", "profile", "env-file", "ansi", "parallel", "progress"}}
	execOpts      = runnerOpts{"euw", []string{"env", "env-file", "user", "workdir", "detach-keys", "index"}}
	kubeGlobal    = runnerOpts{"ncs", []string{"namespace", "context", "kubeconfig", "cluster", "user", "server", "token", "as", "as-group", "request-timeout", "container", "filename", "pod-running-timeout", "selector"}}
	// docker run: long options that are flags; every other long option
	// takes a value.
	runFlags = map[string]bool{"rm": true, "detach": true, "interactive": true, "tty": true, "privileged": true,
		"init": true, "read-only": true, "publish-all": true, "no-healthcheck": true, "oom-kill-disable": true,
		"sig-proxy": true, "disable-content-trust": true, "quiet": true, "help": true, "replace": true, "rmi": true}
)

// subcommand skips global options and returns the index of the subcommand.
func subcommand(args []xword, o runnerOpts) int {
	i, _ := skipOpts(args, o.short, o.long...)
	return i
}

// containerRun handles docker/podman exec and run, docker compose exec,
// kubectl/oc exec and gcloud compute ssh --command.
func (a *analyzer) containerRun(name string, args []xword, in stdinInfo, c *ctx, sc *scope) bool {
	word := func(i int) string {
		if i < len(args) && !args[i].Dynamic {
			return args[i].Value
		}
		return ""
	}
	switch name {
	case "gcloud":
		if word(0) != "compute" || word(1) != "ssh" {
			return false
		}
		for i := 2; i < len(args); i++ {
			v := args[i].Value
			switch {
			case v == "--command" && i+1 < len(args):
				a.remoteShell(args[i+1:i+2], in, c, sc, "gcloud compute ssh")
				return true
			case strings.HasPrefix(v, "--command="):
				x := args[i]
				x.Value = v[len("--command="):]
				a.remoteShell([]xword{x}, in, c, sc, "gcloud compute ssh")
				return true
			}
		}
		return true
	case "kubectl", "oc":
		s := subcommand(args, kubeGlobal)
		if word(s) != "exec" {
			return false
		}
		rest := args[s+1:]
		for i, w := range rest {
			if w.Value == "--" && !w.Dynamic {
				a.remoteArgv(rest[i+1:], in, c, sc, name+" exec")
				return true
			}
		}
		// Old form without --: kubectl exec POD CMD...
		i := subcommand(rest, kubeGlobal)
		if i+1 < len(rest) {
			a.remoteArgv(rest[i+1:], in, c, sc, name+" exec")
		}
		return true
	}
	// docker, podman, docker-compose.
	s := 0
	via := name
	if name == "docker-compose" {
		s = subcommand(args, composeGlobal)
	} else {
		s = subcommand(args, dockerGlobal)
		if word(s) == "compose" {
			via = name + " compose"
			s++
			s += subcommand(args[s:], composeGlobal)
		} else if word(s) == "container" {
			s++
		}
	}
	switch sub := word(s); {
	case sub == "exec":
		rest := args[s+1:]
		i := subcommand(rest, execOpts)
		if i+1 < len(rest) {
			a.remoteArgv(rest[i+1:], in, c, sc, via+" exec")
		}
		return true
	case sub == "run" && via == name && name != "docker-compose":
		rest := args[s+1:]
		entry := ""
		i := 0
		for ; i < len(rest); i++ {
			w := rest[i]
			v := w.Value
			if w.Dynamic || len(v) < 2 || v[0] != '-' {
				break
			}
			if v == "--" {
				i++
				break
			}
			if strings.HasPrefix(v, "--") {
				k, val, eq := strings.Cut(v[2:], "=")
				if k == "entrypoint" {
					if eq {
						entry = val
					} else if i+1 < len(rest) {
						entry = rest[i+1].Value
					}
				}
				if !eq && !runFlags[k] {
					i++
				}
				continue
			}
			// Short options taking a value: -e -v -p -w -u -h -l -m -c -a --name...
			if last := v[len(v)-1]; strings.IndexByte("evpwuhlmca", last) >= 0 {
				i++
			}
		}
		if i+1 >= len(rest) && entry == "" {
			return true // no command: the image's default
		}
		var argv []xword
		if entry != "" {
			argv = append(argv, xword{Word: Word{Value: entry}})
		}
		if i+1 < len(rest) {
			argv = append(argv, rest[i+1:]...)
		}
		a.remoteArgv(argv, in, c, sc, via+" run")
		return true
	}
	return false
}

// tarLongVals are tar's long options that take the next word as value.
var tarLongVals = map[string]bool{"file": true, "directory": true, "files-from": true, "exclude-from": true,
	"use-compress-program": true, "transform": true, "xform": true, "owner": true, "group": true, "mode": true,
	"format": true, "label": true, "newer": true, "after-date": true, "newer-mtime": true, "blocking-factor": true,
	"tape-length": true, "info-script": true, "new-volume-script": true, "volno-file": true, "rsh-command": true,
	"exclude": true, "suffix": true, "checkpoint-action": true, "mtime": true}

// tarDir applies tar's -C DIR / --directory DIR: the member operands
// after it name files relative to DIR, so the command runs "in" DIR: dir
// is returned for Command.Cwd (the convention of env -C), with known false
// when it is dynamic or there are several -C. The archive of -f/--file is
// opened relative to the starting directory, so a relative archive is
// rewritten as an absolute path (joined with cwd) when cwd is known.
// Member operands stay as written.
func tarDir(args []xword, cwd string) (out []xword, dir string, has, known bool) {
	known = true
	set := func(d xword) {
		if has && d.Value != dir {
			known = false
		}
		has = true
		dir = d.Value
		if d.Dynamic {
			known = false
		}
	}
	archive := -1
	var pending []byte // value-taking short options waiting for their value
	for i := 0; i < len(args); i++ {
		w := args[i]
		v := w.Value
		if len(pending) > 0 {
			switch pending[0] {
			case 'C':
				set(w)
			case 'f':
				archive = i
			}
			pending = pending[1:]
			continue
		}
		if w.Dynamic {
			continue
		}
		switch {
		case v == "--":
			i = len(args)
		case strings.HasPrefix(v, "--"):
			k, val, eq := strings.Cut(v[2:], "=")
			switch {
			case k == "directory" && eq:
				set(xword{Word: Word{Value: val}})
			case k == "directory":
				pending = append(pending, 'C')
			case k == "file" && !eq:
				pending = append(pending, 'f')
			case !eq && tarLongVals[k]:
				pending = append(pending, 'x')
			}
		case len(v) > 1 && v[0] == '-' || i == 0 && v != "" && strings.Trim(v, "AcdrtuxzjJZaOvkmpPsSwWBfCTXbgKNVLHhiloM") == "":
			// A short option cluster (or tar's old-style first word).
			b := strings.TrimPrefix(v, "-")
			for j := 0; j < len(b); j++ {
				if strings.IndexByte("fCTXbgKNVLHI", b[j]) < 0 {
					continue
				}
				if j < len(b)-1 && v[0] == '-' {
					// The value is attached: -C/dir, -fx.tar.
					if b[j] == 'C' {
						set(xword{Word: Word{Value: b[j+1:]}})
					}
					break
				}
				pending = append(pending, b[j])
			}
		}
	}
	out = args
	if has && archive >= 0 && cwd != "" {
		if a := args[archive]; !a.Dynamic && a.Value != "-" && !strings.HasPrefix(a.Value, "/") && !strings.HasPrefix(a.Value, "~") {
			out = append([]xword{}, args...)
			out[archive].Value = path.Join(cwd, a.Value)
		}
	}
	return out, dir, has, known
}
