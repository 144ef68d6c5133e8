package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// The test binary doubles as the concurrent writer: with envHelper set it
// appends records and exits instead of running tests.
const envHelper = "BULWARK_AUDIT_TEST_WRITER"

func TestMain(m *testing.M) {
	if os.Getenv(envHelper) != "" {
		os.Exit(writerProcess())
	}
	os.Exit(m.Run())
}

// writerProcess appends $N records for writer $ID to $DIR.
func writerProcess() int {
	dir := os.Getenv("AUDIT_DIR")
	id := os.Getenv("AUDIT_ID")
	n, _ := strconv.Atoi(os.Getenv("AUDIT_N"))
	maxBytes, _ := strconv.ParseInt(os.Getenv("AUDIT_MAX"), 10, 64)
	keep, _ := strconv.Atoi(os.Getenv("AUDIT_KEEP"))
	pause, _ := time.ParseDuration(os.Getenv("AUDIT_PAUSE"))
	o := Options{MaxBytes: maxBytes, Keep: keep, LockWait: 10 * time.Second}
	for i := range n {
		if err := Append(dir, testRecord(id, i), o); err != nil {
			fmt.Fprintln(os.Stderr, "writer", id, err)
			return 1
		}
		if pause > 0 {
			time.Sleep(pause)
		}
	}
	return 0
}

func testRecord(id string, i int) Record {
	return Record{
		Client:    "claude",
		SessionID: "s-" + id,
		ToolUseID: fmt.Sprintf("%s-%d", id, i),
		Cwd:       "/home/dev/project",
		Event:     "PreToolUse",
		Tool:      "Bash",
		Action:    []string{"allow", "warn", "ask", "deny"}[i%4],
		Profile:   "balanced",
		Guards:    []GuardHit{{ID: "git.force-push", Severity: "high", Action: "deny", Evidence: "git push --force"}},
		Preview:   "git push --force origin main && echo " + strings.Repeat("x", i%50),
		Reason:    "Force-pushing rewrites shared history.",
	}
}

// startWriters launches procs writer processes and waits for them all.
func runWriters(t *testing.T, dir string, procs, n int, maxBytes int64, keep int, pause time.Duration) {
	t.Helper()
	cmds := make([]*exec.Cmd, procs)
	outs := make([]*bytes.Buffer, procs)
	for p := range procs {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), envHelper+"=1", "AUDIT_DIR="+dir, "AUDIT_ID=w"+strconv.Itoa(p),
			"AUDIT_N="+strconv.Itoa(n), "AUDIT_MAX="+strconv.FormatInt(maxBytes, 10),
			"AUDIT_KEEP="+strconv.Itoa(keep), "AUDIT_PAUSE="+pause.String())
		outs[p] = new(bytes.Buffer)
		cmd.Stdout, cmd.Stderr = outs[p], outs[p]
		if err := cmd.Start(); err != nil {
			t.Fatalf("start writer %d: %v", p, err)
		}
		cmds[p] = cmd
	}
	for p, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer %d: %v: %s", p, err, outs[p])
		}
	}
}

// checkAll verifies that dir's files hold exactly procs*n records, each
// once, on whole lines.
func checkAll(t *testing.T, dir string, procs, n int) {
	t.Helper()
	files, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 0 && data[len(data)-1] != '\n' {
			t.Errorf("%s does not end in a newline", name)
		}
		for _, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
			var r Record
			if err := json.Unmarshal(line, &r); err != nil {
				t.Fatalf("%s: torn or interleaved line %q: %v", filepath.Base(name), line, err)
			}
			seen[r.ToolUseID]++
		}
	}
	for p := range procs {
		for i := range n {
			id := fmt.Sprintf("w%d-%d", p, i)
			if seen[id] != 1 {
				t.Errorf("record %s present %d times, want once", id, seen[id])
			}
		}
	}
	if len(seen) != procs*n {
		t.Errorf("%d distinct records, want %d", len(seen), procs*n)
	}
	recs, skipped, err := Read(dir, Filter{})
	if err != nil || skipped != 0 || len(recs) != procs*n {
		t.Errorf("Read: %d records, %d skipped, %v; want %d, 0, nil", len(recs), skipped, err, procs*n)
	}
}

