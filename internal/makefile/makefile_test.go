package makefile

import (
	"fmt"
	"strings"
	"testing"
)

func ExampleFile_Run() {
	m := Parse("DIR = $(HOME)/project\nclean: prep\n\t@rm -rf $(DIR) $$HOME/.cache\nprep:\n\techo \"preparing $@\"\n")
	for _, l := range m.Run([]string{"clean"}, nil) {
		fmt.Printf("%d: %s\n", l.Line, l.Text)
	}
	// Output:
	// 5: echo "preparing prep"
	// 3: rm -rf ${HOME}/project $HOME/.cache
}

// render shows recipe lines as "FILE:LINE TEXT" (FILE "" for the file
// parsed).
func render(ls []Line) string {
	var out []string
	for _, l := range ls {
		out = append(out, fmt.Sprintf("%s:%d %s", l.File, l.Line, l.Text))
	}
	return strings.Join(out, "\n")
}

func TestRun(t *testing.T) {
	mk := "OUT ?= bin\nCC = gcc\n.PHONY: all\nall: build\nbuild: gen\n\t$(CC) -o $(OUT)/app $^\ngen:\n\tgo generate ./...\n%.o: %.c\n\t$(CC) -c $< -o $@ # $*\nobj: main.o\nnow := $(shell date)\nx: ; echo inline $(words a b) $(addprefix -I,a b)\n"
	tests := []struct {
		goals []string
		vars  map[string]string
		want  string
	}{
		{nil, nil, ":8 go generate ./...\n:6 gcc -o bin/app gen"},
		{[]string{"build"}, map[string]string{"OUT": "dist"}, ":8 go generate ./...\n:6 gcc -o dist/app gen"},
		{[]string{"obj"}, nil, ":10 gcc -c main.c -o main.o # main"},
		{[]string{"x"}, nil, ":13 echo inline ${__make_dynamic} -Ia -Ib"},
		{[]string{"missing"}, nil, ""},
	}
	for _, tt := range tests {
		m := Parse(mk)
		if got := render(m.Run(tt.goals, tt.vars)); got != tt.want {
			t.Errorf("Run(%q, %v):\n%s\nwant:\n%s", tt.goals, tt.vars, got, tt.want)
		}
		if len(m.Parse) != 1 || m.Parse[0].Text != "$(date)" || m.Parse[0].Line != 12 {
			t.Errorf("Parse = %+v, want $(date) at line 12", m.Parse)
		}
	}
}

// TestAll: every rule's recipe once, pattern rules last, with the
// command-line variables.
func TestAll(t *testing.T) {
	m := Parse("b:\n\trm -rf $(D)\na: b\n\techo $@\n%.x:\n\ttouch $@\n")
	want := ":2 rm -rf /srv\n:4 echo a\n:6 touch %.x"
	if got := render(m.All(map[string]string{"D": "/srv"})); got != want {
		t.Errorf("All:\n%s\nwant:\n%s", got, want)
	}
}

func TestHas(t *testing.T) {
	m := Parse("a:\n\techo a\n%.o: %.c\n\tcc $<\n%.d:\n")
	for target, want := range map[string]bool{"a": true, "x.o": true, "x.d": false, "b": false, ".PHONY": false} {
		if got := m.Has(target); got != want {
			t.Errorf("Has(%q) = %v, want %v", target, got, want)
		}
	}
}

// TestInclude: an included makefile adds the rules and variables the
// including one lacks (its own win), and its lines name the included
// file.
func TestInclude(t *testing.T) {
	m := Parse("X = main\ninclude inc.mk\nall: wipe\n\techo $(X) $(Y)\n")
	if len(m.Includes) != 1 || m.Includes[0] != "inc.mk" {
		t.Fatalf("Includes = %q", m.Includes)
	}
	m.Include(Parse("X = inc\nY = inc\nall:\n\techo never\nwipe:\n\trm -rf $(HOME)\nv := $(shell id)\n"), "/p/inc.mk")
	want := "/p/inc.mk:6 rm -rf ${HOME}\n:4 echo main inc"
	if got := render(m.Run([]string{"all"}, nil)); got != want {
		t.Errorf("Run:\n%s\nwant:\n%s", got, want)
	}
	if len(m.Parse) != 1 || m.Parse[0].File != "/p/inc.mk" || m.Parse[0].Line != 7 {
		t.Errorf("Parse = %+v", m.Parse)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("all: a b\n\techo $(X) $$y $(shell ls)\nX := $(HOME)/x\n%.o: %.c\n\tcc $<\ndefine V\nx\nendef\ninclude a.mk\n")
	f.Add("a:;b\nb::c|d\n\t$(call f,1,2)$(if $(X),y,z)$(patsubst %.c,%.o,$(S))")
	f.Add("$(\n\t$({\nx = $(x)\n")
	f.Add("X = $(X)$(X)$(X)$(X)\na:\n\t$(X)$(X)$(X)\n")
	f.Fuzz(func(t *testing.T, text string) {
		m := Parse(text)
		lines := m.Run(nil, map[string]string{"V": "1"})
		if len(lines) > maxTargets*len(text)+1 {
			t.Fatalf("%d recipe lines", len(lines))
		}
		m.All(nil)
	})
}

// TestExpansionBounded: self-doubling variables cannot blow up.
func TestExpansionBounded(t *testing.T) {
	m := Parse("X = $(X)$(X)$(X)$(X)\nY = $(Y)$(Y)\na:\n\t$(X)$(Y)\n")
	lines := m.Run(nil, nil)
	if len(lines) != 1 || len(lines[0].Text) > 4*maxExpandLen {
		t.Fatalf("expansion: %d lines, %d bytes", len(lines), len(lines[0].Text))
	}
}
