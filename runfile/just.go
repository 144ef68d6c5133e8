package runfile

import (
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/shell"
)

// This file reads justfiles: recipes, their parameters and dependencies,
// variables and {{interpolation}}; enough to say what `just [RECIPE]`
// runs. A recipe whose body starts with #! is one script in that language;
// any other body line is run by the shell on its own.

// Justfile is a parsed justfile.
type Justfile struct {
	Vars    map[string]string
	Recipes map[string]*JustRecipe
	Order   []string
	Aliases map[string]string
	Parse   []RecipeLine // backtick commands run while reading the file
}

// JustRecipe is one recipe.
type JustRecipe struct {
	Name   string
	Params []string
	Deps   []string
	Body   []RecipeLine // lines with the common indentation removed
	Line   int
}

// ParseJustfile reads a justfile's text; what it cannot read is left out.
func ParseJustfile(text string) *Justfile {
	j := &Justfile{Vars: map[string]string{}, Recipes: map[string]*JustRecipe{}, Aliases: map[string]string{}}
	lines := strings.Split(text, "\n")
	var cur *JustRecipe
	for i := 0; i < len(lines); i++ {
		raw := strings.TrimSuffix(lines[i], "\r")
		if raw != "" && (raw[0] == ' ' || raw[0] == '\t') {
			if cur != nil {
				cur.Body = append(cur.Body, RecipeLine{Text: raw, Line: i + 1})
			}
			continue
		}
		s := strings.TrimSpace(raw)
		if s == "" {
			continue
		}
		cur = nil
		if strings.HasPrefix(s, "#") || strings.HasPrefix(s, "[") || strings.HasPrefix(s, "set ") ||
			strings.HasPrefix(s, "import ") || strings.HasPrefix(s, "mod ") || strings.HasPrefix(s, "mod?") {
			continue
		}
		s = strings.TrimPrefix(s, "export ")
		if a, ok := strings.CutPrefix(s, "alias "); ok {
			if n, t, ok := strings.Cut(a, ":="); ok {
				j.Aliases[strings.TrimSpace(n)] = strings.TrimSpace(t)
			}
			continue
		}
		if n, v, ok := strings.Cut(s, ":="); ok && shell.IsVarName(strings.TrimSpace(n)) {
			j.Vars[strings.TrimSpace(n)] = j.value(strings.TrimSpace(v), i+1)
			continue
		}
		head, deps, ok := strings.Cut(s, ":")
		if !ok {
			continue
		}
		f := strings.Fields(head)
		if len(f) == 0 {
			continue
		}
		name := strings.TrimLeft(f[0], "@")
		if !isJustName(name) {
			continue
		}
		r := &JustRecipe{Name: name, Line: i + 1}
		for _, p := range f[1:] {
			p = strings.TrimLeft(p, "*+$")
			p, _, _ = strings.Cut(p, "=")
			r.Params = append(r.Params, p)
		}
		deps, _, _ = strings.Cut(deps, "#")
		for _, d := range strings.Fields(strings.NewReplacer("(", " ", ")", " ", "&&", " ").Replace(deps)) {
			if isJustName(d) {
				r.Deps = append(r.Deps, d)
			}
		}
		if _, dup := j.Recipes[name]; !dup {
			j.Order = append(j.Order, name)
		}
		j.Recipes[name] = r
		cur = r
	}
	for _, r := range j.Recipes {
		r.Body = dedent(r.Body)
	}
	return j
}

func isJustName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c == '-' && i > 0 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// value reads a variable's value: quoted strings, a `backtick` command
// (run while reading: kept as $(cmd)), other variables, joined with +.
func (j *Justfile) value(v string, line int) string {
	var b strings.Builder
	for _, part := range strings.Split(v, " + ") {
		part = strings.TrimSpace(part)
		switch {
		case len(part) >= 2 && (part[0] == '\'' || part[0] == '"') && part[len(part)-1] == part[0]:
			b.WriteString(part[1 : len(part)-1])
		case len(part) >= 2 && part[0] == '`' && part[len(part)-1] == '`':
			cmd := part[1 : len(part)-1]
			j.Parse = append(j.Parse, RecipeLine{Text: cmd, Line: line})
			b.WriteString("$(" + cmd + ")")
		default:
			if x, ok := j.Vars[part]; ok {
				b.WriteString(x)
			} else {
				b.WriteString(justExpr(part))
			}
		}
	}
	return b.String()
}

// justExpr is what an expression just evaluates at run time stands for in
// the shell: the environment variable it reads, or an unknown value.
func justExpr(e string) string {
	e = strings.TrimSpace(e)
	for _, fn := range []string{"env_var(", "env(", "env_var_or_default("} {
		if rest, ok := strings.CutPrefix(e, fn); ok {
			name := strings.Trim(strings.TrimSpace(strings.SplitN(rest, ",", 2)[0]), "'\")")
			if shell.IsVarName(name) {
				return "${" + name + "}"
			}
		}
	}
	switch e {
	case "invocation_directory()", "justfile_directory()", "source_directory()", "invocation_directory_native()":
		return "${PWD}"
	case "home_directory()", "home_dir()":
		return "${HOME}"
	}
	return "${__just_dynamic}"
}

