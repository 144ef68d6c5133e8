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

// RemoveAllow takes the [[allow]] rules with this id (AllowSpec.ID) out of
// the config file at path, with the comment lines directly above each (the
// "# added by `bulwark allow`" line and the like), and keeps everything else
// byte for byte. It checks before writing that exactly those rules are gone
// and every other setting is unchanged, and writes atomically. It returns
// the rules removed.
func RemoveAllow(path, id, home string) ([]AllowSpec, error) {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	before, _, err := ParseConfig(path, old, home)
	if err != nil {
		return nil, fmt.Errorf("%v: fix it first (bulwark does not rewrite a broken config)", err)
	}
	// The [[allow]] tables in file order, as line ranges: a table runs from
	// its header to the next table header (or the end).
	lines := strings.SplitAfter(string(old), "\n")
	var starts []int
	isHeader := func(l string) bool {
		t := strings.TrimSpace(l)
		return strings.HasPrefix(t, "[")
	}
	for i, l := range lines {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "[[allow]]") {
			starts = append(starts, i)
		}
	}
	// Which rules go: the Index-th [[allow]] table is rule Index. A rule
	// dropped by ParseConfig (a bad value) has no spec but keeps its place.
	var removed []AllowSpec
	drop := map[int]bool{}
	for _, a := range before.Allow {
		if a.ID() == id {
			if a.Index-1 >= len(starts) {
				return nil, fmt.Errorf("%s: the rules are not all [[allow]] tables; remove %s by hand", path, id)
			}
			removed = append(removed, a)
			drop[a.Index-1] = true
		}
	}
	if len(removed) == 0 {
		return nil, fmt.Errorf("no allow rule %s in %s ('bulwark allow list' shows them)", id, path)
	}
	cut := make([]bool, len(lines))
	for k := range drop {
		s := starts[k]
		e := len(lines)
		for j := s + 1; j < len(lines); j++ {
			if isHeader(lines[j]) {
				e = j
				break
			}
		}
		// Trailing blank and comment lines belong to what follows.
		for e > s+1 && (strings.TrimSpace(lines[e-1]) == "" || strings.HasPrefix(strings.TrimSpace(lines[e-1]), "#")) {
			e--
		}
		for j := s; j < e; j++ {
			cut[j] = true
		}
		// The comment block directly above belongs to the rule.
		for j := s - 1; j >= 0 && strings.HasPrefix(strings.TrimSpace(lines[j]), "#"); j-- {
			cut[j] = true
		}
		// And one blank line that separated it.
		if j := firstCut(cut, s) - 1; j >= 0 && strings.TrimSpace(lines[j]) == "" {
			cut[j] = true
		}
	}
	var b strings.Builder
	for i, l := range lines {
		if !cut[i] {
			b.WriteString(l)
		}
	}
	text := b.String()
	after, _, err := ParseConfig(path, []byte(text), home)
	if err != nil {
		return nil, fmt.Errorf("%s: removing the rule would break the file (%v); remove it by hand", path, err)
	}
	var want []AllowSpec
	for _, a := range before.Allow {
		if a.ID() != id {
			want = append(want, a)
		}
	}
	if !sameRules(after.Allow, want) || after.Profile != before.Profile || len(after.Overrides) != len(before.Overrides) || after.Log != before.Log || after.Approvals != before.Approvals {
		return nil, fmt.Errorf("%s: the rule could not be taken out cleanly; remove it by hand", path)
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	return removed, writeAtomic(path, []byte(text), mode)
}

func firstCut(cut []bool, s int) int {
	for s > 0 && cut[s-1] {
		s--
	}
	return s
}

func sameRules(a, b []AllowSpec) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID() != b[i].ID() || a[i].Reason != b[i].Reason {
			return false
		}
	}
	return true
}
