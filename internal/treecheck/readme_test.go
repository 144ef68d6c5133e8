package treecheck

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// packageDirs are the directories that hold a Go package (a .go file that
// is not a test), relative to the root, testdata left out.
func packageDirs(t *testing.T) map[string]bool {
	t.Helper()
	dirs := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != root || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			dirs[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestREADMEPackageMap: the README's package table names every package in
// the tree, and only packages that exist.
func TestREADMEPackageMap(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(data), "| package | job |\n")
	if !ok {
		t.Fatal("README.md has no '| package | job |' table")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	named := map[string]bool{}
	name := regexp.MustCompile("`([^`]+)`")
	for _, row := range strings.Split(table, "\n") {
		cells := strings.Split(row, "|")
		if len(cells) < 3 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") {
			continue
		}
		for _, m := range name.FindAllStringSubmatch(cells[1], -1) {
			named[m[1]] = true
		}
	}
	dirs := packageDirs(t)
	var missing, stale []string
	for d := range dirs {
		if d == "." {
			continue
		}
		if !named[d] && !named[parentNamed(d, named)] {
			missing = append(missing, d)
		}
	}
	for n := range named {
		if !dirs[n] {
			stale = append(stale, n)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("README.md's package table does not name %s", strings.Join(missing, ", "))
	}
	if len(stale) > 0 {
		t.Errorf("README.md's package table names %s, which the tree does not have", strings.Join(stale, ", "))
	}
}

// parentNamed is the nearest parent of d that the table names when d is a
// helper program inside it (scripts/latency/hello under scripts/latency);
// "" otherwise.
func parentNamed(d string, named map[string]bool) string {
	for p := filepath.ToSlash(filepath.Dir(d)); p != "." && p != "/"; p = filepath.ToSlash(filepath.Dir(p)) {
		if named[p] && strings.HasPrefix(d, "scripts/") {
			return p
		}
	}
	return ""
}
