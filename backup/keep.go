package backup

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
)

// keeper collects one call's backup.
type keeper struct {
	s        *Store
	o        Options
	res      *Result
	m        *Manifest
	tmp      string // the entry directory being written ("" until the first item)
	n        int    // objects written
	deadline time.Time
	hard     bool // the deadline is the hook's, not the budget's
	stopped  bool
	seen     map[string]bool
	ignored  map[string]bool // directory -> git ignores it
	roots    map[string]string
	// noReflink: a clone failed once; the store's filesystem has none.
	noReflink bool
	objFd     int // the entry's f/ directory, open (Linux; -1 when not)
	items     *os.File
	itemsW    *bufio.Writer
	line      []byte
}

// Keep keeps what effs would destroy, within the call's budgets: the time
// budget (Options.CallTime, and never past hard when that is not zero) and
// the byte budgets. It returns what it kept, skipped and why it stopped;
// errors are in Result.Err, and a call is never refused because its backup
// failed.
func (s *Store) Keep(call Call, effs []guards.Loss, hard time.Time) *Result {
	if s.o.Disabled {
		return &Result{}
	}
	return s.keep(call, effs, hard, "", false)
}

// keep is Keep; restoreOf marks the backup restore makes of what it
// overwrites, which is for a person at a terminal, not a hook: generous
// lifts the per-call budgets (the store's size still bounds it).
func (s *Store) keep(call Call, effs []guards.Loss, hard time.Time, restoreOf string, generous bool) *Result {
	res := &Result{}
	if len(effs) == 0 {
		return res
	}
	now := s.o.Now()
	o := s.o
	if generous {
		o.CallTime, o.MaxCopy = time.Hour, o.MaxTotal
	}
	k := &keeper{s: s, o: o, res: res, deadline: now.Add(o.CallTime), seen: map[string]bool{}, objFd: -1}
	if !hard.IsZero() && hard.Before(k.deadline) {
		k.deadline, k.hard = hard, true
	}
	k.m = &Manifest{Version: manifestVersion, Time: now.UTC(), Call: call, Restore: restoreOf}
	for i := range effs {
		if k.stopped {
			break
		}
		k.effect(&effs[i])
	}
	k.finish()
	return res
}

// timeUp checks the time budget; once it has run out, the backup stops.
func (k *keeper) timeUp() bool {
	if k.stopped {
		return true
	}
	if !k.o.Now().Before(k.deadline) {
		if k.hard {
			k.stop("the time budget ran out (what was left of the hook's own deadline)")
		} else {
			k.stop(fmt.Sprintf("the time budget of %s ran out", k.o.CallTime))
		}
	}
	return k.stopped
}

func (k *keeper) stop(why string) {
	if !k.stopped {
		k.stopped = true
		k.res.Incomplete = why
	}
}

func (k *keeper) skip(path, why string, planned bool) {
	for _, s := range k.res.Skipped {
		if s.Path == path {
			return
		}
	}
	if len(k.res.Skipped) < 1000 {
		k.res.Skipped = append(k.res.Skipped, Skip{Path: path, Why: why, Planned: planned})
	}
}

func (k *keeper) effect(e *guards.Loss) {
	if e.Dynamic {
		k.skip(e.Path, "its path is only known when the command runs", false)
		return
	}
	switch e.Op {
	case guards.LossGitDiscard:
		k.gitDiscard(e)
		return
	case guards.LossGitClean:
		k.gitClean(e)
		return
	case guards.LossGitStashDrop:
		k.gitStashDrop(e)
		return
	}
	paths := []string{e.Path}
	if e.Glob {
		paths = k.glob(e.Path)
	}
	for _, p := range paths {
		switch {
		case e.Op == guards.LossMove:
			if k.leavesProject(p, e.Dest) {
				k.keepPath(p, e.Op, true, nil)
			}
		case len(e.Sources) > 0:
			k.keepTargets(e, p)
		case e.Find != nil:
			f := parseFind(e.Find)
			k.keepPath(p, e.Op, true, &f)
		default:
			k.keepPath(p, e.Op, e.Recursive, nil)
		}
	}
}

func (k *keeper) glob(pattern string) []string {
	ms, err := filepath.Glob(pattern)
	if err != nil {
		k.skip(pattern, "a glob that cannot be read", false)
		return nil
	}
	if len(ms) > maxItems {
		ms = ms[:maxItems]
	}
	return ms
}