func TestConcurrentWriterProcesses(t *testing.T) {
	const procs, n = 200, 5
	dir := t.TempDir()
	start := time.Now()
	runWriters(t, dir, procs, n, 0, 0, 0)
	t.Logf("%d processes x %d records in %v", procs, n, time.Since(start))
	checkAll(t, dir, procs, n)
	if files, _ := Files(dir); len(files) != 1 {
		t.Errorf("files = %v, want just the current one", files)
	}
}

func TestRotationUnderConcurrentWriters(t *testing.T) {
	const procs, n, maxBytes = 40, 25, 8 << 10
	dir := t.TempDir()
	runWriters(t, dir, procs, n, maxBytes, 1000, 0)
	checkAll(t, dir, procs, n)
	files, _ := Files(dir)
	if len(files) < 10 {
		t.Errorf("only %d files: rotation did not happen", len(files))
	}
	for _, name := range files {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() > maxBytes {
			t.Errorf("%s is %d bytes, over MaxBytes %d", filepath.Base(name), fi.Size(), maxBytes)
		}
	}
}

func TestRotationKeepsBoundedFiles(t *testing.T) {
	dir := t.TempDir()
	o := Options{MaxBytes: 2048, Keep: 3}
	for i := range 200 {
		if err := Append(dir, testRecord("k", i), o); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := Files(dir)
	want := []string{FileName + ".3", FileName + ".2", FileName + ".1", FileName}
	if len(files) != len(want) {
		t.Fatalf("files = %v, want %v", files, want)
	}
	for i, f := range files {
		if filepath.Base(f) != want[i] {
			t.Errorf("file %d = %s, want %s", i, filepath.Base(f), want[i])
		}
	}
	recs, skipped, err := Read(dir, Filter{})
	if err != nil || skipped != 0 {
		t.Fatal(err, skipped)
	}
	// The newest records survive, in order.
	if last := recs[len(recs)-1].ToolUseID; last != "k-199" {
		t.Errorf("last record %s, want k-199", last)
	}
	for i := 1; i < len(recs); i++ {
		a, _ := strconv.Atoi(strings.TrimPrefix(recs[i-1].ToolUseID, "k-"))
		b, _ := strconv.Atoi(strings.TrimPrefix(recs[i].ToolUseID, "k-"))
		if b != a+1 {
			t.Fatalf("records out of order or missing: %s then %s", recs[i-1].ToolUseID, recs[i].ToolUseID)
		}
	}
}

func TestModesAndLineFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "bulwark")
	r := testRecord("m", 0)
	r.Time = time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.FixedZone("X", 3600))
	r.EvalMicros = 42
	if err := Append(dir, r, Options{}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", fi.Mode().Perm())
	}
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(filepath.Join(dir, FileName))
	want := `{"time":"2026-03-04T04:06:07.89Z","client":"claude","session_id":"s-m","tool_use_id":"m-0","cwd":"/home/dev/project","event":"PreToolUse","tool":"Bash","action":"allow","profile":"balanced","guards":[{"id":"git.force-push","severity":"high","action":"deny","evidence":"git push --force"}],"preview":"git push --force origin main && echo","reason":"Force-pushing rewrites shared history.","eval_us":42}` + "\n"
	if string(data) != want {
		t.Errorf("line\n got %s\nwant %s", data, want)
	}
}

func TestZeroTimeIsNow(t *testing.T) {
	dir := t.TempDir()
	before := time.Now()
	if err := Append(dir, Record{Action: "deny", Tool: "Bash"}, Options{}); err != nil {
		t.Fatal(err)
	}
	recs, _, err := Read(dir, Filter{})
	if err != nil || len(recs) != 1 {
		t.Fatal(err, recs)
	}
	if tm := recs[0].Time; tm.Before(before.Add(-time.Second)) || tm.After(time.Now().Add(time.Second)) || tm.Location() != time.UTC {
		t.Errorf("time %v is not now in UTC", tm)
	}
}

