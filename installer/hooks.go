package installer

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Spec is one client's settings-file format, as the shared engine needs it.
// Each client's description (package clients) gives one.
type Spec struct {
	// Client is the client's name, written into the hook command
	// (--client) and the install record.
	Client string
	// Events are the hook events install wires, the pre-action (blocking)
	// one first.
	Events []string
	// Grouped: event arrays hold {"matcher", "hooks": [handler]} groups
	// (Claude Code, Codex, Gemini CLI); otherwise handlers directly (Cursor).
	Grouped bool
	// Matcher is the matcher of the group install adds (all tools).
	Matcher string
	// Handler builds our handler object for the command.
	Handler func(command string, o Options) *Value
	// FailClosed: the client runs the command through a POSIX shell, so
	// the command ends in the fallback that turns a binary that could not
	// answer into a block (failclosed.go).
	FailClosed bool
	// Extra installs what is specific to the client beyond hooks (deny
	// rules, switches, version); Unextra undoes it. Either may be nil.
	Extra   func(root *Value, o Options, rec, prev *Record) error
	Unextra func(root *Value, rec *Record) error
}

// isOurs reports whether a handler object looks like bulwark's (its
// command, or the marker). Only doctor's diagnosis (FindHandlers,
// NarrowMatchers) goes by this shape; install and uninstall recognise
// bulwark's handlers by exact command (oursExactly).
func isOurs(h *Value) bool {
	if h == nil || h.Kind != KindObject {
		return false
	}
	if h.Get("statusMessage").Str() == Marker || h.Get("name").Str() == Marker {
		return true
	}
	return IsBulwarkCommand(h.Get("command").Str())
}

// oursExactly recognises bulwark's handlers by their exact command: one
// install wrote (the record's entries), the one about to be written, or
// one the caller knows bulwark writes (Options.Known). A user's own hook
// that merely looks like bulwark's (`/opt/lint/run hook --client ci`) is
// never touched.
func oursExactly(known []string) func(*Value) bool {
	set := map[string]bool{}
	for _, k := range known {
		if k != "" {
			set[k] = true
		}
	}
	return func(h *Value) bool {
		return h != nil && h.Kind == KindObject && set[h.Get("command").Str()]
	}
}

// knownCommands are the commands of a record's entries plus extra.
func knownCommands(rec *Record, extra ...string) []string {
	out := slices.Clone(extra)
	if rec != nil {
		for _, e := range rec.Entries {
			if v, err := ParseDocument([]byte(`{"h":` + string(e.Handler) + `}`)); err == nil {
				out = append(out, v.Get("h").Get("command").Str())
			}
		}
		if rec.Binary != "" && rec.Profile != "" {
			out = append(out, CommandForms(rec.Binary, rec.Client, rec.Profile)...)
		}
	}
	return out
}

func (s *Spec) install(root *Value, o Options, rec, prev *Record) error {
	cmd := s.Command(o.Binary, o.Profile)
	ours := oursExactly(knownCommands(prev, append(slices.Clone(o.Known), cmd)...))
	hooks, err := Ensure(root, "hooks", "hooks", KindObject, rec)
	if err != nil {
		return err
	}
	// Without a record of an earlier install, containers that hold nothing
	// but bulwark handlers (an install by an older version, or by hand)
	// count as created by us, so that uninstall leaves no empty husks.
	if prev == nil {
		allOurs := !hooks.Empty()
		for _, m := range hooks.Members {
			if s.onlyOurs(m.Value, ours) {
				rec.MarkCreated("hooks/" + m.Key)
			} else {
				allOurs = false
			}
		}
		if allOurs {
			rec.MarkCreated("hooks")
		}
	}
	for _, ev := range s.Events {
		arr, err := Ensure(hooks, ev, "hooks/"+ev, KindArray, rec)
		if err != nil {
			return err
		}
		h := s.Handler(cmd, o)
		if s.Grouped {
			if err := placeGrouped(arr, ev, s.Matcher, h, ours); err != nil {
				return err
			}
		} else {
			placeFlat(arr, h, ours)
		}
		raw, _ := json.Marshal(json.RawMessage(h.Encode()))
		rec.Entries = append(rec.Entries, Entry{Event: ev, Handler: raw})
	}
	if s.Extra != nil {
		return s.Extra(root, o, rec, prev)
	}
	return nil
}

func (s *Spec) uninstall(root *Value, rec *Record, known []string) error {
	ours := oursExactly(knownCommands(rec, known...))
	hooks := root.Get("hooks")
	if hooks != nil && hooks.Kind == KindObject {
		emptied := false
		for _, m := range slices.Clone(hooks.Members) {
			arr := m.Value
			if arr.Kind != KindArray {
				continue
			}
			removed := false
			if s.Grouped {
				removed = removeGrouped(arr, ours)
			} else {
				removed = removeFlat(arr, ours)
			}
			if removed && arr.Empty() && (rec == nil || rec.IsCreated("hooks/"+m.Key)) {
				hooks.Delete(m.Key)
				emptied = true
			}
		}
		if emptied && hooks.Empty() && (rec == nil || rec.IsCreated("hooks")) {
			root.Delete("hooks")
		}
	}
	if s.Unextra != nil {
		return s.Unextra(root, rec)
	}
	return nil
}

// onlyOurs reports whether an event array is non-empty and holds only
// bulwark handlers (in groups holding only bulwark handlers).
func (s *Spec) onlyOurs(arr *Value, isOurs func(*Value) bool) bool {
	if arr.Kind != KindArray || len(arr.Elems) == 0 {
		return false
	}
	for _, x := range arr.Elems {
		if !s.Grouped {
			if !isOurs(x) {
				return false
			}
			continue
		}
		hs := x.Get("hooks").arrayElems()
		if len(hs) == 0 {
			return false
		}
		for _, h := range hs {
			if !isOurs(h) {
				return false
			}
		}
	}
	return true
}

