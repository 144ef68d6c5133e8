//go:build !linux

package main

import (
	"errors"
	"os/exec"
)

var errNoPTY = errors.New("no pseudo-terminal")

func runOnPTY(*exec.Cmd, []byte) ([]byte, error) { return nil, errNoPTY }
