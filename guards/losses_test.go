package guards

import (
	"fmt"
	"strings"
	"testing"
)

// renderLosses is one line per effect: "op path [flags]".
func renderLosses(effs []Loss) string {
	var lines []string
	for _, e := range effs {
		s := e.Op.String() + " " + e.Path
		if e.Dest != "" {
			s += " -> " + e.Dest
		}
		var flags []string
		if e.Recursive {
			flags = append(flags, "r")
		}
		if e.Glob {
			flags = append(flags, "glob")
		}
		if e.Dynamic {
			flags = append(flags, "dyn")
		}
		if e.IntoDir {
			flags = append(flags, "into")
		}
		if e.Ambiguous {
			flags = append(flags, "ambiguous")
		}
		if len(e.Sources) > 0 {
			flags = append(flags, "from="+strings.Join(e.Sources, ","))
		}
		if e.Find != nil {
			flags = append(flags, "find="+strings.Join(e.Find, " "))
		}
		if e.Args != nil {
			flags = append(flags, "args="+strings.Join(e.Args, " "))
		}
		if len(flags) > 0 {
			s += " [" + strings.Join(flags, " ") + "]"
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "\n")
}

// The commands are test data for the analysis; nothing runs them.
func TestLosses(t *testing.T) {
	const cwd, home = "/w/proj", "/home/dev"
	tests := []struct{ cmd, want string }{
		// Deletes.
		{"rm -rf build/", "delete /w/proj/build [r]"},
		{"rm a.txt ../b.txt", "delete /w/proj/a.txt\ndelete /w/b.txt"},
		{"rm -- -weird", "delete /w/proj/-weird"},
		{"cd sub && rm -r x", "delete /w/proj/sub/x [r]"},
		{"rm *.log", "delete /w/proj/*.log [glob]"},
		{"rm -rf $DIR/cache", "delete $DIR/cache [r dyn]"},
		{"rmdir empty", "delete /w/proj/empty"},
		{"unlink f", "delete /w/proj/f"},
		{"rm ~/notes.txt", "delete /home/dev/notes.txt"},
		{"find . -name '*.log' -delete", "delete /w/proj [r find=-name *.log -delete]"},
		{"find build -type f -exec rm -f {} +", "delete /w/proj/build [r find=-type f -exec rm -f {} +]"},
		{"python3 -c \"import shutil; shutil.rmtree('out')\"", "delete /w/proj/out [r]"},
		{"node -e \"require('fs').rmSync('dist', {recursive: true, force: true})\"", "delete /w/proj/dist [r]"},
		{"rsync -a --delete src/ /backup/dst/", "replace /backup/dst [r]"},
		{"rsync -a --delete src/ host:/srv/dst/", ""},
		{"rsync -a --remove-source-files out/ /archive/", "delete /w/proj/out [r]"},
		// Discarded work.
		{"git reset --hard", "git-discard /w/proj"},
		{"git reset --hard HEAD~1", "git-discard /w/proj"},
		{"git reset HEAD~1", ""},
		{"git checkout -- src/a.go src/b.go", "git-discard /w/proj [args=src/a.go src/b.go]"},
		{"git checkout .", "git-discard /w/proj [ambiguous args=.]"},
		{"git checkout main", "git-discard /w/proj [ambiguous args=main]"},
		{"git checkout -b feature", ""},
		{"git -C sub restore README.md", "git-discard /w/proj/sub [args=README.md]"},
		{"git restore --staged README.md", ""},
		{"git restore --staged --worktree README.md", "git-discard /w/proj [args=README.md]"},
		{"git switch -f main", "git-discard /w/proj"},
		{"git clean -fdx", "git-clean /w/proj [args=-fdx]"},
		{"git clean -n", ""},
		{"git stash drop", "git-stash-drop /w/proj [args=stash@{0}]"},
		{"git stash drop stash@{2}", "git-stash-drop /w/proj [args=stash@{2}]"},
		{"git stash clear", "git-stash-drop /w/proj"},
		{"git stash pop", ""},
		{"git rm -f notes.txt", "git-discard /w/proj [args=notes.txt]"},
		{"git rm --cached notes.txt", ""},
		// Overwrites.
		{"echo hi > notes.txt", "overwrite /w/proj/notes.txt"},
		{"make 2> build.log", "overwrite /w/proj/build.log"},
		{"echo hi >> notes.txt", ""},
		{"cmd 2>/dev/null >&2", ""},
		{"cp a.txt b.txt", "overwrite /w/proj/b.txt [from=/w/proj/a.txt]"},
		{"cp -r src/ dst/", "overwrite /w/proj/dst [r from=/w/proj/src]"},
		{"cp -t out a b", "overwrite /w/proj/out [into from=/w/proj/a,/w/proj/b]"},
		{"cp -n a b", ""},
		{"install -m 0755 bin/tool /usr/local/bin/tool", "replace /usr/local/bin/tool [from=/w/proj/bin/tool]"},
		{"install -d /opt/x", ""},
		{"ln -sf target link", "replace /w/proj/link [from=/w/proj/target]"},
		{"ln -s target link", ""},
		{"truncate -s 0 app.log", "overwrite /w/proj/app.log"},
		{"sed -i 's/a/b/' x.conf y.conf", "replace /w/proj/x.conf\nreplace /w/proj/y.conf"},
		{"sed -i -e 's/a/b/' x.conf", "replace /w/proj/x.conf"},
		{"sed -i '' 's/a/b/' x.conf", "replace /w/proj/x.conf"},
		{"sed 's/a/b/' x.conf", ""},
		{"perl -pi -e 's/a/b/' x.conf", "replace /w/proj/x.conf"},
		{"gawk -i inplace '{print $1}' data.txt", "replace /w/proj/data.txt"},
		{"dd if=/dev/zero of=disk.img bs=1M count=1", "overwrite /w/proj/disk.img"},
		{"dd if=img of=/dev/sda", ""},
		{"go test ./... | tee test.log", "overwrite /w/proj/test.log"},
		{"tee -a log.txt", ""},
		{"shred -u secret.txt", "overwrite /w/proj/secret.txt"},
		{"python3 -c \"open('out.txt','w').write('x')\"", "overwrite /w/proj/out.txt"},
		// Moves.
		{"mv a.txt /tmp/", "replace /tmp [from=/w/proj/a.txt]\nmove /w/proj/a.txt -> /tmp [r]"},
		// Nothing destroyed, or nothing of this machine's.
		{"git status", ""},
		{"ls -la && cat README.md", ""},
		{"ssh host 'rm -rf /srv/app'", ""},
		{"docker exec web rm -rf /tmp/cache", ""},
		{"$CMD -rf build", ""},
	}
	for _, tt := range tests {
		act := &Action{Kind: KindShell, Event: PreToolUse, Tool: "Bash", Command: tt.cmd, Cwd: cwd, Home: home}
		if got := renderLosses(Losses(act)); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.cmd, indent(got), indent(tt.want))
		}
	}
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n     ") }

