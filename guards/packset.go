package guards

import (
	"encoding/binary"
	"errors"
	"reflect"
	"sort"
	"strings"
)

// PackSet is a set of packs in compiled form: one string that holds every
// pack and guard, encoded, and the prefilter index (the first word of every
// command name, the glob prefixes, the guards of each target) built when the
// set was compiled. The built-in packs are a PackSet compiled by `make
// generate` into a string constant, so a hook process starts with them in
// read-only data: no pointers for the garbage collector to map, no pages
// touched but those it reads, and nothing decoded but the guards whose
// prefilter fires (see Engine).
//
// The encoding is little-endian uint32 tables for random access, and one
// record per pack and per guard (uvarint lengths and counts, strings as
// bytes) that decodes without copying: every string of a decoded spec is a
// substring of the set's data.
type PackSet struct {
	s string
	h [hdrWords]uint32
	// packs is the full decode (Packs), kept so that specs decoded from the
	// set can be recognised when they are handed back to NewEngine.
	packs []PackSpec
}

const packSetMagic = "bulwark-packset-3\n"

// Header words: counts and table offsets.
const (
	hNPacks = iota
	hPacks  // per pack: record offset, first guard, guard count
	hNGuards
	hGuards // per guard: record offset, pack, id offset and length, prefilter offset and length
	hNNames
	hNames // per (first word of a command, guard), sorted: name offset, length, guard
	hNGlobs
	hGlobs // per (glob prefix, guard), in guard order: prefix offset, length, guard
	hNArgs
	hArgs // guards that can judge a command by its arguments alone (dynamic names)
	hIDs  // guards sorted by id
	hEx   // the examples region (kept apart: the hook never reads it)
	hNKw
	hKw // the keywords of text guards (content, url, output): string offset, length
	hNPl
	hPl      // the paths literals of on=file guards: string offset, length
	hOn      // per target (onTargets): count, offset of a guard list
	hdrWords = hOn + 2*len(onTargets)
)

// onTargets are the targets, in the order of the header's per-target lists.
var onTargets = [...]string{OnCommand, OnFile, OnContent, OnURL, OnOutput, OnAnalysis, OnSession, OnProtected, OnConfig}

func onIndex(on string) int {
	for i, t := range onTargets {
		if t == on {
			return i
		}
	}
	return -1
}

