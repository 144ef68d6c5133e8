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
	f, err := os.OpenFile(manifestPath+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("install lock: %w", err)
	}
	if err := flock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("install lock %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}

// RemoveLock removes the lock file (while it is held), for an uninstall
// that leaves nothing installed.
func RemoveLock(manifestPath string) { os.Remove(manifestPath + ".lock") }
