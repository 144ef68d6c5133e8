package interp_test

import (
	"fmt"

	"github.com/bulwark-guard/bulwark/interp"
)

// Scan reports, in source order, the shell code a one-liner runs, the
// programs it executes and the files its library calls remove or read,
// with the home directory resolved however the language spells it.
func ExampleScan() {
	code := `import os, shutil; shutil.rmtree(os.environ['HOME'] + '/.cache'); os.system('make clean')`
	for e := range interp.Scan(code, interp.Python, interp.Env{Home: "/home/dev"}) {
		switch e.Kind {
		case interp.Shell:
			fmt.Printf("%s runs shell code %q\n", e.Call, e.Code.Text)
		case interp.FileOp:
			fmt.Printf("%s removes %s (recursive %v)\n", e.Call, e.Paths[0].Text, e.Recursive)
		}
	}
	// Output:
	// shutil.rmtree removes /home/dev/.cache (recursive true)
	// os.system runs shell code "make clean"
}
