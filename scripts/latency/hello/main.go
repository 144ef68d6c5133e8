// Command hello is a Go program that only prints `{}`: the cost of starting
// any Go process, for scripts/latency's report.
package main

import "os"

func main() { os.Stdout.WriteString("{}\n") }
