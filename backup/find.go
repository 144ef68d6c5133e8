package backup

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bulwark-guard/bulwark/internal/fnmatch"
)

// findFilter is the part of a find expression the backup models, to keep
// only what `find ROOT EXPR -delete` (or -exec rm) would remove. It errs on
// the side of keeping more: a test it does not model counts as true, and an
// expression with -o, !, parentheses or -prune keeps everything under the
// root.
type findFilter struct {
	all                bool
	tests              []findTest
	minDepth, maxDepth int // -1: none
}

type findTest struct {
	kind  string // "name", "path", "type", "empty"
	pat   string
	fold  bool
	types string
}

func parseFind(expr []string) findFilter {
	f := findFilter{minDepth: -1, maxDepth: -1}
	for i := 0; i < len(expr); i++ {
		tok := expr[i]
		arg := func() string {
			if i+1 < len(expr) {
				i++
				return expr[i]
			}
			return ""
		}
		switch tok {
		case "-name", "-iname":
			f.tests = append(f.tests, findTest{kind: "name", pat: arg(), fold: tok == "-iname"})
		case "-path", "-ipath", "-wholename", "-iwholename":
			f.tests = append(f.tests, findTest{kind: "path", pat: arg(), fold: tok[1] == 'i'})
		case "-type", "-xtype":
			f.tests = append(f.tests, findTest{kind: "type", types: strings.ReplaceAll(arg(), ",", "")})
		case "-empty":
			f.tests = append(f.tests, findTest{kind: "empty"})
		case "-maxdepth":
			f.maxDepth = atoiOr(arg(), -1)
		case "-mindepth":
			f.minDepth = atoiOr(arg(), -1)
		case "-exec", "-execdir", "-ok", "-okdir":
			for i+1 < len(expr) {
				i++
				if expr[i] == ";" || expr[i] == "+" && expr[i-1] == "{}" {
					break
				}
			}
		case "-o", "-or", "!", "-not", "(", ")", ",", "-prune":
			f.all = true
			return f
		case "-a", "-and":
		default:
			i += findArgs(tok) // a test we do not model: true, over its argument
		}
	}
	return f
}

func findArgs(tok string) int {
	switch tok {
	case "-fprintf":
		return 2
	case "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-size", "-user", "-group", "-perm", "-links",
		"-inum", "-samefile", "-uid", "-gid", "-regex", "-iregex", "-lname", "-ilname", "-used", "-regextype",
		"-fprint", "-fprint0", "-fls", "-printf", "-context", "-files0-from":
		return 1
	}
	if strings.HasPrefix(tok, "-newer") {
		return 1
	}
	return 0
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

// match reports whether find would act on p (at depth below the root).
func (f *findFilter) match(p string, fi fs.FileInfo, depth int) bool {
	if f.minDepth >= 0 && depth < f.minDepth || f.maxDepth >= 0 && depth > f.maxDepth {
		return false
	}
	if f.all {
		return true
	}
	for _, t := range f.tests {
		if !t.match(p, fi) {
			return false
		}
	}
	return true
}

func (t findTest) match(p string, fi fs.FileInfo) bool {
	switch t.kind {
	case "name":
		return globMatch(t.pat, filepath.Base(p), t.fold)
	case "path":
		// find matches the path as it prints it (ROOT/rel, ROOT as written);
		// we only know the absolute path, so any suffix that fits counts.
		for s := p; ; {
			if globMatch(t.pat, s, t.fold) || globMatch(t.pat, "./"+s, t.fold) {
				return true
			}
			i := strings.IndexByte(s, '/')
			if i < 0 {
				return false
			}
			s = s[i+1:]
		}
	case "type":
		c := byte('f')
		switch {
		case fi.IsDir():
			c = 'd'
		case fi.Mode()&fs.ModeSymlink != 0:
			c = 'l'
		case !fi.Mode().IsRegular():
			return true
		}
		return strings.IndexByte(t.types, c) >= 0
	case "empty":
		if fi.IsDir() {
			des, err := os.ReadDir(p)
			return err == nil && len(des) == 0
		}
		return fi.Mode().IsRegular() && fi.Size() == 0
	}
	return true
}

// globMatch is find's -name/-path matching (fnmatch without FNM_PATHNAME:
// * and ? also match "/"); fold is -iname/-ipath.
func globMatch(pat, s string, fold bool) bool {
	if fold {
		pat, s = strings.ToLower(pat), strings.ToLower(s)
	}
	return fnmatch.Match(pat, s)
}
