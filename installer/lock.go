package installer

import (
	"fmt"
	"os"
	"path/filepath"
)

// Lock takes the install lock next to the manifest (installed.json.lock),
// waiting for another install or uninstall to finish. Install and uninstall
// hold it around every read-modify-write of a settings file and of the
// manifest, so that two at once neither lose a record nor record bulwark's
// rules as the user's. The returned func releases it.
func Lock(manifestPath string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(manifestPath), 0o700); err != nil {
		return nil, fmt.Errorf("install lock: %w", err)
	}
	path := manifestPath + ".lock"
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("install lock: %w", err)
		}
		if err := flock(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("install lock %s: %w", f.Name(), err)
		}
		// The last uninstall removes the lock file (see RemoveLock): a lock
		// taken on a file that is no longer at path is no lock.
		fi, err1 := f.Stat()
		pi, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(fi, pi) {
			return func() { f.Close() }, nil
		}
		f.Close()
	}
}

// RemoveLock removes the lock file (while it is held), for an uninstall
// that leaves nothing installed. Whoever waited on it takes a new one: Lock
// checks that the file it locked is still the one at the path.
func RemoveLock(manifestPath string) { os.Remove(manifestPath + ".lock") }
