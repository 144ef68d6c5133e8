package guards

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// fillSpec sets every exported field of v to a value derived from s, so a
// field the encoding forgets shows up as a difference.
func fillSpec(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillSpec(v.Field(i), s+"."+v.Type().Field(i).Name)
			}
		}
	case reflect.Slice:
		sl := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillSpec(sl.Index(i), fmt.Sprint(s, i))
		}
		v.Set(sl)
	}
}

// TestPackSetRoundTrip: every field of every guard survives compiling, both
// decodes agree, and the index finds each guard by id, command and target.
func TestPackSetRoundTrip(t *testing.T) {
	var p PackSpec
	fillSpec(reflect.ValueOf(&p).Elem(), "x")
	for i := range p.Guards {
		g := &p.Guards[i]
		g.ID = fmt.Sprintf("fam.g%d", i)
		g.On = OnCommand
		g.Commands = []string{fmt.Sprintf("tool%d sub", i), "mkfs* x"}
	}
	p.Guards[1].Literals.Paths = [][]string{{}, {"a"}} // an empty group, kept as such
	ps, err := LoadPackSet(CompilePacks([]PackSpec{p, p}))
	if err != nil {
		t.Fatal(err)
	}
	got := ps.Packs()
	if len(got) != 2 || !SamePack(got[0], p) || !SamePack(got[1], p) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, p)
	}
	if ps.NumGuards() != 4 {
		t.Fatalf("NumGuards = %d", ps.NumGuards())
	}
	for i := range 4 {
		id := ps.GuardID(i)
		if j, ok := ps.Lookup(id); !ok || ps.GuardID(j) != id {
			t.Errorf("Lookup(%q) = %d, %v", id, j, ok)
		}
		// The matching decode: everything but literals (left encoded) and
		// examples.
		var g GuardSpec
		var lits [9]litSet
		ps.spec(i, &g, &lits)
		want := p.Guards[i%2]
		want.Match, want.NotMatch, want.Literals = nil, nil, RegexLiterals{}
		if !reflect.DeepEqual(g, want) {
			t.Errorf("guard %d: matching decode differs:\n got %+v\nwant %+v", i, g, want)
		}
		for k, f := range p.Guards[i%2].Literals.fields() {
			if !reflect.DeepEqual(lits[k].groups(), *f) {
				t.Errorf("guard %d: literals %d = %v, want %v", i, k, lits[k].groups(), *f)
			}
		}
	}
	if _, ok := ps.Lookup("fam.nope"); ok {
		t.Error("Lookup found a guard that is not there")
	}
	var named []int
	ps.named("tool1", func(g int) { named = append(named, g) })
	if !reflect.DeepEqual(named, []int{1, 3}) {
		t.Errorf("named(tool1) = %v, want [1 3]", named)
	}
	var globbed []int
	ps.globs("mkfs.ext4", func(g int) { globbed = append(globbed, g) })
	if !reflect.DeepEqual(globbed, []int{0, 1, 2, 3}) {
		t.Errorf("globs(mkfs.ext4) = %v", globbed)
	}
	if n, _ := ps.onList(onIndex(OnCommand)); n != 4 {
		t.Errorf("%d command guards, want 4", n)
	}
}

func TestLoadPackSetRefusesOtherData(t *testing.T) {
	for _, data := range []string{"", "bulwark-packset-1\n", "{}", strings.Repeat("x", 200)} {
		if _, err := LoadPackSet(data); err == nil {
			t.Errorf("LoadPackSet(%q) accepted", data)
		}
	}
}

// TestLitSetHas: the in-place test of encoded literals agrees with the
// decoded form.
func TestLitSetHas(t *testing.T) {
	sets := [][][]string{nil, {}, {{}}, {{"ab"}}, {{"ab", "cd"}, {"ef"}}, {{"x"}, {}}}
	texts := []string{"", "ab", "cd ef", "abef", "x", "zzz"}
	for _, groups := range sets {
		l := litSet(encodeLits(groups))
		for _, text := range texts {
			want := groups == nil || hasLiterals(text, groups)
			if got := l == "" || l.has(text); got != want {
				t.Errorf("%v on %q: has = %v, want %v", groups, text, got, want)
			}
		}
	}
}

// TestLitIndexScan: one pass finds exactly the strings strings.Contains
// finds, for strings of every length (empty, one byte, longer, sharing
// prefixes) and overlapping occurrences.
func TestLitIndexScan(t *testing.T) {
	checkScan(t, []string{"", "a", "ab", "abc", "bc", "/.ssh/", ".env", "~/.", "xx", "é"}, "xyz ~/.ssh/id .envrc abcab é")
	checkScan(t, []string{"ab", "b", "zz"}, "")
	checkScan(t, []string{"aa"}, "aaa")
}

func checkScan(t *testing.T, strs []string, text string) {
	t.Helper()
	var p PackSpec
	p.Family, p.Title = "f", "t"
	p.Guards = []GuardSpec{{ID: "f.k", On: OnContent, Keywords: strs}}
	ps, err := LoadPackSet(CompilePacks([]PackSpec{p}))
	if err != nil {
		t.Fatal(err)
	}
	x := ps.litIndex(hNKw, hKw)
	f := x.scan(text)
	for id := range x.n {
		if got, want := f.has(id), strings.Contains(text, x.str(id)); got != want {
			s := x.str(id)
			t.Errorf("%q in %q: scan says %v", s, text, got)
		}
	}
	if got, want := anyOf(ps.prefilter(0), f), func() bool {
		for _, s := range strs {
			if strings.Contains(text, s) {
				return true
			}
		}
		return false
	}(); got != want {
		t.Errorf("anyOf = %v, want %v", got, want)
	}
}

func FuzzLitIndexScan(f *testing.F) {
	f.Add("ab,b,/.ssh/", "x ~/.ssh/ ab")
	f.Fuzz(func(t *testing.T, list, text string) {
		strs := strings.Split(list, ",")
		if len(strs) > 200 {
			return
		}
		checkScan(t, strs, text)
	})
}