func TestOnlyNonAllow(t *testing.T) {
	dir := t.TempDir()
	o := Options{OnlyNonAllow: true}
	for i := range 8 {
		r := testRecord("o", i)
		if r.Action == ActionAllow {
			r.Guards = nil // plainly allowed: no guard fired
		}
		if err := Append(dir, r, o); err != nil {
			t.Fatal(err)
		}
	}
	// A hit an allow rule let through is kept: it shows the rule is used.
	ruled := testRecord("o", 8)
	ruled.Guards[0].Action, ruled.Guards[0].AllowedBy = ActionAllow, "rule:3f9a2c"
	if err := Append(dir, ruled, o); err != nil {
		t.Fatal(err)
	}
	recs, _, _ := Read(dir, Filter{})
	if len(recs) != 7 {
		t.Errorf("%d records, want 7 (plain allows skipped)", len(recs))
	}
	for _, r := range recs {
		if r.Action == ActionAllow && len(r.Guards) == 0 {
			t.Errorf("plain allow record logged: %+v", r)
		}
	}
	if last := recs[len(recs)-1]; last.ToolUseID != "o-8" || last.Guards[0].AllowedBy != "rule:3f9a2c" {
		t.Errorf("allowed hit not kept with its rule: %+v", last)
	}
}

// Fake secrets of every kind redact knows; none may reach the file.
var fakeSecrets = []string{
	"AKIAIOSFODNN7EXAMPLE",
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	"ghp_FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000",
	"github_pat_11FAKEFAKE0xxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	"glpat-FAKEfake1234FAKEfake",
	"xoxb-1234567890-FAKEFAKEFAKE",
	"T0FAKE/B0FAKE/FAKEFAKEFAKEFAKE",
	"sk_live_FAKE00000000000000000000",
	"sk-proj-FAKEb2b2b2b2b2b2b2b2b2b2b2b2b2b2b2",
	"sk-ant-api03-FAKEFAKEc3c3c3c3c3c3c3c3c3c3c3c3c3-AAAA",
	"AIzaSyFAKE" + strings.Repeat("d", 29),
	"npm_FAKEe5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5",
	"pypi-AgEIcHlwaS5vcmcFAKEf6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6",
	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.FAKEsignatureFAKE123",
	"MIIEFAKEFAKEprivatekeybody",
	"hunter2FAKE",
	"FAKEbearer0123456789",
}

