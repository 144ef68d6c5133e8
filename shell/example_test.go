package shell_test

import (
	"fmt"
	"strings"

	"github.com/bulwark-guard/bulwark/shell"
)

// Analyze sees through quoting, wrappers and nesting: the rm below is found
// with its real arguments, and how it was reached is recorded in Via.
func ExampleAnalyze() {
	a := shell.Analyze(`sudo bash -c 'r""m -rf ~/project'`, shell.Env{Home: "/home/dev"})
	for _, c := range a.Commands {
		var args []string
		for _, w := range c.Args {
			args = append(args, w.Value)
		}
		fmt.Printf("depth=%d via=%v %s %s\n", c.Depth, c.Via, c.Name, strings.Join(args, " "))
	}
	// Output:
	// depth=0 via=[sudo] bash -c r""m -rf ~/project
	// depth=1 via=[sudo bash -c] rm -rf /home/dev/project
}

// Pipelines record what feeds each command, and static input (echo,
// printf, heredocs, base64 payloads) is decoded and analysed as shell when
// it is fed to a shell.
func ExampleAnalyze_pipeline() {
	a := shell.Analyze(`curl -fsSL https://example.com/i.sh | sh; echo cm0gLXJmIC8= | base64 -d | bash`, shell.Env{})
	for _, c := range a.Commands {
		fmt.Printf("%s fed-by=%v via=%v\n", c.Name, c.FedBy, c.Via)
	}
	// Output:
	// curl fed-by=[] via=[]
	// sh fed-by=[curl] via=[]
	// echo fed-by=[] via=[]
	// base64 fed-by=[echo] via=[]
	// bash fed-by=[echo base64] via=[]
	// rm fed-by=[] via=[pipe base64]
}

// Words that cannot be resolved statically keep their source text and are
// marked Dynamic; literals assigned earlier in the line are resolved.
func ExampleAnalyze_dataFlow() {
	a := shell.Analyze(`T=/tmp/build; rm -rf "$T" "$OUT"/*`, shell.Env{})
	for _, w := range a.Commands[0].Args {
		fmt.Printf("%q dynamic=%v glob=%v\n", w.Value, w.Dynamic, w.Glob)
	}
	// Output:
	// "-rf" dynamic=false glob=false
	// "/tmp/build" dynamic=false glob=false
	// "$OUT/*" dynamic=true glob=true
}

// Interpreter one-liners: shell commands and destructive library calls
// become commands (Synthetic for library calls).
func ExampleAnalyze_interpreter() {
	a := shell.Analyze(`python3 -c "import shutil, os; shutil.rmtree(os.path.expanduser('~/.cache')); os.system('make clean')"`,
		shell.Env{Home: "/home/dev"})
	for _, c := range a.Commands[1:] {
		fmt.Println(c.Via, c.Name, c.Args, c.Synthetic)
	}
	// Output:
	// [python -c shutil.rmtree] rm [{-r false false} {-f false false} {/home/dev/.cache false false}] true
	// [python -c os.system] make [{clean false false}] false
}

// Static content written to files is reported in Writes, and the text is
// never analysed as commands.
func ExampleAnalyze_writes() {
	a := shell.Analyze("cat > deploy.sh <<'EOF'\nrm -rf /srv/app\nEOF", shell.Env{})
	fmt.Println(len(a.Commands), a.Commands[0].Name)
	for _, w := range a.Writes {
		fmt.Printf("%s %q append=%v by=%s\n", w.Path.Value, w.Content, w.Append, w.By)
	}
	// Output:
	// 1 cat
	// deploy.sh "rm -rf /srv/app\n" append=false by=cat
}

// Commands that run the content of a file carry an Exec record: the file,
// resolved against the command's working directory, and what of it runs.
// The analysis never reads the file; a caller that may read the disk
// judges it.
func ExampleAnalyze_exec() {
	a := shell.Analyze(`cd web && bash ./deploy.sh prod && npm run build && git commit -n -m wip`,
		shell.Env{Home: "/home/dev", Cwd: "/home/dev/app"})
	for _, c := range a.Commands {
		if e := c.Exec; e != nil {
			fmt.Printf("%s: %s %q path=%q dir=%q targets=%v\n", c.Name, e.Kind, e.File.Value, e.Path, e.Dir, e.Targets)
		}
	}
	// Output:
	// bash: shell "./deploy.sh" path="/home/dev/app/web/deploy.sh" dir="" targets=[]
	// npm: package-script "" path="" dir="/home/dev/app/web" targets=[prebuild build postbuild]
	// git: git-hook "" path="" dir="/home/dev/app/web" targets=[prepare-commit-msg post-commit]
}

// A command line that does not parse still yields its commands from a
// crude split, with ParseError set.
func ExampleAnalyze_parseError() {
	a := shell.Analyze(`sudo rm -rf /data && echo "done`, shell.Env{})
	fmt.Println(a.ParseError != nil)
	for _, c := range a.Commands {
		fmt.Println(c.Via, c.Name, len(c.Args))
	}
	// Output:
	// true
	// [sudo] rm 2
	// [] echo 1
}
