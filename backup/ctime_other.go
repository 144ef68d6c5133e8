//go:build !linux

package backup

import (
	"io/fs"
	"time"
)

// changeTime falls back to the mtime where the ctime is not read.
func changeTime(fi fs.FileInfo) time.Time { return fi.ModTime() }
