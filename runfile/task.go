package runfile

import (
	"path/filepath"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/shell"
)

// This file reads Taskfiles (go-task): the tasks, their cmds, deps and
// dir, and vars, through a small reader of the YAML they are written in
// (block maps and lists, flow lists, quoted and block scalars). What it
// does not understand is left out.

// yamlNode is a YAML value: a scalar, a map or a list.
type yamlNode struct {
	scalar string
	isMap  bool
	keys   []string
	m      map[string]*yamlNode
	list   []*yamlNode
	line   int
}

func (n *yamlNode) get(k string) *yamlNode {
	if n == nil || n.m == nil {
		return nil
	}
	return n.m[k]
}

type yamlLine struct {
	indent int
	text   string // without indentation and comment
	raw    string // without indentation, comment kept (block scalars)
	n      int
}

// parseYAML reads the subset of YAML Taskfiles use. It never fails.
func parseYAML(text string) *yamlNode {
	var lines []yamlLine
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimRight(strings.TrimSuffix(l, "\r"), " \t")
		t := strings.TrimLeft(l, " ")
		if t == "---" || strings.HasPrefix(t, "%") {
			continue
		}
		lines = append(lines, yamlLine{indent: len(l) - len(t), text: strings.TrimRight(yamlComment(t), " \t"), raw: t, n: i + 1})
	}
	p := &yamlParser{lines: lines}
	return p.block(-1)
}

type yamlParser struct {
	lines []yamlLine
	i     int
	steps int
}

// yamlComment cuts a # comment that is not inside quotes.
func yamlComment(s string) string {
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '\'' || c == '"':
			if i == 0 || s[i-1] == ' ' || s[i-1] == ':' || s[i-1] == '-' || s[i-1] == '[' || s[i-1] == ',' {
				q = c
			}
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return s[:i]
		}
	}
	return s
}

// next skips blank lines and returns the next line, or nil.
func (p *yamlParser) peek() *yamlLine {
	for p.i < len(p.lines) && p.lines[p.i].text == "" {
		p.i++
	}
	if p.i >= len(p.lines) {
		return nil
	}
	return &p.lines[p.i]
}

// block reads the node made of the lines indented more than parent.
func (p *yamlParser) block(parent int) *yamlNode {
	p.steps++
	if p.steps > 1<<16 {
		return nil
	}
	l := p.peek()
	if l == nil || l.indent <= parent {
		return nil
	}
	ind := l.indent
	if strings.HasPrefix(l.text, "- ") || l.text == "-" {
		n := &yamlNode{line: l.n}
		for {
			l = p.peek()
			if l == nil || l.indent != ind || !(strings.HasPrefix(l.text, "- ") || l.text == "-") {
				return n
			}
			rest := strings.TrimSpace(strings.TrimPrefix(l.text, "-"))
			line := l.n
			if rest == "" {
				p.i++
				n.list = append(n.list, p.block(ind))
				continue
			}
			if _, _, ok := yamlKey(rest); ok {
				// "- key: value" starts a map whose other keys are indented
				// like key.
				sub := ind + 1 + (len(l.text) - 1 - len(strings.TrimLeft(l.text[1:], " ")))
				p.lines[p.i] = yamlLine{indent: sub, text: rest, raw: strings.TrimSpace(strings.TrimPrefix(l.raw, "-")), n: line}
				n.list = append(n.list, p.block(ind))
				continue
			}
			p.i++
			n.list = append(n.list, p.scalar(rest, strings.TrimSpace(strings.TrimPrefix(l.raw, "-")), ind, line))
		}
	}
	n := &yamlNode{isMap: true, m: map[string]*yamlNode{}, line: l.n}
	for {
		l = p.peek()
		if l == nil || l.indent < ind {
			return n
		}
		if l.indent > ind {
			p.i++ // stray deeper line: skip
			continue
		}
		k, v, ok := yamlKey(l.text)
		if !ok {
			p.i++
			continue
		}
		line := l.n
		raw := l.raw
		p.i++
		var val *yamlNode
		if v == "" {
			val = p.block(ind)
			if val == nil {
				// "key:\n- a" lists may sit at the key's own indentation
				if nl := p.peek(); nl != nil && nl.indent == ind && strings.HasPrefix(nl.text, "- ") {
					val = p.block(ind - 1)
				}
			}
		} else {
			_, rv, _ := yamlKey(raw)
			val = p.scalar(v, rv, ind, line)
		}
		if _, dup := n.m[k]; !dup {
			n.keys = append(n.keys, k)
		}
		n.m[k] = val
	}
}

