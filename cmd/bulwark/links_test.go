package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestHookBinaryLinks keeps out of bulwark (the binary the hook runs, on
// every tool call) the packages whose start-up work it would pay every
// time: net (and with it cgo: a dynamically linked program, the dynamic
// loader and the C runtime's signal set-up, ~450k instructions a call),
// os/user (cgo as well), html/template and text/template (their package
// init, ~190k), and the MCP SDK (bulwark-mcp's alone).
func TestHookBinaryLinks(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	importers := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		importers[f[0]] = importers[f[0]] // linked
		for _, imp := range f[1:] {
			importers[imp] = append(importers[imp], f[0])
		}
	}
	for _, p := range []string{"net", "runtime/cgo", "os/user", "html/template", "text/template", "github.com/modelcontextprotocol/go-sdk/mcp"} {
		if by, linked := importers[p]; linked {
			t.Errorf("bulwark links %s (imported by %s): keep it out of the hook's binary", p, strings.Join(by, ", "))
		}
	}
}
