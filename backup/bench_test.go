package backup

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
)

// BenchmarkKeepTree is the backup of `rm -rf build/` over 1,000 small
// files: a hard link each, and the manifest.
func BenchmarkKeepTree(b *testing.B) {
	root := b.TempDir()
	build := filepath.Join(root, "proj", "build")
	for i := range 1000 {
		dir := filepath.Join(build, fmt.Sprintf("d%02d", i%10))
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d.o", i)), []byte("object"), 0o644)
	}
	losses := []guards.Loss{{Op: guards.LossDelete, Path: build, Recursive: true}}
	b.ResetTimer()
	for i := range b.N {
		s, _ := Open(Options{Dir: filepath.Join(root, fmt.Sprintf("store%d", i)), CallTime: time.Hour, SkipIfIgnored: []string{}})
		if res := s.Keep(Call{}, losses, time.Time{}); res.Files != 1011 {
			b.Fatalf("%+v", res)
		}
	}
}

// BenchmarkLossesNone is what deriving losses costs a call that destroys
// nothing (no system call: this is all of it).
func BenchmarkLossesNone(b *testing.B) {
	act := &guards.Action{Kind: guards.KindShell, Event: guards.PreToolUse, Command: "git add -A && git commit -m 'fix: x' && go test ./... 2>&1 | tail -20", Cwd: "/w", Home: "/home/u"}
	for range b.N {
		if len(guards.Losses(act)) != 0 {
			b.Fatal("losses")
		}
	}
}
