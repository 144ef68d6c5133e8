package protect

import (
	"path"
	"strings"
)

// Normalize makes a path as a command or tool names it comparable with the
// members: "~" is home, a relative path is joined to cwd, "." and ".." are
// cleaned away, and the /proc aliases of the file system root and of the
// working directory are taken off (/proc/self/root/etc/x is /etc/x,
// /proc/self/cwd/x is cwd/x, /proc/thread-self/... likewise).
//
// It returns the absolute path and, when the path goes through another
// process's working directory (/proc/1234/cwd/...) that is not resolved
// here, the part after it as a relative tail (abs is then ""): such a path
// is matched by its tail, like a member that may sit in any directory.
func Normalize(p, cwd, home string) (abs, tail string) {
	if p == "" {
		return "", ""
	}
	if len(p) > 2 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z') {
		// A Windows path (C:\Users\dev\.claude\settings.json): compared by
		// its elements, the drive left out.
		p = strings.ReplaceAll(p[2:], "\\", "/")
	}
	switch {
	case p == "~" || strings.HasPrefix(p, "~/"):
		if home == "" {
			return "", strings.TrimPrefix(cleanRel(p[1:]), "/")
		}
		p = home + p[1:]
	case strings.HasPrefix(p, "/"):
	case cwd != "":
		p = cwd + "/" + p
	default:
		return "", cleanRel(p)
	}
	// /proc aliases, repeatedly (/proc/self/root/proc/self/root/x), before
	// cleaning: /proc/self/cwd/../x is the parent of the working directory,
	// not /proc/self/x.
	for i := 0; i < 8; i++ {
		q := path.Clean(p)
		if !strings.HasPrefix(q, "/proc/") {
			break
		}
		rest := strings.TrimLeft(p, "/")
		rest = strings.TrimLeft(strings.TrimPrefix(rest, "proc"), "/")
		pid, after, _ := strings.Cut(rest, "/")
		after = strings.TrimLeft(after, "/")
		what, tail, _ := strings.Cut(after, "/")
		if pid != "self" && pid != "thread-self" && !isDigits(pid) || what != "root" && what != "cwd" {
			break
		}
		if what == "root" {
			// Another process's root is the same file system unless it is
			// chrooted or in a container; an agent's own processes are not.
			p = "/" + tail
			continue
		}
		if pid != "self" && pid != "thread-self" || cwd == "" {
			return "", cleanRel(tail)
		}
		p = cwd + "/" + tail
	}
	p = path.Clean(p)
	return p, ""
}

func cleanRel(p string) string {
	c := path.Clean("/" + p)
	return strings.TrimPrefix(c, "/")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// split returns the elements of a clean absolute path ("/" has none).
func split(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// runTime marks, in a path element, a part only known at run time.
const runTime = '\x01'

// hasMeta reports whether an element holds glob characters.
func hasMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

// elemMatch reports whether a path element as written (pattern: it may be a
// glob when glob is set) can name the member element m, where m "*" stands
// for any one name.
func elemMatch(p, m string, glob bool) bool {
	if m == "*" || p == m {
		return true
	}
	if strings.IndexByte(p, runTime) >= 0 {
		// A run-time part: any text, dots included.
		ok, err := path.Match(strings.ReplaceAll(p, string(runTime), "*"), m)
		return err == nil && ok
	}
	if glob && hasMeta(p) {
		if strings.HasPrefix(m, ".") && !strings.HasPrefix(p, ".") {
			return false // the shell's * and ? never match a leading dot
		}
		ok, err := path.Match(p, m)
		return err == nil && ok
	}
	return false
}

// relation is how a path stands to a member.
type relation uint8

const (
	relNone     relation = iota
	relInside            // the member itself, or inside a member directory
	relAncestor          // a directory the member is in
)

// align compares a path's elements f with a member's elements m and calls
// visit with every way they can relate: f is the member or inside it (when
// the member is a tree), or an ancestor of it, whose depth is the number of
// the member's elements it covers. fAbs and mAbs say whether f and m start
// at the root; one that does not (a member in any project, a path through an
// unknown directory) may line up with the other anywhere. At least
// minOverlap elements must be compared (and match); glob makes f's elements
// patterns.
func align(f, m []string, fAbs, mAbs, tree, glob bool, minOverlap int, visit func(rel relation, depth int)) {
	// o is the index in f where m[0] lines up (negative: f starts inside m).
	lo, hi := 0, 0
	switch {
	case fAbs && mAbs:
	case fAbs:
		hi = len(f)
	case mAbs:
		lo = -len(m)
	default:
		lo, hi = -len(m), len(f)
	}
	for o := lo; o <= hi; o++ {
		overlap := 0
		ok := true
		for i := max(0, o); i < len(f) && i-o < len(m); i++ {
			if !elemMatch(f[i], m[i-o], glob) {
				ok = false
				break
			}
			overlap++
		}
		if !ok || overlap < minOverlap || overlap == 0 && !(fAbs && mAbs) {
			continue
		}
		end := len(f) - o // how far into m f reaches
		switch {
		case end == len(m):
			visit(relInside, end)
		case end > len(m):
			if tree {
				visit(relInside, end)
			}
		default:
			visit(relAncestor, end)
		}
	}
}
