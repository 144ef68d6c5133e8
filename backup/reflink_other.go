//go:build !linux

package backup

import "errors"

// reflink is only implemented on Linux (FICLONE); elsewhere files are copied.
func reflink(src, dst string) error { return errors.New("reflink: not supported on this system") }
