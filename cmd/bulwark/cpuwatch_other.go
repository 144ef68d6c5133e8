//go:build !linux

package main

import "time"

// startCPUWatch is not available here: the hook keeps its wall-clock
// deadline.
func startCPUWatch(time.Duration, func()) (stop func(), ok bool) { return func() {}, false }
