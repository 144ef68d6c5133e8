package backup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
)

// The commands below are test data: they are given to the analysis as text
// and never run. The destructive step each test undoes is done by the test
// itself, in Go, on its own temporary files.

type env struct {
	t     *testing.T
	root  string // the project
	store *Store
	now   time.Time
}

func newEnv(t *testing.T, o Options) *env {
	t.Helper()
	base := t.TempDir()
	e := &env{t: t, root: filepath.Join(base, "proj"), now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	os.MkdirAll(e.root, 0o755)
	o.Dir = filepath.Join(base, "state", DirName)
	if o.Now == nil {
		o.Now = func() time.Time { return e.now }
	}
	s, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	e.store = s
	return e
}

func (e *env) write(rel, text string, mode fs.FileMode) string {
	e.t.Helper()
	p := filepath.Join(e.root, rel)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		e.t.Fatal(err)
	}
	os.Chmod(p, mode)
	mt := time.Date(2029, 6, 1, 12, 0, 0, 123456789, time.UTC)
	os.Chtimes(p, mt, mt)
	return p
}

// keep analyses cmd as a Bash call in the project and keeps what it would
// destroy.
func (e *env) keep(cmd string) *Result {
	e.t.Helper()
	act := &guards.Action{Kind: guards.KindShell, Event: guards.PreToolUse, Tool: "Bash", Command: cmd, Cwd: e.root, Home: "/nonexistent-home", SessionID: "s1", ToolUseID: "t-" + cmd}
	effs := guards.Losses(act)
	if len(effs) == 0 {
		e.t.Fatalf("%q: no effects", cmd)
	}
	return e.store.Keep(Call{Session: "s1", ToolUseID: act.ToolUseID, Tool: "Bash", Cwd: e.root, Command: cmd}, effs, time.Time{})
}

// snapshot records every path under the project: type, mode, mtime, content.
func (e *env) snapshot() map[string]string {
	e.t.Helper()
	out := map[string]string{}
	filepath.WalkDir(e.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == e.root {
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		fi, _ := os.Lstat(p)
		rel, _ := filepath.Rel(e.root, p)
		desc := fmt.Sprintf("%v", fi.Mode())
		switch {
		case fi.Mode().IsRegular():
			data, _ := os.ReadFile(p)
			desc += fmt.Sprintf(" %d %q", fi.ModTime().UnixNano(), data)
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			desc += " -> " + l
		}
		out[rel] = desc
		return nil
	})
	return out
}

func diffSnap(t *testing.T, got, want map[string]string) {
	t.Helper()
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if got[k] != want[k] {
			t.Errorf("%s:\n got %s\nwant %s", k, got[k], want[k])
		}
	}
}

