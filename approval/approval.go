// Package approval keeps allow-once approvals: where no human can be asked
// (a client that cannot ask from a hook, Claude Code in auto, dontAsk or
// bypassPermissions mode), the hook answers a blocked call with a short
// random code in its reason; a person who runs `bulwark approve CODE` in
// their own terminal lets that identical call (same client, session, tool,
// input and working directory) through exactly once, within a short window.
//
// Codes are random (crypto/rand), stored only as a salted, slow hash
// (PBKDF2-SHA256), single-use, and they expire: unapproved a window after
// they were issued, approved a window after the approval. Each entry has a
// public id, unrelated to its code, which the audit log records when the
// code is issued, approved and used; the code itself is never logged.
//
// The store is one small JSON file in bulwark's state directory, changed
// under an exclusive lock. It exists only while approvals are pending, so a
// hook call with nothing pending pays one stat (Pending), and only for a
// call that would be blocked.
package approval

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
)

// FileName is the store's file name in the state directory.
const FileName = "approvals.json"

// Limits.
const (
	DefaultWindow = 5 * time.Minute
	MaxWindow     = time.Hour
	// MaxPending bounds the store: a looping agent cannot grow it; the
	// oldest pending codes give way.
	MaxPending = 32
	// CodeLen is the number of characters in a code (about 29 bits).
	CodeLen = 6
	// hashIterations makes guessing a code from a copy of the store slow:
	// ~2^29 codes × this many SHA-256 rounds each, per entry (each has its
	// own salt), which takes far longer than the minutes a code lives.
	// Issuing one costs a few milliseconds, once, on a call that is
	// blocked anyway (outside the store's lock).
	hashIterations = 10000
)

// alphabet has no letters that read alike (0/O, 1/I/L, U/V), so a code
// read off a screen is typed right; input is case-insensitive.
const alphabet = "ABCDEFGHJKMNPQRSTWXYZ23456789"

// Options say where the store is and how long a code lives.
type Options struct {
	Dir    string           // bulwark's state directory
	Window time.Duration    // 0: DefaultWindow
	Now    func() time.Time // nil: time.Now
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o Options) window() time.Duration {
	switch {
	case o.Window <= 0:
		return DefaultWindow
	case o.Window > MaxWindow:
		return MaxWindow
	}
	return o.Window
}

func (o Options) path() string { return filepath.Join(o.Dir, FileName) }

// Entry is one code, pending or approved.
type Entry struct {
	ID       string    `json:"id"`   // public: in the audit log and in `bulwark approve`'s output
	Hash     string    `json:"hash"` // PBKDF2 of the code with Salt
	Salt     string    `json:"salt"`
	Call     string    `json:"call"` // CallKey of the call it lets through
	Client   string    `json:"client"`
	Session  string    `json:"session"`
	Tool     string    `json:"tool"`
	Cwd      string    `json:"cwd"`
	Subject  string    `json:"subject"` // the call for people, secrets masked
	Guards   []string  `json:"guards"`  // the blocking guards, strictest first
	Critical bool      `json:"critical,omitempty"`
	Issued   time.Time `json:"issued"`
	Approved time.Time `json:"approved,omitzero"` // zero while pending
	Expires  time.Time `json:"expires"`
}

type store struct {
	Version int     `json:"version"`
	Entries []Entry `json:"entries"`
}

// CallKey identifies a call for an approval: the client, session, tool,
// working directory and what the call does. For a shell call that is its
// command (the description or timeout a client adds may differ between
// retries); for every other tool the whole input, canonically encoded.
func CallKey(act *guards.Action) string {
	what := "command\x00" + act.Command
	if act.Kind != guards.KindShell {
		what = "input\x00" + canonical(act.Input)
	}
	h := sha256.New()
	for _, s := range []string{act.Client, act.SessionID, act.Tool, act.Cwd, what} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// canonical re-encodes JSON with sorted keys and no spaces, so the same
// input written differently is the same call.
func canonical(raw json.RawMessage) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return string(raw)
	}
	return string(b)
}

// Approvable reports whether a person may let this verdict's call through
// once: a call about to run (not output that already exists), in a known
// session, blocked by guards none of which protects bulwark or the agent's
// own guard rails (an agent asking to have its guard loosened is the
// attack approvals must not serve).
func Approvable(act *guards.Action, v *guards.Verdict) bool {
	if act.Event != guards.PreToolUse || v.Decision < guards.Ask || act.SessionID == "" {
		return false
	}
	for _, h := range v.Hits {
		if h.Decision >= guards.Ask && strings.HasPrefix(h.GuardID, "tamper.") {
			return false
		}
	}
	return true
}

// Pending reports whether any approval may be pending: one stat.
func Pending(o Options) bool {
	if o.Dir == "" {
		return false
	}
	_, err := os.Stat(o.path())
	return err == nil
}