// yamlKey splits "key: value" (the key may be quoted).
func yamlKey(s string) (string, string, bool) {
	if s == "" || s[0] == '[' || s[0] == '{' {
		return "", "", false
	}
	start := 0
	if s[0] == '"' || s[0] == '\'' {
		if k := strings.IndexByte(s[1:], s[0]); k >= 0 {
			start = k + 2
		}
	}
	i := strings.Index(s[start:], ":")
	for i >= 0 && start+i+1 < len(s) && s[start+i+1] != ' ' && s[start+i+1] != '\t' {
		j := strings.Index(s[start+i+1:], ":")
		if j < 0 {
			return "", "", false
		}
		i += j + 1
	}
	if i < 0 {
		return "", "", false
	}
	k := unquote(strings.TrimSpace(s[:start+i]))
	return k, strings.TrimSpace(s[start+i+1:]), k != ""
}

// scalar reads a value: a block scalar (| >), a flow list, a quoted or
// plain string. raw is the value with its comment (block scalar headers).
func (p *yamlParser) scalar(v, raw string, ind, line int) *yamlNode {
	switch {
	case strings.HasPrefix(v, "|") || strings.HasPrefix(v, ">"):
		fold := v[0] == '>'
		var parts []string
		bi := -1
		for p.i < len(p.lines) {
			l := p.lines[p.i]
			if l.raw != "" && l.indent <= ind {
				break
			}
			if bi < 0 && l.raw != "" {
				bi = l.indent
			}
			if l.raw == "" {
				parts = append(parts, "")
			} else {
				parts = append(parts, strings.Repeat(" ", max(l.indent-bi, 0))+l.raw)
			}
			p.i++
		}
		sep := "\n"
		if fold {
			sep = " "
		}
		return &yamlNode{scalar: strings.TrimRight(strings.Join(parts, sep), "\n "), line: line + 1}
	case strings.HasPrefix(v, "["):
		n := &yamlNode{line: line}
		inner := strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
		for _, it := range strings.Split(inner, ",") {
			if it = strings.TrimSpace(it); it != "" {
				n.list = append(n.list, &yamlNode{scalar: unquote(it), line: line})
			}
		}
		return n
	}
	return &yamlNode{scalar: unquote(v), line: line}
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
		if s != "" && strings.Contains(s, `\"`) {
			s = strings.ReplaceAll(s, `\"`, `"`)
		}
	}
	return s
}

// Taskfile is a parsed Taskfile.
type Taskfile struct {
	root  *yamlNode
	vars  map[string]string
	Parse []RecipeLine // vars computed by `sh:` while reading
}

// ParseTaskfile reads a Taskfile's text.
func ParseTaskfile(text string) *Taskfile {
	t := &Taskfile{root: parseYAML(text), vars: map[string]string{}}
	t.readVars(t.root.get("vars"), t.vars)
	t.readVars(t.root.get("env"), t.vars)
	return t
}

func (t *Taskfile) readVars(n *yamlNode, into map[string]string) {
	if n == nil || !n.isMap {
		return
	}
	for _, k := range n.keys {
		v := n.m[k]
		switch {
		case v == nil:
		case v.isMap && v.get("sh") != nil:
			cmd := v.get("sh").scalar
			t.Parse = append(t.Parse, RecipeLine{Text: cmd, Line: v.get("sh").line})
			into[k] = "$(" + cmd + ")"
		case !v.isMap && v.list == nil:
			into[k] = v.scalar
		}
	}
}

