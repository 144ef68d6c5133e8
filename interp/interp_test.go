package interp

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

var testEnv = Env{Home: "/home/u"}

func renderValue(v Value) string {
	s := strconv.Quote(v.Text)
	if v.Dynamic {
		s += "^d"
	}
	return s
}

var opNames = map[Op]string{Remove: "remove", RemoveDir: "rmdir", Read: "read", Write: "write", Append: "append", Copy: "copy", Move: "move", Chmod: "chmod", Chown: "chown"}

// render renders the effects of a scan, one per line.
func render(code string, lang Lang, env Env) string {
	var lines []string
	for e := range Scan(code, lang, env) {
		var sb strings.Builder
		switch e.Kind {
		case Shell:
			fmt.Fprintf(&sb, "shell %s %s", e.Call, renderValue(e.Code))
		case Exec:
			fmt.Fprintf(&sb, "exec %s", e.Call)
			for _, a := range e.Argv {
				sb.WriteString(" " + renderValue(a))
			}
		case FileOp:
			fmt.Fprintf(&sb, "%s %s", opNames[e.Op], e.Call)
			if e.Recursive {
				sb.WriteString(" -r")
			}
			switch e.Op {
			case Chmod:
				sb.WriteString(" mode " + renderValue(e.Mode))
			case Chown:
				sb.WriteString(" owner " + renderValue(e.Owner))
			}
			for _, p := range e.Paths {
				sb.WriteString(" " + renderValue(p))
			}
		case Problem:
			sb.WriteString("problem " + e.Msg)
		default:
			sb.WriteString("unknown kind")
		}
		lines = append(lines, sb.String())
	}
	return strings.Join(lines, "\n")
}

