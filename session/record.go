// Package session is bulwark's memory of each agent session: the
// credentials it read, the files it wrote (and whether they hold a secret)
// and the secret values its tools showed, so that a later call of the same
// session is judged with what came before (guards.Memory).
//
// A record never holds a secret value: secrets are kept as keyed hashes
// (HMAC-SHA-256 with a random key of the record's own, cut to 96 bits) with
// their kind and length, credentials as the label of the guard that saw
// them and the file's path, and a path that itself looks like it holds a
// secret only as a hash.
//
// Records live in the state directory, one small file per session, read with
// one open and one read per hook call; they are bounded in size (entries
// beyond the limits drop the oldest) and in age (a record not updated for
// MaxAge is ignored and pruned), and written under an exclusive lock with a
// whole-file rename, so readers never see a torn record.
package session

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/redact"
)

// Bounds of one record.
const (
	MaxCredentials = 64
	MaxFiles       = 256
	MaxValues      = 256
	MaxRecordBytes = 64 << 10 // a larger file is not a record of ours: ignored and replaced
)

// magic is the record's first line; bump the number when the format changes.
const magic = "bulwark-session 1"

// Record is one session's memory. The zero value is an empty record; it
// implements guards.Memory.
type Record struct {
	key    []byte // hash key; made on the first save
	creds  []guards.CredentialRead
	files  []guards.WrittenFile // Path is the path key (see pathKey)
	values []value
	seen   map[string]string // hash -> kind, built on first Seen
	lens   map[int]bool      // lengths of the values: most candidates are skipped without hashing
}

type value struct {
	kind string
	n    int    // length in bytes
	hash string // hex
}

var _ guards.Memory = (*Record)(nil)

func (r *Record) Credentials() []guards.CredentialRead { return r.creds }

func (r *Record) Written(p string) (guards.WrittenFile, bool) {
	k := r.pathKey(p)
	for i := len(r.files) - 1; i >= 0; i-- {
		if r.files[i].Path == k {
			f := r.files[i]
			f.Path = p
			return f, true
		}
	}
	return guards.WrittenFile{}, false
}

func (r *Record) Seen(v string) (string, bool) {
	if len(r.values) == 0 {
		return "", false
	}
	if r.seen == nil {
		r.seen = make(map[string]string, len(r.values))
		r.lens = map[int]bool{}
		for _, x := range r.values {
			r.seen[x.hash] = x.kind
			r.lens[x.n] = true
		}
	}
	if !r.lens[len(v)] {
		return "", false
	}
	k, ok := r.seen[r.hash(v)]
	return k, ok
}

func (r *Record) Empty() bool { return len(r.creds) == 0 && len(r.files) == 0 && len(r.values) == 0 }

// hash is the record's keyed hash of a value, 96 bits in hex.
func (r *Record) hash(v string) string {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil)[:12])
}

// pathKey is how a path is stored: as it is, unless it cannot be stored on
// one line or looks like it holds a secret; then "#" and its hash.
func (r *Record) pathKey(p string) string {
	if p == "" {
		return ""
	}
	if strings.ContainsAny(p, "\t\n\r") || strings.HasPrefix(p, "#") || mayHoldSecret(p) && redact.Contains(p) {
		return "#" + r.hash(p)
	}
	return p
}

// mayHoldSecret is a cheap test before asking redact: a secret value
// holds a run of 16 or more token characters (letters, digits, _ + =).
// Paths and labels without one (nearly all) never pay for redact's
// expressions, which a hook process would otherwise compile on every
// record update.
func mayHoldSecret(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '+' || c == '=' {
			if run++; run >= 16 {
				return true
			}
			continue
		}
		run = 0
	}
	return false
}

// label makes free text safe to store: one line, no tabs, secrets masked.
func label(s string) string {
	s = strings.Map(func(c rune) rune {
		if c == '\t' || c == '\n' || c == '\r' {
			return ' '
		}
		return c
	}, s)
	if len(s) > 300 {
		s = s[:300]
	}
	if !mayHoldSecret(s) {
		return s
	}
	return redact.Mask(s)
}