// template replaces {{.VAR}} with its value, or an unknown value.
func (t *Taskfile) template(s string, vars map[string]string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		k := strings.Index(s[i:], "}}")
		if k < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		e := strings.TrimSpace(s[i+2 : i+k])
		name := strings.TrimPrefix(e, ".")
		if v, ok := vars[name]; ok && shell.IsVarName(name) {
			b.WriteString(v)
		} else if name == "USER_WORKING_DIR" || name == "TASKFILE_DIR" || name == "ROOT_DIR" {
			b.WriteString("${PWD}")
		} else {
			b.WriteString("${__task_dynamic}")
		}
		s = s[i+k+2:]
	}
}

// TaskCmd is one command a task runs.
type TaskCmd struct {
	Task string
	Code string
	Line int
	Dir  string // the task's dir:, "" for the Taskfile's directory
}

// Run returns the commands `task NAMES` runs: deps first, then cmds (and
// the tasks they call), each task once.
func (t *Taskfile) Run(names []string, vars map[string]string) []TaskCmd {
	all := map[string]string{}
	for k, v := range t.vars {
		all[k] = v
	}
	for k, v := range vars {
		all[k] = v
	}
	tasks := t.root.get("tasks")
	if len(names) == 0 {
		names = []string{"default"}
	}
	var out []TaskCmd
	done := map[string]bool{}
	n := 0
	var visit func(name string, depth int)
	visit = func(name string, depth int) {
		tn := tasks.get(name)
		if tn == nil || done[name] || depth > 16 || n >= maxTargets {
			return
		}
		done[name] = true
		n++
		if !tn.isMap {
			// shorthand: `build: go build` or a list of commands
			for _, c := range append([]*yamlNode{tn}, tn.list...) {
				if c != nil && c.scalar != "" {
					out = append(out, TaskCmd{Task: name, Code: t.template(c.scalar, all), Line: c.line})
				}
			}
			return
		}
		local := all
		if tv := tn.get("vars"); tv != nil {
			local = map[string]string{}
			for k, v := range all {
				local[k] = v
			}
			t.readVars(tv, local)
		}
		dir := ""
		if d := tn.get("dir"); d != nil {
			dir = t.template(d.scalar, local)
		}
		if deps := tn.get("deps"); deps != nil {
			for _, d := range deps.list {
				if d == nil {
					continue
				}
				if d.isMap {
					if tk := d.get("task"); tk != nil {
						visit(tk.scalar, depth+1)
					}
				} else {
					visit(d.scalar, depth+1)
				}
			}
		}
		cmds := tn.get("cmds")
		if c := tn.get("cmd"); c != nil {
			cmds = &yamlNode{list: []*yamlNode{c}}
		}
		if cmds == nil {
			return
		}
		for _, c := range cmds.list {
			switch {
			case c == nil:
			case c.isMap && c.get("task") != nil:
				visit(c.get("task").scalar, depth+1)
			case c.isMap && c.get("cmd") != nil:
				cc := c.get("cmd")
				out = append(out, TaskCmd{Task: name, Code: t.template(cc.scalar, local), Line: cc.line, Dir: dir})
			case !c.isMap && c.scalar != "":
				out = append(out, TaskCmd{Task: name, Code: t.template(c.scalar, local), Line: c.line, Dir: dir})
			}
		}
	}
	for _, name := range names {
		visit(name, 0)
	}
	return out
}

// task reads the Taskfile and returns what the tasks run.
func (r *reader) task(ex Exec) []guards.Script {
	p, text, ok := r.projectFile(ex, "Taskfile.yml", "taskfile.yml", "Taskfile.yaml", "taskfile.yaml", "Taskfile.dist.yml", "taskfile.dist.yml")
	if !ok {
		return nil
	}
	tf := ParseTaskfile(text)
	var out []guards.Script
	for _, l := range tf.Parse {
		out = append(out, guards.Script{Lang: "sh", Code: l.Text, File: p, Line: l.Line, Label: "task (reading " + filepath.Base(p) + ")", Dir: ex.Dir})
	}
	for _, c := range tf.Run(ex.Targets, ex.Vars) {
		dir := ex.Dir
		if c.Dir != "" && !strings.Contains(c.Dir, "$") {
			dir = abs(c.Dir, ex.Dir, r.src.Home)
		}
		out = append(out, guards.Script{Lang: "sh", Code: c.Code, File: p, Line: c.Line, Label: "task " + c.Task, Dir: dir})
	}
	return out
}
