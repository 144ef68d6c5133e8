package guards

import (
	"path"
	"strings"
)

// NormalizePath makes a path comparable by guards: relative paths are joined
// to cwd, "." and ".." are cleaned away, and anything inside a home directory
// is written from "~" ("/home/u/.ssh/id_rsa" -> "~/.ssh/id_rsa"), so a guard's
// regex sees the same text however the path was spelled.
//
// Home directories are recognised by the hook's HOME and also by their
// conventional places (/home/NAME, /Users/NAME, /root): a guard protecting
// "a home directory" should not depend on whose it is.
// Words that still hold unresolved shell parts ("$X/y") are only tidied, never
// joined to cwd, because their real value may be absolute.
func NormalizePath(p, cwd, home string, dynamic bool) string {
	if p == "" {
		return p
	}
	if dynamic && !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "~") {
		return p
	}
	switch {
	case p == "~" || strings.HasPrefix(p, "~/"):
		// Unexpanded tilde (HOME unknown to the analysis): already home-relative.
		return "~" + cleanTail(p[1:])
	case strings.HasPrefix(p, "/"):
	case cwd != "":
		p = cwd + "/" + p
	default:
		return path.Clean(p)
	}
	p = path.Clean(p)
	if home != "" && home != "/" {
		home = path.Clean(home)
		if p == home {
			return "~"
		}
		if strings.HasPrefix(p, home+"/") {
			return "~" + p[len(home):]
		}
	}
	return homeByConvention(p)
}

func cleanTail(t string) string {
	if t == "" || t == "/" {
		return ""
	}
	c := path.Clean("/" + t)
	if c == "/" {
		return ""
	}
	return c
}

// homeByConvention rewrites /home/NAME/..., /Users/NAME/... and /root/... to ~.
func homeByConvention(p string) string {
	if p == "/root" {
		return "~"
	}
	if strings.HasPrefix(p, "/root/") {
		return "~" + p[len("/root"):]
	}
	for _, base := range []string{"/home/", "/Users/"} {
		if !strings.HasPrefix(p, base) {
			continue
		}
		rest := p[len(base):]
		name, tail, _ := strings.Cut(rest, "/")
		if name == "" || strings.ContainsAny(name, "*?[$") {
			return p
		}
		if tail == "" {
			return "~"
		}
		return "~/" + tail
	}
	return p
}
