package mcp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bulwark-guard/bulwark/internal/atomicfile"
	"github.com/bulwark-guard/bulwark/internal/filelock"
)

// ToolsFile is the name of the tool records in bulwark's state directory.
const ToolsFile = "mcp-tools.json"

// Bounds on what one server's listing may put in the records: a hostile
// server cannot grow the file without end.
const (
	maxTools       = 2000
	maxDescription = 64 << 10
	maxSchema      = 256 << 10
)

// lockWait bounds the wait for another proxy's update of the records.
const lockWait = 2 * time.Second

// Print is what bulwark remembers of one tool: the text the model reads
// about it (title, description) and its input schema, whose hash tells a
// change and whose canonical form tells a widened schema from a narrowed
// one.
type Print struct {
	Title        string          `json:"title,omitempty"`
	Description  string          `json:"description"`
	SchemaSHA256 string          `json:"schema_sha256"`
	Schema       json.RawMessage `json:"schema,omitempty"`
}

// Held is a tool whose calls wait for the user's approval: what the server
// lists now and why that differs from what was approved.
type Held struct {
	Now     Print     `json:"now"`
	Reasons []string  `json:"reasons"`
	Seen    time.Time `json:"seen"`
}

// ServerRecord is what bulwark knows of one server: the tools as first
// listed (or last approved), and those waiting for approval.
type ServerRecord struct {
	Command   []string         `json:"command,omitempty"` // the upstream command line when first seen, for people
	FirstSeen time.Time        `json:"first_seen"`
	Approved  time.Time        `json:"approved,omitzero"` // the last `bulwark mcp approve`
	Tools     map[string]Print `json:"tools"`
	Held      map[string]Held  `json:"held,omitempty"`
}

type records struct {
	Version int                      `json:"version"`
	Servers map[string]*ServerRecord `json:"servers"`
}

// Store keeps the records of every server's tools in one small JSON file in
// bulwark's state directory, changed under an exclusive lock (several
// proxies, one per server and client, share it).
type Store struct {
	Dir string           // bulwark's state directory
	Now func() time.Time // nil: time.Now
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Store) path() string { return filepath.Join(s.Dir, ToolsFile) }

// Load reads the records (none yet: empty).
func (s *Store) Load() (map[string]*ServerRecord, error) {
	r, err := s.read()
	if err != nil {
		return nil, err
	}
	return r.Servers, nil
}

func (s *Store) read() (*records, error) {
	r := &records{Version: 1, Servers: map[string]*ServerRecord{}}
	data, err := os.ReadFile(s.path())
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mcp tool records: %w", err)
	}
	if err := json.Unmarshal(data, r); err != nil {
		return nil, fmt.Errorf("mcp tool records %s: %w", s.path(), err)
	}
	if r.Servers == nil {
		r.Servers = map[string]*ServerRecord{}
	}
	for _, sr := range r.Servers {
		if sr.Tools == nil {
			sr.Tools = map[string]Print{}
		}
	}
	return r, nil
}

// update runs f on the records under the lock and saves them when f says
// they changed.
func (s *Store) update(f func(r *records) (bool, error)) error {
	if s.Dir == "" {
		return errors.New("mcp tool records: no state directory (set BULWARK_HOME or HOME)")
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("mcp tool records: %w", err)
	}
	lf, err := os.OpenFile(s.path()+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("mcp tool records: %w", err)
	}
	defer lf.Close()
	if err := filelock.Lock(lf, time.Now().Add(lockWait)); err != nil {
		return fmt.Errorf("mcp tool records: %w", err)
	}
	r, err := s.read()
	if err != nil {
		return err
	}
	changed, err := f(r)
	if err != nil || !changed {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(s.path(), append(data, '\n'), 0o600)
}

// Finding is what a listing showed about one tool.
type Finding struct {
	Tool    string
	Held    bool     // calls wait for the user's approval
	Reasons []string // why it is held, or what is new
}

// Check compares one page of a server's tools/list with the records: the
// first listing of a server is recorded as it is (but for tools whose text
// the guards flagged, which are held); later, a tool whose title
// or description changed, whose input schema accepts more than before, or
// that takes the name of another server's tool, is held (recorded with the
// reasons, for `bulwark mcp approve`). A new tool that collides with
// nothing is added to the record; a tool back to what was approved is no
// longer held. command is the upstream's command line, for people.
func (s *Store) Check(server string, command []string, tools []Tool) ([]Finding, error) {
	var out []Finding
	err := s.update(func(r *records) (bool, error) {
		out = out[:0]
		changed := false
		rec := r.Servers[server]
		first := rec == nil
		if first {
			rec = &ServerRecord{Command: command, FirstSeen: s.now(), Tools: map[string]Print{}}
			r.Servers[server] = rec
			changed = true
		}
		seen := map[string]bool{}
		for _, t := range tools {
			p := t.Print()
			if seen[t.Name] {
				// Listed twice on one page: the client may use either.
				out = append(out, Finding{Tool: t.Name, Held: true, Reasons: []string{"listed twice by the server"}})
				changed = hold(rec, t.Name, p, []string{"listed twice by the server"}, s.now()) || changed
				continue
			}
			seen[t.Name] = true
			base, known := rec.Tools[t.Name]
			if known && base.same(p) {
				// What was first listed or approved by the user: the
				// guards' flags on its text were seen then.
				if _, was := rec.Held[t.Name]; was {
					delete(rec.Held, t.Name)
					changed = true
				}
				continue
			}
			if !known && len(t.Flags) > 0 {
				// Never recorded as it is: a person looks first.
				out = append(out, Finding{Tool: t.Name, Held: true, Reasons: t.Flags})
				changed = hold(rec, t.Name, p, t.Flags, s.now()) || changed
				continue
			}
			if !known {
				if owner := ownerOf(r, server, t.Name); owner != "" {
					why := []string{fmt.Sprintf("takes the name of server %q's tool %q", owner, t.Name)}
					out = append(out, Finding{Tool: t.Name, Held: true, Reasons: why})
					changed = hold(rec, t.Name, p, why, s.now()) || changed
					continue
				}
				if len(rec.Tools) >= maxTools {
					why := []string{fmt.Sprintf("the server lists more than %d tools", maxTools)}
					out = append(out, Finding{Tool: t.Name, Held: true, Reasons: why})
					continue
				}
				rec.Tools[t.Name] = p
				delete(rec.Held, t.Name)
				if !first {
					out = append(out, Finding{Tool: t.Name, Reasons: []string{"new tool"}})
				}
				changed = true
				continue
			}
			reasons := Drift(base, p)
			if len(reasons) > 0 {
				reasons = append(reasons, t.Flags...)
			}
			if len(reasons) == 0 {
				if _, was := rec.Held[t.Name]; was {
					delete(rec.Held, t.Name)
					changed = true
				}
				continue
			}
			out = append(out, Finding{Tool: t.Name, Held: true, Reasons: reasons})
			changed = hold(rec, t.Name, p, reasons, s.now()) || changed
		}
		return changed, nil
	})
	return out, err
}

// hold records a held tool; it reports whether the record changed (the
// same drift seen again keeps its first time).
func hold(rec *ServerRecord, name string, p Print, reasons []string, now time.Time) bool {
	if h, ok := rec.Held[name]; ok && h.Now.same(p) && slices.Equal(h.Reasons, reasons) {
		return false
	}
	if rec.Held == nil {
		rec.Held = map[string]Held{}
	}
	rec.Held[name] = Held{Now: p, Reasons: reasons, Seen: now}
	return true
}

// ownerOf is the first other server (by name) that has a tool called name.
func ownerOf(r *records, server, name string) string {
	names := make([]string, 0, len(r.Servers))
	for n := range r.Servers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if n == server {
			continue
		}
		if _, ok := r.Servers[n].Tools[name]; ok {
			return n
		}
	}
	return ""
}

