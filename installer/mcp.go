package installer

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// MCP servers: install --mcp wraps each stdio server of a client's MCP
// configuration ("mcpServers": {NAME: {"command": C, "args": [A ...]}})
// through bulwark's proxy, {"command": BULWARK, "args": ["mcp", "proxy",
// "--name", NAME, "--", C, A ...]}, leaving everything else in the entry
// (env, cwd, type, timeout ...) as it was. The manifest records, per file
// and server, the command and args it replaced and what it wrote, so that
// uninstall puts back exactly those, and only where the entry still holds
// what install wrote. Remote servers (url, httpUrl, serverUrl, type http or
// sse) are left alone: the proxy speaks stdio.

// MCPRecord is what install --mcp did to one file.
type MCPRecord struct {
	Client      string    `json:"client"`
	Scope       Scope     `json:"scope"`
	File        string    `json:"file"`
	Binary      string    `json:"binary"`
	Servers     []MCPWrap `json:"servers"`
	InstalledAt string    `json:"installed_at,omitempty"`
}

// MCPWrap is one wrapped server: where its entry is (the keys from the
// document's root: ["mcpServers", NAME], or ["projects", DIR,
// "mcpServers", NAME] in ~/.claude.json), its command and args before
// (Args nil: it had none), and the args install wrote.
type MCPWrap struct {
	Path    []string        `json:"path"`
	Command json.RawMessage `json:"command"`
	Args    json.RawMessage `json:"args,omitempty"`
	Wrapped json.RawMessage `json:"wrapped"`
}

// MCPServer is one server entry of a document, for install and doctor.
type MCPServer struct {
	Path    []string
	Name    string
	Entry   *Value
	Remote  bool // a URL, not a command: the proxy cannot stand in front of it
	Wrapped bool // already runs through `bulwark mcp proxy`
}

// MCPServers lists the server entries of a parsed MCP configuration:
// "mcpServers" at the root and, in ~/.claude.json, under each project.
func MCPServers(root *Value) []MCPServer {
	var out []MCPServer
	add := func(prefix []string, servers *Value) {
		if servers == nil || servers.Kind != KindObject {
			return
		}
		for _, m := range servers.Members {
			e := m.Value
			if e.Kind != KindObject {
				continue
			}
			s := MCPServer{Path: append(slices.Clone(prefix), m.Key), Name: m.Key, Entry: e}
			t := e.Get("type").Str()
			s.Remote = e.Get("url") != nil || e.Get("httpUrl") != nil || e.Get("serverUrl") != nil || t == "http" || t == "sse" || t == "streamable-http"
			s.Wrapped = isProxyArgs(e.Get("args"))
			s.Remote = s.Remote || e.Get("command") == nil
			out = append(out, s)
		}
	}
	if root == nil || root.Kind != KindObject {
		return nil
	}
	add([]string{"mcpServers"}, root.Get("mcpServers"))
	if ps := root.Get("projects"); ps != nil && ps.Kind == KindObject {
		for _, p := range ps.Members {
			if p.Value.Kind == KindObject {
				add([]string{"projects", p.Key, "mcpServers"}, p.Value.Get("mcpServers"))
			}
		}
	}
	return out
}

// isProxyArgs reports args that start bulwark's proxy.
func isProxyArgs(args *Value) bool {
	el := args.arrayElems()
	return len(el) >= 2 && el[0].Str() == "mcp" && el[1].Str() == "proxy"
}

// ProxyArgs are the args of a wrapped server.
func ProxyArgs(name, command string, args []string) []string {
	return append([]string{"mcp", "proxy", "--name", name, "--", command}, args...)
}

