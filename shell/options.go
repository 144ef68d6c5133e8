package shell

import (
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
)

// opt is one option (or, with Permute, one operand) found by scanOpts.
type opt struct {
	i       int    // index of the word the option is in
	short   byte   // a short option's letter; 0 for a long option
	long    string // a long option's name, without "--" and "=value"
	plus    bool   // written with + instead of - (bash +o)
	operand bool   // not an option: an operand (only with Permute)
	hasVal  bool   // the option has a value
	val     xword  // its value (attached, or the next word)
	valIdx  int    // index of the value's word when it is the next word, else -1
}

// scanOpts reads the options of a command line the way getopt_long does,
// as spec describes them (see commands.Spec: Short, ShortOpt, Long,
// LongOpt, LongAll, Code, CodeLong, Plus, Permute, OldStyle), and calls fn
// (when not nil) for each option in order (by value: an option handed
// to a function through a pointer would be allocated on the heap); fn returning false stops the
// scan there. It returns the index of the first operand (len(args) when
// there is none): the word after "--", or the first word that is not an
// option. A dynamic word ends the options, since what it expands to is not
// known; so does "-" alone (stdin, for most commands).
//
// With Permute, options may follow operands (tar -xf a.tar -C dir): the
// operands are reported to fn too (opt.operand), scanning goes on to the
// end or to "--", and the return value is the index after "--" (or
// len(args)).
//
// This is the one option scanner of the analysis: wrappers, runners,
// shells, interpreters, xargs, tar, docker run and the rest all read their
// options through it.
func scanOpts(args []xword, spec *commands.Spec, fn func(o opt) bool) int {
	if spec == nil {
		spec = &noOptions
	}
	var o opt
	for i := 0; i < len(args); i++ {
		w := &args[i]
		v := w.Value
		if w.Dynamic {
			if !spec.Permute {
				return i
			}
			if fn != nil {
				o = opt{i: i, operand: true, valIdx: -1}
				if !fn(o) {
					return i
				}
			}
			continue
		}
		if v == "--" {
			return i + 1
		}
		isOpt := len(v) >= 2 && (v[0] == '-' || spec.Plus && v[0] == '+')
		if !isOpt && i == 0 && spec.OldStyle != "" && v != "" && strings.Trim(v, spec.OldStyle) == "" {
			// tar xzf a.tar: a cluster without its dash; each letter that
			// takes a value takes the next word, in order.
			next := i + 1
			for j := 0; j < len(v); j++ {
				o = opt{i: i, short: v[j], valIdx: -1}
				if strings.IndexByte(spec.Short, v[j]) >= 0 && next < len(args) {
					o.hasVal, o.val, o.valIdx = true, args[next], next
					next++
				}
				if fn != nil && !fn(o) {
					return i
				}
			}
			i = next - 1
			continue
		}
		if !isOpt {
			if !spec.Permute {
				return i
			}
			if fn != nil {
				o = opt{i: i, operand: true, valIdx: -1}
				if !fn(o) {
					return i
				}
			}
			continue
		}
		if v[0] == '-' && v[1] == '-' {
			name, val, eq := strings.Cut(v[2:], "=")
			o = opt{i: i, long: name, valIdx: -1}
			switch {
			case eq:
				o.hasVal, o.val = true, xword{Word: Word{Value: val}, decoded: w.decoded}
			case commands.HasWord(spec.LongOpt, name):
			case spec.LongTakesValue(name) || commands.HasWord(spec.CodeLong, name):
				if i+1 < len(args) {
					i++
					o.hasVal, o.val, o.valIdx = true, args[i], i
				}
			}
			if fn != nil && !fn(o) {
				return o.i
			}
			continue
		}
		// A cluster of short options: -xvf FILE, -uroot, -n5.
		start := i
		for j := 1; j < len(v); j++ {
			c := v[j]
			o = opt{i: start, short: c, plus: v[0] == '+', valIdx: -1}
			takes := strings.IndexByte(spec.Short, c) >= 0 || strings.IndexByte(spec.Code, c) >= 0
			optional := !takes && strings.IndexByte(spec.ShortOpt, c) >= 0
			if takes || optional {
				switch {
				case j+1 < len(v):
					o.hasVal, o.val = true, xword{Word: Word{Value: v[j+1:]}, decoded: w.decoded}
				case takes && i+1 < len(args):
					i++
					o.hasVal, o.val, o.valIdx = true, args[i], i
				}
			}
			if fn != nil && !fn(o) {
				return start
			}
			if takes || optional {
				break
			}
		}
	}
	return len(args)
}

// noOptions is the spec of a command bulwark knows nothing about: every
// option is a flag.
var noOptions commands.Spec
