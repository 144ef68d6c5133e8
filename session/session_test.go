package session

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
)

// fakeToken is an obviously fake GitHub token built at test time.
var fakeToken = "ghp_" + strings.Repeat("x", 36)

func effects() *guards.Effects {
	return &guards.Effects{
		Credentials: []guards.CredentialRead{{Label: "secrets.dotenv", Path: "~/project/.env"}},
		Writes: []guards.WrittenFile{{Path: "/tmp/notes.txt", Secret: true, What: "a github-token"},
			{Path: "~/project/build.sh"}},
		Values: []guards.SecretValue{{Kind: "github-token", Value: fakeToken}},
	}
}

func TestUpdateLoadRoundTrip(t *testing.T) {
	s := Open(t.TempDir(), nil)
	if r, err := s.Load("claude", "s1"); err != nil || !r.Empty() {
		t.Fatalf("fresh session: %v, empty=%v", err, r.Empty())
	}
	if err := s.Update("claude", "s1", effects()); err != nil {
		t.Fatal(err)
	}
	r, err := s.Load("claude", "s1")
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Credentials(); len(got) != 1 || got[0].Path != "~/project/.env" || got[0].Label != "secrets.dotenv" {
		t.Errorf("credentials: %+v", got)
	}
	if w, ok := r.Written("/tmp/notes.txt"); !ok || !w.Secret || w.What != "a github-token" {
		t.Errorf("written notes: %+v %v", w, ok)
	}
	if w, ok := r.Written("~/project/build.sh"); !ok || w.Secret {
		t.Errorf("written build.sh: %+v %v", w, ok)
	}
	if k, ok := r.Seen(fakeToken); !ok || k != "github-token" {
		t.Errorf("Seen(token) = %q %v", k, ok)
	}
	if _, ok := r.Seen("ghp_" + strings.Repeat("y", 36)); ok {
		t.Error("another value of the same length is seen")
	}
	// Other sessions and other clients do not see it.
	for _, k := range [][2]string{{"claude", "s2"}, {"codex", "s1"}} {
		if r, _ := s.Load(k[0], k[1]); !r.Empty() {
			t.Errorf("%v sees session s1's record", k)
		}
	}
}

// TestNoSecretOnDisk: the record holds labels, paths and hashes, never a
// value, and a path that looks like it holds a secret is hashed.
func TestNoSecretOnDisk(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir, nil)
	e := effects()
	e.Writes = append(e.Writes, guards.WrittenFile{Path: "/tmp/" + fakeToken + ".txt", Secret: true, What: "token " + fakeToken})
	e.Credentials = append(e.Credentials, guards.CredentialRead{Label: "found " + fakeToken})
	if err := s.Update("claude", "s1", e); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, DirName, "*"+recordExt))
	if len(files) != 1 {
		t.Fatalf("records: %v", files)
	}
	data, _ := os.ReadFile(files[0])
	if bytes.Contains(data, []byte(strings.Repeat("x", 20))) {
		t.Fatalf("record holds the secret:\n%s", data)
	}
	r, _ := s.Load("claude", "s1")
	if w, ok := r.Written("/tmp/" + fakeToken + ".txt"); !ok || !w.Secret {
		t.Errorf("hashed path not found again: %+v %v", w, ok)
	}
	fi, _ := os.Stat(files[0])
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("record mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestBounds(t *testing.T) {
	s := Open(t.TempDir(), nil)
	for i := 0; i < MaxFiles+40; i += 20 {
		var e guards.Effects
		for j := i; j < i+20; j++ {
			e.Writes = append(e.Writes, guards.WrittenFile{Path: fmt.Sprintf("/tmp/f%d.sh", j)})
			e.Credentials = append(e.Credentials, guards.CredentialRead{Label: "l", Path: fmt.Sprintf("/c%d", j)})
			e.Values = append(e.Values, guards.SecretValue{Kind: "password", Value: fmt.Sprintf("value-%06d", j)})
		}
		if err := s.Update("claude", "big", &e); err != nil {
			t.Fatal(err)
		}
	}
	r, _ := s.Load("claude", "big")
	if len(r.files) != MaxFiles || len(r.creds) != MaxCredentials || len(r.values) > MaxValues {
		t.Errorf("sizes %d %d %d", len(r.files), len(r.creds), len(r.values))
	}
	if _, ok := r.Written("/tmp/f0.sh"); ok {
		t.Error("oldest file kept")
	}
	if _, ok := r.Written(fmt.Sprintf("/tmp/f%d.sh", MaxFiles+39)); !ok {
		t.Error("newest file dropped")
	}
	if n := len(r.Encode()); n > MaxRecordBytes {
		t.Errorf("full record is %d bytes, over the %d limit", n, MaxRecordBytes)
	}
}