// Approved reports whether a tool as listed now (p) is what the user
// approved for server: the records are read again, so an approval given
// while the proxy runs takes effect at the next call.
func (s *Store) Approved(server, tool string, p Print) (bool, error) {
	r, err := s.read()
	if err != nil {
		return false, err
	}
	rec := r.Servers[server]
	if rec == nil {
		return false, nil
	}
	base, ok := rec.Tools[tool]
	return ok && base.same(p), nil
}

// Approve accepts what the server lists now for its held tools (all of
// them, or those named), making it the new record; it returns the tools it
// approved.
func (s *Store) Approve(server string, tools ...string) ([]string, error) {
	var done []string
	err := s.update(func(r *records) (bool, error) {
		rec := r.Servers[server]
		if rec == nil {
			return false, fmt.Errorf("no MCP server %q in the records (bulwark mcp tools lists them)", server)
		}
		want := tools
		if len(want) == 0 {
			for n := range rec.Held {
				want = append(want, n)
			}
		}
		sort.Strings(want)
		for _, n := range want {
			h, ok := rec.Held[n]
			if !ok {
				return false, fmt.Errorf("server %q has no held tool %q", server, n)
			}
			rec.Tools[n] = h.Now
			delete(rec.Held, n)
			done = append(done, n)
		}
		if len(done) > 0 {
			rec.Approved = s.now()
		}
		return len(done) > 0, nil
	})
	return done, err
}

// Forget removes a server's records: its next listing is recorded afresh.
func (s *Store) Forget(server string) error {
	return s.update(func(r *records) (bool, error) {
		if r.Servers[server] == nil {
			return false, fmt.Errorf("no MCP server %q in the records", server)
		}
		delete(r.Servers, server)
		return true, nil
	})
}

// Tool is one tool of a tools/list result, as bulwark fingerprints it.
type Tool struct {
	Name        string
	Title       string
	Description string
	InputSchema json.RawMessage
	// Flags are what the guards found in the tool's text (an injection
	// aimed at the agent): a tool with flags is held unless its text is
	// what the user approved.
	Flags []string
}

// Print fingerprints the tool: its schema in canonical form (keys sorted,
// no white space) and that form's SHA-256. Oversized texts are cut for the
// record; the hash still covers all of them.
func (t Tool) Print() Print {
	canon := canonical(t.InputSchema)
	h := sha256.Sum256(canon)
	p := Print{Title: clip(t.Title, maxDescription), Description: clip(t.Description, maxDescription), SchemaSHA256: hex.EncodeToString(h[:])}
	if len(canon) <= maxSchema {
		p.Schema = canon
	}
	if len(t.Title) > maxDescription || len(t.Description) > maxDescription {
		// Keep a change past the cut visible: the hash of the whole text.
		d := sha256.Sum256([]byte(t.Title + "\x00" + t.Description))
		p.Description += "\n[cut; sha256 " + hex.EncodeToString(d[:]) + "]"
	}
	return p
}

func (p Print) same(q Print) bool {
	return p.Title == q.Title && p.Description == q.Description && p.SchemaSHA256 == q.SchemaSHA256
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// canonical is a JSON value with object keys sorted and no white space
// ("null" for nothing or invalid JSON, which then differs from any schema).
func canonical(raw json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("null")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		s := sha256.Sum256(raw)
		b, _ := json.Marshal("invalid JSON " + hex.EncodeToString(s[:]))
		return b
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return json.RawMessage("null")
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}
