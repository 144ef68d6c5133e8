// Command reader is the yardstick of scripts/latency: the smallest Go program
// that can answer a hook at all. It reads the event JSON from stdin, decodes
// it (encoding/json, into a generic value, so that it reads every byte the
// hook would), and prints `{}`. bulwark's hook is measured as a ratio to this
// program reading the same event.
package main

import (
	"encoding/json"
	"io"
	"os"
)

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		os.Exit(2)
	}
	var ev map[string]any
	if json.Unmarshal(data, &ev) != nil {
		os.Exit(2)
	}
	os.Stdout.WriteString("{}\n")
}
