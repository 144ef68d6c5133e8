package shell

import (
	"path"
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
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
//
// Which commands are runners (commands.Runner, and commands.PkgTool
// subcommands) and remote commands (commands.Remote), and their options,
// is in package commands.

// runnerSpec returns the spec of the package runner a command line starts
// with (npx, or npm exec / uv tool run ... for a PkgTool), and the number
// of argument words its name took (the subcommand words).
func runnerSpec(spec *commands.Spec, name string, args []xword) (*commands.Spec, int) {
	if spec.Kind == commands.Runner {
		return spec, 0
	}
	// The subcommand is the first word (global options before it are
	// rare; they are not skipped).
	if len(args) == 0 || args[0].Dynamic {
		return nil, 0
	}
	sub := spec.Sub(args[0].Value)
	if sub == nil {
		return nil, 0
	}
	if sub.Kind == commands.PkgTool { // uv tool run
		if len(args) > 1 && !args[1].Dynamic {
			if s2 := sub.Sub(args[1].Value); s2 != nil && s2.Kind == commands.Runner {
				return s2, 2
			}
		}
		return nil, 0
	}
	if sub.Kind != commands.Runner {
		return nil, 0
	}
	return sub, 1
}

// runnerOperand skips a runner's options and returns the index of the
// command it runs (len(args) when none), and the shell code of a code
// option (npx -c CODE, --call=CODE).
func runnerOperand(spec *commands.Spec, args []xword) (int, *xword) {
	var code *xword
	stopped := false
	i := scanOpts(args, spec, func(o opt) bool {
		if o.short != 0 && strings.IndexByte(spec.Code, o.short) >= 0 || o.long != "" && commands.HasWord(spec.CodeLong, o.long) {
			if o.hasVal {
				v := o.val
				code = &v
			}
			stopped = true
			return false
		}
		return true
	})
	if stopped {
		return len(args), code
	}
	return i, nil
}

// pkgName reduces a package spec to the command it provides:
// "@scope/pkg@1.2" -> "pkg", "cowsay@latest" -> "cowsay", "ruff==0.4" -> "ruff".
func pkgName(v string) string {
	if strings.HasPrefix(v, "@") {
		if i := strings.IndexByte(v, '/'); i > 0 {
			v = v[i+1:]
		}
	}
	if i := strings.IndexAny(v, "=<>~!["); i > 0 {
		v = v[:i]
	}
	if i := strings.LastIndexByte(v, '@'); i > 0 {
		v = v[:i]
	}
	return v
}

// runnerRun analyses what a package runner runs.
func (a *analyzer) runnerRun(spec *commands.Spec, name string, args []xword, in stdinInfo, c *ctx, sc *scope) {
	r, skip := runnerSpec(spec, name, args)
	if r == nil {
		return
	}
	rest := args[skip:]
	i, code := runnerOperand(r, rest)
	via := r.Name
	if via == "uv tool run" {
		via = "uvx"
	}
	if code != nil {
		if !code.substOnly {
			a.nestedText(code.Value, c, sc, in, viaDecoded(via+" -c", *code)...)
		}
		return
	}
	if i >= len(rest) {
		return
	}
	argv := append([]xword{}, rest[i:]...)
	if r.PkgSpec && !argv[0].Dynamic {
		argv[0].Value = pkgName(argv[0].Value)
	}
	a.run(&invocation{argv: argv, via: []string{via}, in: in}, c, sc)
}

// remoteRun analyses the command ssh, docker, kubectl ... run elsewhere.
func (a *analyzer) remoteRun(spec *commands.Spec, name string, args []xword, in stdinInfo, c *ctx, sc *scope) {
	switch spec.Name {
	case "ssh":
		a.sshRun(spec, args, in, c, sc)
		return
	case "heroku":
		a.herokuRun(args, in, c, sc)
		return
	case "fly":
		a.flyRun(args, in, c, sc)
		return
	}
	a.containerRun(spec, name, args, in, c, sc)
}

// pythonModule handles python -m MODULE ARGS: MODULE runs as a command.
func (a *analyzer) pythonModule(spec *commands.Spec, args []xword, in stdinInfo, c *ctx, sc *scope) bool {
	var mod *opt
	scanOpts(args, spec, func(o opt) bool {
		switch {
		case o.long != "", o.short == 'c':
			return false
		case o.short == 'm':
			x := o
			mod = &x
			return false
		}
		return true
	})
	if mod == nil || !mod.hasVal || mod.val.Dynamic || mod.val.Value == "" {
		return false
	}
	next := mod.i + 1
	if mod.valIdx >= 0 {
		next = mod.valIdx + 1
	}
	rest := args[min(next, len(args)):]
	argv := make([]xword, 0, len(rest)+1)
	argv = append(argv, xword{Word: Word{Value: mod.val.Value}})
	argv = append(argv, rest...)
	a.run(&invocation{argv: argv, via: []string{"python -m"}, in: in}, c, sc)
	return true
}

// sshRun analyses the remote command of ssh [opts] HOST [CMD...], or a
// shell script fed on its stdin when there is no command.
func (a *analyzer) sshRun(spec *commands.Spec, args []xword, in stdinInfo, c *ctx, sc *scope) {
	noRun, noStdin := false, false
	i := scanOpts(args, spec, func(o opt) bool {
		if o.short != 0 {
			noRun = noRun || strings.IndexByte(spec.NoRun, o.short) >= 0
			noStdin = noStdin || o.short == 'n'
		}
		if o.short != 'o' || !o.hasVal {
			return true
		}
		// -o ProxyCommand=CMD / LocalCommand=CMD run CMD locally, as shell code.
		key, val, ok := strings.Cut(o.val.Value, "=")
		if !ok {
			key, val, ok = strings.Cut(o.val.Value, " ")
		}
		if ok && (strings.EqualFold(key, "ProxyCommand") || strings.EqualFold(key, "LocalCommand")) &&
			!strings.EqualFold(strings.TrimSpace(val), "none") {
			a.nestedText(val, c, sc, stdinInfo{}, "ssh -o "+key)
		}
		return true
	})
	if noRun || i >= len(args) {
		return
	}
	host := args[i].Value
	via := "ssh " + host
	if args[i].Dynamic {
		via = "ssh"
	}
	rest := args[i+1:]
	if len(rest) == 0 {
		if in.known && !noStdin {
			a.nestedText(in.text, c, remoteScope(), stdinInfo{}, append([]string{via}, viaDecodedOut(in.kind, &outInfo{decoded: in.decoded})...)...)
		}
		return
	}
	a.remoteShell(rest, in, c, sc, via)
}

// remoteShell joins words into shell code run elsewhere (ssh, gcloud
// --command), one level deeper.
func (a *analyzer) remoteShell(words []xword, in stdinInfo, c *ctx, sc *scope, via string) {
	a.nestedText(joinWords(words), c, remoteScope(), in, viaDecoded(via, words...)...)
}

// remoteScope is the shell state on another host or in a container: no
// variables of the local command line, unknown working directory (Cwd ""),
// and an unknown home directory (~ stays "~").
func remoteScope() *scope {
	return &scope{lost: true, env: &Env{}, remote: true}
}

// remoteArgv runs argv in a container one level deeper.
func (a *analyzer) remoteArgv(argv []xword, in stdinInfo, c *ctx, sc *scope, via string) {
	if len(argv) == 0 {
		return
	}
	if c.depth+1 > MaxDepth {
		a.depthLimit()
		return
	}
	nc := c.nested(c.src, via)
	a.run(&invocation{argv: argv, in: in}, nc, remoteScope())
}

// subcommand skips a command's global options and returns the index of
// its subcommand.
func subcommand(args []xword, spec *commands.Spec) int {
	return scanOpts(args, spec, nil)
}

// containerRun handles docker/podman exec and run, docker compose exec,
// kubectl/oc exec and gcloud compute ssh --command.
func (a *analyzer) containerRun(spec *commands.Spec, name string, args []xword, in stdinInfo, c *ctx, sc *scope) {
	word := func(i int) string {
		if i < len(args) && !args[i].Dynamic {
			return args[i].Value
		}
		return ""
	}
	switch name {
	case "gcloud":
		s := subcommand(args, spec)
		if word(s) != "compute" || word(s+1) != "ssh" {
			return
		}
		ssh := commands.Lookup("gcloud compute ssh")
		rest := args[s+2:]
		if code := codeOption(rest, ssh); code != nil {
			a.remoteShell([]xword{*code}, in, c, sc, "gcloud compute ssh")
			return
		}
		// gcloud compute ssh VM -- SSH-ARGS: what follows -- is given to
		// ssh after the host: its options, then the remote command.
		if k := scanOpts(rest, ssh, nil); k > 0 && k < len(rest) && rest[k-1].Value == "--" && !rest[k-1].Dynamic {
			tail := rest[k:]
			if j := scanOpts(tail, commands.Lookup("ssh"), nil); j < len(tail) {
				a.remoteShell(tail[j:], in, c, sc, "gcloud compute ssh")
			}
		}
		return
	case "kubectl", "oc":
		s := subcommand(args, spec)
		if word(s) != "exec" {
			return
		}
		rest := args[s+1:]
		for i, w := range rest {
			if w.Value == "--" && !w.Dynamic {
				a.remoteArgv(rest[i+1:], in, c, sc, name+" exec")
				return
			}
		}
		// Old form without --: kubectl exec POD CMD...
		i := subcommand(rest, spec)
		if i+1 < len(rest) {
			a.remoteArgv(rest[i+1:], in, c, sc, name+" exec")
		}
		return
	}
	// docker, podman, docker-compose.
	s := subcommand(args, spec)
	via := name
	if name != "docker-compose" {
		if word(s) == "compose" {
			via = name + " compose"
			s++
			s += subcommand(args[s:], commands.Lookup("docker compose"))
		} else if word(s) == "container" {
			s++
		}
	}
	switch sub := word(s); {
	case sub == "exec":
		rest := args[s+1:]
		i := subcommand(rest, commands.Lookup("docker exec"))
		if i+1 < len(rest) {
			a.remoteArgv(rest[i+1:], in, c, sc, via+" exec")
		}
	case sub == "run" && via == name && name != "docker-compose":
		rest := args[s+1:]
		entry := ""
		i := scanOpts(rest, commands.Lookup("docker run"), func(o opt) bool {
			if o.long == "entrypoint" && o.hasVal {
				entry = o.val.Value
			}
			return true
		})
		if i+1 >= len(rest) && entry == "" {
			return // no command: the image's default
		}
		var argv []xword
		if entry != "" {
			argv = append(argv, xword{Word: Word{Value: entry}})
		}
		if i+1 < len(rest) {
			argv = append(argv, rest[i+1:]...)
		}
		a.remoteArgv(argv, in, c, sc, via+" run")
	}
}

// tarDir applies tar's -C DIR / --directory DIR: the member operands
// after it name files relative to DIR, so the command runs "in" DIR: the
// directory is returned for Command.Cwd (the convention of env -C), ""
// when it is dynamic or there are several -C, and has says whether there
// was one. The archive of -f/--file is opened relative to the starting
// directory, so a relative archive is rewritten as an absolute path
// (joined with the working directory) when that is known. Member operands
// stay as written.
func tarDir(spec *commands.Spec, args []xword, sc *scope) (out []xword, cwd string, has bool) {
	dir, known := "", true
	archive := -1
	scanOpts(args, spec, func(o opt) bool {
		switch {
		case o.short == 'C' || o.long == "directory":
			if !o.hasVal {
				return true
			}
			if has && o.val.Value != dir {
				known = false
			}
			has, dir = true, o.val.Value
			if o.val.Dynamic {
				known = false
			}
		case (o.short == 'f' || o.long == "file") && o.valIdx >= 0:
			archive = o.valIdx
		}
		return true
	})
	out = args
	start := sc.cwd
	if sc.lost {
		start = ""
	}
	if has && archive >= 0 && start != "" {
		if a := args[archive]; !a.Dynamic && a.Value != "-" && !strings.HasPrefix(a.Value, "/") && !strings.HasPrefix(a.Value, "~") {
			out = append([]xword{}, args...)
			out[archive].Value = path.Join(start, a.Value)
		}
	}
	if has && known {
		tmp := sc.copy()
		tmp.cdTo([]xword{{Word: Word{Value: dir}}})
		cwd = tmp.cwd
	}
	return out, cwd, has
}
