package shell

import (
	"strconv"
	"strings"

	"github.com/bulwark-guard/bulwark/commands"
)

// Builtins that set variables from what the command line says: read and
// mapfile from known input (a here-string, a heredoc), printf -v, set --.

// readKnown applies `read [-r] [-a ARR] [-d D] [-n N] [-N N] VAR...` to
// known input. It reports false when the input is not one it can read
// (another file descriptor).
func (a *analyzer) readKnown(spec *commands.Spec, args []xword, in stdinInfo, sc *scope) bool {
	raw, exact := false, false
	delim := byte('\n')
	n := -1
	arr := ""
	ok := true
	i := scanOpts(args, spec, func(o opt) bool {
		switch o.short {
		case 'r':
			raw = true
		case 'a':
			arr = o.val.Value
			ok = ok && o.hasVal && !o.val.Dynamic
		case 'd':
			if o.hasVal && !o.val.Dynamic {
				delim = 0
				if o.val.Value != "" {
					delim = o.val.Value[0]
				}
			} else {
				ok = false
			}
		case 'n', 'N':
			k, err := strconv.Atoi(o.val.Value)
			ok = ok && err == nil && !o.val.Dynamic
			n, exact = k, o.short == 'N'
		case 'u':
			ok = false // another file descriptor
		}
		return true
	})
	if !ok {
		return false
	}
	ifs, known := sc.ifs()
	names := args[i:]
	for _, w := range names {
		if w.Dynamic || !isVarName(w.Value) {
			return false
		}
	}
	line := readLine(in.text, delim, n, exact, raw)
	val := func(s string) varVal {
		return varVal{val: s, known: known, feeders: in.feeders, decoded: in.decoded}
	}
	switch {
	case arr != "":
		if !known {
			sc.set(arr, varVal{feeders: in.feeders})
			return true
		}
		sc.set(arr, arrayVal(fieldSplit(line, [][2]int{{0, len(line)}}, nil, ifs, false), in.feeders))
	case len(names) == 0:
		sc.set("REPLY", varVal{val: line, known: true, feeders: in.feeders, decoded: in.decoded})
	default:
		fields := readFields(line, ifs, len(names))
		for k, w := range names {
			sc.set(w.Value, val(fields[k]))
		}
	}
	return true
}

// mapfile applies `mapfile [-t] [-d D] [-n N] [-s N] [ARR]` to known
// input: ARR (MAPFILE) holds its lines. A callback (-C CODE) is shell
// code that runs, analysed here too. It reports false when the input or
// the array is not known.
func (a *analyzer) mapfile(spec *commands.Spec, args []xword, in stdinInfo, c *ctx, sc *scope) bool {
	strip := false
	delim := "\n"
	count, skip := -1, 0
	ok := true
	i := scanOpts(args, spec, func(o opt) bool {
		switch o.short {
		case 't':
			strip = true
		case 'd':
			if o.hasVal && !o.val.Dynamic {
				delim = o.val.Value
				if delim == "" {
					delim = "\x00"
				}
			} else {
				ok = false
			}
		case 'n', 's':
			k, err := strconv.Atoi(o.val.Value)
			if err != nil || o.val.Dynamic {
				ok = false
			} else if o.short == 'n' {
				count = k
			} else {
				skip = k
			}
		case 'C':
			if o.hasVal && !o.val.Dynamic {
				a.nestedText(o.val.Value, c, sc, stdinInfo{}, "mapfile -C")
			}
		case 'u', 'O':
			ok = false
		}
		return true
	})
	name := "MAPFILE"
	if i < len(args) {
		if args[i].Dynamic || !isVarName(args[i].Value) {
			return false
		}
		name = args[i].Value
	}
	if !ok || !in.known {
		sc.set(name, varVal{feeders: in.feeders})
		return true
	}
	var lines []string
	text := in.text
	for text != "" && (count < 0 || len(lines) < count+skip) {
		j := strings.Index(text, delim)
		line := text
		if j >= 0 {
			line, text = text[:j+len(delim)], text[j+len(delim):]
		} else {
			text = ""
		}
		if strip {
			line = strings.TrimSuffix(line, delim)
		}
		lines = append(lines, line)
		if len(lines) > 4096 {
			sc.set(name, varVal{feeders: in.feeders})
			return true
		}
	}
	lines = lines[min(skip, len(lines)):]
	sc.set(name, arrayVal(lines, in.feeders))
	return true
}

// printfAssign applies `printf -v VAR FORMAT ARGS`: VAR holds what printf
// would print.
func (a *analyzer) printfAssign(spec *commands.Spec, args []xword, sc *scope) {
	name := ""
	i := scanOpts(args, spec, func(o opt) bool {
		if o.short == 'v' && o.hasVal && !o.val.Dynamic {
			name = o.val.Value
		}
		return true
	})
	if name == "" || !isVarName(strings.TrimSuffix(name, "]")) && !isVarName(name) {
		return
	}
	rest := args[i:]
	static := true
	var feeders []string
	for _, w := range rest {
		static = static && !w.Dynamic
		feeders = addNames(feeders, w.feeders)
	}
	if s, ok := printfOut(rest); ok && static && a.expand(0, len(s)) {
		sc.set(name, varVal{val: s, known: true, feeders: feeders})
		return
	}
	sc.set(name, varVal{feeders: feeders})
}

// setArgs applies `set [OPTIONS] [--] ARGS`: the operands become the
// positional parameters ($1 ...); `set -o pipefail` changes none.
func (a *analyzer) setArgs(spec *commands.Spec, args []xword, sc *scope) {
	i := scanOpts(args, spec, nil)
	dashdash := i > 0 && args[i-1].Value == "--" && !args[i-1].Dynamic
	if i < len(args) && args[i].Value == "-" && !args[i].Dynamic {
		i, dashdash = i+1, true // `set - ARGS`
	}
	if i >= len(args) && !dashdash {
		return
	}
	a.setPositional(sc, args[i:])
}
