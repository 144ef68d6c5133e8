package scan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/clients"
	"github.com/bulwark-guard/bulwark/guards"
)

// The examples of on = "config" guards are set-ups: this package reads
// them (the engine cannot: they are files, not calls).
func init() { guards.ConfigExamples = RunExample }

// Where an example's files are laid out, under a temporary directory.
const (
	exampleHome    = "home"
	exampleProject = "home/project"
)

// RunExample lays out an on = "config" example in a temporary directory
// and audits it (with --home), returning every hit. An example is one or
// more files separated by " >>> ", each "@PATH :: TEXT": PATH is relative
// to the project, or from ~/ (the example's home); TEXT is the file's
// content, where {{home}} and {{project}} stand for those directories'
// absolute paths. Files under .git/hooks are made executable.
func RunExample(e *guards.Engine, example string) ([]guards.Hit, error) {
	root, err := os.MkdirTemp("", "bulwark-audit-example-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(root)
	root, _ = filepath.EvalSymlinks(root)
	home, proj := filepath.Join(root, exampleHome), filepath.Join(root, exampleProject)
	if err := os.MkdirAll(proj, 0o755); err != nil {
		return nil, err
	}
	if err := layOut(example, home, proj); err != nil {
		return nil, err
	}
	rep := Audit(Options{Dir: proj, Home: true, Engine: e,
		Env: clients.Env{Home: home, GOOS: "linux", Root: filepath.Join(root, "root"), Vars: map[string]string{}}})
	var hits []guards.Hit
	for _, f := range rep.Findings {
		hits = append(hits, guards.Hit{GuardID: f.Rule, Severity: f.Severity, Evidence: f.Evidence})
	}
	return hits, nil
}

// layOut writes an example's files.
func layOut(example, home, proj string) error {
	for _, part := range strings.Split(example, guards.SessionSeparator) {
		part = strings.TrimSpace(part)
		if !strings.HasPrefix(part, "@") {
			return errors.New("a config example is @PATH :: TEXT (files separated by >>>)")
		}
		name, text, ok := strings.Cut(part[1:], " :: ")
		if !ok {
			name, text = part[1:], ""
		}
		name = strings.TrimSpace(name)
		var p string
		switch {
		case strings.HasPrefix(name, "~/"):
			p = filepath.Join(home, filepath.FromSlash(name[2:]))
		case filepath.IsAbs(name) || strings.Contains(name, ".."):
			return fmt.Errorf("example file %q: give a path in the project or from ~/", name)
		default:
			p = filepath.Join(proj, filepath.FromSlash(name))
		}
		text = strings.NewReplacer("{{home}}", home, "{{project}}", proj).Replace(text)
		mode := os.FileMode(0o644)
		if strings.Contains(filepath.ToSlash(p), "/.git/hooks/") {
			mode = 0o755
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			return err
		}
	}
	return nil
}
