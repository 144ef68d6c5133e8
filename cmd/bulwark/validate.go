package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bulwark-guard/bulwark/config"
	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/packs"
)

func init() {
	register("validate", "check guard packs and run their examples", cmdValidate)
}

func cmdValidate(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark validate [PACK.toml ...]",
		"",
		"Checks packs strictly (unknown keys, bad regexes, ids) and runs every guard's examples",
		"through the real engine. With no arguments it checks the built-in packs, your config.toml,",
		"your user packs and the .bulwark.toml that applies to the current directory.",
		"Exit status: 0 all good, 1 something is broken or ignored, 2 usage error."))
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	all := append([]guards.PackSpec{}, packs.Builtin()...)
	var errs []error
	user := 0
	given := map[string]string{} // the file as it is on disk -> as given
	for _, file := range fs.Args() {
		key := file
		if abs, err := filepath.Abs(file); err == nil {
			key = abs
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				key = real
			}
		}
		if first, ok := given[key]; ok {
			fmt.Fprintf(stdout, "%s: given twice (also as %s); checked once\n", file, first)
			continue
		}
		given[key] = file
		data, err := os.ReadFile(file)
		if err != nil {
			errs = append(errs, fmt.Errorf("read pack: %w", err))
			continue
		}
		p, err := guards.ParsePack(filepath.Base(file), data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.Source = file
		all = append(all, p)
		user++
	}
	if err := guards.CheckUniqueIDs(all); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		if err := guards.CheckExamples(all); err != nil {
			errs = append(errs, err)
		}
	}
	configErrors, projectIgnored := 0, 0
	if fs.NArg() == 0 {
		cwd, _ := os.Getwd()
		rep, err := checkConfig("", cwd)
		if err != nil {
			errs = append(errs, err)
		} else {
			if rep.ConfigFile != "" {
				fmt.Fprintf(stdout, "config: %s (profile %s, %d allow rule%s in force)\n", rep.ConfigFile, rep.Profile, rep.ActiveAllow, logsPlural(rep.ActiveAllow))
			}
			for _, p := range rep.UserPacks {
				fmt.Fprintf(stdout, "user pack: %s (%d guards)\n", p.Source, len(p.Guards))
			}
			if rep.ProjectFile != "" {
				fmt.Fprintf(stdout, "project: %s\n", rep.ProjectFile)
			}
			for _, p := range rep.Problems {
				fmt.Fprintln(stdout, p.String())
				switch {
				case p.File != "" && p.File == rep.ProjectFile && p.Level <= config.Warning:
					// A project entry bulwark ignores (one that would lower an
					// action, an allow rule, an unknown key): the project's
					// author thinks it applies.
					projectIgnored++
				case p.Level == config.Error:
					configErrors++
				}
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintln(stderr, err)
		return ExitFail
	}
	if configErrors > 0 || projectIgnored > 0 {
		if configErrors > 0 {
			fmt.Fprintf(stderr, "%d configuration problems: the parts named above are ignored (built-in protection is unchanged)\n", configErrors)
		}
		if projectIgnored > 0 {
			fmt.Fprintf(stderr, "%d entries of the project's %s are ignored (a project can only add guards and raise actions)\n", projectIgnored, config.ProjectFileName)
		}
		return ExitFail
	}
	n, ex := 0, 0
	for _, p := range all {
		n += len(p.Guards)
		for _, g := range p.Guards {
			ex += len(g.Match) + len(g.NotMatch)
		}
	}
	fmt.Fprintf(stdout, "ok: %d packs (%d given), %d guards, %d examples\n", len(all), user, n, ex)
	return ExitOK
}
