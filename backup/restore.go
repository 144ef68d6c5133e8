package backup

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
)

// RestoreOptions choose what Restore puts back and where.
type RestoreOptions struct {
	// Paths limit the restore to items at or under them (absolute). None
	// means every item (and the stash entries of a stash drop).
	Paths []string
	// To restores under this directory instead of where the items were:
	// an item under the backup's cwd keeps its path relative to it, any
	// other its whole absolute path below To.
	To     string
	DryRun bool
	// Force also overwrites what changed since the call (newer content).
	// What is overwritten is kept in a new backup first, as always.
	Force bool
	// Command is how the restore was asked for, for the backup it makes of
	// what it overwrites.
	Command string
}

// Step kinds of a restore.
const (
	StepRestore   = "restore"   // put back (over the call's own result, or where nothing is)
	StepUnchanged = "unchanged" // already holds what was kept
	StepConflict  = "conflict"  // holds newer content: left alone (use Force)
	StepLost      = "lost"      // the kept object is missing or unreadable
	StepStash     = "stash"     // a dropped stash entry stored again
)

// Step is what Restore does (or, in a dry run, would do) with one path.
type Step struct {
	Kind   string
	Path   string // where it goes
	Type   string // file, dir, symlink, stash
	Why    string // for conflicts, lost items and overwrites
	Forced bool   // a conflict overwritten because of Force
	item   *Item
}

// RestoreReport is what one Restore did.
type RestoreReport struct {
	ID     string
	Steps  []Step
	DryRun bool
	// Before is the backup of what the restore overwrote ("" when it
	// overwrote nothing), so that the restore can be undone in turn.
	Before *Result
}

// Count returns how many steps are of kind k.
func (r *RestoreReport) Count(k string) int {
	n := 0
	for _, s := range r.Steps {
		if s.Kind == k {
			n++
		}
	}
	return n
}

