package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// parseFlags parses a subcommand's flags the same way for every subcommand:
// -h, -help and --help print its usage on stdout and exit 0; an unknown or
// bad flag prints the error and the usage on stderr and exits 2 (ExitBlock,
// which for the hook also means the call is blocked). done reports that the
// subcommand should return code now. The usage must be written to
// fs.Output(), which is stderr unless help was asked for.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (code int, done bool) {
	stderr := fs.Output()
	fs.SetOutput(io.Discard) // flag's own message and usage: ours are below
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		fs.SetOutput(stderr)
		return ExitOK, true
	default:
		fmt.Fprintf(stderr, "bulwark %s: %v\n", fs.Name(), err)
		fs.Usage()
		return ExitBlock, true
	}
}

// usageFunc is a subcommand's usage: its text, then its flags (if any).
func usageFunc(fs *flag.FlagSet, text string) func() {
	return func() {
		w := fs.Output()
		fmt.Fprint(w, text)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintln(w, "\nflags:")
			fs.PrintDefaults()
		}
	}
}
