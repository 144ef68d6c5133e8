//go:build unix

package mcp

import (
	"os/exec"
	"syscall"
)

// killGroup makes the command its own process group and, when its context
// ends, kills the whole group: a command's children do not outlive its
// timeout.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
