package shell

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var testEnv = Env{Home: "/home/u", Cwd: "/work"}

// renderWord renders a word: quoted when it has spaces, ^d when dynamic,
// ^g when it is a glob.
func renderWord(w Word) string {
	v := w.Value
	if v == "" || strings.ContainsAny(v, " \t\n\"'") {
		v = strconv.Quote(v)
	}
	if w.Dynamic {
		v += "^d"
	}
	if w.Glob {
		v += "^g"
	}
	return v
}

// renderCmd renders one command on one line:
// DEPTH [via,...] name args {A=1} <redirs> fed:x,y stdin:"..." cwd:dir syn bg
func renderCmd(c Command, showCwd bool) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d ", c.Depth)
	if len(c.Via) > 0 {
		sb.WriteString("[" + strings.Join(c.Via, ",") + "] ")
	}
	if len(c.Assigns) > 0 {
		keys := make([]string, 0, len(c.Assigns))
		for k := range c.Assigns {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sb.WriteString(k + "=" + renderWord(Word{Value: c.Assigns[k]}) + " ")
		}
	}
	name := renderWord(Word{Value: c.Name})
	if c.NameDynamic {
		name += "^d"
	}
	sb.WriteString(name)
	for _, a := range c.Args {
		sb.WriteString(" " + renderWord(a))
	}
	for _, r := range c.Redirects {
		sb.WriteString(" " + r.Op + renderWord(r.Target))
		if r.Write {
			sb.WriteString("^w")
		}
	}
	if len(c.FedBy) > 0 {
		sb.WriteString(" fed:" + strings.Join(c.FedBy, ","))
	}
	if c.StdinKnown {
		sb.WriteString(" stdin:" + strconv.Quote(c.Stdin))
	}
	if showCwd {
		sb.WriteString(" cwd:" + c.Cwd)
	}
	if c.Synthetic {
		sb.WriteString(" syn")
	}
	if c.Background {
		sb.WriteString(" bg")
	}
	return sb.String()
}

// renderExec renders an Exec on one line:
// exec KIND[/LANG] FILE -> PATH dir:DIR [targets] args... stdin
func renderExec(e *Exec) string {
	var sb strings.Builder
	sb.WriteString("exec " + string(e.Kind))
	if e.Lang != "" {
		sb.WriteString("/" + e.Lang)
	}
	if e.File.Value != "" || e.File.Dynamic {
		sb.WriteString(" " + renderWord(e.File))
	}
	if e.Path != "" {
		sb.WriteString(" -> " + e.Path)
	}
	if e.Dir != "" {
		sb.WriteString(" dir:" + e.Dir)
	}
	if len(e.Targets) > 0 {
		sb.WriteString(" [" + strings.Join(e.Targets, ",") + "]")
	}
	for _, w := range e.Args {
		sb.WriteString(" " + renderWord(w))
	}
	if e.Stdin {
		sb.WriteString(" stdin")
	}
	return sb.String()
}

func render(a *Analysis, showCwd bool) string {
	var lines []string
	for _, c := range a.Commands {
		lines = append(lines, renderCmd(c, showCwd))
		if c.Exec != nil {
			lines = append(lines, "  "+renderExec(c.Exec))
		}
	}
	for _, w := range a.Writes {
		op := ">"
		if w.Append {
			op = ">>"
		}
		lines = append(lines, fmt.Sprintf("write %s %s%s %q", w.By, op, renderWord(w.Path), w.Content))
	}
	for _, as := range a.Assignments {
		var sb strings.Builder
		fmt.Fprintf(&sb, "assign %d ", as.Depth)
		if len(as.Via) > 0 {
			sb.WriteString("[" + strings.Join(as.Via, ",") + "] ")
		}
		if as.By != "" {
			sb.WriteString(as.By + " ")
		}
		sb.WriteString(as.Name + "=" + renderWord(as.Value))
		lines = append(lines, sb.String())
	}
	if a.ParseError != nil {
		lines = append(lines, "parse-error")
	}
	if a.DepthExceeded {
		lines = append(lines, "depth-exceeded")
	}
	for _, p := range a.Problems {
		lines = append(lines, "problem: "+p)
	}
	for _, l := range a.Limits {
		lines = append(lines, "limit: "+l)
	}
	return strings.Join(lines, "\n")
}

// TestDebug prints the analysis of $SHELLSRC, or of each case of the
// golden-format file $SHELLSRCFILE (for development: a file keeps
// dangerous test strings out of the shell).
func TestDebug(t *testing.T) {
	srcs := []string{os.Getenv("SHELLSRC")}
	if file := os.Getenv("SHELLSRCFILE"); file != "" {
		srcs = srcs[:0]
		for _, c := range readGolden(t, file) {
			srcs = append(srcs, c.src)
		}
	}
	if len(srcs) == 0 || srcs[0] == "" {
		t.Skip("set SHELLSRC or SHELLSRCFILE")
	}
	for _, src := range srcs {
		a := Analyze(src, testEnv)
		fmt.Printf("$ %s\n%s\n", src, render(a, true))
		if a.ParseError != nil {
			fmt.Println(a.ParseError)
		}
	}
}
