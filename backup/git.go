package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
)

// runGit runs git in dir and returns its standard output. It never waits
// past deadline: git is killed then, which is safe because the backup only
// runs git on its own copy of the index (GIT_INDEX_FILE) and on its own
// object directory, never taking the repository's index.lock.
func runGit(git, dir string, deadline time.Time, env []string, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, git, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	cmd.Env = append(cmd.Env, env...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ctx.Err() != nil {
		return "", errGitTimeout
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg == "" {
			msg = err.Error()
		}
		return string(out), fmt.Errorf("git %s: %s", args[0], msg)
	}
	return string(out), nil
}

var errGitTimeout = errors.New("git took longer than the time budget")

func (k *keeper) git(dir string, env []string, stdin string, args ...string) (string, error) {
	out, err := runGit(k.o.Git, dir, k.deadline, env, stdin, args...)
	if errors.Is(err, errGitTimeout) {
		k.stop(errGitTimeout.Error())
	}
	return out, err
}

// gitIgnores reports whether git ignores directory p (for SkipIfIgnored).
// Outside a repository, or without git, nothing is ignored.
func (k *keeper) gitIgnores(p string) bool {
	if v, ok := k.ignored[p]; ok {
		return v
	}
	if k.ignored == nil {
		k.ignored = map[string]bool{}
	}
	_, err := k.git(filepath.Dir(p), nil, "", "check-ignore", "-q", "--", filepath.Base(p))
	k.ignored[p] = err == nil
	return err == nil
}

// repoInfo is what the backup needs to know of a repository.
type repoInfo struct {
	top, index, objects, head string
}

func (k *keeper) repo(dir string) (repoInfo, error) {
	out, err := k.git(dir, nil, "", "rev-parse", "--show-toplevel", "--git-path", "index", "--git-path", "objects", "--verify", "-q", "HEAD")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 {
		if err == nil {
			err = errors.New("git rev-parse: unexpected output")
		}
		return repoInfo{}, err
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	r := repoInfo{top: lines[0], index: abs(lines[1]), objects: abs(lines[2])}
	if len(lines) > 3 && err == nil {
		r.head = lines[3]
	}
	return r, nil
}

// gitStore returns the store's bare repository (created on first use),
// whose object directory holds the git side of every backup.
func (k *keeper) gitStore() (string, error) {
	g := k.s.gitDir()
	if _, err := os.Stat(filepath.Join(g, "objects", "pack")); err == nil {
		return g, nil
	}
	if err := k.s.mkdirs(); err != nil {
		return "", err
	}
	if _, err := k.git(k.s.dir, nil, "", "init", "--bare", "-q", g); err != nil {
		return "", err
	}
	return g, os.MkdirAll(filepath.Join(g, "objects", "pack"), 0o700)
}

// objectEnv makes git write new objects into the store and read existing
// ones from the repository too.
func objectEnv(store string, repoObjects string) []string {
	return []string{"GIT_OBJECT_DIRECTORY=" + filepath.Join(store, "objects"), "GIT_ALTERNATE_OBJECT_DIRECTORIES=" + repoObjects}
}

// gitDiscard keeps the uncommitted work a checkout, restore, reset --hard,
// switch -f or rm -f would discard: `git stash create` (on a copy of the
// index, writing into the store's objects) makes a commit of the work tree
// and index; the objects it needs beyond HEAD are packed into the store, and
// each changed path under the pathspecs becomes an item with its blob.
func (k *keeper) gitDiscard(e *guards.Loss) {
	dir := e.Path
	var specs []string
	all := len(e.Args) == 0
	for _, a := range e.Args {
		if strings.HasPrefix(a, ":") || hasGlobMeta(a) {
			all = true // pathspec magic or a glob: keep every change
			continue
		}
		p := filepath.Join(dir, a)
		if e.Ambiguous {
			if _, err := os.Lstat(p); err != nil {
				continue // a branch name, not a path
			}
		}
		specs = append(specs, p)
	}
	if !all && len(specs) == 0 {
		return
	}
	if k.timeUp() {
		return
	}
	r, err := k.repo(dir)
	if err != nil {
		if !k.stopped {
			k.skip(dir, "it is not a git work tree bulwark could read ("+err.Error()+")", false)
		}
		return
	}
	if r.head == "" {
		k.skip(r.top, "the repository has no commit yet, so git cannot record its work", false)
		return
	}
	store, err := k.gitStore()
	if err != nil {
		k.skip(r.top, "the store's git objects could not be created: "+err.Error(), false)
		return
	}
	index, cleanup, err := k.copyIndex(r.index)
	if err != nil {
		k.skip(r.top, "its index could not be copied: "+errText(err), false)
		return
	}
	defer cleanup()
	// The commit is the store's own: a fixed identity, so that a user with
	// no git identity configured still gets a backup.
	env := append(objectEnv(store, r.objects), "GIT_INDEX_FILE="+index,
		"GIT_AUTHOR_NAME=bulwark", "GIT_AUTHOR_EMAIL=bulwark@localhost", "GIT_COMMITTER_NAME=bulwark", "GIT_COMMITTER_EMAIL=bulwark@localhost")
	out, err := k.git(dir, env, "", "stash", "create", "bulwark backup")
	if err != nil {
		if !k.stopped {
			k.skip(r.top, "git stash create failed: "+err.Error(), false)
		}
		return
	}
	commit := strings.TrimSpace(out)
	if commit == "" {
		return // no local changes: nothing to lose
	}
	out, err = k.git(dir, objectEnv(store, r.objects), "", "diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", r.head, commit)
	if err != nil {
		if !k.stopped {
			k.skip(r.top, err.Error(), false)
		}
		return
	}
	before := len(k.m.Items)
	for _, d := range parseDiffTree(out) {
		p := filepath.Join(r.top, d.path)
		if d.newMode == "000000" || !all && !underAny(p, specs) {
			continue
		}
		k.seen[p] = true
		it := Item{Path: p, Op: e.Op.String(), Blob: d.newSHA, How: HowGit, Type: TypeFile, Mode: 0o644}
		if d.newMode == "100755" {
			it.Mode = 0o755
		}
		fi, err := os.Lstat(p)
		if err == nil {
			it.MTime, it.Size = fi.ModTime().UnixNano(), fi.Size()
			if fi.Mode().IsRegular() {
				it.Mode = uint32(modeBits(fi.Mode()))
			}
		}
		if d.newMode == "120000" {
			it.Type, it.How, it.Size = TypeSymlink, "", 0
			it.Link, _ = os.Readlink(p)
		}
		k.add(it)
	}
	if len(k.m.Items) == before {
		return
	}
	// Everything reachable from the stash commit but not from HEAD (the
	// blobs git add wrote into the repository included) goes into the
	// store, so that a gc of the repository cannot take it.
	if _, err := k.git(dir, objectEnv(store, r.objects), commit+"\n^"+r.head+"\n", "pack-objects", "--revs", "-q", filepath.Join(store, "objects", "pack", "pack")); err != nil && !k.stopped {
		k.skip(r.top, "its objects could not be copied into the store: "+err.Error(), false)
	}
	k.m.Git = append(k.m.Git, GitState{Repo: r.top, Objects: r.objects, Head: r.head, Commit: commit})
}

// copyIndex copies the repository's index for git stash create, which
// refreshes and rewrites the index it works on: on our copy, the
// repository's own index is never locked, so killing git at the deadline
// cannot leave an index.lock behind.
func (k *keeper) copyIndex(index string) (string, func(), error) {
	tmp, err := os.CreateTemp(k.s.tmpDir(), "index-*")
	if err != nil {
		return "", nil, err
	}
	name := tmp.Name()
	cleanup := func() {
		ms, _ := filepath.Glob(name + "*")
		for _, m := range ms {
			os.Remove(m)
		}
	}
	in, err := os.Open(index)
	if errors.Is(err, os.ErrNotExist) {
		tmp.Close()
		os.Remove(name) // no index yet: git starts from an empty one
		return name, cleanup, nil
	}
	if err != nil {
		tmp.Close()
		cleanup()
		return "", nil, err
	}
	defer in.Close()
	if _, err := tmp.ReadFrom(in); err != nil {
		tmp.Close()
		cleanup()
		return "", nil, err
	}
	if err := tmp.Close(); err != nil {
		cleanup()
		return "", nil, err
	}
	return name, cleanup, nil
}

func underAny(p string, roots []string) bool {
	for _, r := range roots {
		if within(p, r) {
			return true
		}
	}
	return false
}

type diffEntry struct {
	oldMode, newMode, oldSHA, newSHA, status, path string
}

// parseDiffTree reads `git diff-tree -r -z` output:
// ":OLDMODE NEWMODE OLDSHA NEWSHA STATUS\0PATH\0" per change.
func parseDiffTree(out string) []diffEntry {
	var list []diffEntry
	fields := strings.Split(out, "\x00")
	for i := 0; i+1 < len(fields); i += 2 {
		meta := strings.Fields(strings.TrimPrefix(fields[i], ":"))
		if len(meta) < 5 {
			break
		}
		list = append(list, diffEntry{meta[0], meta[1], meta[2], meta[3], meta[4], fields[i+1]})
	}
	return list
}

// gitClean keeps the untracked files git clean would remove, by asking git
// itself (the same arguments, as a dry run).
func (k *keeper) gitClean(e *guards.Loss) {
	if k.timeUp() {
		return
	}
	args := append([]string{"-c", "core.quotePath=false", "clean", "-n"}, cleanDryRunArgs(e.Args)...)
	out, err := k.git(e.Path, nil, "", args...)
	if err != nil {
		return // not a repository, or git refuses: nothing is removed either
	}
	for _, line := range strings.Split(out, "\n") {
		rel, ok := strings.CutPrefix(line, "Would remove ")
		if !ok {
			continue
		}
		k.keepPath(filepath.Join(e.Path, unquoteC(rel)), e.Op, true, nil)
	}
}

// cleanDryRunArgs turns git clean's arguments into those of its dry run:
// -f and -i go (and -q, which would hide the list), -n is added by the caller.
func cleanDryRunArgs(args []string) []string {
	var out []string
	afterDD := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case afterDD || !strings.HasPrefix(a, "-"):
			out = append(out, a)
		case a == "--":
			afterDD = true
			out = append(out, a)
		case a == "--force" || a == "--interactive" || a == "--quiet" || a == "--dry-run":
		case strings.HasPrefix(a, "--"):
			out = append(out, a)
			if a == "--exclude" && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		default:
			var keep []byte
			for j := 1; j < len(a); j++ {
				c := a[j]
				if c == 'e' {
					// -e PATTERN (or -ePATTERN): the rest is the value.
					keep = append(keep, a[j:]...)
					if j == len(a)-1 && i+1 < len(args) {
						out = append(out, "-"+string(keep), args[i+1])
						i++
						keep = nil
					}
					break
				}
				if c != 'f' && c != 'i' && c != 'q' && c != 'n' {
					keep = append(keep, c)
				}
			}
			if len(keep) > 0 {
				out = append(out, "-"+string(keep))
			}
		}
	}
	return out
}

