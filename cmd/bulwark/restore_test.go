package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/audit"
)

// The undo tests run the real binary: the hook is fed the PreToolUse event
// as JSON, then the test performs the destructive step itself, in Go, on its
// own temporary files (git steps run real git in a throwaway repository with
// a throwaway HOME), feeds the PostToolUse event, and runs `bulwark restore`.
// The commands in the events are test data; no shell ever runs them.

type undoEnv struct {
	t         *testing.T
	bin       string
	home      string
	state     string // BULWARK_HOME
	proj      string
	n         int
	extraEnv  []string
	lastHook  string
	lastTools string
}

func newUndoEnv(t *testing.T, bin string) *undoEnv {
	t.Helper()
	root := t.TempDir()
	e := &undoEnv{t: t, bin: bin, home: filepath.Join(root, "home"), state: filepath.Join(root, "state"), proj: filepath.Join(root, "home", "proj")}
	for _, d := range []string{e.proj, e.state} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The most time a backup may take, so that a loaded machine (git runs
	// four times for a reset) does not cut the backups these tests check.
	e.config("")
	return e
}

func (e *undoEnv) config(extra string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.state, "config.toml"), []byte("[backup]\nmax_call_ms = 600\n"+extra), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

func (e *undoEnv) env() []string {
	env := []string{"HOME=" + e.home, "BULWARK_HOME=" + e.state, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "TZ=UTC"}
	return append(env, e.extraEnv...)
}

// run runs the binary in the project directory.
func (e *undoEnv) run(stdin string, args ...string) (string, string, int) {
	e.t.Helper()
	cmd := exec.Command(e.bin, args...)
	cmd.Dir = e.proj
	cmd.Env = e.env()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// hook sends one Claude Code event for a tool call and returns the answer.
func (e *undoEnv) hook(event, tool string, input map[string]any, id string) string {
	e.t.Helper()
	ev := map[string]any{"session_id": "sess-undo", "cwd": e.proj, "hook_event_name": event, "tool_name": tool, "tool_input": input, "tool_use_id": id}
	if event == "PostToolUse" {
		ev["tool_response"] = map[string]any{"stdout": "", "stderr": "", "interrupted": false}
	}
	data, _ := json.Marshal(ev)
	out, stderr, code := e.run(string(data), "hook")
	if code != 0 {
		e.t.Fatalf("hook %s %v: exit %d: %s", event, input, code, stderr)
	}
	return out
}

// call sends the PreToolUse event, lets the test do what the tool would,
// then sends the PostToolUse event. It returns the PreToolUse answer.
func (e *undoEnv) call(tool string, input map[string]any, do func()) string {
	e.t.Helper()
	e.n++
	id := fmt.Sprintf("toolu_%d", e.n)
	pre := e.hook("PreToolUse", tool, input, id)
	// A machine loaded by other tests can leave the hook too little of
	// its deadline for the backup; it says so ("time budget"), and the call
	// is asked again (the files are still there: nothing has run yet).
	for try := 0; try < 5 && strings.Contains(pre, "time budget"); try++ {
		pre = e.hook("PreToolUse", tool, input, id)
	}
	if strings.Contains(pre, `"deny"`) {
		e.t.Fatalf("%v was denied: %s", input, pre)
	}
	do()
	e.hook("PostToolUse", tool, input, id)
	return pre
}

func (e *undoEnv) bash(cmd string, do func()) string {
	return e.call("Bash", map[string]any{"command": cmd}, do)
}

func (e *undoEnv) write(rel, text string, mode fs.FileMode) string {
	e.t.Helper()
	p := filepath.Join(e.proj, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		e.t.Fatal(err)
	}
	os.Chmod(p, mode)
	e.touch(rel)
	return p
}

var undoTime = time.Date(2029, 6, 1, 12, 0, 0, 987654321, time.UTC)

func (e *undoEnv) touch(rel string) {
	os.Chtimes(filepath.Join(e.proj, rel), undoTime, undoTime)
}

// snapshot is every path under the project with its type, mode, mtime and
// content (.git left out: it is git's business).
func (e *undoEnv) snapshot() map[string]string {
	e.t.Helper()
	out := map[string]string{}
	filepath.WalkDir(e.proj, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == e.proj {
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		fi, _ := os.Lstat(p)
		rel, _ := filepath.Rel(e.proj, p)
		desc := fi.Mode().String()
		switch {
		case fi.Mode().IsRegular():
			data, _ := os.ReadFile(p)
			desc += fmt.Sprintf(" mtime=%d %q", fi.ModTime().UnixNano(), data)
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			desc += " -> " + l
		}
		out[rel] = desc
		return nil
	})
	return out
}

func (e *undoEnv) sameAs(want map[string]string) {
	e.t.Helper()
	got := e.snapshot()
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
			e.t.Errorf("%s after restore:\n got %s\nwant %s", k, got[k], want[k])
		}
	}
}