func TestLossesOfFileTools(t *testing.T) {
	act := &Action{Kind: KindWrite, Event: PreToolUse, Tool: "Write", Cwd: "/w", Paths: []PathRef{{Path: "/w/a.go", Access: AccessWrite}}}
	if got := renderLosses(Losses(act)); got != "overwrite /w/a.go" {
		t.Errorf("Write: %s", got)
	}
	read := &Action{Kind: KindRead, Event: PreToolUse, Tool: "Read", Cwd: "/w", Paths: []PathRef{{Path: "/w/a.go", Access: AccessRead}}}
	if got := Losses(read); len(got) != 0 {
		t.Errorf("Read: %v", got)
	}
	mcp := &Action{Kind: KindMCP, Event: PreToolUse, Tool: "mcp__fs__write_file", Cwd: "/w", Paths: []PathRef{{Path: "rel.txt", Access: AccessWrite}, {Path: "/abs.txt", Access: AccessWrite}}}
	if got := renderLosses(Losses(mcp)); got != "overwrite /abs.txt" {
		t.Errorf("MCP: %s", got)
	}
	// A script being written is not run now: its rm is no effect.
	script := &Action{Kind: KindWrite, Event: PreToolUse, Tool: "Write", Cwd: "/w", Paths: []PathRef{{Path: "/w/clean.sh", Access: AccessWrite}},
		Contents: []Content{{Path: "/w/clean.sh", Text: "#!/bin/sh\nrm -rf build\n"}}}
	if got := renderLosses(Losses(script)); got != "overwrite /w/clean.sh" {
		t.Errorf("script: %s", got)
	}
}

// The verdict carries the effects; a call that destroys nothing has none.
func TestVerdictLosses(t *testing.T) {
	e, _ := testEngine(t, `
family = "t"
title = "t"
[[guards]]
id = "t.x"
title = "x"
severity = "low"
on = "command"
commands = ["never-run-this"]
reason = "r"
instead = "i"
match = ["never-run-this"]
not_match = ["ls"]
`)
	v := e.Evaluate(&Action{Kind: KindShell, Event: PreToolUse, Tool: "Bash", Command: "rm -rf build", Cwd: "/w", Home: "/home/dev"})
	if len(v.Losses) != 1 || v.Losses[0].Path != "/w/build" {
		t.Errorf("effects %+v", v.Losses)
	}
	v = e.Evaluate(&Action{Kind: KindShell, Event: PreToolUse, Tool: "Bash", Command: "go test ./...", Cwd: "/w"})
	if len(v.Losses) != 0 {
		t.Errorf("effects %+v", v.Losses)
	}
}

func FuzzLosses(f *testing.F) {
	for _, s := range []string{"rm -rf build/", "cp -t d a b", "git -C x checkout -- y", "find . -name '*.o' -delete", "sed -i s/a/b/ f", "echo > f", "mv a /tmp", "rsync --delete a/ b/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		if len(cmd) > 4096 {
			return
		}
		act := &Action{Kind: KindShell, Event: PreToolUse, Command: cmd, Cwd: "/w", Home: "/home/u"}
		for _, e := range Losses(act) {
			if e.Op < LossDelete || e.Op > LossGitStashDrop {
				t.Fatalf("%q: op %d", cmd, e.Op)
			}
			if !e.Dynamic && !strings.HasPrefix(e.Path, "/") {
				t.Fatalf("%q: relative path %q not marked dynamic", cmd, e.Path)
			}
			_ = fmt.Sprint(e)
		}
	})
}
