package shell

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/commands"
)

func xwords(ws ...string) []xword {
	out := make([]xword, len(ws))
	for i, w := range ws {
		out[i].Value = w
		if strings.HasPrefix(w, "$") {
			out[i].Dynamic = true
		}
	}
	return out
}

// renderOpts renders what scanOpts reports: -x, -x=VAL, --long=VAL, +x,
// @operand, and |N for the returned index.
func renderOpts(spec *commands.Spec, args ...string) string {
	var parts []string
	n := scanOpts(xwords(args...), spec, func(o opt) bool {
		var s string
		switch {
		case o.operand:
			s = "@" + args[o.i]
		case o.long != "":
			s = "--" + o.long
		case o.plus:
			s = "+" + string(o.short)
		default:
			s = "-" + string(o.short)
		}
		if o.hasVal {
			s += "=" + o.val.Value
			if o.valIdx >= 0 {
				s += fmt.Sprintf("(%d)", o.valIdx)
			}
		}
		parts = append(parts, s)
		return true
	})
	return strings.Join(parts, " ") + fmt.Sprintf(" |%d", n)
}

func TestScanOpts(t *testing.T) {
	sudo := commands.Lookup("sudo")
	tests := []struct {
		spec *commands.Spec
		args []string
		want string
	}{
		{sudo, []string{"-u", "root", "rm"}, "-u=root(1) |2"},
		{sudo, []string{"-uroot", "rm"}, "-u=root |1"},
		{sudo, []string{"-nEu", "root", "rm"}, "-n -E -u=root(1) |2"},
		{sudo, []string{"--user=bob", "--chdir", "/tmp", "rm"}, "--user=bob --chdir=/tmp(2) |3"},
		{sudo, []string{"--preserve-env", "rm"}, "--preserve-env |1"},
		{sudo, []string{"--", "-rm"}, " |1"},
		{sudo, []string{"-"}, " |0"},
		{sudo, []string{"$X", "-u", "x"}, " |0"},
		{sudo, []string{"-u"}, "-u |1"},
		{nil, []string{"-abc", "x"}, "-a -b -c |1"},
		{commands.Lookup("xargs"), []string{"-i", "-I{}", "-0r", "-n5", "echo"}, "-i -I={} -0 -r -n=5 |4"},
		{commands.Lookup("xargs"), []string{"-iX", "--replace", "--replace=Y", "cmd"}, "-i=X --replace --replace=Y |3"},
		{commands.Lookup("bash"), []string{"-euo", "pipefail", "+x", "-c", "code"}, "-e -u -o=pipefail(1) +x -c |4"},
		{commands.Lookup("bash"), []string{"--rcfile", "f", "-lc", "code"}, "--rcfile=f(1) -l -c |3"},
		{commands.Lookup("tar"), []string{"xzf", "a.tar", "-C", "dir", "m1", "--", "-m2"}, "-x -z -f=a.tar(1) -C=dir(3) @m1 |6"},
		{commands.Lookup("tar"), []string{"-cfC", "x", "$D"}, "-c -f=C @x @$D |3"},
		{commands.Lookup("docker run"), []string{"--rm", "-it", "--name", "x", "-v/a:/b", "-w/app", "img", "sh"}, "--rm -i -t --name=x(3) -v=/a:/b -w=/app |6"},
		{commands.Lookup("perl"), []string{"-MFile::Path=remove_tree", "-le", "code", "x"}, "-M=File::Path=remove_tree -l -e=code(2) |3"},
		{commands.Lookup("python"), []string{"-Wignore", "-c", "code", "-x"}, "-W=ignore -c=code(2) -x |4"},
		{commands.Lookup("su"), []string{"-", "root", "-c", "id"}, "@- @root -c=id(3) |4"},
	}
	for _, tt := range tests {
		name := "nil"
		if tt.spec != nil {
			name = tt.spec.Name
		}
		if got := renderOpts(tt.spec, tt.args...); got != tt.want {
			t.Errorf("%s %q:\n got %s\nwant %s", name, tt.args, got, tt.want)
		}
	}
}

func TestScanOptsStops(t *testing.T) {
	n := 0
	i := scanOpts(xwords("-a", "-b", "-c", "x"), nil, func(o opt) bool {
		n++
		return o.short != 'b'
	})
	if n != 2 || i != 1 {
		t.Fatalf("stopped after %d options at %d", n, i)
	}
}
