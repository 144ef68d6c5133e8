package shell

import (
	"slices"
	"strings"
	"testing"
)

// find returns the first command named name (after the index from).
func findCmd(a *Analysis, name string) *Command {
	for i := range a.Commands {
		if a.Commands[i].Name == name {
			return &a.Commands[i]
		}
	}
	return nil
}

func argValues(c *Command) []string {
	var out []string
	for _, w := range c.Args {
		out = append(out, w.Value)
	}
	return out
}

// TestAnalyzeFields checks individual fields the guards rely on, each
// dangerous case next to a harmless look-alike.
func TestAnalyzeFields(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		env   Env
		check func(t *testing.T, a *Analysis)
	}{
		{"tilde kept without home", `X=~; rm -rf $X ~/x "$HOME" ${HOME}/y`, Env{}, func(t *testing.T, a *Analysis) {
			c := findCmd(a, "rm")
			if got := argValues(c); !slices.Equal(got, []string{"-rf", "~", "~/x", "~", "~/y"}) {
				t.Errorf("args %q", got)
			}
			for _, w := range c.Args {
				if w.Dynamic {
					t.Errorf("%q dynamic", w.Value)
				}
			}
		}},
		{"curl to bash is fed", `sudo curl -s https://x | sudo -E bash -s`, testEnv, func(t *testing.T, a *Analysis) {
			if c := findCmd(a, "bash"); c == nil || !slices.Equal(c.FedBy, []string{"curl"}) || c.StdinKnown {
				t.Errorf("bash: %+v", c)
			}
		}},
		{"curl to file is not fed to a shell", `curl -s https://x -o i.sh && less i.sh`, testEnv, func(t *testing.T, a *Analysis) {
			if c := findCmd(a, "less"); c == nil || len(c.FedBy) != 0 {
				t.Errorf("less: %+v", c)
			}
		}},
		{"static stdin known", `sh <<< 'echo hi'`, testEnv, func(t *testing.T, a *Analysis) {
			c := findCmd(a, "sh")
			if c == nil || !c.StdinKnown || c.Stdin != "echo hi\n" {
				t.Fatalf("sh: %+v", c)
			}
			if e := findCmd(a, "echo"); e == nil || e.Depth != 1 || !slices.Equal(e.Via, []string{"here-string"}) {
				t.Errorf("echo: %+v", e)
			}
		}},
		{"dynamic name", `"$EDITOR" file; $(which rm) -rf /`, testEnv, func(t *testing.T, a *Analysis) {
			if a.Commands[0].Name != "$EDITOR" || !a.Commands[0].NameDynamic {
				t.Errorf("first: %+v", a.Commands[0])
			}
			if c := findCmd(a, "rm"); c == nil || c.NameDynamic {
				t.Errorf("rm: %+v", c)
			}
		}},
		{"synthetic find delete", `find /var/log -name '*.gz' -delete`, testEnv, func(t *testing.T, a *Analysis) {
			c := findCmd(a, "rm")
			if c == nil || !c.Synthetic || !slices.Equal(c.Via, []string{"find -delete"}) ||
				!slices.Equal(argValues(c), []string{"-f", "/var/log/{}"}) {
				t.Errorf("rm: %+v", c)
			}
		}},
		{"find without delete is not rm", `find /var/log -name '*.gz' -print`, testEnv, func(t *testing.T, a *Analysis) {
			if findCmd(a, "rm") != nil {
				t.Error("unexpected rm")
			}
		}},
		{"writes append", `echo 'alias ls=rm' >> ~/.bashrc`, testEnv, func(t *testing.T, a *Analysis) {
			if len(a.Writes) != 1 || !a.Writes[0].Append || a.Writes[0].Path.Value != "/home/u/.bashrc" ||
				a.Writes[0].Content != "alias ls=rm\n" || a.Writes[0].By != "echo" {
				t.Errorf("writes: %+v", a.Writes)
			}
		}},
		{"redirect write flags", `sort < in > out 2>&1`, testEnv, func(t *testing.T, a *Analysis) {
			rs := a.Commands[0].Redirects
			if len(rs) != 3 || rs[0].Write || !rs[1].Write || rs[2].Write || rs[1].Target.Value != "out" {
				t.Errorf("redirects: %+v", rs)
			}
		}},
		{"compound redirect applies inside", `{ date; rm x; } >> /var/log/x`, testEnv, func(t *testing.T, a *Analysis) {
			c := findCmd(a, "rm")
			if c == nil || len(c.Redirects) != 1 || c.Redirects[0].Op != ">>" || !c.Redirects[0].Write {
				t.Errorf("rm: %+v", c)
			}
		}},
		{"cwd", `cd /srv/app && rm -rf build`, testEnv, func(t *testing.T, a *Analysis) {
			if c := findCmd(a, "rm"); c == nil || c.Cwd != "/srv/app" {
				t.Errorf("rm: %+v", c)
			}
		}},
		{"background", `sleep 10 & rm x`, testEnv, func(t *testing.T, a *Analysis) {
			if !a.Commands[0].Background || a.Commands[1].Background {
				t.Errorf("%+v", a.Commands)
			}
		}},
		{"depth exceeded", strings.Repeat("eval ", MaxDepth+2) + "rm x", testEnv, func(t *testing.T, a *Analysis) {
			if !a.DepthExceeded || findCmd(a, "rm") != nil {
				t.Errorf("depth: %v", render(a, false))
			}
		}},
		{"depth not exceeded", strings.Repeat("eval ", MaxDepth) + "rm x", testEnv, func(t *testing.T, a *Analysis) {
			if a.DepthExceeded || findCmd(a, "rm") == nil || findCmd(a, "rm").Depth != MaxDepth {
				t.Errorf("depth: %v", render(a, false))
			}
		}},
		{"nested parse problem", `bash -c 'echo "x'`, testEnv, func(t *testing.T, a *Analysis) {
			if a.ParseError != nil || len(a.Problems) != 1 || findCmd(a, "echo") == nil {
				t.Errorf("%v", render(a, false))
			}
		}},
		{"assigns", `env -i PATH=/bin LANG=C make`, testEnv, func(t *testing.T, a *Analysis) {
			c := findCmd(a, "make")
			if c == nil || c.Assigns["PATH"] != "/bin" || c.Assigns["LANG"] != "C" {
				t.Errorf("make: %+v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, Analyze(tt.src, tt.env))
		})
	}
}