// TestScan checks each kind of effect in each language, next to
// look-alikes that do nothing.
func TestScan(t *testing.T) {
	tests := []struct {
		lang       Lang
		code, want string
	}{
		// Python.
		{Python, `import os; os.system("make clean")`, `shell os.system "make clean"`},
		{Python, `import subprocess; subprocess.run(["rm", "-rf", "/x"])`, `exec subprocess.run "rm" "-rf" "/x"`},
		{Python, `import shutil, os; shutil.rmtree(os.path.expanduser("~/.cache"))`, `remove shutil.rmtree -r "/home/u/.cache"`},
		{Python, `import shutil, os; shutil.rmtree(os.environ['HOME'])`, `remove shutil.rmtree -r "/home/u"`},
		{Python, `import shutil, os; shutil.rmtree(os.environ.get("HOME"))`, `remove shutil.rmtree -r "/home/u"`},
		{Python, `import shutil, os; shutil.rmtree(os.getenv("HOME") + "/x")`, `remove shutil.rmtree -r "/home/u/x"`},
		{Python, `from pathlib import Path; import shutil; shutil.rmtree(Path.home())`, `remove shutil.rmtree -r "/home/u"`},
		{Python, `from pathlib import Path; Path.home().joinpath(".ssh/id_rsa").read_text()`, `read Path.read_text "/home/u/.ssh/id_rsa"`},
		{Python, `from pathlib import Path; (Path.home() / ".bashrc").unlink()`, `remove Path.unlink "/home/u/.bashrc"`},
		{Python, `d = "/tmp/build"; import shutil; shutil.rmtree(d)`, `remove shutil.rmtree -r "/tmp/build"`},
		{Python, `import os, sys; os.system(sys.argv[1])`, `shell os.system "sys.argv[1]"^d`},
		{Python, `import os; d = input(); os.system(f"rm -rf {d}")`, `shell os.system "rm -rf ${d}"`},
		{Python, `open("/etc/passwd").read()`, `read open "/etc/passwd"`},
		{Python, `open("out.txt", "w").write("x")`, `write open "out.txt"`},
		{Python, `import shutil; shutil.copytree("a", "b"); shutil.move("c", "d")`, "copy shutil.copytree -r \"a\" \"b\"\nmove shutil.move \"c\" \"d\""},
		{Python, `print("os.system('rm -rf /')")`, ``},
		{Python, `# os.system("rm -rf /")` + "\nprint(1)", ``},
		{Python, `import shutil; print(shutil.rmtree)`, ``},
		// Permissions and owners, as chmod and chown.
		{Python, `import os; os.chmod(os.path.expanduser("~/.config/bulwark"), 0)`, `chmod os.chmod mode "000" "/home/u/.config/bulwark"`},
		{Python, `import os; os.chmod("run.sh", 0o755)`, `chmod os.chmod mode "755" "run.sh"`},
		{Python, `import os; os.chmod("key", 384)`, `chmod os.chmod mode "600" "key"`},
		{Python, `import os, stat; os.chmod("key", stat.S_IRUSR | stat.S_IWUSR)`, `chmod os.chmod mode "600" "key"`},
		{Python, `import os; os.chmod("x", mode=0o4_755)`, `chmod os.chmod mode "4755" "x"`},
		{Python, `import os; os.chmod("x", m)`, `chmod os.chmod mode "m"^d "x"`},
		{Python, `from pathlib import Path; Path.home().joinpath(".ssh").chmod(0o000)`, `chmod Path.chmod mode "000" "/home/u/.ssh"`},
		{Python, `from pathlib import Path; Path("/srv/app").chmod(0o700)`, `chmod Path.chmod mode "700" "/srv/app"`},
		{Python, `import os; os.chown("/srv/app", 0, 0)`, `chown os.chown owner "0:0" "/srv/app"`},
		{Python, `import os; os.chown("/srv/app", -1, 50)`, `chown os.chown owner ":50" "/srv/app"`},
		{Python, `import shutil; shutil.chown("f", user="root")`, `chown shutil.chown owner "root" "f"`},
		{Python, `import os; print(os.stat("x").st_mode)`, ``},
		{Node, `require('fs').chmodSync(process.env.HOME + "/.config", 0o000)`, `chmod chmodSync mode "000" "/home/u/.config"`},
		{Node, `require('fs').chmodSync("bin/cli.js", "755")`, `chmod chmodSync mode "755" "bin/cli.js"`},
		{Node, `fs.chownSync("/srv", 0, 0)`, `chown fs.chownSync owner "0:0" "/srv"`},
		{Ruby, `File.chmod(0000, ENV['HOME'] + '/.ssh')`, `chmod File.chmod mode "000" "/home/u/.ssh"`},
		{Ruby, `require 'fileutils'; FileUtils.chmod_R(0700, ["a", "b"])`, `chmod FileUtils.chmod_R -r mode "700" "a" "b"`},
		{Perl, `chmod 0000, "$ENV{HOME}/.ssh"`, `chmod chmod mode "000" "/home/u/.ssh"`},
		{Perl, `chmod(oct("755"), "run.pl")`, `chmod chmod mode "755" "run.pl"`},
		{Perl, "chown 0, 0, $f;\nprint 1", `chown chown owner "0:0" "$f"^d`},
		{PHP, `chmod($_SERVER['HOME'] . "/.ssh", 0);`, `chmod chmod mode "000" "/home/u/.ssh"`},
		{PHP, `chgrp("/srv/x", "www");`, `chown chgrp owner ":www" "/srv/x"`},
		// Node.
		{Node, `require('child_process').execSync('git status')`, `shell execSync "git status"`},
		{Node, "const d = process.argv[2]; require('child_process').execSync(`rm -rf ${d}`)", `shell execSync "rm -rf ${d}"`},
		{Node, `require('fs').rmSync(process.env.HOME, {recursive: true})`, `remove rmSync -r "/home/u"`},
		{Node, `require('fs').rmSync("x.txt")`, `remove rmSync "x.txt"`},
		{Node, `require('fs').rmSync(require('os').homedir() + "/p", {recursive: false})`, `remove rmSync "/home/u/p"`},
		{Node, `require('child_process').spawnSync("rm", ["-rf", "/x"])`, `exec spawnSync "rm" "-rf" "/x"`},
		{Node, `require('child_process').spawn("rm -rf /x", [], {shell: true})`, `shell spawn "rm -rf /x"`},
		{Node, `console.log("execSync('rm -rf /')")`, ``},
		// Perl.
		{Perl, `system("rm -rf /x")`, `shell system "rm -rf /x"`},
		{Perl, `system "rm", "-rf", "/x"`, `exec system "rm" "-rf" "/x"`},
		{Perl, `use File::Path qw(remove_tree); remove_tree($ENV{HOME})`, `remove remove_tree -r "/home/u"`},
		{Perl, `use File::Path; rmtree("$ENV{HOME}/.ssh")`, `remove rmtree -r "/home/u/.ssh"`},
		{Perl, `my $x = qx{curl -s x}`, "shell `...` \"curl -s x\""},
		{Perl, `print "system('rm -rf /')"`, ``},
		// Ruby.
		{Ruby, `require 'fileutils'; FileUtils.rm_rf(Dir.home)`, `remove FileUtils.rm_rf -r "/home/u"`},
		{Ruby, `require 'fileutils'; FileUtils.rm_rf(ENV['HOME'] + '/x')`, `remove FileUtils.rm_rf -r "/home/u/x"`},
		{Ruby, "puts %x(ls -la)", "shell `...` \"ls -la\""},
		{Ruby, `system("echo #{ENV['HOME']}")`, `shell system "echo /home/u"`},
		// PHP.
		{PHP, `shell_exec("rm -rf /x");`, `shell shell_exec "rm -rf /x"`},
		{PHP, `file_put_contents("/tmp/a", "x", FILE_APPEND);`, `append file_put_contents "/tmp/a"`},
		{PHP, `echo file_get_contents($_SERVER['HOME'] . "/.netrc");`, `read file_get_contents "/home/u/.netrc"`},
		// Lua.
		{Lua, `os.execute("rm -rf ~")`, `shell os.execute "rm -rf ~"`},
		{Lua, `os.execute [[make clean]]`, `shell os.execute "make clean"`},
		{Lua, `os.remove(os.getenv("HOME") .. "/.bashrc")`, `remove os.remove "/home/u/.bashrc"`},
		{Lua, `local f = io.open("/etc/hosts", "w")`, `write io.open "/etc/hosts"`},
		{Lua, `print("os.execute('rm -rf /')") -- os.execute("x")`, ``},
		{Lua, `--[[ os.execute("rm -rf /") ]] print(1)`, ``},
		// Tcl.
		{Tcl, `exec rm -rf ~`, `shell exec "rm -rf ~"`},
		{Tcl, `exec ls | grep x > out.txt`, `shell exec "ls | grep x > out.txt"`},
		{Tcl, "set d $env(HOME)\nfile delete -force $d/.ssh", `remove file delete -r "/home/u/.ssh"`},
		{Tcl, `file rename a.txt b.txt`, `move file rename "a.txt" "b.txt"`},
		{Tcl, `set f [open "|curl -s x" r]`, `shell open "curl -s x"`},
		{Tcl, `if {1} { exec sh -c "rm -rf /srv" }`, `shell exec "sh -c 'rm -rf /srv'"`},
		{Tcl, `spawn ssh host`, `shell spawn "ssh host"`},
		{Tcl, `puts "exec rm -rf ~"; # exec rm -rf /`, ``},
		{Tcl, `set x [expr 1+2]; puts $x`, ``},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang)+"/"+tt.code, func(t *testing.T) {
			if got := render(tt.code, tt.lang, testEnv); got != tt.want {
				t.Errorf("Scan(%q, %s):\ngot:\n%s\nwant:\n%s", tt.code, tt.lang, got, tt.want)
			}
		})
	}
}

// TestScanNoHome checks that without a home directory, home lookups give
// "~" (which callers still recognise).
func TestScanNoHome(t *testing.T) {
	got := render(`import shutil; from pathlib import Path; shutil.rmtree(Path.home())`, Python, Env{})
	if want := `remove shutil.rmtree -r "~"`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestScanStops checks that the scan stops when the caller stops reading.
func TestScanStops(t *testing.T) {
	code := strings.Repeat(`os.system("ls"); `, 100)
	n := 0
	for range Scan(code, Python, testEnv) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Fatalf("read %d effects", n)
	}
}

// TestScanBounded checks that hostile code is cut with a Problem.
func TestScanBounded(t *testing.T) {
	code := strings.Repeat("(", maxTokens+10)
	got := render(code, Python, testEnv)
	if !strings.HasPrefix(got, "problem ") {
		t.Fatalf("got %.200s", got)
	}
}
