package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bulwark-guard/bulwark/audit"
)

func rec(action, tool, guard, preview string) audit.Record {
	r := audit.Record{Time: time.Unix(0, 0), Action: action, Tool: tool, Preview: preview}
	if guard != "" {
		r.Guards = []audit.GuardHit{{ID: guard}}
	}
	return r
}

// Rows printed after Keep (following a log) stay aligned with the backlog
// even when their values are longer than any before them.
func TestTableKeepsColumnsWhenFollowing(t *testing.T) {
	var b bytes.Buffer
	tb := Table{W: &b, Loc: time.UTC}
	backlog := []audit.Record{rec("deny", "Bash", "git.force-push", "git push -f")}
	tb.Size(backlog)
	tb.Keep()
	tb.Row(&backlog[0])
	later := []audit.Record{
		rec("allow", "mcp__filesystem__read_text_file", "", "/etc/hosts"),
		rec("ask", "Bash", "filesystem.recursive-delete-root,exfil.pipe-to-shell", "curl x | sh"),
		rec("warn", "Read", "secrets.env-file", ".env"),
	}
	for i := range later {
		tb.Row(&later[i])
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	col := func(l, preview string) int { return utf8.RuneCountInString(l[:strings.LastIndex(l, preview)]) }
	want := col(lines[0], "git push -f")
	for i, p := range []string{"/etc/hosts", "curl x | sh", ".env"} {
		if got := col(lines[i+1], p); got != want {
			t.Errorf("row %d: preview at column %d, want %d:\n%s", i+2, got, want, b.String())
		}
	}
	if !strings.Contains(lines[1], "mcp__filesy…  ") {
		t.Errorf("a long tool name is not cut to the column: %q", lines[1])
	}
}

// Without Keep, the columns fit the records.
func TestTableSize(t *testing.T) {
	var b bytes.Buffer
	tb := Table{W: &b, Loc: time.UTC, Color: true}
	recs := []audit.Record{rec("deny", "Bash", "git.force-push", "x"), rec("allow", "Read", "", "y")}
	tb.Size(recs)
	for i := range recs {
		tb.Row(&recs[i])
	}
	want := "1970-01-01 00:00:00  \x1b[1;31mdeny\x1b[0m   Bash  git.force-push  x\n" +
		"1970-01-01 00:00:00  \x1b[32mallow\x1b[0m  Read  -               y\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}