func TestAgeAndPrune(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir, nil)
	if err := s.Update("claude", "old", effects()); err != nil {
		t.Fatal(err)
	}
	old := s.path("claude", "old")
	past := time.Now().Add(-MaxAge - time.Hour)
	os.Chtimes(old, past, past)
	if r, _ := s.Load("claude", "old"); !r.Empty() {
		t.Error("expired record still read")
	}
	// A new session's first write prunes the expired one.
	if err := s.Update("claude", "new", effects()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("expired record not pruned: %v", err)
	}
}

func TestBrokenRecordStartsAfresh(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir, nil)
	os.MkdirAll(s.Dir, 0o700)
	p := s.path("claude", "s")
	os.WriteFile(p, []byte("garbage\n"), 0o600)
	r, err := s.Load("claude", "s")
	if err == nil || !r.Empty() || !strings.Contains(err.Error(), "not a session record") {
		t.Fatalf("broken record: %v, empty=%v", err, r.Empty())
	}
	if err := s.Update("claude", "s", effects()); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Load("claude", "s"); err != nil || r.Empty() {
		t.Fatalf("after update: %v", err)
	}
}

// TestConcurrentUpdates: hooks of one session run in parallel; no update is
// lost and the record stays whole.
func TestConcurrentUpdates(t *testing.T) {
	s := Open(t.TempDir(), nil)
	s.LockWait = 5 * time.Second
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := &guards.Effects{Writes: []guards.WrittenFile{{Path: fmt.Sprintf("/w/%d.sh", i)}}}
			if err := s.Update("claude", "c", e); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	r, err := s.Load("claude", "c")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 16 {
		if _, ok := r.Written(fmt.Sprintf("/w/%d.sh", i)); !ok {
			t.Errorf("write %d lost", i)
		}
	}
}

func TestUnchangedIsNotRewritten(t *testing.T) {
	s := Open(t.TempDir(), nil)
	s.Update("claude", "s", effects())
	p := s.path("claude", "s")
	past := time.Now().Add(-time.Hour)
	os.Chtimes(p, past, past)
	s.Update("claude", "s", effects())
	if fi, _ := os.Stat(p); fi.ModTime().After(past.Add(time.Minute)) {
		t.Errorf("record rewritten with nothing new")
	}
}

func FuzzParse(f *testing.F) {
	r := &Record{key: bytes.Repeat([]byte{7}, 16)}
	r.Remember(effects())
	f.Add(r.Encode())
	f.Add([]byte(magic + "\nkey\t00\n"))
	f.Add([]byte(magic + "\nc\tl\t\nf\ts\t/p\tw\nv\tk\t3\t" + strings.Repeat("a", 24) + "\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			return
		}
		// What parses re-encodes to something that parses the same.
		if r.key == nil {
			r.key = make([]byte, 16)
		}
		r2, err := Parse(r.Encode())
		if err != nil {
			t.Fatalf("re-encoded record does not parse: %v\n%q", err, r.Encode())
		}
		if !bytes.Equal(r2.Encode(), r.Encode()) {
			t.Fatalf("round trip changed the record")
		}
	})
}

func BenchmarkLoad(b *testing.B) {
	s := Open(b.TempDir(), nil)
	e := effects()
	for i := range 50 {
		e.Writes = append(e.Writes, guards.WrittenFile{Path: fmt.Sprintf("/tmp/project/f%d.sh", i)})
	}
	s.Update("claude", "s", e)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load("claude", "s"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadMissing(b *testing.B) {
	s := Open(b.TempDir(), nil)
	for b.Loop() {
		s.Load("claude", "none")
	}
}

func BenchmarkParse(b *testing.B) {
	r := &Record{key: bytes.Repeat([]byte{7}, 16)}
	e := effects()
	for i := range 50 {
		e.Writes = append(e.Writes, guards.WrittenFile{Path: fmt.Sprintf("/tmp/project/f%d.sh", i)})
	}
	r.Remember(e)
	data := r.Encode()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMayHoldSecret(t *testing.T) {
	for s, want := range map[string]bool{
		"~/project/.env": false, "secrets.dotenv": false, "/home/dev/project/node_modules/.bin/tsc": false,
		"github-token in the output of Read": false, "secrets.credential-dir": false, "/tmp/" + fakeToken + ".txt": true, "AKIAQWERTYUIOPASDFGH1": true,
	} {
		if got := mayHoldSecret(s); got != want {
			t.Errorf("mayHoldSecret(%q) = %v, want %v", s, got, want)
		}
	}
}
