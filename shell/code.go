package shell

import (
	"strings"

	"github.com/bulwark-guard/bulwark/interp"
)

// AnalyzeCode analyses a script file's interpreter code (lang is python,
// node, perl, ruby or php) as if `INTERPRETER FILE` ran it: the commands it
// runs, the programs it executes and the files it changes, as for a
// one-liner. The commands are one level deep, with via (when not "") as
// the first Via entry; Line is the line of the code where the call that
// runs each command starts.
func AnalyzeCode(lang, code string, env Env, via string) (res *Analysis) {
	res = &Analysis{}
	a := &analyzer{env: env, res: res, work: 200000 + 4*len(code), parseBudget: 2<<20 + 2*len(code), expandBudget: maxExpansion}
	defer func() {
		if r := recover(); r != nil {
			res.Problems = append(res.Problems, "internal error in interpreter code analysis")
		}
		res.Commands = a.cmds
	}()
	if len(code) > maxPayload {
		a.limit(via + ": code larger than 1 MiB; only the first 1 MiB was scanned")
		code = code[:maxPayload]
	}
	c := &ctx{src: code}
	if via != "" {
		c.via = []string{via}
	}
	sc := newScope(env)
	for e := range interp.Scan(code, interp.Lang(lang), interp.Env{Home: env.Home}) {
		a.line = 1 + strings.Count(code[:min(max(e.Offset, 0), len(code))], "\n")
		a.interpEffect(e, c, sc)
		if !a.spend(0) {
			break
		}
	}
	return res
}
