package backup

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
)

// BenchmarkKeepTree is the backup of `rm -rf build/` over 1,000 small
// files: a hard link each, and the manifest. cpu-µs/op is the process's own
// CPU time (user and system), which a loaded machine does not inflate as it
// does the wall time.
func BenchmarkKeepTree(b *testing.B) {
	root := b.TempDir()
	build := filepath.Join(root, "proj", "build")
	for i := range 1000 {
		dir := filepath.Join(build, fmt.Sprintf("d%02d", i%10))
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d.o", i)), []byte("object"), 0o644)
	}
	losses := []guards.Loss{{Op: guards.LossDelete, Path: build, Recursive: true}}
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ResetTimer()
	for i := range b.N {
		s, _ := Open(Options{Dir: filepath.Join(root, fmt.Sprintf("store%d", i)), CallTime: time.Hour, SkipIfIgnored: []string{}})
		if res := s.keep(Call{}, losses, time.Time{}, "", true); res.Files != 1011 { // no time budget: the whole tree, however loaded the machine
			b.Fatalf("%+v", res)
		}
	}
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) / time.Duration(b.N)
	b.ReportMetric(float64(cpu.Microseconds()), "cpu-µs/op")
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
