package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// version is set at release build time with -ldflags "-X main.version=...".
var version = ""

func init() {
	register("version", "print bulwark's version", cmdVersion)
}

// Version returns the build's version: the -X value, else the module version
// from the build info, else "devel".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func cmdVersion(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = usageFunc(fs, joinLines(
		"usage: bulwark version",
		"",
		"Prints bulwark's version (also: bulwark --version)."))
	if code, done := parseFlags(fs, args, stdout); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bulwark version: unexpected argument %q\n", fs.Arg(0))
		return ExitBlock
	}
	fmt.Fprintf(stdout, "bulwark %s\n", Version())
	return ExitOK
}
