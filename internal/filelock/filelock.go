// Package filelock takes exclusive advisory locks on open files with a
// bounded wait: many short-lived hook processes share bulwark's state files,
// and none may wait long for another.
package filelock

import (
	"errors"
	"os"
	"time"
)

// ErrLocked is returned when the lock was not free before the deadline.
var ErrLocked = errors.New("locked by another process")

// Lock takes the exclusive lock on f, retrying a non-blocking try with a
// growing pause until deadline. Closing f releases it.
func Lock(f *os.File, deadline time.Time) error {
	wait := 500 * time.Microsecond
	for {
		ok, err := tryLock(f)
		if err != nil || ok {
			return err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return ErrLocked
		}
		time.Sleep(min(wait, left))
		wait = min(2*wait, 10*time.Millisecond)
	}
}
