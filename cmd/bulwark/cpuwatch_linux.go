package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// startCPUWatch runs fire once the process has used d of CPU time (user
// time, as ITIMER_VIRTUAL counts it across all threads). It costs nothing
// until then: the kernel counts, and a goroutine waits on the signal. stop
// cancels it. ok is false when the timer cannot be set (then the caller
// keeps a wall-clock deadline).
func startCPUWatch(d time.Duration, fire func()) (stop func(), ok bool) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGVTALRM)
	if _, err := unix.Setitimer(unix.ItimerVirtual, unix.Itimerval{Value: unix.NsecToTimeval(d.Nanoseconds())}); err != nil {
		signal.Stop(ch)
		return func() {}, false
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-ch:
			fire()
		case <-done:
		}
	}()
	return func() {
		unix.Setitimer(unix.ItimerVirtual, unix.Itimerval{})
		signal.Stop(ch)
		close(done)
	}, true
}