// WrapMCP wraps every stdio server of an MCP configuration that is not
// wrapped yet through `BINARY mcp proxy`; prev is the record of an earlier
// install into the file (its servers stay recorded). It returns the new
// bytes (old itself when nothing changed), the record, and the names of
// the servers it left alone, with why.
func WrapMCP(old []byte, binary string, prev *MCPRecord) ([]byte, *MCPRecord, []string, error) {
	orig, err := ParseDocument(old)
	if err != nil {
		return nil, nil, nil, err
	}
	root := orig.Clone()
	rec := &MCPRecord{Binary: binary}
	if prev != nil {
		rec.Servers = slices.Clone(prev.Servers)
	}
	var skipped []string
	for _, s := range MCPServers(root) {
		switch {
		case s.Wrapped:
			continue
		case s.Remote:
			skipped = append(skipped, s.Name+" (a remote server: the proxy speaks stdio)")
			continue
		}
		cmd := s.Entry.Get("command")
		if cmd.Kind != KindString || cmd.Str() == "" {
			skipped = append(skipped, s.Name+` ("command" is not a string)`)
			continue
		}
		args := s.Entry.Get("args")
		var argv []string
		if args != nil {
			if args.Kind != KindArray {
				skipped = append(skipped, s.Name+` ("args" is not an array)`)
				continue
			}
			for _, a := range args.Elems {
				if a.Kind != KindString {
					skipped = append(skipped, s.Name+` ("args" holds something other than strings)`)
					argv = nil
					break
				}
				argv = append(argv, a.Str())
			}
			if argv == nil && len(args.Elems) > 0 {
				continue
			}
		}
		w := MCPWrap{Path: s.Path, Command: json.RawMessage(cmd.Encode())}
		if args != nil {
			w.Args = json.RawMessage(args.Encode())
		}
		var elems []*Value
		for _, a := range ProxyArgs(s.Name, cmd.Str(), argv) {
			elems = append(elems, NewString(a))
		}
		newArgs := NewArray(elems...)
		w.Wrapped = json.RawMessage(newArgs.Encode())
		s.Entry.Set("command", NewString(binary))
		if args != nil {
			s.Entry.Set("args", newArgs)
		} else {
			setAfter(s.Entry, "command", "args", newArgs)
		}
		rec.Servers = append(rec.Servers, w)
	}
	return render(old, orig, root), rec, skipped, nil
}

// setAfter inserts key right after the member after (or at the end).
func setAfter(obj *Value, after, key string, v *Value) {
	for i, m := range obj.Members {
		if m.Key == after {
			obj.Members = slices.Insert(obj.Members, i+1, Member{Key: key, RawKey: Quote(key), Value: v})
			return
		}
	}
	obj.Set(key, v)
}

// UnwrapMCP puts back the command and args install --mcp replaced, in each
// recorded entry that still holds what install wrote; it returns the new
// bytes and the servers it left alone (changed since, or gone).
func UnwrapMCP(old []byte, rec *MCPRecord) ([]byte, []string, error) {
	orig, err := ParseDocument(old)
	if err != nil {
		return nil, nil, err
	}
	root := orig.Clone()
	var kept []string
	for _, w := range rec.Servers {
		e := lookup(root, w.Path)
		name := w.Path[len(w.Path)-1]
		if e == nil || e.Kind != KindObject {
			kept = append(kept, name+" (no longer there)")
			continue
		}
		wrapped, err1 := parseValue(w.Wrapped)
		if err1 != nil || e.Get("command").Str() != rec.Binary || !Equal(e.Get("args"), wrapped) {
			kept = append(kept, name+" (changed since install: left as it is)")
			continue
		}
		cmd, err := parseValue(w.Command)
		if err != nil {
			return nil, nil, fmt.Errorf("the install manifest's record of %s: %w", name, err)
		}
		e.Set("command", cmd)
		if w.Args == nil {
			e.Delete("args")
		} else {
			args, err := parseValue(w.Args)
			if err != nil {
				return nil, nil, fmt.Errorf("the install manifest's record of %s: %w", name, err)
			}
			e.Set("args", args)
		}
	}
	return render(old, orig, root), kept, nil
}

