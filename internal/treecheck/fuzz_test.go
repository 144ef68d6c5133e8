// Package treecheck holds tests about the repository itself rather than
// about one package: every fuzz target is run by `make fuzz`, and the
// README's package map names the packages the tree has.
package treecheck

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// root is the repository root, two levels up from this package.
const root = "../.."

// fuzzTargets finds every `func FuzzX(` in the tree's test files, by
// package directory ("./shell").
func fuzzTargets(t *testing.T) map[string][]string {
	t.Helper()
	decl := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(\w+ \*testing\.F\)`)
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != root || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := "./" + filepath.ToSlash(rel)
		for _, m := range decl.FindAllStringSubmatch(string(data), -1) {
			out[pkg] = append(out[pkg], m[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMakeFuzzRunsEveryTarget: each fuzz target in the tree is named by
// exactly one `-fuzz` line of `make fuzz`, and each line names exactly one
// target (go test refuses to fuzz a pattern that matches two).
func TestMakeFuzzRunsEveryTarget(t *testing.T) {
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`-fuzz\s+('[^']*'|\S+)\s.*?(\./\S+)\s*$`)
	targets := fuzzTargets(t)
	covered := map[string]int{}
	for _, l := range strings.Split(string(mk), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		pat := strings.ReplaceAll(strings.Trim(m[1], "'"), "$$", "$")
		re, err := regexp.Compile(pat)
		if err != nil {
			t.Errorf("Makefile: -fuzz %s: %v", m[1], err)
			continue
		}
		var hits []string
		for _, name := range targets[m[2]] {
			if re.MatchString(name) {
				hits = append(hits, name)
				covered[m[2]+"."+name]++
			}
		}
		if len(hits) != 1 {
			t.Errorf("Makefile: -fuzz %s %s matches %d targets %v, want exactly one", m[1], m[2], len(hits), hits)
		}
	}
	var missing []string
	for pkg, names := range targets {
		for _, name := range names {
			if covered[pkg+"."+name] == 0 {
				missing = append(missing, pkg+" "+name)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("fuzz targets not in `make fuzz`: %s", strings.Join(missing, ", "))
	}
	if len(covered) == 0 {
		t.Fatal("found no fuzz lines in the Makefile")
	}
}
