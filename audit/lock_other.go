//go:build !unix

package audit

import "os"

// tryLock: without flock the log relies on O_APPEND alone, which keeps lines
// whole on local file systems for writes this small.
func tryLock(*os.File) (bool, error) { return true, nil }

func openAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
}