// Issue makes a new code for the blocked call and stores it; it returns the
// code (for the reason, never logged) and the entry's public id. An earlier
// unapproved code for the same call is replaced.
func Issue(act *guards.Action, v *guards.Verdict, subject string, o Options) (code, id string, err error) {
	if o.Dir == "" {
		return "", "", errors.New("no state directory")
	}
	code, err = newCode()
	if err != nil {
		return "", "", err
	}
	idb := make([]byte, 4)
	if _, err := rand.Read(idb); err != nil {
		return "", "", err
	}
	id = hex.EncodeToString(idb)
	now := o.now()
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", "", err
	}
	e := Entry{ID: id, Salt: hex.EncodeToString(salt), Call: CallKey(act), Client: act.Client, Session: act.SessionID, Tool: act.Tool,
		Cwd: act.Cwd, Subject: subject, Issued: now.UTC(), Expires: now.Add(o.window()).UTC()}
	for _, h := range v.Hits {
		if h.Decision >= guards.Ask {
			e.Guards = append(e.Guards, h.GuardID)
			e.Critical = e.Critical || h.Severity == guards.Critical
		}
	}
	e.Hash = hashCode(code, e.Salt)
	err = update(o, func(s *store) error {
		kept := s.Entries[:0]
		for _, old := range s.Entries {
			if old.Call == e.Call && old.Approved.IsZero() {
				continue // superseded by the new code
			}
			kept = append(kept, old)
		}
		s.Entries = append(kept, e)
		if n := len(s.Entries) - MaxPending; n > 0 {
			s.Entries = s.Entries[n:]
		}
		return nil
	})
	return code, id, err
}

// Use consumes an approval for this call if a person gave one, it has not
// expired, and it covers every guard that blocks the call now (blocking:
// their ids); it returns the approval. Each approval lets one call through:
// the entry is gone after this.
func Use(act *guards.Action, o Options, blocking []string) (*Entry, error) {
	if !Pending(o) {
		return nil, nil
	}
	key := CallKey(act)
	var used *Entry
	err := update(o, func(s *store) error {
		for i, e := range s.Entries {
			if e.Call == key && !e.Approved.IsZero() && covers(e.Guards, blocking) {
				used = &e
				s.Entries = append(s.Entries[:i], s.Entries[i+1:]...)
				return nil
			}
		}
		return errUnchanged
	})
	return used, err
}

// covers reports whether every id in want is in have.
func covers(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

// Find returns the pending (not yet approved) entry for a code, without
// changing anything, so the approver can be shown what they approve.
func Find(code string, o Options) (*Entry, error) {
	var found *Entry
	err := view(o, func(s *store) {
		if i := s.match(code); i >= 0 {
			e := s.Entries[i]
			found = &e
		}
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, ErrNoCode
	}
	return found, nil
}

// Approve marks the code's entry approved: its call may now run once
// within the window.
func Approve(code string, o Options) (*Entry, error) {
	var approved *Entry
	err := update(o, func(s *store) error {
		i := s.match(code)
		if i < 0 {
			return ErrNoCode
		}
		now := o.now()
		s.Entries[i].Approved = now.UTC()
		s.Entries[i].Expires = now.Add(o.window()).UTC()
		e := s.Entries[i]
		approved = &e
		return nil
	})
	return approved, err
}

// ErrNoCode: no pending approval has this code (mistyped, expired, already
// approved or used).
var ErrNoCode = errors.New("no pending approval has this code (mistyped, expired, or already approved)")

// match finds the pending entry whose hash is the code's.
func (s *store) match(code string) int {
	code = NormalizeCode(code)
	if len(code) != CodeLen {
		return -1
	}
	for i, e := range s.Entries {
		if e.Approved.IsZero() && subtle.ConstantTimeCompare([]byte(e.Hash), []byte(hashCode(code, e.Salt))) == 1 {
			return i
		}
	}
	return -1
}

// NormalizeCode upper-cases a code as typed and drops spaces and dashes.
func NormalizeCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, strings.TrimSpace(code))
}

func newCode() (string, error) {
	b := make([]byte, CodeLen)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	// Rejection sampling keeps every character equally likely.
	out := make([]byte, 0, CodeLen)
	for len(out) < CodeLen {
		for _, c := range b {
			if int(c) < 256-256%len(alphabet) && len(out) < CodeLen {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
	}
	return string(out), nil
}

func hashCode(code, salt string) string {
	k, err := pbkdf2.Key(sha256.New, NormalizeCode(code), []byte(salt), hashIterations, 32)
	if err != nil {
		panic(fmt.Sprintf("pbkdf2: %v", err)) // only for invalid parameters, which are constants
	}
	return hex.EncodeToString(k)
}

// List returns the approvals still pending or approved and unused, oldest
// first (codes are not stored, so they are not among them).
func List(o Options) ([]Entry, error) {
	var out []Entry
	err := view(o, func(s *store) { out = append(out, s.Entries...) })
	return out, err
}
