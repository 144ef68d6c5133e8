package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// useColor reports whether text for w should be coloured, the same way for
// every subcommand: w is a terminal, NO_COLOR is not set to a non-empty
// value (https://no-color.org: present and empty means nothing), and TERM
// is not "dumb".
func useColor(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool { return f != nil && term.IsTerminal(int(f.Fd())) }
