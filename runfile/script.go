package runfile

import (
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
)

// script reads a script file and says what language runs it: the one the
// command names (bash, python3 ...), else the shebang, else the extension,
// else the shell (the kernel runs a text file without a shebang with sh).
func (r *reader) script(ex Exec) []guards.Script {
	p := abs(ex.File, ex.Dir, r.src.Home)
	if p == "" {
		return nil
	}
	text, ok := r.read(p)
	if !ok {
		return nil
	}
	lang := ex.Lang
	if lang == "" {
		lang = scriptLang(p, text)
	}
	if lang == "" {
		return nil // an interpreter nothing here reads (awk, lua ...): judged as written
	}
	code := text
	if lang != "sh" && strings.HasPrefix(code, "#!") {
		// Keep line numbers: blank the shebang line instead of cutting it.
		if i := strings.IndexByte(code, '\n'); i >= 0 {
			code = code[i:]
		} else {
			code = ""
		}
	}
	return []guards.Script{{Lang: lang, Code: code, File: p, Line: 1, Label: ex.Label, Dir: ex.Dir}}
}

// scriptLang is the language of a script file by its shebang, then its
// extension; "" for a language not judged here.
func scriptLang(p, text string) string {
	if strings.HasPrefix(text, "#!") {
		line, _, _ := strings.Cut(text[2:], "\n")
		f := strings.Fields(line)
		if len(f) == 0 {
			return "sh"
		}
		prog := filepath.Base(f[0])
		if prog == "env" {
			for _, a := range f[1:] {
				if !strings.HasPrefix(a, "-") && !strings.Contains(a, "=") {
					prog = filepath.Base(a)
					break
				}
			}
		}
		if isShellName(prog) {
			return "sh"
		}
		return interpreter(prog)
	}
	switch strings.ToLower(filepath.Ext(p)) {
	case ".py":
		return "python"
	case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts":
		return "node"
	case ".rb":
		return "ruby"
	case ".pl", ".pm":
		return "perl"
	case ".php":
		return "php"
	}
	return "sh"
}

func isShellName(n string) bool {
	switch n {
	case "sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "yash", "busybox-sh":
		return true
	}
	return false
}

// interpreter maps an interpreter's name (from a #! line) to the language
// the scanner reads.
func interpreter(n string) string {
	switch {
	case n == "python" || strings.HasPrefix(n, "python3") || strings.HasPrefix(n, "python2") || n == "pypy" || n == "pypy3":
		return "python"
	case n == "node" || n == "nodejs" || n == "tsx" || n == "ts-node" || n == "deno" || n == "bun":
		return "node"
	case n == "ruby":
		return "ruby"
	case n == "perl" || strings.HasPrefix(n, "perl5"):
		return "perl"
	case n == "php" || strings.HasPrefix(n, "php8") || strings.HasPrefix(n, "php7"):
		return "php"
	}
	return ""
}