// Restore puts back what backup id kept, never silently over newer
// content: a path that holds what the call left behind (its recorded
// post-state) or nothing is restored; one that changed since is a conflict,
// left alone unless Force. Whatever the restore overwrites is kept first,
// in a new backup.
func (s *Store) Restore(id string, ro RestoreOptions) (*RestoreReport, error) {
	e, err := s.Find(id)
	if err != nil {
		return nil, err
	}
	m, err := s.Manifest(e)
	if err != nil {
		return nil, err
	}
	post, havePost := s.readPost(e)
	rep := &RestoreReport{ID: m.ID, DryRun: ro.DryRun}
	r := &restorer{s: s, e: e, m: m, ro: ro, post: post, havePost: havePost && ro.To == "", rep: rep}
	for _, p := range ro.Paths {
		found := false
		for _, it := range m.Items {
			if within(it.Path, p) {
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("backup %s holds nothing at or under %s", m.ID, p)
		}
	}
	if err := r.plan(); err != nil {
		return nil, err
	}
	if ro.DryRun {
		return rep, nil
	}
	if err := r.apply(); err != nil {
		return rep, err
	}
	return rep, nil
}

type restorer struct {
	s        *Store
	e        Entry
	m        *Manifest
	ro       RestoreOptions
	post     map[string]PostState
	havePost bool
	rep      *RestoreReport
	blobs    map[string][]byte
}

func (r *restorer) selected(it *Item) bool {
	if len(r.ro.Paths) == 0 {
		return true
	}
	return underAny(it.Path, r.ro.Paths)
}

// target is where an item goes.
func (r *restorer) target(p string) string {
	if r.ro.To == "" {
		return p
	}
	if cwd := r.m.Cwd; cwd != "" && cwd != "/" && within(p, cwd) && p != cwd {
		rel, _ := filepath.Rel(cwd, p)
		return filepath.Join(r.ro.To, rel)
	}
	return filepath.Join(r.ro.To, p)
}

// plan decides every step, reading but changing nothing.
func (r *restorer) plan() error {
	if err := r.loadBlobs(); err != nil {
		return err
	}
	for i := range r.m.Items {
		it := &r.m.Items[i]
		if !r.selected(it) {
			continue
		}
		r.rep.Steps = append(r.rep.Steps, r.planItem(it))
	}
	if len(r.ro.Paths) == 0 {
		for _, g := range r.m.Git {
			// Oldest first, so that stash store (which pushes on top)
			// gives back the same order.
			for i := len(g.Stashes) - 1; i >= 0; i-- {
				r.rep.Steps = append(r.rep.Steps, r.planStash(g, g.Stashes[i]))
			}
		}
	}
	return nil
}

func (r *restorer) planItem(it *Item) Step {
	t := r.target(it.Path)
	st := Step{Path: t, Type: it.Type, item: it}
	if why := r.objectProblem(it); why != "" {
		st.Kind, st.Why = StepLost, why
		return st
	}
	fi, err := os.Lstat(t)
	if errors.Is(err, fs.ErrNotExist) {
		st.Kind = StepRestore
		return st
	}
	if err != nil {
		st.Kind, st.Why = StepConflict, "it cannot be read: "+errText(err)
		return st
	}
	cur := stateOf(fi)
	switch {
	case it.Type == TypeDir && cur.Type == TypeDir:
		st.Kind = StepUnchanged // merged into: its own metadata is left as it is now
		return st
	case it.Type == TypeDir || cur.Type == TypeDir:
		st.Kind, st.Why = StepConflict, "a "+cur.Type+" is there now, not a "+it.Type
		return st // never replaced, even with --force
	}
	if r.sameContent(it, t, fi) {
		st.Kind = StepUnchanged
		return st
	}
	if p, ok := r.post[it.Path]; ok && r.havePost && p == cur {
		st.Kind, st.Why = StepRestore, "over what the call left"
		return st
	}
	st.Kind, st.Why = StepConflict, "it changed since the call"
	if !r.havePost && r.ro.To == "" {
		st.Why = "it is not what the backup holds, and bulwark has no record of what the call left there"
	}
	if r.ro.Force {
		st.Kind, st.Forced = StepRestore, true
	}
	return st
}

// objectProblem checks that an item's kept content is still there and is
// what was kept.
func (r *restorer) objectProblem(it *Item) string {
	switch it.How {
	case HowLink, HowReflink, HowCopy:
		fi, err := os.Lstat(r.s.entryPath(r.e, it.Obj))
		if err != nil {
			return "its kept copy is missing: " + errText(err)
		}
		if it.How == HowLink && (fi.Size() != it.Size || fi.ModTime().UnixNano() != it.MTime) {
			// A hard link shares the file's inode: the file was changed in
			// place after the backup, before it was deleted.
			return ""
		}
	case HowGit:
		if _, ok := r.blobs[it.Blob]; !ok {
			return "its git blob " + short(it.Blob) + " is not in the store or the repository any more"
		}
	}
	return ""
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// sameContent reports whether t (fi) already holds what the item kept.
func (r *restorer) sameContent(it *Item, t string, fi fs.FileInfo) bool {
	cur := stateOf(fi)
	if cur.Type != it.Type {
		return false
	}
	if it.Type == TypeSymlink {
		l, err := os.Readlink(t)
		return err == nil && l == it.Link
	}
	if fi.Size() != it.Size && it.How != HowGit {
		return false
	}
	switch it.How {
	case HowEmpty:
		return fi.Size() == 0
	case HowGit:
		b := r.blobs[it.Blob]
		return int64(len(b)) == fi.Size() && fileEquals(t, bytes.NewReader(b))
	}
	obj := r.s.entryPath(r.e, it.Obj)
	if ofi, err := os.Lstat(obj); err == nil && os.SameFile(ofi, fi) {
		return true
	}
	f, err := os.Open(obj)
	if err != nil {
		return false
	}
	defer f.Close()
	return fileEquals(t, f)
}

func fileEquals(path string, want io.Reader) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	a, b := bufio.NewReader(f), bufio.NewReader(want)
	bufA, bufB := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		n1, e1 := io.ReadFull(a, bufA)
		n2, e2 := io.ReadFull(b, bufB)
		if n1 != n2 || !bytes.Equal(bufA[:n1], bufB[:n2]) {
			return false
		}
		if e1 != nil || e2 != nil {
			return (e1 == io.EOF || e1 == io.ErrUnexpectedEOF) && (e2 == io.EOF || e2 == io.ErrUnexpectedEOF)
		}
	}
}

