package runfile

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
)

// PackageScripts reads package.json's "scripts" and the line each one is
// on. A file that is not JSON has none.
func PackageScripts(text string) (map[string]string, map[string]int) {
	var pj struct {
		Scripts map[string]json.RawMessage `json:"scripts"`
	}
	if err := json.Unmarshal([]byte(text), &pj); err != nil {
		return nil, nil
	}
	scripts := map[string]string{}
	lines := map[string]int{}
	// Find each script's line: its quoted name after "scripts".
	base := strings.Index(text, `"scripts"`)
	for name, raw := range pj.Scripts {
		var v string
		if json.Unmarshal(raw, &v) != nil {
			continue // not a string: npm ignores it
		}
		scripts[name] = v
		if base >= 0 {
			if k := strings.Index(text[base:], strconv.Quote(name)); k >= 0 {
				lines[name] = lineOf(text, base+k)
			}
		}
	}
	return scripts, lines
}

// pkg reads package.json in the project directory and returns the scripts
// that run (a script with its pre and post scripts, or the install
// lifecycle), in order.
func (r *reader) pkg(ex Exec) []guards.Script {
	p := filepath.Join(ex.Dir, "package.json")
	text, ok := r.read(p)
	if !ok {
		return nil
	}
	scripts, lines := PackageScripts(text)
	var out []guards.Script
	for _, n := range ex.Targets { // the analysis lists them: pre and post scripts, lifecycle order
		code, ok := scripts[n]
		if !ok || strings.TrimSpace(code) == "" {
			continue
		}
		out = append(out, guards.Script{Lang: "sh", Code: code, File: p, Line: lines[n], Label: ex.Label + " (scripts." + n + ")", Dir: ex.Dir})
	}
	return out
}
