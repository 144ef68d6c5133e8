package config

import (
	"encoding/binary"
	"time"

	"github.com/bulwark-guard/bulwark/guards"
)

// A small hand-written binary encoding for the cache: length-prefixed strings
// and uvarints, no reflection. Decoding takes one string conversion of the
// whole file and slices every string out of it, so a 100-guard pack loads in
// tens of microseconds (gob or JSON cost ten times that in a cold process).
// TestCodecCoversEveryField fails when GuardSpec gains a field this file
// does not encode.

type encoder struct {
	b []byte
	// examples: also encode guards' match and not_match examples. The hook
	// does not need them (they run when the cache is built), so the cache
	// leaves them out.
	examples bool
}

func (e *encoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) int(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) str(s string)  { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *encoder) strs(list []string) {
	e.uint(uint64(len(list)))
	for _, s := range list {
		e.str(s)
	}
}

type decoder struct {
	s    string
	off  int
	err  bool
	slab []string // string slices are carved out of this, to allocate rarely
}

func (d *decoder) uint() uint64 {
	if d.err {
		return 0
	}
	var v uint64
	var shift uint
	for {
		if d.off >= len(d.s) || shift > 63 {
			d.err = true
			return 0
		}
		c := d.s[d.off]
		d.off++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
		shift += 7
	}
}

