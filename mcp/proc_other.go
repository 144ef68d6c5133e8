//go:build !unix

package mcp

import "os/exec"

// killGroup: without process groups, the context kills the command itself.
func killGroup(*exec.Cmd) {}
