//go:build !bulwark_mcp

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
)

// runMCP replaces this process with the helper's `mcp SUB ARGS...`.
func runMCP(sub string, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	helper, err := mcpHelper()
	if err != nil {
		fmt.Fprintf(stderr, "bulwark mcp: %v\n", err)
		return ExitFail
	}
	argv := append([]string{helper, "mcp", sub}, args...)
	if runtime.GOOS != "windows" && stdin == os.Stdin && stdout == os.Stdout && stderr == os.Stderr {
		err = syscall.Exec(helper, argv, os.Environ())
		fmt.Fprintf(stderr, "bulwark mcp: running %s: %v\n", helper, err)
		return ExitFail
	}
	cmd := exec.Command(helper, argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintf(stderr, "bulwark mcp: running %s: %v\n", helper, err)
		return ExitFail
	}
	return ExitOK
}

// mcpHelper is bulwark-mcp in the directory of this executable (symlinks
// resolved, so a link to bulwark on PATH finds the real install).
func mcpHelper() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	p := filepath.Join(filepath.Dir(exe), MCPHelper)
	if fi, err := os.Stat(p); err != nil || fi.IsDir() {
		return "", fmt.Errorf("%s is not installed next to %s (make install puts it there)", MCPHelper, exe)
	}
	return p, nil
}