// CompilePacks encodes validated packs as a PackSet's data (for
// LoadPackSet). It is what `make generate` stores for the built-in packs,
// and what NewEngine does with packs that come as specs.
func CompilePacks(packs []PackSpec) string {
	e := &setEncoder{b: make([]byte, len(packSetMagic)+4*hdrWords, 64<<10), ex: &setEncoder{}}
	copy(e.b, packSetMagic)
	var h [hdrWords]uint32
	type ref struct{ off, n, guard uint32 }
	type guardRow struct{ rec, pack, idOff, idLen, preOff, preLen uint32 }
	var packRows [][3]uint32
	var guardRows []guardRow
	var names, globs []ref
	var args []uint32
	var on [len(onTargets)][]uint32
	for pi := range packs {
		p := &packs[pi]
		packRows = append(packRows, [3]uint32{uint32(len(e.b)), uint32(len(guardRows)), uint32(len(p.Guards))})
		e.str(p.Family)
		e.str(p.Title)
		e.str(p.Description)
		e.str(p.Source)
		for gi := range p.Guards {
			g := &p.Guards[gi]
			gn := uint32(len(guardRows))
			row := guardRow{rec: uint32(len(e.b)), pack: uint32(pi)}
			row.idOff, row.idLen = e.guard(g, func(i int, off uint32) {
				if g.On != OnCommand {
					return // other targets' commands are data, not a prefilter
				}
				first, _, _ := strings.Cut(g.Commands[i], " ")
				names = append(names, ref{off, uint32(len(first)), gn})
				if prefix, ok := strings.CutSuffix(first, "*"); ok {
					globs = append(globs, ref{off, uint32(len(prefix)), gn})
				}
			})
			guardRows = append(guardRows, row)
			if k := onIndex(g.On); k >= 0 {
				on[k] = append(on[k], gn)
			}
			if g.On == OnCommand && g.hasArgs() {
				args = append(args, gn)
			}
		}
	}
	// The examples, then the literal prefilters, then the tables.
	h[hEx] = uint32(len(e.b))
	e.b = append(e.b, e.ex.b...)
	// The literal prefilters, as ids into two tables of strings: a text
	// guard's keywords (any one must occur), an on=file guard's paths
	// literals (groups, each needing one of its strings). A pass over a text
	// finds every string of a table at once (litIndex); the guards whose
	// prefilter it satisfies are the only ones decoded.
	kw, pl := &litTable{}, &litTable{}
	forPrefilters := func(fn func(g *GuardSpec, row *guardRow)) {
		gn := 0
		for pi := range packs {
			for gi := range packs[pi].Guards {
				fn(&packs[pi].Guards[gi], &guardRows[gn])
				gn++
			}
		}
	}
	forPrefilters(func(g *GuardSpec, _ *guardRow) {
		switch g.On {
		case OnContent, OnURL, OnOutput:
			for _, k := range g.Keywords {
				kw.add(k)
			}
		case OnFile:
			for _, group := range g.Literals.Paths {
				for _, l := range group {
					pl.add(l)
				}
			}
		}
	})
	kw.number()
	pl.number()
	pre := &setEncoder{}
	forPrefilters(func(g *GuardSpec, row *guardRow) {
		switch g.On {
		case OnContent, OnURL, OnOutput:
			if len(g.Keywords) == 0 {
				return
			}
			row.preOff = uint32(len(pre.b))
			pre.u16(len(g.Keywords))
			for _, k := range g.Keywords {
				pre.u16(kw.ids[k])
			}
		case OnFile:
			if g.Literals.Paths == nil {
				return
			}
			row.preOff = uint32(len(pre.b))
			pre.u16(len(g.Literals.Paths))
			for _, group := range g.Literals.Paths {
				pre.u16(len(group))
				for _, l := range group {
					pre.u16(pl.ids[l])
				}
			}
		default:
			return
		}
		row.preLen = uint32(len(pre.b)) - row.preOff
	})
	preBase := uint32(len(e.b))
	e.b = append(e.b, pre.b...)
	for i := range guardRows {
		if guardRows[i].preLen > 0 {
			guardRows[i].preOff += preBase
		}
	}
	for _, t := range []struct {
		t     *litTable
		n, at int
	}{{kw, hNKw, hKw}, {pl, hNPl, hPl}} {
		offs := make([]uint32, len(t.t.strs))
		for i, str := range t.t.strs {
			offs[i] = uint32(len(e.b))
			e.b = append(e.b, str...)
		}
		h[t.n], h[t.at] = uint32(len(t.t.strs)), uint32(len(e.b))
		for i, str := range t.t.strs {
			q := uint32(0)
			if len(str) >= 4 {
				q = quadAt(str, 0)
			}
			e.u32(offs[i], uint32(len(str)), q)
		}
	}
	// Names sort by name, then guard, each pair once (a guard naming "git
	// push" and "git commit" is found once under "git").
	name := func(r ref) string { return string(e.b[r.off : r.off+r.n]) }
	sort.SliceStable(names, func(i, j int) bool {
		a, b := name(names[i]), name(names[j])
		return a < b || a == b && names[i].guard < names[j].guard
	})
	uniq := names[:0]
	for i, r := range names {
		if i == 0 || name(r) != name(names[i-1]) || r.guard != names[i-1].guard {
			uniq = append(uniq, r)
		}
	}
	names = uniq
	h[hNPacks], h[hPacks] = uint32(len(packRows)), uint32(len(e.b))
	for _, r := range packRows {
		e.u32(r[0], r[1], r[2])
	}
	h[hNGuards], h[hGuards] = uint32(len(guardRows)), uint32(len(e.b))
	for _, r := range guardRows {
		e.u32(r.rec, r.pack, r.idOff, r.idLen, r.preOff, r.preLen)
	}
	h[hNNames], h[hNames] = uint32(len(names)), uint32(len(e.b))
	for _, r := range names {
		e.u32(r.off, r.n, r.guard)
	}
	h[hNGlobs], h[hGlobs] = uint32(len(globs)), uint32(len(e.b))
	for _, r := range globs {
		e.u32(r.off, r.n, r.guard)
	}
	h[hNArgs], h[hArgs] = uint32(len(args)), uint32(len(e.b))
	e.u32(args...)
	ids := make([]uint32, len(guardRows))
	for i := range ids {
		ids[i] = uint32(i)
	}
	id := func(g uint32) string { r := guardRows[g]; return string(e.b[r.idOff : r.idOff+r.idLen]) }
	sort.SliceStable(ids, func(i, j int) bool { return id(ids[i]) < id(ids[j]) })
	h[hIDs] = uint32(len(e.b))
	e.u32(ids...)
	for k := range on {
		h[hOn+2*k], h[hOn+2*k+1] = uint32(len(on[k])), uint32(len(e.b))
		e.u32(on[k]...)
	}
	for i, w := range h {
		binary.LittleEndian.PutUint32(e.b[len(packSetMagic)+4*i:], w)
	}
	return string(e.b)
}

