package protect

import (
	"io/fs"
	"os"
	"path"
	"strings"
)

// FS is the file system access the set needs: lstat, readlink and reading
// small files. OS is the real one; nil means no disk access at all (the
// set then judges by the text of paths only).
type FS interface {
	Lstat(name string) (fs.FileInfo, error)
	Stat(name string) (fs.FileInfo, error)
	Readlink(name string) (string, error)
	ReadFile(name string) ([]byte, error)
}

// OS is the real file system.
var OS FS = osFS{}

type osFS struct{}

func (osFS) Lstat(name string) (fs.FileInfo, error) { return os.Lstat(name) }
func (osFS) Stat(name string) (fs.FileInfo, error)  { return os.Stat(name) }
func (osFS) Readlink(name string) (string, error)   { return os.Readlink(name) }
func (osFS) ReadFile(name string) ([]byte, error)   { return os.ReadFile(name) }

// Bounds of a symlink walk: a path that needs more is left as far as it got.
const (
	maxLinks = 40  // symlinks followed (Linux's own limit)
	maxSteps = 256 // path elements visited
)

// walker resolves symlinks that exist, caching what it learns about each
// directory so that the paths of one call share their lstats.
type walker struct {
	fs    FS
	links map[string]string // path -> its symlink target ("" = not a link, or missing)
	gone  map[string]bool   // path does not exist
}

func newWalker(f FS) *walker {
	return &walker{fs: f, links: map[string]string{}, gone: map[string]bool{}}
}

// resolve returns the real place of an absolute path: every symlink among
// its existing elements followed (".." after a link is physical, as the
// kernel does it), the part that does not exist yet appended as written.
// link is the first symlink that changed the path ("" when none did).
func (w *walker) resolve(p string) (real, link string) {
	todo := split(p)
	cur := "" // the resolved part so far, "" for the root
	links, steps := 0, 0
	for len(todo) > 0 && steps < maxSteps {
		steps++
		e := todo[0]
		todo = todo[1:]
		switch e {
		case "", ".":
			continue
		case "..":
			cur = cur[:max(0, strings.LastIndexByte(cur, '/'))]
			continue
		}
		parent := cur
		cur = cur + "/" + e
		if parent != "" && w.gone[parent] {
			// Below a missing directory nothing exists.
			w.gone[cur] = true
			continue
		}
		target, ok := w.links[cur]
		if !ok {
			fi, err := w.fs.Lstat(cur)
			switch {
			case err != nil:
				w.gone[cur] = true
			case fi.Mode()&fs.ModeSymlink != 0:
				if t, err := w.fs.Readlink(cur); err == nil && t != "" {
					target = t
				}
			}
			w.links[cur] = target
		}
		if target == "" || links >= maxLinks {
			continue
		}
		links++
		if link == "" {
			link = cur
		}
		cur = parent
		if path.IsAbs(target) {
			cur = ""
		}
		todo = append(split("/"+target), todo...)
	}
	if len(todo) > 0 {
		cur += "/" + strings.Join(todo, "/")
	}
	if cur == "" {
		return "/", link
	}
	return path.Clean(cur), link
}
