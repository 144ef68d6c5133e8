package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// AppendAllow adds one [[allow]] table to the config file at path, creating
// it if needed. It appends text rather than re-encoding the file, so the
// user's comments and layout survive; it checks that the result still parses
// (and that the new rule is accepted) before it writes, and it writes
// atomically (through a temporary file and a rename; a symlinked config.toml
// stays a symlink and its target is replaced).
func AppendAllow(path string, a AllowSpec, home string, now time.Time) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	old, err := os.ReadFile(path)
	mode := os.FileMode(0o644)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	var before Config
	if len(old) > 0 {
		c, _, err := ParseConfig(path, old, home)
		if err != nil {
			return fmt.Errorf("%v: fix it first (bulwark does not rewrite a broken config)", err)
		}
		before = c
	}
	block := AllowBlock(a, now)
	text := string(old)
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if text != "" {
		text += "\n"
	}
	text += block
	after, probs, err := ParseConfig(path, []byte(text), home)
	if err != nil {
		return fmt.Errorf("the new rule does not fit into %s: %v", path, err)
	}
	if len(after.Allow) != len(before.Allow)+1 {
		var msgs []string
		for _, p := range probs {
			msgs = append(msgs, p.String())
		}
		return fmt.Errorf("the new rule is not valid: %s", strings.Join(msgs, "; "))
	}
	return writeAtomic(path, []byte(text), mode)
}

// AllowBlock renders an [[allow]] table as TOML text.
func AllowBlock(a AllowSpec, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# added by `bulwark allow` on %s\n", now.UTC().Format("2006-01-02"))
	b.WriteString("[[allow]]\n")
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s = %s\n", k, tomlString(v))
		}
	}
	line("guard", a.Guard)
	line("command", a.Command)
	line("pattern", a.Pattern)
	line("cwd", a.Cwd)
	line("reason", a.Reason)
	if !a.Expires.IsZero() {
		fmt.Fprintf(&b, "expires = %s\n", a.Expires.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// tomlString quotes s for TOML: a literal string ('...', no escapes, best for
// regexes and commands) when it can be one, else a basic string.
func tomlString(s string) string {
	literal := !strings.ContainsAny(s, "'\r\n")
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' {
			literal = false
		}
	}
	if literal {
		return "'" + s + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