// hasArgs reports whether an on=command guard has a condition on the
// command's arguments, so that it can judge a command whose name is only
// known at run time.
func (g *GuardSpec) hasArgs() bool {
	return len(g.Flags) > 0 || g.Args != "" || g.Input != "" || g.Stdin != "" || g.Paths != "" || len(g.FedBy) > 0 || g.Assigns != ""
}

var errPackSet = errors.New("not a compiled pack set")

// LoadPackSet reads the header of a PackSet's data; nothing else is decoded
// until it is needed. The data must come from CompilePacks (the built-in set
// is tested; a corrupt header is an error, a corrupt record a panic that the
// hook turns into a block).
func LoadPackSet(data string) (*PackSet, error) {
	if !strings.HasPrefix(data, packSetMagic) || len(data) < len(packSetMagic)+4*hdrWords {
		return nil, errPackSet
	}
	ps := &PackSet{s: data}
	for i := range ps.h {
		ps.h[i] = ps.u32(uint32(len(packSetMagic) + 4*i))
		if ps.h[i] > uint32(len(data)) {
			return nil, errPackSet
		}
	}
	return ps, nil
}

func (ps *PackSet) u32(off uint32) uint32 {
	s := ps.s[off : off+4]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// row returns word w of row i of the table at off with the given width.
func (ps *PackSet) row(off uint32, width, i, w int) uint32 {
	return ps.u32(off + uint32(4*(width*i+w)))
}

func (ps *PackSet) str(off, n uint32) string { return ps.s[off : off+n] }

// NumPacks is the number of packs in the set.
func (ps *PackSet) NumPacks() int { return int(ps.h[hNPacks]) }

// NumGuards is the number of guards in the set, over all packs.
func (ps *PackSet) NumGuards() int { return int(ps.h[hNGuards]) }

// Family is pack i's family.
func (ps *PackSet) Family(i int) string {
	d := setDecoder{s: ps.s, off: int(ps.row(ps.h[hPacks], 3, i, 0))}
	return d.str()
}

// packGuards returns pack i's first guard and its number of guards.
func (ps *PackSet) packGuards(i int) (first, n int) {
	return int(ps.row(ps.h[hPacks], 3, i, 1)), int(ps.row(ps.h[hPacks], 3, i, 2))
}

// guardPack is the pack guard i belongs to.
func (ps *PackSet) guardPack(i int) int { return int(ps.row(ps.h[hGuards], guardWidth, i, 1)) }

// prefilter is guard i's literal prefilter, read without decoding the
// guard: for a text guard, a uvarint count of keyword ids; for an on=file
// guard, a count of groups, each a count of path literal ids (see
// CompilePacks). "" when it has none (it is always a candidate).
func (ps *PackSet) prefilter(i int) string {
	return ps.str(ps.row(ps.h[hGuards], guardWidth, i, 4), ps.row(ps.h[hGuards], guardWidth, i, 5))
}

// guardWidth is the number of words in a row of the guards table.
const guardWidth = 6

// GuardID is guard i's id.
func (ps *PackSet) GuardID(i int) string {
	return ps.str(ps.row(ps.h[hGuards], guardWidth, i, 2), ps.row(ps.h[hGuards], guardWidth, i, 3))
}

// Lookup returns the index of the guard with this id.
func (ps *PackSet) Lookup(id string) (int, bool) {
	n := ps.NumGuards()
	at := func(k int) int { return int(ps.u32(ps.h[hIDs] + uint32(4*k))) }
	k := sort.Search(n, func(k int) bool { return ps.GuardID(at(k)) >= id })
	if k < n && ps.GuardID(at(k)) == id {
		return at(k), true
	}
	return 0, false
}

// spec decodes guard i: in full with lits nil, else for matching (see
// setDecoder.guard).
func (ps *PackSet) spec(i int, g *GuardSpec, lits *[9]litSet) {
	d := setDecoder{s: ps.s, off: int(ps.row(ps.h[hGuards], guardWidth, i, 0)), exBase: int(ps.h[hEx])}
	d.guard(g, lits)
}

// Guard decodes guard i in full (examples included).
func (ps *PackSet) Guard(i int) GuardSpec {
	var g GuardSpec
	ps.spec(i, &g, nil)
	return g
}

// Packs decodes the whole set, examples included, once; later calls return
// the same specs, which callers must not modify. Specs decoded here are
// recognised by NewEngine, which then uses the set's own index.
func (ps *PackSet) Packs() []PackSpec {
	if ps.packs != nil {
		return ps.packs
	}
	out := make([]PackSpec, ps.NumPacks())
	for pi := range out {
		p := &out[pi]
		d := setDecoder{s: ps.s, off: int(ps.row(ps.h[hPacks], 3, pi, 0))}
		p.Family, p.Title, p.Description, p.Source = d.str(), d.str(), d.str(), d.str()
		first, n := ps.packGuards(pi)
		p.Guards = make([]GuardSpec, n)
		for gi := range p.Guards {
			ps.spec(first+gi, &p.Guards[gi], nil)
		}
		p.set, p.setIndex = ps, pi
	}
	ps.packs = out
	return out
}

// list returns a guard list of the index: count and offset.
func (ps *PackSet) onList(target int) (n int, off uint32) {
	return int(ps.h[hOn+2*target]), ps.h[hOn+2*target+1]
}

func (ps *PackSet) listAt(off uint32, k int) int { return int(ps.u32(off + uint32(4*k))) }

// named calls fn, in guard order, with each guard one of whose command names
// has name as its first word.
func (ps *PackSet) named(name string, fn func(guard int)) {
	n, off := int(ps.h[hNNames]), ps.h[hNames]
	nameAt := func(k int) string { return ps.str(ps.row(off, 3, k, 0), ps.row(off, 3, k, 1)) }
	k := sort.Search(n, func(k int) bool { return nameAt(k) >= name })
	for ; k < n && nameAt(k) == name; k++ {
		fn(int(ps.row(off, 3, k, 2)))
	}
}

// globs calls fn, in guard order, with each guard having a glob name
// ("mkfs*") whose prefix starts name; a guard may come more than once.
func (ps *PackSet) globs(name string, fn func(guard int)) {
	n, off := int(ps.h[hNGlobs]), ps.h[hGlobs]
	for k := 0; k < n; k++ {
		if strings.HasPrefix(name, ps.str(ps.row(off, 3, k, 0), ps.row(off, 3, k, 1))) {
			fn(int(ps.row(off, 3, k, 2)))
		}
	}
}

// setEncoder writes records: uvarint counts and lengths, strings as bytes.
type setEncoder struct {
	b  []byte
	ex *setEncoder // the examples region
}

func (e *setEncoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

func (e *setEncoder) u16(v int) {
	if v > 0xffff {
		panic("packset: more than 65535 literals or keywords") // ids are uint16
	}
	e.b = binary.LittleEndian.AppendUint16(e.b, uint16(v))
}

func (e *setEncoder) u32(ws ...uint32) {
	for _, w := range ws {
		e.b = binary.LittleEndian.AppendUint32(e.b, w)
	}
}

// str writes s and returns the offset of its bytes.
func (e *setEncoder) str(s string) uint32 {
	e.uint(uint64(len(s)))
	off := uint32(len(e.b))
	e.b = append(e.b, s...)
	return off
}

func (e *setEncoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *setEncoder) strs(list []string) {
	e.uint(uint64(len(list)))
	for _, s := range list {
		e.str(s)
	}
}

// guard writes one guard and returns where its id is; command(i, off) is
// called with the offset of each command name's bytes.
func (e *setEncoder) guard(g *GuardSpec, command func(i int, off uint32)) (idOff, idLen uint32) {
	// How many strings the slices hold, so that decoding allocates once.
	nstr := 0
	for _, l := range g.stringLists() {
		nstr += len(*l)
	}
	e.uint(uint64(nstr))
	idOff = e.str(g.ID)
	e.str(g.Title)
	e.str(g.Severity)
	e.str(g.On)
	e.uint(uint64(len(g.Commands)))
	for i, c := range g.Commands {
		command(i, e.str(c))
	}
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
	// Each regex field's literals as one string (a litSet), so that the
	// hook tests them where they lie instead of decoding them.
	for _, f := range g.Literals.fields() {
		e.str(string(encodeLits(*f)))
	}
	// Examples in their own region: the hook never reads them, so the
	// pages it touches hold none.
	e.uint(uint64(len(e.ex.b)))
	e.ex.strs(g.Match)
	e.ex.strs(g.NotMatch)
	return idOff, uint32(len(g.ID))
}

// litTable numbers distinct strings, those of four bytes or more first,
// in the order of their first four bytes (litIndex searches them so).
type litTable struct {
	strs []string
	ids  map[string]int
}

func (t *litTable) add(s string) {
	if _, ok := t.ids[s]; ok {
		return
	}
	if t.ids == nil {
		t.ids = map[string]int{}
	}
	t.ids[s] = -1
	t.strs = append(t.strs, s)
}

func (t *litTable) number() {
	key := func(s string) (bool, uint32) {
		if len(s) < 4 {
			return true, 0
		}
		return false, quadAt(s, 0)
	}
	sort.Slice(t.strs, func(i, j int) bool {
		si, qi := key(t.strs[i])
		sj, qj := key(t.strs[j])
		if si != sj {
			return !si
		}
		if qi != qj {
			return qi < qj
		}
		return t.strs[i] < t.strs[j]
	})
	for i, s := range t.strs {
		t.ids[s] = i
	}
}

// stringLists are a guard's []string fields but the examples, in encoding
// order.
func (g *GuardSpec) stringLists() []*[]string {
	return []*[]string{&g.Commands, &g.Keywords, &g.Flags, &g.NotFlags, &g.FedBy, &g.NotFeeds, &g.ExceptCommands, &g.Secrets}
}

// fields are the literal slots in the fixed order of the regex fields.
func (r *RegexLiterals) fields() [9]*[][]string {
	return [9]*[][]string{&r.Args, &r.NotArgs, &r.Stdin, &r.Input, &r.Paths, &r.NotPaths, &r.Pattern, &r.NotPattern, &r.Assigns}
}

// setDecoder reads records. Strings are substrings of s; string slices are
// carved out of one allocation per guard.
type setDecoder struct {
	s      string
	off    int
	exBase int // where the examples region starts
	slab   []string
}

func (d *setDecoder) uint() int {
	if c := d.s[d.off]; c < 0x80 { // most counts and lengths: this much is inlined
		d.off++
		return int(c)
	}
	return d.uintRest()
}

func (d *setDecoder) uintRest() int {
	v, n := uvarint(d.s[d.off:])
	d.off += n
	return v
}

// uvarint is binary.Uvarint for a string (no conversion to []byte).
func uvarint(s string) (int, int) {
	var v uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		c := s[i]
		if c < 0x80 {
			return int(v | uint64(c)<<shift), i + 1
		}
		v |= uint64(c&0x7f) << shift
		shift += 7
	}
	panic(errPackSet)
}

func (d *setDecoder) str() string {
	n := d.uint()
	s := d.s[d.off : d.off+n]
	d.off += n
	return s
}

func (d *setDecoder) bool() bool {
	b := d.s[d.off]
	d.off++
	return b != 0
}

func (d *setDecoder) strs() []string {
	n := d.uint()
	if n == 0 {
		return nil
	}
	if len(d.slab) < n {
		d.slab = make([]string, n) // examples and literals: not in the guard's slab
	}
	out := d.slab[:n:n]
	d.slab = d.slab[n:]
	for i := range out {
		out[i] = d.str()
	}
	return out
}

// guard decodes a guard. With lits nil (a full decode) the literals are
// decoded into g.Literals and the examples read; otherwise the literals are
// left encoded in lits and the examples skipped.
func (d *setDecoder) guard(g *GuardSpec, lits *[9]litSet) {
	if nstr := d.uint(); nstr > 0 {
		d.slab = make([]string, nstr)
	}
	g.ID, g.Title, g.Severity, g.On = d.str(), d.str(), d.str(), d.str()
	g.Commands, g.Keywords, g.Flags, g.NotFlags = d.strs(), d.strs(), d.strs(), d.strs()
	g.Args, g.NotArgs, g.Stdin, g.Input = Regex(d.str()), Regex(d.str()), Regex(d.str()), Regex(d.str())
	g.FedBy, g.NotFeeds = d.strs(), d.strs()
	g.Dynamic = d.bool()
	g.Assigns = Regex(d.str())
	g.Paths, g.NotPaths, g.Access = Regex(d.str()), Regex(d.str()), d.str()
	g.ExceptCommands = d.strs()
	g.Pattern = Regex(d.str())
	g.Secrets = d.strs()
	g.Secret = d.bool()
	g.NotPattern = Regex(d.str())
	g.Condition, g.Engine, g.Reason, g.Instead = d.str(), d.str(), d.str(), d.str()
	for i, f := range g.Literals.fields() {
		enc := litSet(d.str())
		if lits != nil {
			lits[i] = enc
		} else {
			*f = enc.groups()
		}
	}
	exOff := d.uint()
	if lits == nil {
		ex := setDecoder{s: d.s, off: d.exBase + exOff}
		g.Match, g.NotMatch = ex.strs(), ex.strs()
	}
}

// litSet is a regex's required literals, encoded: a uvarint count of
// groups, then per group a uvarint count of strings and the strings
// (uvarint length, bytes). "" means none could be derived (the regex always
// runs); a set with no groups is never written.
type litSet string

func encodeLits(groups [][]string) []byte {
	if groups == nil {
		return nil
	}
	e := &setEncoder{}
	e.uint(uint64(len(groups)))
	for _, g := range groups {
		e.strs(g)
	}
	return e.b
}

func (l litSet) groups() [][]string {
	if l == "" {
		return nil
	}
	d := setDecoder{s: string(l)}
	out := make([][]string, d.uint())
	for i := range out {
		out[i] = d.strs()
		if out[i] == nil {
			out[i] = []string{}
		}
	}
	return out
}

// has reports whether lower (lower-cased text) has, for every group, one of
// its strings; reading the encoding in place, it allocates nothing.
func (l litSet) has(lower string) bool {
	d := setDecoder{s: string(l)}
	for n := d.uint(); n > 0; n-- {
		found := false
		for k := d.uint(); k > 0; k-- {
			m := d.uint()
			if !found && strings.Contains(lower, d.s[d.off:d.off+m]) {
				found = true
			}
			d.off += m
		}
		if !found {
			return false
		}
	}
	return true
}

// SamePack reports whether two packs are the same as written (every
// exported field), whatever set either was decoded from.
func SamePack(a, b PackSpec) bool {
	a.set, a.setIndex, b.set, b.setIndex = nil, 0, nil, 0
	return reflect.DeepEqual(a, b)
}

// litIndex finds, in one pass over a lower-cased text, which strings of a
// literal table occur in it. Most strings are four bytes or longer: a
// bitmap of their first four bytes (hashed) rejects almost every position
// of a text with one test, and where it does not, a binary search of the
// table (sorted by those four bytes when the set was compiled) lists the
// strings to compare; the few shorter strings are compared at every
// position. So the pass costs a few instructions a byte, whatever the
// number of strings, and building the index costs a pass over the table.
type litIndex struct {
	ps    *PackSet
	off   uint32 // the table: rows of string offset, length, first four bytes
	n     int    // strings
	nquad int    // strings of four bytes or more (the first rows)
	bits  [1 << 16 / 64]uint64
	short []uint16 // ids of the shorter strings, "" included
}

func quadAt(s string, i int) uint32 {
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
}

func quadHash(q uint32) uint32 { return (q * 0x9E3779B1) >> 16 }

func (ps *PackSet) litIndex(nAt, at int) *litIndex {
	x := &litIndex{ps: ps, n: int(ps.h[nAt]), off: ps.h[at]}
	for i := range x.n {
		if ps.row(x.off, 3, i, 1) < 4 {
			x.short = append(x.short, uint16(i))
			continue
		}
		x.nquad = i + 1
		h := quadHash(ps.row(x.off, 3, i, 2))
		x.bits[h>>6] |= 1 << (h & 63)
	}
	return x
}

func (x *litIndex) str(id int) string {
	return x.ps.str(x.ps.row(x.off, 3, id, 0), x.ps.row(x.off, 3, id, 1))
}

// found is a set of string ids.
type found []uint64

func (f found) has(id int) bool { return f[id>>6]&(1<<(id&63)) != 0 }

func (f found) add(id uint16) { f[id>>6] |= 1 << (id & 63) }

func (f found) empty() bool {
	for _, w := range f {
		if w != 0 {
			return false
		}
	}
	return true
}

// scan returns the ids of the strings that occur in lower.
func (x *litIndex) scan(lower string) found {
	f := make(found, (x.n+63)/64)
	for _, id := range x.short {
		if strings.Contains(lower, x.str(int(id))) {
			f.add(id)
		}
	}
	for i := 0; i+4 <= len(lower); i++ {
		q := quadAt(lower, i)
		if h := quadHash(q); x.bits[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		k := sort.Search(x.nquad, func(k int) bool { return x.ps.row(x.off, 3, k, 2) >= q })
		for ; k < x.nquad && x.ps.row(x.off, 3, k, 2) == q; k++ {
			if !f.has(k) && strings.HasPrefix(lower[i:], x.str(k)) {
				f.add(uint16(k))
			}
		}
	}
	return f
}

// A prefilter (PackSet.prefilter) is little-endian uint16s: for a text
// guard a count and keyword ids; for an on=file guard a count of groups,
// each a count and path literal ids.
func u16(s string, i int) int { return int(s[2*i]) | int(s[2*i+1])<<8 }

// anyOf reports whether f holds one of the ids of a keyword prefilter.
func anyOf(pre string, f found) bool {
	n := u16(pre, 0)
	for i := 1; i <= n; i++ {
		if f.has(u16(pre, i)) {
			return true
		}
	}
	return false
}

// allGroups reports whether f holds, for every group of a paths
// prefilter, one of its ids.
func allGroups(pre string, f found) bool {
	i := 1
	for g := u16(pre, 0); g > 0; g-- {
		k := u16(pre, i)
		i++
		ok := false
		for end := i + k; i < end; i++ {
			if !ok && f.has(u16(pre, i)) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
