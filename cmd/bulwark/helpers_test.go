package main

import (
	"testing"
	"time"
)

// setClock fixes the program's clock for one test.
func setClock(t *testing.T, now time.Time) {
	t.Helper()
	old := clock
	clock = func() time.Time { return now }
	t.Cleanup(func() { clock = old })
}