// dedent removes the body's common leading white space.
func dedent(body []RecipeLine) []RecipeLine {
	indent := -1
	for _, l := range body {
		if strings.TrimSpace(l.Text) == "" {
			continue
		}
		n := len(l.Text) - len(strings.TrimLeft(l.Text, " \t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	for i := range body {
		if len(body[i].Text) >= indent && indent > 0 {
			body[i].Text = body[i].Text[indent:]
		} else {
			body[i].Text = strings.TrimLeft(body[i].Text, " \t")
		}
	}
	return body
}

// interpolate replaces {{expr}} with what it stands for.
func (j *Justfile) interpolate(s string, params map[string]string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(s)
			break
		}
		if strings.HasPrefix(s[i:], "{{{{") {
			b.WriteString(s[:i+2]) // an escaped {{
			s = s[i+4:]
			continue
		}
		k := strings.Index(s[i:], "}}")
		if k < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		e := strings.TrimSpace(s[i+2 : i+k])
		switch v, isParam := params[e]; {
		case isParam:
			b.WriteString(v)
		default:
			if x, ok := j.Vars[e]; ok {
				b.WriteString(x)
			} else {
				b.WriteString(justExpr(e))
			}
		}
		s = s[i+k+2:]
	}
	return b.String()
}

// Run returns the scripts `just ARGS` runs: dependencies first, then the
// recipe; the first word of args is the recipe (default: the first in the
// file), the rest its arguments.
func (j *Justfile) Run(args []string, vars map[string]string) []JustScript {
	for k, v := range vars {
		j.Vars[k] = v
	}
	name := ""
	if len(args) > 0 {
		name, args = args[0], args[1:]
	} else if len(j.Order) > 0 {
		name = j.Order[0]
	}
	if a, ok := j.Aliases[name]; ok {
		name = a
	}
	var out []JustScript
	done := map[string]bool{}
	n := 0
	var visit func(name string, args []string, depth int)
	visit = func(name string, args []string, depth int) {
		r := j.Recipes[name]
		if r == nil || done[name] || depth > 16 || n >= maxTargets {
			return
		}
		done[name] = true
		n++
		for _, d := range r.Deps {
			visit(d, nil, depth+1)
		}
		params := map[string]string{}
		for k, p := range r.Params {
			if k < len(args) {
				params[p] = args[k]
			} else {
				params[p] = "${__just_dynamic}"
			}
		}
		if len(r.Body) > 0 && strings.HasPrefix(r.Body[0].Text, "#!") {
			var code strings.Builder
			for _, l := range r.Body {
				code.WriteString(j.interpolate(l.Text, params))
				code.WriteByte('\n')
			}
			out = append(out, JustScript{Recipe: name, Shebang: true, Code: code.String(), Line: r.Body[0].Line})
			return
		}
		for _, l := range r.Body {
			t := strings.TrimSpace(l.Text)
			for len(t) > 0 && (t[0] == '@' || t[0] == '-') {
				t = strings.TrimSpace(t[1:])
			}
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			out = append(out, JustScript{Recipe: name, Code: j.interpolate(t, params), Line: l.Line})
		}
	}
	visit(name, args, 0)
	return out
}

// JustScript is one piece of code a just recipe runs.
type JustScript struct {
	Recipe  string
	Shebang bool // Code is a whole script with its #! line
	Code    string
	Line    int
}

// just reads the justfile and returns what the recipe runs.
func (r *reader) just(ex Exec) []guards.Script {
	p, text, ok := r.projectFile(ex, "justfile", "Justfile", ".justfile", "JUSTFILE")
	if !ok {
		return nil
	}
	j := ParseJustfile(text)
	var out []guards.Script
	for _, l := range j.Parse {
		out = append(out, guards.Script{Lang: "sh", Code: l.Text, File: p, Line: l.Line, Label: "just (reading " + filepath.Base(p) + ")", Dir: ex.Dir})
	}
	for _, s := range j.Run(ex.Targets, ex.Vars) {
		lang, code := "sh", s.Code
		if s.Shebang {
			lang = scriptLang("", code)
			if lang == "" {
				continue
			}
			if lang != "sh" {
				if i := strings.IndexByte(code, '\n'); i >= 0 {
					code = code[i:]
				}
			}
		}
		out = append(out, guards.Script{Lang: lang, Code: code, File: p, Line: s.Line, Label: "just " + s.Recipe, Dir: ex.Dir})
	}
	return out
}