// unquoteC undoes git's C-style quoting of a path ("a\tb", "\303\251").
func unquoteC(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b = append(b, c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b = append(b, '\n')
		case 't':
			b = append(b, '\t')
		case 'r':
			b = append(b, '\r')
		case 'a':
			b = append(b, '\a')
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'v':
			b = append(b, '\v')
		case '0', '1', '2', '3':
			if i+2 < len(s) {
				if n, err := strconv.ParseUint(s[i:i+3], 8, 8); err == nil {
					b = append(b, byte(n))
					i += 2
					continue
				}
			}
			b = append(b, s[i])
		default:
			b = append(b, s[i])
		}
	}
	return string(b)
}

// gitStashDrop keeps the stash entries a stash drop or clear would drop:
// their commits and everything they reach beyond HEAD, packed into the
// store.
func (k *keeper) gitStashDrop(e *guards.Loss) {
	if k.timeUp() {
		return
	}
	r, err := k.repo(e.Path)
	if err != nil {
		return
	}
	out, err := k.git(e.Path, nil, "", "stash", "list", "--format=%gd%x09%H%x09%gs")
	if err != nil || strings.TrimSpace(out) == "" {
		return
	}
	want := map[string]bool{}
	for _, a := range e.Args {
		if n, err := strconv.Atoi(a); err == nil {
			a = fmt.Sprintf("stash@{%d}", n)
		}
		want[a] = true
	}
	var stashes []Stash
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.SplitN(line, "\t", 3)
		if len(f) == 3 && (len(want) == 0 || want[f[0]]) {
			stashes = append(stashes, Stash{Ref: f[0], Commit: f[1], Message: f[2]})
		}
	}
	if len(stashes) == 0 {
		return
	}
	store, err := k.gitStore()
	if err != nil {
		k.skip(r.top, "the store's git objects could not be created: "+err.Error(), false)
		return
	}
	var revs strings.Builder
	for _, s := range stashes {
		revs.WriteString(s.Commit + "\n")
	}
	if r.head != "" {
		revs.WriteString("^" + r.head + "\n")
	}
	if _, err := k.git(e.Path, objectEnv(store, r.objects), revs.String(), "pack-objects", "--revs", "-q", filepath.Join(store, "objects", "pack", "pack")); err != nil {
		if !k.stopped {
			k.skip(r.top, "its stash could not be copied into the store: "+err.Error(), false)
		}
		return
	}
	if err := k.ensureEntry(); err != nil {
		k.res.Err, k.stopped = err, true
		return
	}
	k.m.Git = append(k.m.Git, GitState{Repo: r.top, Objects: r.objects, Head: r.head, Stashes: stashes})
	k.res.Files += len(stashes)
}