var kindNames = map[Kind]string{KindObject: "an object", KindArray: "an array", KindString: "a string",
	KindNumber: "a number", KindBool: "a boolean", KindNull: "null"}

// Ensure returns parent[key], creating it with the given kind (and recording
// path as created) when missing; an existing value of another kind is an
// error naming the path.
func Ensure(parent *Value, key, path string, k Kind, rec *Record) (*Value, error) {
	v := parent.Get(key)
	if v == nil {
		v = &Value{Kind: k}
		parent.Set(key, v)
		rec.MarkCreated(path)
		return v, nil
	}
	if v.Kind != k {
		return nil, fmt.Errorf("%q is %s, expected %s; fix it by hand, bulwark left the file untouched", path, kindNames[v.Kind], kindNames[k])
	}
	return v, nil
}

// placeGrouped puts handler h into an event array of matcher groups: the
// first existing bulwark handler is replaced in place (upgrade), any further
// ones are dropped (with groups left empty by that), and if there was none a
// new group {"matcher", "hooks": [h]} is appended. A group that holds only
// bulwark handlers gets our matcher.
func placeGrouped(arr *Value, ev, matcher string, h *Value, isOurs func(*Value) bool) error {
	found := false
	var groups []*Value
	for _, g := range arr.Elems {
		hs := g.Get("hooks")
		if g.Kind != KindObject || hs == nil || hs.Kind != KindArray {
			groups = append(groups, g)
			continue
		}
		var kept []*Value
		ours, others := 0, 0
		for _, x := range hs.Elems {
			if !isOurs(x) {
				kept = append(kept, x)
				others++
				continue
			}
			ours++
			if !found {
				found = true
				kept = append(kept, h)
			}
		}
		if ours == 0 {
			groups = append(groups, g)
			continue
		}
		if len(kept) == 0 {
			continue // held only duplicates of ours
		}
		hs.Elems = kept
		if others == 0 && g.Get("matcher").Str() != matcher {
			g.Set("matcher", NewString(matcher))
		}
		groups = append(groups, g)
	}
	if !found {
		groups = append(groups, NewObject("matcher", NewString(matcher), "hooks", NewArray(h)))
	}
	arr.Elems = groups
	return nil
}

// placeFlat is placeGrouped for arrays of handlers (Cursor).
func placeFlat(arr *Value, h *Value, isOurs func(*Value) bool) {
	found := false
	var kept []*Value
	for _, x := range arr.Elems {
		if !isOurs(x) {
			kept = append(kept, x)
			continue
		}
		if !found {
			found = true
			kept = append(kept, h)
		}
	}
	if !found {
		kept = append(kept, h)
	}
	arr.Elems = kept
}

// removeGrouped drops every bulwark handler from an array of matcher groups,
// and the groups that held nothing else. It reports whether it removed any.
func removeGrouped(arr *Value, isOurs func(*Value) bool) bool {
	removed := false
	var groups []*Value
	for _, g := range arr.Elems {
		hs := g.Get("hooks")
		if g.Kind != KindObject || hs == nil || hs.Kind != KindArray {
			groups = append(groups, g)
			continue
		}
		var kept []*Value
		for _, x := range hs.Elems {
			if isOurs(x) {
				removed = true
			} else {
				kept = append(kept, x)
			}
		}
		if len(kept) == len(hs.Elems) {
			groups = append(groups, g)
			continue
		}
		if len(kept) == 0 {
			continue
		}
		hs.Elems = kept
		groups = append(groups, g)
	}
	arr.Elems = groups
	return removed
}

func removeFlat(arr *Value, isOurs func(*Value) bool) bool {
	var kept []*Value
	for _, x := range arr.Elems {
		if !isOurs(x) {
			kept = append(kept, x)
		}
	}
	removed := len(kept) != len(arr.Elems)
	arr.Elems = kept
	return removed
}

// FindHandlers returns the commands of every bulwark handler in a parsed
// settings document, per event (for doctor).
func FindHandlers(s *Spec, root *Value) map[string][]*Value {
	out := map[string][]*Value{}
	hooks := root.Get("hooks")
	if hooks == nil || hooks.Kind != KindObject {
		return out
	}
	grouped := s.Grouped
	for _, m := range hooks.Members {
		if m.Value.Kind != KindArray {
			continue
		}
		for _, g := range m.Value.Elems {
			if !grouped {
				if isOurs(g) {
					out[m.Key] = append(out[m.Key], g)
				}
				continue
			}
			for _, x := range g.Get("hooks").arrayElems() {
				if isOurs(x) {
					out[m.Key] = append(out[m.Key], x)
				}
			}
		}
	}
	return out
}

func (v *Value) arrayElems() []*Value {
	if v == nil || v.Kind != KindArray {
		return nil
	}
	return v.Elems
}

// NarrowMatchers returns, per event, the matchers of groups holding a
// bulwark handler that do not match every tool (anything but "*", "" or
// ".*"): bulwark then sees only some tools.
func NarrowMatchers(s *Spec, root *Value) map[string][]string {
	out := map[string][]string{}
	hooks := root.Get("hooks")
	if !s.Grouped || hooks == nil || hooks.Kind != KindObject {
		return out
	}
	for _, m := range hooks.Members {
		for _, g := range m.Value.arrayElems() {
			if !slices.ContainsFunc(g.Get("hooks").arrayElems(), isOurs) {
				continue
			}
			switch mt := g.Get("matcher"); {
			case mt == nil, mt.Str() == "*", mt.Str() == "", mt.Str() == ".*":
			default:
				out[m.Key] = append(out[m.Key], mt.Str())
			}
		}
	}
	return out
}
