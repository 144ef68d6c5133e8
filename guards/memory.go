package guards

import "strings"

// Memory is what earlier calls of the same session did, as far as judging a
// later call needs it: the credentials it read, the files it wrote and the
// secret values it saw. Package session keeps it on disk between hook
// processes (values only as keyed hashes); NewMemory keeps it in memory.
// on=session guards judge a call against it.
type Memory interface {
	// Credentials are the credentials the session read, oldest first.
	Credentials() []CredentialRead
	// Written reports what the session wrote to a file (normalised path).
	Written(path string) (WrittenFile, bool)
	// Seen reports whether v is a secret value the session saw, and its
	// kind ("github-token", "password"...).
	Seen(v string) (kind string, ok bool)
	// Empty reports whether the session has done nothing worth judging.
	Empty() bool
}

// CredentialRead is one credential a session read.
type CredentialRead struct {
	// Label says what was read: the guard that saw it
	// ("secrets.aws-credentials") or "KIND in the output of TOOL".
	Label string
	// Path is the file's normalised path; "" for a credential store or a
	// tool's output.
	Path string
}

// WrittenFile is one file a session wrote.
type WrittenFile struct {
	Path string // normalised
	// Secret is set when what was written holds a secret value or is a copy
	// of a credential; What then says which.
	Secret bool
	What   string
}

// SecretValue is a secret value a call's output showed (PostToolUse). It is
// handed to the session record, which keeps only a keyed hash of Value.
type SecretValue struct {
	Kind  string
	Value string
}

// Effects is what a call leaves behind that later calls of the same session
// are judged against (see Memory). Evaluate fills Verdict.Effects; it is nil
// when the call leaves nothing.
type Effects struct {
	Credentials []CredentialRead
	Writes      []WrittenFile
	Values      []SecretValue
}

func (e *Effects) empty() bool {
	return e == nil || len(e.Credentials) == 0 && len(e.Writes) == 0 && len(e.Values) == 0
}

// NewMemory returns an empty in-process Memory; Remember adds to it. Used
// to run session examples and tests; hook processes use package session.
func NewMemory() *MapMemory {
	return &MapMemory{files: map[string]WrittenFile{}, values: map[string]string{}}
}

// MapMemory is a Memory held in this process only.
type MapMemory struct {
	creds  []CredentialRead
	files  map[string]WrittenFile
	values map[string]string
}

func (m *MapMemory) Credentials() []CredentialRead { return m.creds }

func (m *MapMemory) Written(p string) (WrittenFile, bool) {
	f, ok := m.files[p]
	return f, ok
}

func (m *MapMemory) Seen(v string) (string, bool) {
	k, ok := m.values[v]
	return k, ok
}

func (m *MapMemory) Empty() bool { return len(m.creds) == 0 && len(m.files) == 0 && len(m.values) == 0 }

// Remember adds a call's effects.
func (m *MapMemory) Remember(e *Effects) {
	if e == nil {
		return
	}
	for _, c := range e.Credentials {
		if !containsCred(m.creds, c) {
			m.creds = append(m.creds, c)
		}
	}
	for _, w := range e.Writes {
		m.files[w.Path] = MergeWrite(m.files[w.Path], w)
	}
	for _, v := range e.Values {
		m.values[v.Value] = v.Kind
	}
}

func containsCred(list []CredentialRead, c CredentialRead) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// MergeWrite combines what is known of a file written twice: once it held a
// secret it is treated as holding one (an Edit elsewhere in the file does
// not take the secret out).
func MergeWrite(old, w WrittenFile) WrittenFile {
	if old.Secret && !w.Secret {
		w.Secret, w.What = true, old.What
	}
	return w
}

// secretKindHomes are the services a kind of token is meant for: sending a
// GitHub token to api.github.com is using it, not leaking it. Kinds are
// package redact's.
var secretKindHomes = map[string][]string{
	"github-token":   {"github.com", "githubusercontent.com"},
	"gitlab-token":   {"gitlab.com"},
	"slack-token":    {"slack.com"},
	"slack-webhook":  {"hooks.slack.com"},
	"stripe-key":     {"stripe.com"},
	"anthropic-key":  {"anthropic.com"},
	"openai-key":     {"openai.com"},
	"google-api-key": {"googleapis.com", "google.com"},
	"npm-token":      {"npmjs.org", "npmjs.com"},
	"pypi-token":     {"pypi.org"},
	"aws-access-key": {"amazonaws.com"},
	"aws-secret-key": {"amazonaws.com"},
}

// homeOf reports whether host is (a subdomain of) a service that a secret
// of this kind is meant for.
func homeOf(kind, host string) bool {
	for _, h := range secretKindHomes[kind] {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}