// apply carries the plan out: first a backup of what it overwrites, then
// directories, files and symlinks (each file written beside its target and
// renamed over it), then the directories' modes and times, deepest first.
func (r *restorer) apply() error {
	var over []guards.Loss
	for _, st := range r.rep.Steps {
		if st.Kind != StepRestore || st.Type == TypeDir {
			continue
		}
		if _, err := os.Lstat(st.Path); err == nil {
			over = append(over, guards.Loss{Op: guards.LossReplace, Path: st.Path})
		}
	}
	if len(over) > 0 {
		cmd := r.ro.Command
		if cmd == "" {
			cmd = "bulwark restore " + r.m.ID
		}
		res := r.s.keep(Call{Tool: "bulwark restore", Command: cmd, Cwd: r.m.Cwd, Session: r.m.Session}, over, time.Time{}, r.m.ID, true)
		r.rep.Before = res
		if !res.Complete() {
			return fmt.Errorf("restore %s: what it would overwrite could not all be kept first (%s); nothing was changed", r.m.ID, firstProblem(res))
		}
	}
	var dirs []*Step
	var errs []error
	for i := range r.rep.Steps {
		st := &r.rep.Steps[i]
		if st.Kind == StepStash {
			if err := r.applyStash(st); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if st.Kind != StepRestore {
			continue
		}
		var err error
		switch st.Type {
		case TypeDir:
			if err = os.MkdirAll(st.Path, 0o700); err == nil {
				dirs = append(dirs, st)
			}
		case TypeSymlink:
			err = r.writeSymlink(st)
		default:
			err = r.writeFile(st)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", st.Path, err))
		}
	}
	sort.Slice(dirs, func(i, j int) bool { return len(dirs[i].Path) > len(dirs[j].Path) })
	for _, st := range dirs {
		os.Chmod(st.Path, fs.FileMode(st.item.Mode))
		mt := time.Unix(0, st.item.MTime)
		os.Chtimes(st.Path, mt, mt)
	}
	return errors.Join(errs...)
}

func firstProblem(res *Result) string {
	switch {
	case res.Err != nil:
		return res.Err.Error()
	case res.Incomplete != "":
		return res.Incomplete
	}
	for _, s := range res.Skipped {
		if !s.Planned {
			return s.Path + ": " + s.Why
		}
	}
	return "unknown"
}

// parentDir makes sure a target's directory exists; directories the backup
// holds get their own mode later, others are made 0755 like mkdir -p.
func parentDir(p string) error {
	return os.MkdirAll(filepath.Dir(p), 0o755)
}

func (r *restorer) writeFile(st *Step) error {
	it := st.item
	if err := parentDir(st.Path); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(st.Path), ".bulwark-restore-*")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp.Name())
		}
	}()
	switch it.How {
	case HowEmpty:
	case HowGit:
		_, err = tmp.Write(r.blobs[it.Blob])
	default:
		var in *os.File
		in, err = os.Open(r.s.entryPath(r.e, it.Obj))
		if err == nil {
			_, err = io.Copy(tmp, in)
			in.Close()
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), fs.FileMode(it.Mode)); err != nil {
		return err
	}
	if it.MTime != 0 {
		mt := time.Unix(0, it.MTime)
		if err := os.Chtimes(tmp.Name(), mt, mt); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp.Name(), st.Path); err != nil {
		return err
	}
	ok = true
	return nil
}

