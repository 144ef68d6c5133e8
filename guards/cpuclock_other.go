//go:build !unix

package guards

import "time"

// cpuTime stands in for the process's CPU time where it cannot be read:
// time since the program started.
func cpuTime() time.Duration { return wallSinceStart() }
