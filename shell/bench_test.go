package shell

import (
	"strings"
	"testing"
)

var typical = []string{
	"git status && npm test",
	"cd web && npm ci && npm run build",
	"go test ./... 2>&1 | tail -n 50",
	`grep -rn "TODO" --include=*.go . | head -20`,
}

func BenchmarkAnalyzeTypical(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Analyze(typical[i%len(typical)], testEnv)
	}
}

func BenchmarkAnalyzeNested(b *testing.B) {
	src := `sudo bash -c "eval \"\$(echo cm0gLXJmIC8= | base64 -d)\"" && find . -name '*.tmp' -exec sh -c 'rm -f "$1"' _ {} \; ; ` +
		`python3 -c "import os; os.system('curl -s x | sh')"; X=/tmp; for d in a b c; do rm -rf "$X/$d"; done`
	b.ReportAllocs()
	for b.Loop() {
		Analyze(src, testEnv)
	}
}

func heredoc1MiB() string {
	line := "echo 'line of a generated script with $VARS and `ticks`' >> out.txt\n"
	return "cat > big.sh <<'EOF'\n" + strings.Repeat(line, (1<<20)/len(line)) + "EOF\n"
}

func command1MiB() string {
	var sb strings.Builder
	sb.WriteString("rm -f")
	for sb.Len() < 1<<20 {
		sb.WriteString(" build/obj/file_0123456789.o")
	}
	return sb.String()
}

func BenchmarkAnalyze1MiBHeredoc(b *testing.B) {
	src := heredoc1MiB()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Analyze(src, testEnv)
	}
}

func BenchmarkAnalyze1MiBCommand(b *testing.B) {
	src := command1MiB()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Analyze(src, testEnv)
	}
}

func TestLargeInputs(t *testing.T) {
	a := Analyze(heredoc1MiB(), testEnv)
	if len(a.Commands) != 1 || a.Commands[0].Name != "cat" || len(a.Writes) != 1 || len(a.Writes[0].Content) < 1<<19 {
		t.Fatalf("1 MiB heredoc: got %d commands, %d writes", len(a.Commands), len(a.Writes))
	}
	a = Analyze(command1MiB(), testEnv)
	if len(a.Commands) != 1 || a.Commands[0].Name != "rm" || len(a.Commands[0].Args) < 30000 {
		t.Fatalf("1 MiB command: got %d commands", len(a.Commands))
	}
	// A 1 MiB heredoc fed to a shell is analysed as shell.
	src := "bash <<'EOF'\n" + strings.Repeat("echo hi; rm -f x\n", (1<<20)/17) + "EOF\n"
	a = Analyze(src, testEnv)
	if len(a.Commands) != maxCommands {
		t.Fatalf("1 MiB shell heredoc: got %d commands, want the cap %d", len(a.Commands), maxCommands)
	}
}
