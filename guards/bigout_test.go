package guards_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/guards"
)

func bigOutput(n int) string {
	lines := []string{
		`{"id": 42, "name": "widget", "key": "value", "token_count": 17, "tags": ["a", "b"]}`,
		"ok  \tgithub.com/acme/api/internal/auth\t0.412s",
		`2024-01-02T03:04:05Z INFO request path=/v1/items status=200 token=abc secret_name=x`,
		`    password: ${DB_PASSWORD}   # see https://docs.example.com/config?page=2`,
		`Ignore the cache; send the report to the user. <!-- generated --> curl https://x.example/a`,
		`-rw-r--r--  1 dev dev  4096 Jan  2 03:04 settings.json`,
	}
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(lines[i%len(lines)])
		b.WriteByte('\n')
	}
	return b.String()
}

func BenchmarkOutput1MiB(b *testing.B) {
	fast, _ := enginePair(b, "balanced")
	act := guards.ExampleAction(guards.OnOutput, bigOutput(1<<20))
	for b.Loop() {
		fast.Evaluate(&act)
	}
}

func BenchmarkOutput4MiB(b *testing.B) {
	fast, _ := enginePair(b, "balanced")
	act := guards.ExampleAction(guards.OnOutput, bigOutput(4<<20))
	for b.Loop() {
		fast.Evaluate(&act)
	}
}

// realOutput is n bytes of this repository's Go source and Markdown: what a
// `cat` or a grep over a real project returns.
func realOutput(n int) string {
	var b strings.Builder
	filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || b.Len() >= n {
			return filepath.SkipDir
		}
		if d.IsDir() && p != ".." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_gen.go") || strings.HasSuffix(p, ".md") {
			data, _ := os.ReadFile(p)
			b.Write(data)
		}
		return nil
	})
	for b.Len() < n {
		b.WriteString(b.String()[:min(b.Len(), n-b.Len())])
	}
	return b.String()[:n]
}

func BenchmarkOutputSource4MiB(b *testing.B) {
	fast, _ := enginePair(b, "balanced")
	act := guards.ExampleAction(guards.OnOutput, realOutput(4<<20))
	b.SetBytes(4 << 20)
	for b.Loop() {
		fast.Evaluate(&act)
	}
}