// parseValue parses one JSON value of any kind (ParseDocument takes
// objects only).
func parseValue(raw json.RawMessage) (*Value, error) {
	v, err := ParseDocument([]byte(`{"v":` + string(raw) + `}`))
	if err != nil {
		return nil, err
	}
	return v.Get("v"), nil
}

func lookup(v *Value, path []string) *Value {
	for _, k := range path {
		if v == nil || v.Kind != KindObject {
			return nil
		}
		v = v.Get(k)
	}
	return v
}

// WrapMCPFile wraps the servers of the MCP configuration at path (see
// WrapMCP) with InstallFile's guarantees: symlinks written through, the
// old content backed up, a file changed meanwhile left alone, the record
// saved before the file. A file that does not exist has no servers to wrap.
func WrapMCPFile(client string, s Scope, path, binary string, m *Manifest, dryRun bool, now time.Time) (*Change, []string, error) {
	ch, err := readTarget(client, s, path, dryRun)
	if err != nil || ch.Old == nil {
		return ch, nil, err
	}
	if m.MCP == nil {
		m.MCP = map[string]*MCPRecord{}
	}
	prev := m.MCP[ch.Target]
	newData, rec, skipped, err := WrapMCP(ch.Old, binary, prev)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", ch.Target, err)
	}
	rec.Client, rec.Scope, rec.File = client, s, ch.Target
	rec.InstalledAt = now.UTC().Format(time.RFC3339)
	ch.New, ch.Changed = newData, string(newData) != string(ch.Old)
	if dryRun || !ch.Changed {
		return ch, skipped, nil
	}
	old, had := m.MCP[ch.Target]
	m.MCP[ch.Target] = rec
	if err := m.save(); err != nil {
		restoreMCP(m, ch.Target, old, had)
		return nil, nil, fmt.Errorf("saving the install manifest: %w (nothing written)", err)
	}
	if err := ch.write(now); err != nil {
		restoreMCP(m, ch.Target, old, had)
		m.save()
		return nil, nil, err
	}
	return ch, skipped, nil
}

func restoreMCP(m *Manifest, key string, old *MCPRecord, had bool) {
	if had {
		m.MCP[key] = old
	} else {
		delete(m.MCP, key)
	}
}

// UnwrapMCPFile undoes WrapMCPFile for the file at path (its record in m)
// and drops the record.
func UnwrapMCPFile(path string, m *Manifest, dryRun bool, now time.Time) (*Change, []string, error) {
	rec := m.MCP[path]
	if rec == nil {
		return nil, nil, fmt.Errorf("%s: no install --mcp record", path)
	}
	ch, err := readTarget(rec.Client, rec.Scope, path, dryRun)
	if err != nil {
		return nil, nil, err
	}
	var kept []string
	if ch.Old != nil {
		newData, k, err := UnwrapMCP(ch.Old, rec)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", ch.Target, err)
		}
		kept = k
		ch.New, ch.Changed = newData, string(newData) != string(ch.Old)
		if !dryRun && ch.Changed {
			if err := ch.write(now); err != nil {
				return nil, nil, err
			}
		}
	}
	if !dryRun {
		delete(m.MCP, path)
		if err := m.save(); err != nil {
			return nil, nil, fmt.Errorf("%s was unwrapped, but saving the install manifest failed: %w", path, err)
		}
	}
	return ch, kept, nil
}

// MCPFiles are the files the manifest records install --mcp changes in,
// sorted.
func (m *Manifest) MCPFiles() []string {
	out := make([]string, 0, len(m.MCP))
	for f := range m.MCP {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// MCPServerNames joins the names of a record's servers.
func (r *MCPRecord) MCPServerNames() string {
	var names []string
	for _, w := range r.Servers {
		names = append(names, w.Path[len(w.Path)-1])
	}
	return strings.Join(names, ", ")
}
