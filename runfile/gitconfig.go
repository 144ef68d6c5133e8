package runfile

import (
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/internal/gitconfig"
)

// gitConfig reads a git config file and the files it includes
// ([include] path, and [includeIf "..."] path whatever the condition: this
// can show a value that does not apply, never hide one that does), in
// git's order: an included file's entries stand where it is included.
func (r *reader) gitConfig(p string, depth int) []gitconfig.Entry {
	text, ok := r.read(p)
	if !ok {
		return nil
	}
	var out []gitconfig.Entry
	for _, e := range gitconfig.Parse(text) {
		e.File = p
		out = append(out, e)
		if e.Key == "path" && (e.Section == "include" || strings.HasPrefix(e.Section, "includeif ")) && depth < 3 && e.Value != "" {
			out = append(out, r.gitConfig(abs(e.Value, filepath.Dir(p), r.src.Home), depth+1)...)
		}
	}
	return out
}