func TestSecretsNeverLoggedUnmasked(t *testing.T) {
	dir := t.TempDir()
	texts := []string{
		"export AWS_ACCESS_KEY_ID=" + fakeSecrets[0] + " AWS_SECRET_ACCESS_KEY=" + fakeSecrets[1],
		"git clone https://" + fakeSecrets[2] + "@github.com/o/r && echo " + fakeSecrets[3],
		"glab --token " + fakeSecrets[4] + " SLACK=" + fakeSecrets[5],
		"curl https://hooks.slack.com/services/" + fakeSecrets[6],
		"stripe " + fakeSecrets[7] + " openai " + fakeSecrets[8] + " claude " + fakeSecrets[9],
		"google " + fakeSecrets[10] + " npm " + fakeSecrets[11] + " pypi " + fakeSecrets[12],
		"jwt " + fakeSecrets[13],
		"-----BEGIN RSA PRIVATE KEY-----\n" + fakeSecrets[14] + "\n-----END RSA PRIVATE KEY-----",
		"psql postgres://admin:" + fakeSecrets[15] + "@db/app",
		`curl -H "Authorization: Bearer ` + fakeSecrets[16] + `"`,
		`{"password": "` + fakeSecrets[15] + `"}`,
	}
	for i, s := range texts {
		r := testRecord("sec", i)
		r.Preview, r.Reason = s, "found "+s
		r.Guards = []GuardHit{{ID: "secrets.x", Severity: "high", Action: "deny", Evidence: s}}
		if err := Append(dir, r, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range fakeSecrets {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("secret %q reached the log", s)
		}
	}
	if !bytes.Contains(data, []byte("AKIA****************")) {
		t.Error("masked AWS key id not in the log")
	}
}

func TestPreview(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"ls -la", 20, "ls -la"},
		{"  echo  a\n\tb\r\n ", 20, "echo a b"},
		{"abcdefghij", 5, "abcd…"},
		{"héllo wörld", 7, "héllo…"},
		{"a\x00b\x1bc", 10, "a b c"},
		{"x AKIAIOSFODNN7EXAMPLE", 10, "x AKIA***…"},
	}
	for _, tt := range tests {
		if got := Preview(tt.in, tt.n); got != tt.want {
			t.Errorf("Preview(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	// A huge input is cut without splitting a rune or leaking a secret
	// that straddles the cut.
	big := strings.Repeat("é", 3000) + " AKIAIOSFODNN7EXAMPLE"
	p := Preview(big, MaxPreview)
	if !utf8.ValidString(p) || utf8.RuneCountInString(p) != MaxPreview {
		t.Errorf("bad preview of a big input: %d runes", utf8.RuneCountInString(p))
	}
	secret := strings.Repeat("a", MaxPreview-10) + " ghp_FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0000"
	if p := Preview(secret, MaxPreview); strings.Contains(p, "FAKEFAKE") {
		t.Errorf("secret across the cut leaked: %q", p)
	}
}

func TestUnwritableStateDir(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	os.WriteFile(file, nil, 0o600)
	dirs := map[string]string{"under a file": filepath.Join(file, "bulwark")}
	if os.Geteuid() != 0 {
		ro := filepath.Join(base, "ro")
		os.Mkdir(ro, 0o500)
		dirs["read-only"] = filepath.Join(ro, "bulwark")
		ro2 := filepath.Join(base, "ro2")
		os.Mkdir(ro2, 0o700)
		os.Chmod(ro2, 0o500)
		dirs["read-only existing"] = ro2
	}
	if runtime.GOOS == "linux" {
		// A full disk: the log is /dev/full, where every write fails ENOSPC.
		full := filepath.Join(base, "full")
		os.Mkdir(full, 0o700)
		if err := os.Symlink("/dev/full", filepath.Join(full, FileName)); err == nil {
			dirs["disk full"] = full
		}
	}
	dirs["empty"] = ""
	for name, dir := range dirs {
		start := time.Now()
		err := Append(dir, testRecord("u", 0), Options{})
		if err == nil {
			t.Errorf("%s: Append succeeded", name)
		}
		if d := time.Since(start); d > 150*time.Millisecond {
			t.Errorf("%s: Append took %v", name, d)
		}
		if name == "disk full" && !errors.Is(err, unix.ENOSPC) {
			t.Errorf("disk full: err = %v, want ENOSPC", err)
		}
	}
}

func TestLockTimeout(t *testing.T) {
	dir := t.TempDir()
	if err := Append(dir, testRecord("l", 0), Options{}); err != nil {
		t.Fatal(err)
	}
	// Another open file description holding the lock stands in for a
	// stuck writer.
	f, err := os.OpenFile(filepath.Join(dir, FileName), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	// Past the wait, the record is spooled, not lost.
	if err := Append(dir, testRecord("l", 1), Options{LockWait: 20 * time.Millisecond}); err != nil {
		t.Fatalf("a record that cannot wait for the lock: %v", err)
	}
	if spooled, _ := os.ReadDir(filepath.Join(dir, SpoolDir)); len(spooled) != 1 {
		t.Fatalf("%d spooled records, want 1", len(spooled))
	}
	unix.Flock(int(f.Fd()), unix.LOCK_UN)
	// The next Append to hold the lock merges it.
	if err := Append(dir, testRecord("l", 2), Options{}); err != nil {
		t.Errorf("after unlock: %v", err)
	}
	if spooled, _ := os.ReadDir(filepath.Join(dir, SpoolDir)); len(spooled) != 0 {
		t.Errorf("%d spooled records left after a merge", len(spooled))
	}
	ids := map[string]bool{}
	recs, _, err := Read(dir, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		ids[r.ToolUseID] = true
	}
	if !ids["l-0"] || !ids["l-1"] || !ids["l-2"] || len(ids) != 3 {
		t.Errorf("records %v, want l-0, l-1, l-2", ids)
	}
}

// A writer killed mid-line leaves a torn tail: the next record starts on a
// line of its own and stays intact.
func TestTornTailIsClosed(t *testing.T) {
	dir := t.TempDir()
	if err := Append(dir, testRecord("t", 0), Options{}); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, FileName), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"time":"2026-01-01T00:00:00Z","client":"cla`) // killed here
	f.Close()
	if err := Append(dir, testRecord("t", 1), Options{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, FileName))
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3 (record, torn tail, record):\n%s", len(lines), data)
	}
	var r Record
	if err := json.Unmarshal([]byte(lines[2]), &r); err != nil || r.ToolUseID != "t-1" {
		t.Errorf("the record after the torn tail: %v, %q", err, lines[2])
	}
}

// Another process rotates the file between our open and our lock: the
// writer must notice and write to the new file.
func TestAppendNoticesRotationWhileWaiting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := Append(dir, testRecord("r", 0), Options{}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	unix.Flock(int(f.Fd()), unix.LOCK_EX)
	done := make(chan error, 1)
	go func() { done <- Append(dir, testRecord("r", 1), Options{LockWait: 5 * time.Second}) }()
	time.Sleep(30 * time.Millisecond) // let it open the old file and wait
	if err := rotate(path, 5); err != nil {
		t.Fatal(err)
	}
	f.Close() // releases the lock on the rotated file
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	cur, _ := os.ReadFile(path)
	old, _ := os.ReadFile(path + ".1")
	if !bytes.Contains(cur, []byte(`"r-1"`)) || bytes.Contains(old, []byte(`"r-1"`)) {
		t.Errorf("record went to the rotated file:\ncurrent %s\nold %s", cur, old)
	}
}

func fixtureDir(t *testing.T) string {
	t.Helper()
	// Copy, so that nothing a test does can touch the fixture.
	dir := t.TempDir()
	for _, name := range []string{FileName, FileName + ".1"} {
		data, err := os.ReadFile(filepath.Join("testdata", "fixture", name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name), data, 0o600)
	}
	return dir
}

func ids(recs []Record) string {
	var s []string
	for _, r := range recs {
		s = append(s, r.ToolUseID)
	}
	return strings.Join(s, " ")
}

func TestReadFixtureFilters(t *testing.T) {
	dir := fixtureDir(t)
	tests := []struct {
		name string
		f    Filter
		want string
	}{
		{"all", Filter{}, "tu-01 tu-02 tu-03 tu-04 tu-05 tu-06 tu-07 tu-08 tu-09 tu-10 tu-11"},
		{"deny", Filter{Actions: []string{"deny"}}, "tu-02 tu-04 tu-06 tu-08"},
		{"deny,ask", Filter{Actions: []string{"deny", "ask"}}, "tu-02 tu-03 tu-04 tu-06 tu-08 tu-10"},
		{"tool", Filter{Tool: "read"}, "tu-03"},
		{"guard", Filter{Guard: "git.force-push"}, "tu-02 tu-08"},
		{"guard pack", Filter{Guard: "secrets."}, "tu-03 tu-06"},
		{"guard star", Filter{Guard: "fs.*"}, "tu-04"},
		{"session", Filter{Session: "sess-c"}, "tu-06 tu-07 tu-08 tu-09"},
		{"since", Filter{Since: time.Date(2026, 1, 14, 0, 0, 0, 0, time.UTC)}, "tu-08 tu-09 tu-10 tu-11"},
		{"cwd", Filter{Cwd: "/home/dev/app"}, "tu-01 tu-02 tu-03 tu-04 tu-05 tu-10 tu-11"},
		{"cwd sub", Filter{Cwd: "/home/dev/app/web/"}, "tu-04 tu-05"},
		{"cwd not a prefix of a name", Filter{Cwd: "/home/dev/ap"}, ""},
		{"combined", Filter{Actions: []string{"deny"}, Cwd: "/srv"}, "tu-06 tu-08"},
		{"last 9", Filter{Last: 9}, "tu-03 tu-04 tu-05 tu-06 tu-07 tu-08 tu-09 tu-10 tu-11"},
		{"last 100", Filter{Last: 100}, "tu-01 tu-02 tu-03 tu-04 tu-05 tu-06 tu-07 tu-08 tu-09 tu-10 tu-11"},
		{"last 2 deny", Filter{Last: 2, Actions: []string{"deny"}}, "tu-06 tu-08"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, skipped, err := Read(dir, tt.f)
			if tt.f.Last > 0 && tt.name == "last 2 deny" {
				skipped++ // only the current file was read
			}
			if err != nil {
				t.Fatal(err)
			}
			if skipped != 3 {
				t.Errorf("skipped %d, want 3 (garbage, a truncated line in each file)", skipped)
			}
			if got := ids(recs); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestReadMissingAndCorrupt(t *testing.T) {
	if _, _, err := Read(filepath.Join(t.TempDir(), "nope"), Filter{}); !errors.Is(err, ErrNoLog) {
		t.Errorf("missing dir: err = %v, want ErrNoLog", err)
	}
	if _, _, err := Read(t.TempDir(), Filter{}); !errors.Is(err, ErrNoLog) {
		t.Errorf("empty dir: err = %v, want ErrNoLog", err)
	}
	dir := t.TempDir()
	garbage := "\x00\x01\xff not json\n{\"time\":\"yesterday\"}\n{}\n[1,2]\n\n" + strings.Repeat("{", 100000) + "\n"
	os.WriteFile(filepath.Join(dir, FileName), []byte(garbage), 0o600)
	Append(dir, testRecord("c", 0), Options{})
	recs, skipped, err := Read(dir, Filter{})
	if err != nil || len(recs) != 1 || skipped != 5 {
		t.Errorf("got %d records, %d skipped, %v; want 1, 5, nil", len(recs), skipped, err)
	}
}

func TestSummarizeFixture(t *testing.T) {
	recs, _, err := Read(fixtureDir(t), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(recs)
	if s.Total != 11 {
		t.Errorf("total %d", s.Total)
	}
	wantActions := map[string]int{"allow": 3, "warn": 1, "ask": 2, "deny": 4, "flag": 1}
	for a, n := range wantActions {
		if s.ByAction[a] != n {
			t.Errorf("%s: %d, want %d", a, s.ByAction[a], n)
		}
	}
	if len(s.Guards) == 0 || s.Guards[0] != (Count{"git.force-push", 2}) {
		t.Errorf("top guard %v", s.Guards)
	}
	if len(s.DenySessions) != 3 || s.DenySessions[0] != (Count{"sess-c", 2}) {
		t.Errorf("deny sessions %v", s.DenySessions)
	}
	wantDirs := []Count{{"/srv/infra", 2}, {"/home/dev/app", 1}, {"/home/dev/app/web", 1}}
	if fmt.Sprint(s.DenyDirs) != fmt.Sprint(wantDirs) {
		t.Errorf("deny dirs %v, want %v", s.DenyDirs, wantDirs)
	}
	if !s.From.Equal(time.Date(2026, 1, 10, 9, 0, 0, 100_000_000, time.UTC)) || !s.To.Equal(time.Date(2026, 1, 15, 16, 46, 0, 0, time.UTC)) {
		t.Errorf("span %v .. %v", s.From, s.To)
	}
}

// collector gathers followed records for a test.
type collector struct {
	mu   sync.Mutex
	got  map[string]int
	want int
	done chan struct{}
}

func newCollector(want int) *collector {
	return &collector{got: map[string]int{}, want: want, done: make(chan struct{})}
}

func (c *collector) add(r Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got[r.ToolUseID]++
	if len(c.got) == c.want {
		close(c.done)
	}
}

func startFollow(t *testing.T, dir string, f Filter, fn func(Record)) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	ready := make(chan struct{})
	errc := make(chan error, 1)
	go func() { errc <- follow(ctx, dir, f, -1, nil, fn, func() { close(ready) }) }()
	select {
	case <-ready:
	case err := <-errc:
		cancel()
		t.Fatalf("follow: %v", err)
	}
	return func() error { cancel(); return <-errc }
}

func TestFollowOtherProcessAcrossRotation(t *testing.T) {
	dir := t.TempDir()
	// Records already there are not replayed.
	Append(dir, testRecord("before", 0), Options{})
	const procs, n = 3, 30
	c := newCollector(procs * n)
	stop := startFollow(t, dir, Filter{}, c.add)
	// Small files so that the writers rotate many times while followed.
	runWriters(t, dir, procs, n, 2048, 1000, 2*time.Millisecond)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.got) != procs*n {
		t.Errorf("followed %d of %d records", len(c.got), procs*n)
	}
	for id, k := range c.got {
		if k != 1 || strings.HasPrefix(id, "before") {
			t.Errorf("record %s delivered %d times", id, k)
		}
	}
	if files, _ := Files(dir); len(files) < 3 {
		t.Errorf("no rotation happened: %v", files)
	}
}

func TestFollowPartialLineAndFilter(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	got := make(chan Record, 10)
	stop := startFollow(t, dir, Filter{Actions: []string{"deny"}}, func(r Record) { got <- r })
	defer stop()
	// The file does not exist yet: it is created by the first write.
	deny, _ := Encode(testRecord("p", 3))
	allow, _ := Encode(testRecord("p", 0))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write(allow)
	f.Write(deny[:20])
	select {
	case r := <-got:
		t.Fatalf("delivered %s before its newline (or an allow)", r.ToolUseID)
	case <-time.After(100 * time.Millisecond):
	}
	f.Write(deny[20:])
	f.Write([]byte("garbage line\n"))
	select {
	case r := <-got:
		if r.ToolUseID != "p-3" {
			t.Errorf("got %s", r.ToolUseID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the completed line was not delivered")
	}
	// Removal and re-creation (a crude rotation) is followed too.
	f.Close()
	os.Rename(path, path+".1")
	deny2, _ := Encode(testRecord("q", 7))
	os.WriteFile(path, deny2, 0o600)
	select {
	case r := <-got:
		if r.ToolUseID != "q-7" {
			t.Errorf("got %s", r.ToolUseID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the record in the new file was not delivered")
	}
}

func TestFollowStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- follow(ctx, t.TempDir(), Filter{}, -1, nil, func(Record) {}, nil) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("follow returned %v after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("follow did not return after cancel")
	}
}

func TestReadLineScanner(t *testing.T) {
	// Lines far longer than a bufio.Scanner token must still be read.
	dir := t.TempDir()
	r := testRecord("long", 0)
	r.Cwd = "/" + strings.Repeat("d", 200000)
	line, _ := Encode(r)
	os.WriteFile(filepath.Join(dir, FileName), line, 0o600)
	recs, skipped, err := Read(dir, Filter{})
	if err != nil || skipped != 0 || len(recs) != 1 {
		t.Fatalf("%d records, %d skipped, %v", len(recs), skipped, err)
	}
	_ = bufio.MaxScanTokenSize
}

func BenchmarkAppend(b *testing.B) {
	dir := b.TempDir()
	r := testRecord("bench", 7)
	r.Preview = "cd /home/dev/project && go test ./... -run 'TestParse|TestLex' -count=1 2>&1 | tail -n 50"
	for b.Loop() {
		if err := Append(dir, r, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	r := testRecord("bench", 7)
	for b.Loop() {
		Encode(r)
	}
}

func BenchmarkReadFixture(b *testing.B) {
	dir := b.TempDir()
	for i := range 10000 {
		Append(dir, testRecord("r", i), Options{})
	}
	b.ResetTimer()
	for b.Loop() {
		Read(dir, Filter{Actions: []string{"deny"}})
	}
}

func TestTailBacklogThenNew(t *testing.T) {
	dir := fixtureDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var gotBacklog []Record
	skippedN := -1
	got := make(chan Record, 10)
	errc := make(chan error, 1)
	go func() {
		errc <- Tail(ctx, dir, Filter{}, 3, func(recs []Record, skipped int) { gotBacklog, skippedN = recs, skipped; close(got) }, func(r Record) {})
	}()
	select {
	case <-got:
	case err := <-errc:
		t.Fatal(err)
	}
	cancel()
	<-errc
	if ids(gotBacklog) != "tu-09 tu-10 tu-11" || skippedN != 1 {
		t.Errorf("backlog %s, skipped %d; want tu-09 tu-10 tu-11, 1", ids(gotBacklog), skippedN)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	news := make(chan Record, 10)
	backlogDone := make(chan struct{})
	go func() {
		errc <- Tail(ctx, dir, Filter{Actions: []string{"deny"}}, 0, func(recs []Record, skipped int) {
			gotBacklog, skippedN = recs, skipped
			close(backlogDone)
		}, func(r Record) { news <- r })
	}()
	<-backlogDone
	if ids(gotBacklog) != "tu-02 tu-04 tu-06 tu-08" || skippedN != 2 {
		t.Errorf("backlog %s, skipped %d; want the 4 denials, 2", ids(gotBacklog), skippedN)
	}
	// The torn last line of the fixture never completes; a new record after
	// it is still delivered (the fragment and the record share one line, so
	// complete the fragment first, as a restarted writer would not: the
	// fragment line is garbage and skipped).
	f, _ := os.OpenFile(filepath.Join(dir, FileName), os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte("\n"))
	f.Close()
	if err := Append(dir, testRecord("n", 3), Options{}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-news:
		if r.ToolUseID != "n-3" {
			t.Errorf("new record %s", r.ToolUseID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("new record not delivered")
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// Starting Tail while other processes write and rotate: every record is
// delivered exactly once, either in the backlog or followed.
func TestTailNoGapNoOverlap(t *testing.T) {
	const procs, n = 3, 60
	dir := t.TempDir()
	c := newCollector(procs * n)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		time.Sleep(40 * time.Millisecond) // the writers are under way
		errc <- Tail(ctx, dir, Filter{}, 0, func(recs []Record, _ int) {
			for _, r := range recs {
				c.add(r)
			}
		}, c.add)
	}()
	runWriters(t, dir, procs, n, 2048, 1000, time.Millisecond)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.got) != procs*n {
		t.Errorf("got %d of %d records", len(c.got), procs*n)
	}
	for id, k := range c.got {
		if k != 1 {
			t.Errorf("record %s delivered %d times", id, k)
		}
	}
}

// TestEncodeIsEncodingJSON: the hand-written encoder writes what
// encoding/json writes for every field of Record and GuardHit (a field
// added to either and forgotten in appendRecord fails here).
func TestEncodeIsEncodingJSON(t *testing.T) {
	full := func(s string) Record {
		var r Record
		fillRecord(reflect.ValueOf(&r).Elem(), s)
		return r
	}
	for _, r := range []Record{full("x"), full("<&>\"\\\n\u2028\xff é"), {}, {Time: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC), Guards: []GuardHit{{ID: "a.b"}}}} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&r); err != nil {
			t.Fatal(err)
		}
		if got := string(appendRecord(nil, &r)) + "\n"; got != want.String() {
			t.Errorf("appendRecord:\n got %s\nwant %s", got, want.String())
		}
	}
}

func fillRecord(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s + v.Type().Name())
	case reflect.Int64:
		v.SetInt(1234567)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 12, 4, 10, 11, 12, 13000, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fillRecord(v.Field(i), s+v.Type().Field(i).Name)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillRecord(v.Elem(), s)
	case reflect.Slice:
		sl := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillRecord(sl.Index(i), s)
		}
		v.Set(sl)
	default:
		panic("fillRecord: " + v.Kind().String() + ": teach appendRecord and this test the new field")
	}
}

// Masking happens before the preview is cut or its white space collapsed:
// a token after thousands of spaces, or right at the cut, shows none of
// its characters.
func TestPreviewMasksBeforeCutting(t *testing.T) {
	tok := "ghp_" + strings.Repeat("q1W2", 9) // fake, 36 characters
	for _, spaces := range []int{0, 1, 150, 190, 4852, 4896, 8 << 10, 70 << 10} {
		cmd := "echo" + strings.Repeat(" ", spaces) + " " + tok + " > /tmp/out.txt"
		if p := Preview(cmd, MaxPreview); strings.Contains(p, "q1W2") {
			t.Errorf("%d spaces: the token shows in %q", spaces, p)
		}
	}
	// Each length of prefix puts the cut at another place in the token.
	for pad := MaxPreview - 45; pad <= MaxPreview; pad++ {
		p := Preview(strings.Repeat("a", pad)+" "+tok, MaxPreview)
		if i := strings.Index(p, "ghp_"); i >= 0 && strings.ContainsAny(strings.TrimSuffix(p[i+4:], "…"), "qW") {
			t.Errorf("pad %d: part of the token shows: %q", pad, p[i:])
		}
	}
}