func TestRemoveTreeRestored(t *testing.T) {
	e := newEnv(t, Options{})
	e.write("build/a.txt", "alpha", 0o644)
	e.write("build/sub/run.sh", "#!/bin/sh\necho hi\n", 0o755)
	e.write("build/empty", "", 0o600)
	os.Symlink("a.txt", filepath.Join(e.root, "build/link"))
	os.Chmod(filepath.Join(e.root, "build/sub"), 0o750)
	e.write("keep.txt", "stays", 0o644)
	want := e.snapshot()

	res := e.keep("rm -rf build/")
	if res.ID == "" || !res.Complete() || res.Copied != 0 {
		t.Fatalf("keep: %+v", res)
	}
	if err := os.RemoveAll(filepath.Join(e.root, "build")); err != nil {
		t.Fatal(err)
	}
	rep, err := e.store.Restore(res.ID, RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := rep.Count(StepConflict); n != 0 {
		t.Errorf("conflicts: %+v", rep.Steps)
	}
	diffSnap(t, e.snapshot(), want)
	// Restoring again changes nothing: everything is already there.
	rep, err = e.store.Restore(res.ID, RestoreOptions{})
	if err != nil || rep.Count(StepRestore) != 0 {
		t.Errorf("second restore: %v %+v", err, rep)
	}
}

func TestOverwriteRestoredOverCallResult(t *testing.T) {
	e := newEnv(t, Options{})
	p := e.write("notes.txt", "precious", 0o640)
	want := e.snapshot()
	res := e.keep("echo x > notes.txt")
	if res.ID == "" || res.Copied != int64(len("precious")) {
		t.Fatalf("keep: %+v", res)
	}
	os.WriteFile(p, []byte("x\n"), 0o644) // what the redirect does
	// Without a record of what the call left, the new content is a conflict.
	rep, err := e.store.Restore(res.ID, RestoreOptions{DryRun: true})
	if err != nil || rep.Count(StepConflict) != 1 {
		t.Fatalf("dry run: %v %+v", err, rep)
	}
	if err := e.store.AfterCall("s1", "t-echo x > notes.txt", e.now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	rep, err = e.store.Restore(res.ID, RestoreOptions{})
	if err != nil || rep.Count(StepRestore) != 1 {
		t.Fatalf("restore: %v %+v", err, rep)
	}
	diffSnap(t, e.snapshot(), want)
	// What the restore overwrote was kept in its own backup.
	if rep.Before == nil || rep.Before.ID == "" {
		t.Fatalf("no backup of the overwritten content: %+v", rep.Before)
	}
}

func TestNewerContentIsAConflict(t *testing.T) {
	e := newEnv(t, Options{})
	p := e.write("a.txt", "v1", 0o644)
	res := e.keep("truncate -s 0 a.txt")
	os.WriteFile(p, nil, 0o644)
	e.store.AfterCall("s1", "t-truncate -s 0 a.txt", e.now.Add(time.Second))
	os.WriteFile(p, []byte("newer work"), 0o644) // the user's edit after the call
	rep, err := e.store.Restore(res.ID, RestoreOptions{})
	if err != nil || rep.Count(StepConflict) != 1 || rep.Count(StepRestore) != 0 {
		t.Fatalf("restore: %v %+v", err, rep.Steps)
	}
	if data, _ := os.ReadFile(p); string(data) != "newer work" {
		t.Fatalf("newer content overwritten: %q", data)
	}
	// --to puts it elsewhere without touching the newer file.
	to := t.TempDir()
	if _, err := e.store.Restore(res.ID, RestoreOptions{To: to}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(to, "a.txt")); string(data) != "v1" {
		t.Fatalf("--to: %q", data)
	}
	// --force overwrites, keeping the newer content in a backup first.
	rep, err = e.store.Restore(res.ID, RestoreOptions{Force: true})
	if err != nil || rep.Before == nil || rep.Before.ID == "" {
		t.Fatalf("force: %v %+v", err, rep)
	}
	if data, _ := os.ReadFile(p); string(data) != "v1" {
		t.Fatalf("force: %q", data)
	}
	if _, err := e.store.Restore(rep.Before.ID, RestoreOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(p); string(data) != "newer work" {
		t.Fatalf("undoing the restore: %q", data)
	}
}

func TestSkipsCachesAndSaysSo(t *testing.T) {
	e := newEnv(t, Options{})
	e.write("app/node_modules/x/index.js", "module", 0o644)
	e.write("app/src/main.js", "main", 0o644)
	res := e.keep("rm -rf app")
	if res.ID == "" || !res.Complete() {
		t.Fatalf("keep: %+v", res)
	}
	if len(res.Skipped) != 1 || !res.Skipped[0].Planned || !strings.HasSuffix(res.Skipped[0].Path, "node_modules") {
		t.Fatalf("skipped: %+v", res.Skipped)
	}
	notes := res.Notes(guards.Allow)
	if len(notes) != 1 || notes[0].Alert || !strings.Contains(notes[0].Text, "node_modules") {
		t.Fatalf("notes: %+v", notes)
	}
	// A plainly allowed call with a complete backup says nothing else; an
	// ask also names the backup.
	if n := res.Notes(guards.Ask); len(n) != 2 || !strings.Contains(n[0].Text, "bulwark restore "+res.ID) {
		t.Fatalf("ask notes: %+v", n)
	}
}

func TestByteBudgets(t *testing.T) {
	e := newEnv(t, Options{MaxCopy: 10, MaxTotal: 100})
	e.write("big.txt", strings.Repeat("b", 50), 0o644)
	e.write("small.txt", "s", 0o644)
	// Copies (in-place overwrites) are bounded by MaxCopy.
	res := e.keep("truncate -s 0 big.txt small.txt")
	if res.Copied != 1 || len(res.Skipped) != 1 || res.Skipped[0].Planned || res.Complete() {
		t.Fatalf("copy budget: %+v", res)
	}
	if n := res.Notes(guards.Allow); len(n) < 2 || !n[len(n)-1].Alert {
		t.Fatalf("notes: %+v", n)
	}
	// Links copy nothing but still count against the store's size.
	for i := range 3 {
		e.write(fmt.Sprintf("d/f%d", i), strings.Repeat("x", 40), 0o644)
	}
	res = e.keep("rm -rf d")
	if res.Copied != 0 || res.Bytes != 80 || len(res.Skipped) != 1 {
		t.Fatalf("total budget: %+v", res)
	}
}

func TestTimeBudget(t *testing.T) {
	// A clock that moves one millisecond each time it is read: the budget
	// runs out after a known amount of work, whatever the machine's speed.
	e := newEnv(t, Options{CallTime: 20 * time.Millisecond})
	var ticks int
	e.store.o.Now = func() time.Time { ticks++; return e.now.Add(time.Duration(ticks) * time.Millisecond) }
	for i := range 100 {
		e.write(fmt.Sprintf("many/f%03d", i), "x", 0o644)
	}
	res := e.keep("rm -rf many")
	if res.Incomplete == "" || res.Files == 0 || res.Files >= 101 {
		t.Fatalf("time budget: %+v", res)
	}
	if n := res.Notes(guards.Allow); len(n) == 0 || !n[len(n)-1].Alert || !strings.Contains(n[len(n)-1].Text, "cut short") {
		t.Fatalf("notes: %+v", n)
	}
}

func TestFindDeleteKeepsMatchesOnly(t *testing.T) {
	e := newEnv(t, Options{})
	e.write("logs/a.log", "a", 0o644)
	e.write("logs/deep/b.log", "b", 0o644)
	e.write("logs/keep.txt", "k", 0o644)
	res := e.keep("find . -name '*.log' -delete")
	m := e.manifest(res.ID)
	var paths []string
	for _, it := range m.Items {
		rel, _ := filepath.Rel(e.root, it.Path)
		paths = append(paths, rel)
	}
	if got := strings.Join(paths, " "); got != "logs/a.log logs/deep/b.log" {
		t.Fatalf("kept %q", got)
	}
}

func (e *env) manifest(id string) *Manifest {
	e.t.Helper()
	en, err := e.store.Find(id)
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := e.store.Manifest(en)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

func TestNothingThereKeepsNothing(t *testing.T) {
	e := newEnv(t, Options{})
	res := e.keep("rm -rf does-not-exist && echo hi > new-file.txt")
	if res.ID != "" || res.Files != 0 || len(res.Skipped) != 0 {
		t.Fatalf("%+v", res)
	}
	if _, err := os.Stat(e.store.Dir()); !os.IsNotExist(err) {
		t.Fatalf("store created for nothing: %v", err)
	}
}

func TestRetention(t *testing.T) {
	e := newEnv(t, Options{MaxTotal: 100, MaxAge: time.Hour})
	var ids []string
	for i := range 4 {
		e.write(fmt.Sprintf("f%d", i), strings.Repeat("y", 40), 0o644)
		e.now = e.now.Add(time.Minute)
		ids = append(ids, e.keep(fmt.Sprintf("rm f%d", i)).ID)
	}
	es, _ := e.store.Entries()
	var have []string
	for _, en := range es {
		have = append(have, en.ID)
	}
	// 4 x 40 bytes in a 100-byte store: the two oldest went.
	if strings.Join(have, " ") != strings.Join(ids[2:], " ") {
		t.Fatalf("entries %v, want %v", have, ids[2:])
	}
	e.now = e.now.Add(2 * time.Hour)
	e.write("g", "z", 0o644)
	last := e.keep("rm g").ID
	es, _ = e.store.Entries()
	if len(es) != 1 || es[0].ID != last {
		t.Fatalf("after max age: %+v", es)
	}
}

// git runs real git in the throwaway repository (harmless subcommands only:
// init, add, commit, status); HOME and the config are the test's own.
func (e *env) git(args ...string) string {
	e.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = e.root
	cmd.Env = append(os.Environ(), "HOME="+filepath.Dir(e.root), "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_AUTHOR_DATE=2030-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2030-01-01T00:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func needGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
}

func TestGitResetHardRestored(t *testing.T) {
	needGit(t)
	e := newEnv(t, Options{})
	t.Setenv("HOME", filepath.Dir(e.root))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	e.git("init", "-q")
	e.write("a.txt", "committed\n", 0o644)
	e.write("tool.sh", "#!/bin/sh\n", 0o755)
	e.git("add", ".")
	e.git("commit", "-qm", "init")
	e.write("a.txt", "uncommitted edit\n", 0o644)
	e.write("tool.sh", "#!/bin/sh\necho changed\n", 0o755)
	e.write("new.txt", "staged new file\n", 0o600)
	e.git("add", "new.txt")
	want := e.snapshot()
	indexBefore, _ := os.ReadFile(filepath.Join(e.root, ".git", "index"))

	res := e.keep("git reset --hard")
	if res.ID == "" || !res.Complete() {
		t.Fatalf("keep: %+v", res)
	}
	if idx, _ := os.ReadFile(filepath.Join(e.root, ".git", "index")); !bytes.Equal(idx, indexBefore) {
		t.Error("the backup changed the repository's index")
	}
	if st := e.git("status", "--porcelain"); !strings.Contains(st, "new.txt") || !strings.Contains(st, "a.txt") {
		t.Fatalf("status changed: %s", st)
	}
	// What reset --hard does to the work tree, done by the test: the
	// committed content back, the staged new file gone.
	e.write("a.txt", "committed\n", 0o644)
	e.write("tool.sh", "#!/bin/sh\n", 0o755)
	os.Remove(filepath.Join(e.root, "new.txt"))
	e.store.AfterCall("s1", "t-git reset --hard", e.now.Add(time.Second))

	rep, err := e.store.Restore(res.ID, RestoreOptions{})
	if err != nil || rep.Count(StepConflict) != 0 || rep.Count(StepRestore) != 3 {
		t.Fatalf("restore: %v %+v", err, rep.Steps)
	}
	got := e.snapshot()
	// git records the executable bit, not the exact mode; mtimes come from
	// the work tree as it was.
	diffSnap(t, got, want)
}

func TestGitCleanRestored(t *testing.T) {
	needGit(t)
	e := newEnv(t, Options{})
	t.Setenv("HOME", filepath.Dir(e.root))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	e.git("init", "-q")
	e.write(".gitignore", "*.o\n", 0o644)
	e.write("tracked.txt", "t", 0o644)
	e.git("add", ".")
	e.git("commit", "-qm", "init")
	e.write("scratch/notes.md", "untracked work", 0o600)
	e.write("todo.txt", "untracked too", 0o644)
	e.write("main.o", "ignored: -x not given", 0o644)
	want := e.snapshot()
	res := e.keep("git clean -fd")
	m := e.manifest(res.ID)
	var kept []string
	for _, it := range m.Items {
		rel, _ := filepath.Rel(e.root, it.Path)
		kept = append(kept, rel)
	}
	if strings.Join(kept, " ") != "scratch scratch/notes.md todo.txt" {
		t.Fatalf("kept %v", kept)
	}
	os.RemoveAll(filepath.Join(e.root, "scratch"))
	os.Remove(filepath.Join(e.root, "todo.txt"))
	if _, err := e.store.Restore(res.ID, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	diffSnap(t, e.snapshot(), want)
}

func TestGitStashDropRestored(t *testing.T) {
	needGit(t)
	e := newEnv(t, Options{})
	t.Setenv("HOME", filepath.Dir(e.root))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	e.git("init", "-q")
	e.write("a.txt", "v1\n", 0o644)
	e.git("add", ".")
	e.git("commit", "-qm", "init")
	e.write("a.txt", "stashed work\n", 0o644)
	e.git("stash", "push", "-q", "-m", "wip")
	before := e.git("stash", "list", "--format=%H %gs")
	res := e.keep("git stash clear")
	if res.ID == "" {
		t.Fatalf("keep: %+v", res)
	}
	// What stash clear does: the stash ref and its log go; then the
	// repository forgets the objects (gc --prune=now, harmless here).
	os.Remove(filepath.Join(e.root, ".git", "refs", "stash"))
	os.Remove(filepath.Join(e.root, ".git", "logs", "refs", "stash"))
	e.git("reflog", "expire", "--expire-unreachable=now", "--all")
	e.git("gc", "-q", "--prune=now")
	if _, err := e.store.Restore(res.ID, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if after := e.git("stash", "list", "--format=%H %gs"); after != before {
		t.Fatalf("stash list %q, want %q", after, before)
	}
	e.git("stash", "apply", "-q")
	if data, _ := os.ReadFile(filepath.Join(e.root, "a.txt")); string(data) != "stashed work\n" {
		t.Fatalf("applied: %q", data)
	}
}

func TestOverwriteThroughSymlinkKeepsTheTarget(t *testing.T) {
	e := newEnv(t, Options{})
	target := e.write("real/config.yml", "the real content", 0o644)
	os.Symlink("real/config.yml", filepath.Join(e.root, "config.yml"))
	want := e.snapshot()
	res := e.keep("echo x > config.yml")
	if res.Files != 2 {
		t.Fatalf("kept %+v", res)
	}
	os.WriteFile(target, []byte("x\n"), 0o644) // the redirect writes through the link
	e.store.AfterCall("s1", "t-echo x > config.yml", e.now.Add(time.Second))
	if _, err := e.store.Restore(res.ID, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	diffSnap(t, e.snapshot(), want)
}

func TestPendingMarkersArePruned(t *testing.T) {
	e := newEnv(t, Options{MaxAge: time.Hour})
	e.write("a", "a", 0o644)
	e.keep("rm a") // no PostToolUse follows (an ask declined)
	e.now = e.now.Add(48 * time.Hour)
	e.write("b", "b", 0o644)
	e.keep("rm b") // prunes the first entry, and its marker
	des, _ := os.ReadDir(e.store.pendingDir())
	if len(des) != 1 {
		t.Fatalf("pending markers: %d, want the new one only", len(des))
	}
}

func TestMoveOutOfTheProject(t *testing.T) {
	e := newEnv(t, Options{})
	os.MkdirAll(filepath.Join(e.root, ".git"), 0o755) // the project's root
	e.write("docs/plan.md", "the plan", 0o644)
	e.write("docs/other.md", "other", 0o644)
	outside := t.TempDir()
	// Within the project the content survives at its new name: nothing kept.
	if res := e.keep("mv docs/other.md docs/renamed.md"); res.ID != "" {
		t.Errorf("a move inside the project was kept: %+v", res)
	}
	res := e.keep("mv docs/plan.md " + outside + "/")
	m := e.manifest(res.ID)
	if len(m.Items) != 1 || m.Items[0].Path != filepath.Join(e.root, "docs/plan.md") || m.Items[0].How != HowLink {
		t.Fatalf("kept %+v", m.Items)
	}
	os.Rename(filepath.Join(e.root, "docs/plan.md"), filepath.Join(outside, "plan.md"))
	os.Remove(filepath.Join(outside, "plan.md")) // later, out there, it is lost
	if _, err := e.store.Restore(res.ID, RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(e.root, "docs/plan.md")); string(data) != "the plan" {
		t.Fatalf("restored %q", data)
	}
}

// TestAppendItemIsJSON: items.jsonl's hand-written lines are what
// encoding/json writes for an Item, with every field set and with none.
func TestAppendItemIsJSON(t *testing.T) {
	full := Item{Path: "/p/\"q\"\n\u2028\xff é", Type: TypeFile, Mode: 0o755, MTime: 1234567890123456789, Size: 42, Op: "delete",
		How: HowCopy, Obj: "f/7", Sum: "ab", Link: "target", Blob: "cd"}
	for _, it := range []Item{full, {}} {
		want, err := json.Marshal(&it)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(appendItem(nil, &it)); got != string(want)+"\n" {
			t.Errorf("appendItem:\n got %s\nwant %s", got, want)
		}
	}
	if n := reflect.TypeOf(Item{}).NumField(); n != 11 {
		t.Errorf("Item has %d fields: teach appendItem and this test the new one", n)
	}
}

// TestFindNameClasses: -name and -iname match as find does (package
// fnmatch), POSIX classes included, so the backup keeps what such a find
// deletes.
func TestFindNameClasses(t *testing.T) {
	e := newEnv(t, Options{})
	e.write("logs/1.log", "a", 0o644)
	e.write("logs/B.LOG", "b", 0o644)
	e.write("logs/keep.log", "k", 0o644)
	res := e.keep("find logs -name '[[:digit:]]*' -delete; find logs -iname 'b.log' -delete")
	m := e.manifest(res.ID)
	var paths []string
	for _, it := range m.Items {
		rel, _ := filepath.Rel(e.root, it.Path)
		paths = append(paths, rel)
	}
	if got := strings.Join(paths, " "); got != "logs/1.log logs/B.LOG" {
		t.Fatalf("kept %q", got)
	}
}