func (r *restorer) writeSymlink(st *Step) error {
	it := st.item
	if err := parentDir(st.Path); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(st.Path), ".bulwark-restore-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := os.Symlink(it.Link, tmp); err != nil {
		return err
	}
	if it.MTime != 0 {
		lchtimes(tmp, time.Unix(0, it.MTime))
	}
	if err := os.Rename(tmp, st.Path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// loadBlobs reads every git blob the selected items need, with one
// `git cat-file --batch` over the store's objects (and the repository's,
// where the blob is also one of HEAD's).
func (r *restorer) loadBlobs() error {
	r.blobs = map[string][]byte{}
	byRepo := map[string][]string{}
	for i := range r.m.Items {
		it := &r.m.Items[i]
		if it.How == HowGit && r.selected(it) {
			repo := r.repoOf(it.Path)
			byRepo[repo] = append(byRepo[repo], it.Blob)
		}
	}
	for objects, shas := range byRepo {
		env := []string{}
		if objects != "" {
			if _, err := os.Stat(objects); err == nil {
				env = append(env, "GIT_ALTERNATE_OBJECT_DIRECTORIES="+objects)
			}
		}
		out, err := runGit(r.s.o.Git, r.s.dir, time.Now().Add(time.Minute), env, strings.Join(shas, "\n")+"\n",
			"--git-dir="+r.s.gitDir(), "cat-file", "--batch")
		if err != nil {
			return fmt.Errorf("restore %s: reading git objects: %w", r.m.ID, err)
		}
		parseBatch(out, r.blobs)
	}
	return nil
}

func (r *restorer) repoOf(p string) string {
	for _, g := range r.m.Git {
		if within(p, g.Repo) {
			return g.Objects
		}
	}
	return ""
}

// parseBatch reads `git cat-file --batch` output:
// "SHA TYPE SIZE\nCONTENT\n" per object, "SHA missing\n" for absent ones.
func parseBatch(out string, into map[string][]byte) {
	for out != "" {
		nl := strings.IndexByte(out, '\n')
		if nl < 0 {
			return
		}
		head := strings.Fields(out[:nl])
		out = out[nl+1:]
		if len(head) != 3 {
			continue
		}
		n, err := strconv.Atoi(head[2])
		if err != nil || n > len(out) {
			return
		}
		into[head[0]] = []byte(out[:n])
		out = strings.TrimPrefix(out[n:], "\n")
	}
}

func (r *restorer) planStash(g GitState, st Stash) Step {
	step := Step{Kind: StepStash, Path: g.Repo, Type: "stash", Why: st.Ref + ": " + st.Message}
	if r.ro.To != "" {
		step.Kind, step.Why = StepConflict, "stash entries restore into their repository, not --to"
		return step
	}
	out, err := runGit(r.s.o.Git, g.Repo, time.Now().Add(time.Minute), nil, "", "stash", "list", "--format=%H")
	if err == nil && strings.Contains(out, st.Commit) {
		step.Kind = StepUnchanged
	}
	return step
}

// applyStash copies a dropped stash entry's objects back into its
// repository and stores it as a stash entry again.
func (r *restorer) applyStash(st *Step) error {
	var g GitState
	var s Stash
	for _, gs := range r.m.Git {
		for _, x := range gs.Stashes {
			if gs.Repo == st.Path && st.Why == x.Ref+": "+x.Message {
				g, s = gs, x
			}
		}
	}
	if s.Commit == "" {
		return nil
	}
	env := []string{"GIT_ALTERNATE_OBJECT_DIRECTORIES=" + filepath.Join(r.s.gitDir(), "objects")}
	revs := s.Commit + "\n"
	if head, err := runGit(r.s.o.Git, g.Repo, time.Now().Add(time.Minute), nil, "", "rev-parse", "--verify", "-q", "HEAD"); err == nil {
		revs += "^" + strings.TrimSpace(head) + "\n"
	}
	if _, err := runGit(r.s.o.Git, g.Repo, time.Now().Add(time.Minute), env, revs, "pack-objects", "--revs", "-q", filepath.Join(g.Objects, "pack", "pack")); err != nil {
		return fmt.Errorf("stash %s: %w", s.Ref, err)
	}
	if _, err := runGit(r.s.o.Git, g.Repo, time.Now().Add(time.Minute), nil, "", "stash", "store", "-m", s.Message, s.Commit); err != nil {
		return fmt.Errorf("stash %s: %w", s.Ref, err)
	}
	return nil
}