// keepTargets keeps what cp, mv, install and ln would replace: the
// destination itself, or the files of the sources' names inside it when it
// is a directory (their whole trees for cp -r).
func (k *keeper) keepTargets(e *guards.Loss, dst string) {
	fi, err := os.Stat(dst)
	into := e.IntoDir || !e.NoTargetDir && err == nil && fi.IsDir()
	if !into {
		if e.Recursive && len(e.Sources) == 1 && err == nil && fi.IsDir() {
			k.overlay(e.Sources[0], dst, e.Op) // cp -rT SRC DST
			return
		}
		k.keepPath(dst, e.Op, false, nil)
		return
	}
	if e.SourcesDynamic {
		k.skip(dst, "what lands in it is only known when the command runs", false)
	}
	for _, src := range e.Sources {
		srcs := []string{src}
		if hasGlobMeta(src) {
			srcs = k.glob(src)
		}
		for _, s := range srcs {
			t := filepath.Join(dst, filepath.Base(s))
			if sfi, err := os.Stat(s); e.Recursive && err == nil && sfi.IsDir() {
				k.overlay(s, t, e.Op)
				continue
			}
			k.keepPath(t, e.Op, false, nil)
		}
	}
}

// overlay keeps the files under dst that copying the tree src onto it
// would overwrite.
func (k *keeper) overlay(src, dst string, op guards.LossOp) {
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || k.timeUp() {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if k.skipDir(p) {
				return filepath.SkipDir
			}
			return nil
		}
		k.keepPath(filepath.Join(dst, rel), op, false, nil)
		return nil
	})
}

func hasGlobMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// leavesProject reports whether mv SRC DEST takes src out of its project
// (the git work tree it is in, else its directory's top as the call saw it).
func (k *keeper) leavesProject(src, dest string) bool {
	root := k.projectRoot(filepath.Dir(src))
	d := filepath.Clean(dest)
	if fi, err := os.Stat(d); err == nil && fi.IsDir() {
		d = filepath.Join(d, filepath.Base(src))
	}
	return !within(d, root)
}

func within(p, root string) bool {
	return p == root || root == "/" || strings.HasPrefix(p, root+"/")
}

// projectRoot is the nearest directory at or above dir holding .git, or
// the call's cwd when there is none (then "the project" is where the agent
// works).
func (k *keeper) projectRoot(dir string) string {
	if r, ok := k.roots[dir]; ok {
		return r
	}
	if k.roots == nil {
		k.roots = map[string]string{}
	}
	root := k.m.Cwd
	for d, i := dir, 0; i < 64; i++ {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			root = d
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if root == "" {
		root = dir
	}
	k.roots[dir] = root
	return root
}

// keepPath keeps one path: a file, a symlink, or a directory (with its
// whole tree when recursive). With a find filter, only the entries the
// expression matches are kept (a matched directory with its tree).
func (k *keeper) keepPath(p string, op guards.LossOp, recursive bool, f *findFilter) {
	if k.timeUp() {
		return
	}
	p = filepath.Clean(p)
	if k.seen[p] {
		return
	}
	if within(p, k.s.dir) {
		return // bulwark's own store is never kept in itself
	}
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return // nothing there: nothing to lose
	}
	if err != nil {
		k.skip(p, "it cannot be read: "+errText(err), false)
		return
	}
	if f != nil {
		k.walkFind(p, fi, op, f, 0)
		return
	}
	k.keepInfo(p, fi, op, recursive)
	if op == guards.LossOverwrite && fi.Mode()&fs.ModeSymlink != 0 {
		// A write through a symlink (> link, cp x link, a Write tool)
		// changes the file it points to: keep that file too, where it is.
		if real, err := filepath.EvalSymlinks(p); err == nil && real != p && !within(real, k.s.dir) {
			if rfi, err := os.Lstat(real); err == nil && rfi.Mode().IsRegular() {
				k.keepInfo(real, rfi, op, false)
			}
		}
	}
}

func (k *keeper) keepInfo(p string, fi fs.FileInfo, op guards.LossOp, recursive bool) {
	if k.timeUp() || k.seen[p] {
		return
	}
	k.seen[p] = true
	switch {
	case fi.Mode().IsRegular():
		k.keepFile(p, fi, op)
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			k.skip(p, "it cannot be read: "+errText(err), false)
			return
		}
		k.add(Item{Path: p, Type: TypeSymlink, Mode: uint32(fi.Mode().Perm()), MTime: fi.ModTime().UnixNano(), Op: op.String(), Link: target})
	case fi.IsDir():
		if k.skipDir(p) {
			return
		}
		if within(k.s.dir, p) {
			k.skip(k.s.dir, "bulwark's own backup store is not kept in itself", false)
		}
		k.add(Item{Path: p, Type: TypeDir, Mode: uint32(modeBits(fi.Mode())), MTime: fi.ModTime().UnixNano(), Op: op.String()})
		if !recursive {
			return
		}
		k.keepChildren(p, op)
	default:
		// Sockets, fifos, devices: no content to keep.
	}
}