// restoreLast restores the newest backup and checks it went cleanly.
func (e *undoEnv) restoreLast(args ...string) string {
	e.t.Helper()
	out, stderr, code := e.run("", append([]string{"restore", "--last"}, args...)...)
	if code != 0 {
		e.t.Fatalf("restore --last: exit %d\n%s%s", code, out, stderr)
	}
	return out
}

func (e *undoEnv) git(args ...string) string {
	e.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = e.proj
	cmd.Env = append(e.env(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (e *undoEnv) records() []audit.Record {
	e.t.Helper()
	data, _ := os.ReadFile(filepath.Join(e.state, audit.FileName))
	var out []audit.Record
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r audit.Record
		if json.Unmarshal([]byte(line), &r) == nil {
			out = append(out, r)
		}
	}
	return out
}

func TestUndoThroughBinary(t *testing.T) {
	bin := realBinary(t)

	t.Run("rm -rf of a project subdirectory", func(t *testing.T) {
		e := newUndoEnv(t, bin)
		e.write("build/app.bin", "\x00\x01binary\xff", 0o755)
		e.write("build/docs/readme.txt", "read me", 0o600)
		e.write("build/empty.txt", "", 0o644)
		os.Symlink("app.bin", filepath.Join(e.proj, "build", "current"))
		os.Chmod(filepath.Join(e.proj, "build", "docs"), 0o750)
		e.touch("build/docs")
		e.write("src/main.go", "package main", 0o644)
		want := e.snapshot()
		e.bash("rm -rf build/", func() { os.RemoveAll(filepath.Join(e.proj, "build")) })
		if _, err := os.Stat(filepath.Join(e.proj, "build")); !os.IsNotExist(err) {
			t.Fatal("the test's delete did not happen")
		}
		list, _, _ := e.run("", "restore")
		if !strings.Contains(list, "rm -rf build/") || !strings.Contains(list, "session sess-und") {
			t.Errorf("list:\n%s", list)
		}
		out := e.restoreLast()
		if !strings.Contains(out, "restored 6") {
			t.Errorf("restore said:\n%s", out)
		}
		e.sameAs(want)
		// Every backup and restore is on the audit record.
		var sawBackup, sawRestore bool
		for _, r := range e.records() {
			if r.Backup != nil && r.Event == "PreToolUse" && r.Backup.ID != "" && r.Backup.Items == 6 {
				sawBackup = true
			}
			if r.Event == "restore" && r.Backup != nil && r.Backup.Restored == 6 {
				sawRestore = true
			}
		}
		if !sawBackup || !sawRestore {
			t.Errorf("audit: backup %v, restore %v: %+v", sawBackup, sawRestore, e.records())
		}
	})

	t.Run("redirect overwrite", func(t *testing.T) {
		e := newUndoEnv(t, bin)
		p := e.write("notes.md", "# Notes\nthe only copy\n", 0o640)
		want := e.snapshot()
		e.bash("echo 'oops' > notes.md", func() { os.WriteFile(p, []byte("oops\n"), 0o640) })
		e.restoreLast()
		e.sameAs(want)
	})

	t.Run("sed -i", func(t *testing.T) {
		e := newUndoEnv(t, bin)
		p := e.write("config.ini", "host=prod\nport=5432\n", 0o600)
		want := e.snapshot()
		e.bash("sed -i 's/prod/dev/' config.ini", func() {
			// sed -i writes a new file and renames it over the old one.
			tmp := filepath.Join(e.proj, "sedXYZ")
			os.WriteFile(tmp, []byte("host=dev\nport=5432\n"), 0o600)
			os.Rename(tmp, p)
		})
		e.restoreLast()
		e.sameAs(want)
	})

	t.Run("Write over an existing file", func(t *testing.T) {
		e := newUndoEnv(t, bin)
		p := e.write("src/app.py", "print('hand written')\n", 0o644)
		want := e.snapshot()
		e.call("Write", map[string]any{"file_path": p, "content": "print('generated')\n"}, func() {
			os.WriteFile(p, []byte("print('generated')\n"), 0o644)
		})
		e.restoreLast()
		e.sameAs(want)
	})

	t.Run("git reset --hard with uncommitted edits", func(t *testing.T) {
		if _, err := exec.LookPath("git"); err != nil {
			t.Skip("git not installed")
		}
		e := newUndoEnv(t, bin)
		e.git("init", "-q")
		e.write("lib.go", "package lib // v1\n", 0o644)
		e.write("run.sh", "#!/bin/sh\n", 0o755)
		e.git("add", ".")
		e.git("commit", "-qm", "v1")
		e.write("lib.go", "package lib // a day of uncommitted work\n", 0o644)
		e.write("run.sh", "#!/bin/sh\necho edited\n", 0o755)
		e.write("new.go", "package lib // staged, never committed\n", 0o644)
		e.git("add", "new.go")
		want := e.snapshot()
		e.bash("git reset --hard", func() { e.git("reset", "-q", "--hard") })
		if _, err := os.Stat(filepath.Join(e.proj, "new.go")); !os.IsNotExist(err) {
			t.Fatal("reset --hard did not remove the staged file")
		}
		e.restoreLast()
		e.sameAs(want)
	})

	t.Run("git clean -fd", func(t *testing.T) {
		if _, err := exec.LookPath("git"); err != nil {
			t.Skip("git not installed")
		}
		e := newUndoEnv(t, bin)
		e.git("init", "-q")
		e.write("README", "tracked", 0o644)
		e.git("add", ".")
		e.git("commit", "-qm", "init")
		e.write("scratch/idea.md", "untracked thoughts", 0o600)
		e.write("scratch/deep/data.csv", "a,b\n1,2\n", 0o644)
		e.touch("scratch/deep")
		e.touch("scratch")
		e.write("todo.txt", "untracked", 0o644)
		want := e.snapshot()
		e.bash("git clean -fd", func() { e.git("clean", "-q", "-fd") })
		if _, err := os.Stat(filepath.Join(e.proj, "scratch")); !os.IsNotExist(err) {
			t.Fatal("git clean did not remove scratch/")
		}
		e.restoreLast()
		e.sameAs(want)
	})

	t.Run("conflicts are shown, not overwritten", func(t *testing.T) {
		e := newUndoEnv(t, bin)
		p := e.write("a.txt", "original", 0o644)
		e.bash("truncate -s 0 a.txt", func() { os.WriteFile(p, nil, 0o644) })
		os.WriteFile(p, []byte("newer work"), 0o644)
		out, _, code := e.run("", "restore", "--last", "--dry-run")
		if code != ExitFail || !strings.Contains(out, "conflict") || !strings.Contains(out, "changed since the call") {
			t.Fatalf("dry run: exit %d\n%s", code, out)
		}
		out, _, code = e.run("", "restore", "--last")
		if data, _ := os.ReadFile(p); code != ExitFail || string(data) != "newer work" {
			t.Fatalf("restore over newer content: exit %d, file %q\n%s", code, data, out)
		}
		to := filepath.Join(e.home, "restored")
		out, _, code = e.run("", "restore", "--last", "--to", to)
		if data, _ := os.ReadFile(filepath.Join(to, "a.txt")); code != 0 || string(data) != "original" {
			t.Fatalf("--to: exit %d, %q\n%s", code, data, out)
		}
	})

	t.Run("budgets hold and the verdict says so", func(t *testing.T) {
		e := newUndoEnv(t, bin)
		e.config("max_copy_mb = 1\n")
		big := e.write("big.log", strings.Repeat("x", 2<<20), 0o644)
		small := e.write("small.log", "keep me", 0o644)
		pre := e.bash("truncate -s 0 big.log small.log", func() {
			os.WriteFile(big, nil, 0o644)
			os.WriteFile(small, nil, 0o644)
		})
		var ans struct {
			SystemMessage      string `json:"systemMessage"`
			HookSpecificOutput struct {
				AdditionalContext string `json:"additionalContext"`
			} `json:"hookSpecificOutput"`
		}
		if err := json.Unmarshal([]byte(pre), &ans); err != nil {
			t.Fatalf("answer %q: %v", pre, err)
		}
		for _, s := range []string{ans.SystemMessage, ans.HookSpecificOutput.AdditionalContext} {
			if !strings.Contains(s, "big.log") || !strings.Contains(s, "copy budget") || !strings.Contains(s, "no undo") {
				t.Errorf("the answer does not say big.log has no backup: %s", pre)
			}
		}
		out, _, _ := e.run("", "restore", "--last", "--dry-run")
		if !strings.Contains(out, "would restore 1") {
			t.Errorf("dry run:\n%s", out)
		}
		if entries, _ := os.ReadDir(filepath.Join(e.state, "backup", "cas")); len(entries) != 1 {
			t.Errorf("cas holds %d buckets, want the one small copy", len(entries))
		}
	})

	t.Run("a call that destroys nothing keeps nothing", func(t *testing.T) {
		e := newUndoEnv(t, bin)
		e.write("a.txt", "x", 0o644)
		e.bash("git status && ls -la && cat a.txt | wc -l", func() {})
		if _, err := os.Stat(filepath.Join(e.state, "backup")); !os.IsNotExist(err) {
			t.Errorf("store created for a call that destroys nothing: %v", err)
		}
	})

	for _, relocated := range []bool{false, true} {
		name := "the agent cannot read, change or delete the store; restoring asks (default place)"
		if relocated {
			name = "the agent cannot read, change or delete the store; restoring asks (BULWARK_HOME elsewhere)"
		}
		t.Run(name, func(t *testing.T) { agentAndStore(t, bin, relocated) })
	}
}

// agentAndStore: the agent's attempts to read the store back, change it or
// delete it are denied, by absolute path and by the variables that name it,
// at the default place and with BULWARK_HOME elsewhere (the protected set
// follows the state directory); restoring asks, listing does not.
func agentAndStore(t *testing.T, bin string, relocated bool) {
	e := newUndoEnv(t, bin)
	store := "$BULWARK_HOME/backup"
	if !relocated {
		// The default place: ~/.local/state/bulwark (no BULWARK_HOME).
		e.state = filepath.Join(e.home, ".local", "state", "bulwark")
		e.extraEnv = []string{"BULWARK_HOME="}
		os.MkdirAll(e.state, 0o700)
		e.config("")
		store = "~/.local/state/bulwark/backup"
	}
	e.write("secret.env", "API_KEY=not-a-real-key", 0o600)
	e.bash("rm secret.env", func() { os.Remove(filepath.Join(e.proj, "secret.env")) })
	entries, _ := filepath.Glob(filepath.Join(e.state, "backup", "entries", "*"))
	if len(entries) != 1 {
		t.Fatalf("entries %v", entries)
	}
	obj := filepath.Join(entries[0], "f", "0")
	if data, _ := os.ReadFile(obj); string(data) != "API_KEY=not-a-real-key" {
		t.Fatalf("the backup does not hold the file: %q", data)
	}
	manifest := filepath.Join(entries[0], "manifest.json")
	deny := []struct {
		tool  string
		input map[string]any
	}{
		{"Bash", map[string]any{"command": "cat " + obj}},
		{"Bash", map[string]any{"command": "grep -r API_KEY " + store}},
		{"Bash", map[string]any{"command": "cp -r " + store + " /tmp/loot"}},
		{"Read", map[string]any{"file_path": obj}},
		{"Write", map[string]any{"file_path": manifest, "content": "{}"}},
		{"Edit", map[string]any{"file_path": manifest, "old_string": "a", "new_string": "b"}},
		{"Bash", map[string]any{"command": "rm -rf " + store}},
		{"Bash", map[string]any{"command": "echo '{}' > " + manifest}},
		{"Bash", map[string]any{"command": "find " + filepath.Join(e.state, "backup") + " -delete"}},
	}
	for i, c := range deny {
		out := e.hook("PreToolUse", c.tool, c.input, fmt.Sprintf("toolu_deny_%d", i))
		if !strings.Contains(out, `"permissionDecision":"deny"`) {
			t.Errorf("%s %v: not denied: %s", c.tool, c.input, out)
		}
	}
	if out := e.hook("PreToolUse", "Bash", map[string]any{"command": "bulwark restore --last"}, "toolu_r1"); !strings.Contains(out, `"permissionDecision":"ask"`) {
		t.Errorf("restore by the agent does not ask: %s", out)
	}
	if out := e.hook("PreToolUse", "Bash", map[string]any{"command": "bulwark restore"}, "toolu_r2"); strings.Contains(out, "permissionDecision") {
		t.Errorf("listing backups is not allowed: %s", out)
	}
	// Nothing of that reached the store: the backup is whole.
	if data, _ := os.ReadFile(obj); string(data) != "API_KEY=not-a-real-key" {
		t.Fatalf("store changed: %q", data)
	}
}
