//go:build !unix

package installer

import "os"

// flock: without flock(2), installs are not serialised (one at a time is
// then the user's job); writes stay atomic.
func flock(*os.File) error { return nil }