// walkFind keeps what a find expression matches under p.
func (k *keeper) walkFind(p string, fi fs.FileInfo, op guards.LossOp, f *findFilter, depth int) {
	if k.timeUp() {
		return
	}
	if f.match(p, fi, depth) {
		k.keepInfo(p, fi, op, true)
		return
	}
	if !fi.IsDir() || f.maxDepth >= 0 && depth >= f.maxDepth || within(p, k.s.dir) {
		return
	}
	if k.skipDir(p) {
		return
	}
	des, err := os.ReadDir(p)
	if err != nil {
		return
	}
	for _, de := range des {
		if k.timeUp() {
			return
		}
		c := filepath.Join(p, de.Name())
		if cfi, err := de.Info(); err == nil {
			k.walkFind(c, cfi, op, f, depth+1)
		}
	}
}

// skipDir applies the skip lists to a directory (recording the skip).
func (k *keeper) skipDir(p string) bool {
	base := filepath.Base(p)
	for _, pat := range k.o.Skip {
		if ok, _ := filepath.Match(pat, base); ok {
			k.skip(p, "a dependency or build cache", true)
			return true
		}
	}
	for _, pat := range k.o.SkipIfIgnored {
		if ok, _ := filepath.Match(pat, base); ok && k.gitIgnores(p) {
			k.skip(p, "build output that git ignores", true)
			return true
		}
	}
	return false
}

// keepChildrenPortable keeps what is in directory p, by path (the
// Linux build uses directory descriptors instead: keepChildren).
func (k *keeper) keepChildrenPortable(p string, op guards.LossOp) {
	des, err := os.ReadDir(p)
	if err != nil {
		k.skip(p, "its contents cannot be listed: "+errText(err), false)
		return
	}
	for _, de := range des {
		if k.timeUp() {
			return
		}
		k.keepChild(p, de.Name(), op)
	}
}

// keepChild keeps one entry of a directory being kept, by its path.
func (k *keeper) keepChild(dir, name string, op guards.LossOp) {
	c := filepath.Join(dir, name)
	if within(c, k.s.dir) {
		return
	}
	cfi, err := os.Lstat(c)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			k.skip(c, "it cannot be read: "+errText(err), false)
		}
		return
	}
	k.keepInfo(c, cfi, op, true)
}

func (k *keeper) add(it Item) {
	if len(k.m.Items) >= maxItems {
		k.stop(fmt.Sprintf("it reached %d items", maxItems))
		return
	}
	if err := k.ensureEntry(); err != nil {
		k.res.Err = err
		k.stopped = true
		return
	}
	k.m.Items = append(k.m.Items, it)
	k.res.Files++
	k.res.Bytes += it.Size
	if k.itemsW != nil {
		k.line = appendItem(k.line[:0], &it)
		k.itemsW.Write(k.line)
	}
}

