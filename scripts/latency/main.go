// Command latency measures whole-process latency of commands that read a
// file on stdin, as ratios of medians against the first command (normally
// /bin/true). Commands are run interleaved, one of each per round, so that
// drift in a noisy machine's speed affects all of them alike; each is
// exec'ed directly (no shell), with stdin opened from the file.
//
//	go run ./scripts/latency -n 400 -stdin event.json /bin/true 'bin/bulwark hook'
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 300, "rounds")
	stdin := flag.String("stdin", "", "file given to every command on stdin")
	warm := flag.Int("warmup", 20, "warm-up rounds, not counted")
	flag.Parse()
	cmds := flag.Args()
	if len(cmds) < 2 {
		fmt.Fprintln(os.Stderr, "usage: latency [-n N] [-stdin FILE] BASELINE CMD...")
		os.Exit(2)
	}
	times := make([][]time.Duration, len(cmds))
	for round := 0; round < *warm+*n; round++ {
		for i, c := range cmds {
			d, err := runOnce(c, *stdin)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", c, err)
				os.Exit(1)
			}
			if round >= *warm {
				times[i] = append(times[i], d)
			}
		}
	}
	base := median(times[0])
	fmt.Printf("%-40s %10s %10s %8s\n", "command", "median", "p90", "ratio")
	for i, c := range cmds {
		m := median(times[i])
		fmt.Printf("%-40s %10s %10s %7.2fx\n", c, round(m), round(pct(times[i], 90)), float64(m)/float64(base))
	}
}

func runOnce(command, stdin string) (time.Duration, error) {
	f := strings.Fields(command)
	cmd := exec.Command(f[0], f[1:]...)
	if stdin != "" {
		in, err := os.Open(stdin)
		if err != nil {
			return 0, err
		}
		defer in.Close()
		cmd.Stdin = in
	}
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if _, ok := err.(*exec.ExitError); ok {
		err = nil // a deny (exit 2) is an answer, not a failure
	}
	return d, err
}

func median(d []time.Duration) time.Duration { return pct(d, 50) }

func pct(d []time.Duration, p int) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100]
}

func round(d time.Duration) string { return d.Round(time.Microsecond).String() }
