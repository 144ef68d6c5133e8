//go:build unix

package guards

import (
	"time"

	"golang.org/x/sys/unix"
)

// cpuTime is the CPU time this process has used. An evaluation's budget is
// CPU time, not wall-clock time: a burst of hooks on a busy machine waits
// for the processor without spending its budget, while input built to make
// a guard slow spends it.
func cpuTime() time.Duration {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts) != nil {
		return wallSinceStart()
	}
	return time.Duration(ts.Nano())
}