// ensureEntry creates the entry's directory on the first item, so a call
// whose targets do not exist leaves nothing behind.
func (k *keeper) ensureEntry() error {
	if k.tmp != "" {
		return nil
	}
	if err := k.s.mkdirs(); err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	k.m.ID = id
	k.tmp = filepath.Join(k.s.entriesDir(), ".tmp-"+id)
	if err := os.Mkdir(k.tmp, 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Mkdir(filepath.Join(k.tmp, "f"), 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	k.openObjects()
	f, err := os.OpenFile(filepath.Join(k.tmp, itemsFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	k.items, k.itemsW = f, bufio.NewWriterSize(f, 64<<10)
	return nil
}

func newID() (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = idAlphabet[int(c)%len(idAlphabet)]
	}
	return string(out), nil
}

// keepFile keeps a regular file: a hard link where the call only unlinks
// or renames it, else a reflink or a copy.
func (k *keeper) keepFile(p string, fi fs.FileInfo, op guards.LossOp) {
	size := fi.Size()
	it := Item{Path: p, Type: TypeFile, Mode: uint32(modeBits(fi.Mode())), MTime: fi.ModTime().UnixNano(), Size: size, Op: op.String()}
	if size == 0 {
		it.How = HowEmpty
		k.add(it)
		return
	}
	if k.res.Bytes+size > k.o.MaxTotal {
		k.skip(p, fmt.Sprintf("keeping it would pass the store's limit of %s", FormatBytes(k.o.MaxTotal)), false)
		return
	}
	if err := k.ensureEntry(); err != nil {
		k.res.Err, k.stopped = err, true
		return
	}
	obj := fmt.Sprintf("f/%d", k.n)
	dst := filepath.Join(k.tmp, obj)
	k.n++
	if op != guards.LossOverwrite {
		if err := os.Link(p, dst); err == nil {
			it.How, it.Obj = HowLink, obj
			k.add(it)
			return
		}
		// Another filesystem, or a file we may not link: copy it.
	}
	if !k.noReflink {
		if err := reflink(p, dst); err == nil {
			it.How, it.Obj = HowReflink, obj
			k.add(it)
			return
		}
		k.noReflink = true
	}
	if k.res.Copied+size > k.o.MaxCopy {
		k.skip(p, fmt.Sprintf("copying it would pass the copy budget of %s", FormatBytes(k.o.MaxCopy)), false)
		return
	}
	sum, err := k.copyToCAS(p, dst, size)
	if err != nil {
		if !k.stopped {
			k.skip(p, "it could not be copied: "+errText(err), false)
		}
		return
	}
	k.res.Copied += size
	k.m.Copied += size
	it.How, it.Obj, it.Sum = HowCopy, obj, sum
	k.add(it)
}

// copyToCAS copies p into the content store (once per content), linking
// it into the entry as dst. The copy checks the time budget as it goes.
func (k *keeper) copyToCAS(p, dst string, size int64) (string, error) {
	src, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(k.s.tmpDir(), "obj-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	buf := make([]byte, 1<<20)
	var done int64
	for {
		n, rerr := src.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			if _, err := tmp.Write(buf[:n]); err != nil {
				tmp.Close()
				return "", err
			}
			done += int64(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			tmp.Close()
			return "", rerr
		}
		if k.timeUp() {
			tmp.Close()
			k.skip(p, "the time budget ran out while copying it", false)
			return "", errors.New("time budget")
		}
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	cas := filepath.Join(k.s.casDir(), sum[:2], sum)
	if _, err := os.Lstat(cas); err != nil {
		if err := os.MkdirAll(filepath.Dir(cas), 0o700); err != nil {
			return "", err
		}
		if err := os.Rename(tmp.Name(), cas); err != nil {
			return "", err
		}
	}
	if err := os.Link(cas, dst); err != nil {
		// Too many links to one content (EMLINK), say: keep a private copy.
		if err := copyFile(cas, dst); err != nil {
			return "", err
		}
	}
	return sum, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// finish writes the manifest and makes the entry visible under its final
// name; an entry with nothing in it is removed.
func (k *keeper) finish() {
	res := k.res
	if k.tmp == "" {
		return
	}
	k.closeObjects()
	var werr error
	if k.items != nil {
		werr = k.itemsW.Flush()
		if err := k.items.Close(); werr == nil {
			werr = err
		}
	}
	if len(k.m.Items) == 0 && len(k.m.Git) == 0 {
		os.RemoveAll(k.tmp)
		return
	}
	sort.SliceStable(k.m.Items, func(i, j int) bool { return k.m.Items[i].Path < k.m.Items[j].Path })
	k.m.Skipped, k.m.Incomplete, k.m.Bytes = res.Skipped, res.Incomplete, res.Bytes
	sum := k.m.summary()
	header := *k.m
	header.Items = nil // in items.jsonl
	data, err := json.Marshal(&header)
	if err == nil {
		err = werr
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(k.tmp, "manifest.json"), data, 0o600)
	}
	if err == nil {
		data, _ = json.Marshal(sum)
		err = os.WriteFile(filepath.Join(k.tmp, "summary.json"), data, 0o600)
	}
	final := filepath.Join(k.s.entriesDir(), entryName(k.m.Time, k.m.ID, res.Bytes))
	if err == nil {
		err = os.Rename(k.tmp, final)
	}
	if err != nil {
		os.RemoveAll(k.tmp)
		res.Err = fmt.Errorf("backup: %w", err)
		return
	}
	res.ID = k.m.ID
	if k.m.ToolUseID != "" {
		marker := filepath.Join(k.s.pendingDir(), pendingKey(k.m.Session, k.m.ToolUseID))
		os.Remove(marker)
		os.Symlink(filepath.Base(final), marker)
	}
	k.s.pruneIfNeeded(k.deadline, k.m.ID)
}

func pendingKey(session, toolUse string) string {
	h := sha256.Sum256([]byte(session + "\x00" + toolUse))
	return hex.EncodeToString(h[:16])
}

// modeBits keeps the permission bits and setuid, setgid and sticky.
func modeBits(m fs.FileMode) fs.FileMode {
	return m & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	if errno, ok := err.(syscall.Errno); ok {
		return errno.Error()
	}
	return err.Error()
}