func (d *decoder) int() int64 {
	u := d.uint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// count reads a length and checks it against what is left (each element
// takes at least min bytes), so a corrupt file cannot make us allocate much.
func (d *decoder) count(min int) int {
	n := d.uint()
	if d.err || n > uint64(len(d.s)-d.off)/uint64(max(min, 1)) {
		d.err = true
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.count(1)
	if d.err {
		return ""
	}
	s := d.s[d.off : d.off+n]
	d.off += n
	return s
}

func (d *decoder) bool() bool {
	if d.err || d.off >= len(d.s) {
		d.err = true
		return false
	}
	c := d.s[d.off]
	d.off++
	return c == 1
}

func (d *decoder) strs() []string {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	if len(d.slab) < n {
		d.slab = make([]string, max(n, 512))
	}
	out := d.slab[:n:n]
	d.slab = d.slab[n:]
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (e *encoder) pack(p *guards.PackSpec) {
	e.str(p.Family)
	e.str(p.Title)
	e.str(p.Description)
	e.str(p.Source)
	e.bool(e.examples)
	e.uint(uint64(len(p.Guards)))
	for i := range p.Guards {
		e.guard(&p.Guards[i])
	}
}

func (d *decoder) pack() guards.PackSpec {
	var p guards.PackSpec
	p.Family, p.Title, p.Description, p.Source = d.str(), d.str(), d.str(), d.str()
	examples := d.bool()
	n := d.count(20)
	if n > 0 {
		p.Guards = make([]guards.GuardSpec, n)
		for i := range p.Guards {
			d.guard(&p.Guards[i], examples)
		}
	}
	return p
}

func (e *encoder) guard(g *guards.GuardSpec) {
	e.str(g.ID)
	e.str(g.Title)
	e.str(g.Severity)
	e.str(g.On)
	e.strs(g.Commands)
	e.strs(g.Keywords)
	e.strs(g.Flags)
	e.strs(g.NotFlags)
	e.str(string(g.Args))
	e.str(string(g.NotArgs))
	e.str(string(g.Stdin))
	e.str(string(g.Input))
	e.strs(g.FedBy)
	e.strs(g.NotFeeds)
	e.bool(g.Dynamic)
	e.str(string(g.Assigns))
	e.str(string(g.Paths))
	e.str(string(g.NotPaths))
	e.str(g.Access)
	e.strs(g.ExceptCommands)
	e.str(string(g.Pattern))
	e.strs(g.Secrets)
	e.bool(g.Secret)
	e.str(string(g.NotPattern))
	e.str(g.Condition)
	e.str(g.Engine)
	e.str(g.Reason)
	e.str(g.Instead)
	// Literals, in the fixed order of the regex fields.
	l := &g.Literals
	for _, f := range []*[][]string{&l.Args, &l.NotArgs, &l.Stdin, &l.Input, &l.Paths, &l.NotPaths, &l.Pattern, &l.NotPattern, &l.Assigns} {
		e.uint(uint64(len(*f)))
		for _, group := range *f {
			e.strs(group)
		}
	}
	if e.examples {
		e.strs(g.Match)
		e.strs(g.NotMatch)
	}
}

func (d *decoder) guard(g *guards.GuardSpec, examples bool) {
	g.ID, g.Title, g.Severity, g.On = d.str(), d.str(), d.str(), d.str()
	g.Commands, g.Keywords, g.Flags, g.NotFlags = d.strs(), d.strs(), d.strs(), d.strs()
	g.Args, g.NotArgs, g.Stdin, g.Input = guards.Regex(d.str()), guards.Regex(d.str()), guards.Regex(d.str()), guards.Regex(d.str())
	g.FedBy = d.strs()
	g.NotFeeds = d.strs()
	g.Dynamic = d.bool()
	g.Assigns = guards.Regex(d.str())
	g.Paths, g.NotPaths, g.Access = guards.Regex(d.str()), guards.Regex(d.str()), d.str()
	g.ExceptCommands = d.strs()
	g.Pattern = guards.Regex(d.str())
	g.Secrets = d.strs()
	g.Secret = d.bool()
	g.NotPattern = guards.Regex(d.str())
	g.Condition, g.Engine, g.Reason, g.Instead = d.str(), d.str(), d.str(), d.str()
	l := &g.Literals
	for _, f := range []*[][]string{&l.Args, &l.NotArgs, &l.Stdin, &l.Input, &l.Paths, &l.NotPaths, &l.Pattern, &l.NotPattern, &l.Assigns} {
		if n := d.count(1); n > 0 {
			*f = make([][]string, n)
			for i := range *f {
				(*f)[i] = d.strs()
			}
		}
	}
	if examples {
		g.Match, g.NotMatch = d.strs(), d.strs()
	}
}

func (e *encoder) problems(ps []Problem) {
	e.uint(uint64(len(ps)))
	for _, p := range ps {
		e.uint(uint64(p.Level))
		e.str(p.File)
		e.str(p.Guard)
		e.str(p.Msg)
	}
}

func (d *decoder) problems() []Problem {
	n := d.count(4)
	if n == 0 {
		return nil
	}
	out := make([]Problem, n)
	for i := range out {
		out[i] = Problem{Level: Level(d.uint()), File: d.str(), Guard: d.str(), Msg: d.str()}
	}
	return out
}

func (e *encoder) config(c *Config) {
	e.str(c.Profile)
	e.strs(c.PackDirs)
	keys := sortedKeys(c.Overrides)
	e.uint(uint64(len(keys)))
	for _, k := range keys {
		e.str(k)
		e.str(c.Overrides[k])
	}
	e.uint(uint64(len(c.Allow)))
	for i := range c.Allow {
		a := &c.Allow[i]
		e.str(a.Guard)
		e.str(a.Command)
		e.str(a.Pattern)
		e.str(a.Cwd)
		e.str(a.Reason)
		e.time(a.Expires)
		e.int(int64(a.Index))
	}
	e.bool(c.Log.OnlyNonAllow)
	e.int(c.Log.MaxBytes)
	e.int(int64(c.Log.Keep))
	e.str(c.Approvals.Window)
	b := &c.Backup
	switch {
	case b.Enabled == nil:
		e.uint(0)
	case *b.Enabled:
		e.uint(1)
	default:
		e.uint(2)
	}
	e.int(int64(b.MaxCallMS))
	e.int(b.MaxCopyMB)
	e.int(b.MaxTotalMB)
	e.int(int64(b.MaxAgeDays))
	e.optStrs(b.Skip)
	e.optStrs(b.SkipIfIgnored)
}

// optStrs encodes a list that may be unset (nil) or set and empty.
func (e *encoder) optStrs(list []string) {
	e.bool(list != nil)
	e.strs(list)
}

func (d *decoder) optStrs() []string {
	set := d.bool()
	list := d.strs()
	if set && list == nil {
		list = []string{}
	}
	return list
}

func (d *decoder) config() Config {
	var c Config
	c.Profile = d.str()
	c.PackDirs = d.strs()
	if n := d.count(2); n > 0 {
		c.Overrides = make(map[string]string, n)
		for range n {
			k := d.str()
			c.Overrides[k] = d.str()
		}
	}
	if n := d.count(7); n > 0 {
		c.Allow = make([]AllowSpec, n)
		for i := range c.Allow {
			a := &c.Allow[i]
			a.Guard, a.Command, a.Pattern, a.Cwd, a.Reason = d.str(), d.str(), d.str(), d.str(), d.str()
			a.Expires = d.time()
			a.Index = int(d.int())
		}
	}
	c.Log.OnlyNonAllow = d.bool()
	c.Log.MaxBytes = d.int()
	c.Log.Keep = int(d.int())
	c.Approvals.Window = d.str()
	b := &c.Backup
	switch d.uint() {
	case 1:
		t := true
		b.Enabled = &t
	case 2:
		f := false
		b.Enabled = &f
	}
	b.MaxCallMS = int(d.int())
	b.MaxCopyMB = d.int()
	b.MaxTotalMB = d.int()
	b.MaxAgeDays = int(d.int())
	b.Skip = d.optStrs()
	b.SkipIfIgnored = d.optStrs()
	return c
}

func (e *encoder) time(t time.Time) {
	if t.IsZero() {
		e.str("")
		return
	}
	b, _ := t.MarshalBinary()
	e.str(string(b))
}

func (d *decoder) time() time.Time {
	s := d.str()
	var t time.Time
	if s != "" && t.UnmarshalBinary([]byte(s)) != nil {
		d.err = true
	}
	return t
}

func (e *encoder) stamps(ss []stamp) {
	e.uint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s.path)
		e.int(s.size)
		e.int(s.mtime)
	}
}

func (d *decoder) stamps() []stamp {
	n := d.count(3)
	if n == 0 {
		return nil
	}
	out := make([]stamp, n)
	for i := range out {
		out[i] = stamp{d.str(), d.int(), d.int()}
	}
	return out
}