// Remember adds a call's effects and reports whether the record changed.
// The record must have a key (see ensureKey) when effects carry values or
// secret-looking paths.
func (r *Record) Remember(e *guards.Effects) bool {
	if e == nil {
		return false
	}
	changed := false
	for _, c := range e.Credentials {
		c = guards.CredentialRead{Label: label(c.Label), Path: r.pathKey(c.Path)}
		if i := indexCred(r.creds, c); i >= 0 {
			continue
		}
		r.creds = append(r.creds, c)
		if len(r.creds) > MaxCredentials {
			r.creds = append(r.creds[:0], r.creds[len(r.creds)-MaxCredentials:]...)
		}
		changed = true
	}
	for _, w := range e.Writes {
		w.Path, w.What = r.pathKey(w.Path), label(w.What)
		if w.Path == "" {
			continue
		}
		i := indexFile(r.files, w.Path)
		if i >= 0 {
			m := guards.MergeWrite(r.files[i], w)
			if m == r.files[i] {
				continue
			}
			w = m
			r.files = append(r.files[:i], r.files[i+1:]...)
		}
		r.files = append(r.files, w) // most recent last
		if len(r.files) > MaxFiles {
			r.files = append(r.files[:0], r.files[len(r.files)-MaxFiles:]...)
		}
		changed = true
	}
	for _, v := range e.Values {
		if v.Value == "" {
			continue
		}
		x := value{kind: label(v.Kind), n: len(v.Value), hash: r.hash(v.Value)}
		if indexValue(r.values, x.hash) >= 0 {
			continue
		}
		r.values = append(r.values, x)
		if len(r.values) > MaxValues {
			r.values = append(r.values[:0], r.values[len(r.values)-MaxValues:]...)
		}
		r.seen = nil
		changed = true
	}
	return changed
}

func indexCred(list []guards.CredentialRead, c guards.CredentialRead) int {
	for i, x := range list {
		if x == c {
			return i
		}
	}
	return -1
}

func indexFile(list []guards.WrittenFile, p string) int {
	for i, x := range list {
		if x.Path == p {
			return i
		}
	}
	return -1
}

func indexValue(list []value, h string) int {
	for i, x := range list {
		if x.hash == h {
			return i
		}
	}
	return -1
}

// Encode writes the record in its file format: the magic line, then one
// line per entry, fields separated by tabs:
//
//	bulwark-session 1
//	key HEX
//	c LABEL PATH          a credential read ("" path for a store or an output)
//	f s|- PATH WHAT       a file written; s: it holds a secret, WHAT says which
//	v KIND LEN HASH       a secret value seen
func (r *Record) Encode() []byte {
	var b bytes.Buffer
	b.WriteString(magic + "\n")
	b.WriteString("key\t" + hex.EncodeToString(r.key) + "\n")
	for _, c := range r.creds {
		b.WriteString("c\t" + c.Label + "\t" + c.Path + "\n")
	}
	for _, f := range r.files {
		flag := "-"
		if f.Secret {
			flag = "s"
		}
		b.WriteString("f\t" + flag + "\t" + f.Path + "\t" + f.What + "\n")
	}
	for _, v := range r.values {
		b.WriteString("v\t" + v.kind + "\t" + strconv.Itoa(v.n) + "\t" + v.hash + "\n")
	}
	return b.Bytes()
}

// Parse reads a record written by Encode. Lines of a kind it does not know
// are skipped (a newer bulwark may add some); a malformed line is an error
// naming it, and the caller starts the session afresh.
func Parse(data []byte) (*Record, error) {
	if len(data) > MaxRecordBytes {
		return nil, fmt.Errorf("record larger than %d bytes", MaxRecordBytes)
	}
	r := &Record{}
	n := 0
	text := string(data)
	for text != "" {
		n++
		var line string
		line, text, _ = strings.Cut(text, "\n")
		if n == 1 {
			if line != magic {
				return nil, fmt.Errorf("line 1: not a session record (want %q)", magic)
			}
			continue
		}
		f := strings.Split(line, "\t")
		bad := func(what string) error { return fmt.Errorf("line %d: %s", n, what) }
		switch f[0] {
		case "key":
			if len(f) != 2 {
				return nil, bad("key wants 1 field")
			}
			k, err := hex.DecodeString(f[1])
			if err != nil || len(k) < 16 {
				return nil, bad("key is not 16 or more bytes of hex")
			}
			r.key = k
		case "c":
			if len(f) != 3 || f[1] == "" {
				return nil, bad("c wants LABEL and PATH")
			}
			if len(r.creds) < MaxCredentials {
				r.creds = append(r.creds, guards.CredentialRead{Label: f[1], Path: f[2]})
			}
		case "f":
			if len(f) != 4 || f[1] != "s" && f[1] != "-" || f[2] == "" {
				return nil, bad("f wants s|-, PATH and WHAT")
			}
			if len(r.files) < MaxFiles {
				r.files = append(r.files, guards.WrittenFile{Path: f[2], Secret: f[1] == "s", What: f[3]})
			}
		case "v":
			if len(f) != 4 {
				return nil, bad("v wants KIND, LEN and HASH")
			}
			l, err := strconv.Atoi(f[2])
			if err != nil || l <= 0 || l > 1<<20 {
				return nil, bad("v length is not a positive number")
			}
			if _, err := hex.DecodeString(f[3]); err != nil || len(f[3]) != 24 {
				return nil, bad("v hash is not 24 hex digits")
			}
			if len(r.values) < MaxValues {
				r.values = append(r.values, value{kind: f[1], n: l, hash: f[3]})
			}
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("empty record")
	}
	if r.key == nil && (len(r.values) > 0 || len(r.files) > 0) {
		return nil, fmt.Errorf("record has entries but no key")
	}
	return r, nil
}
