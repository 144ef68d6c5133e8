package guards

import (
	"strings"
	"testing"

	"github.com/bulwark-guard/bulwark/shell"
)

// TestPositionals: the operands the protected-set checks judge skip the
// values of the options that take one, as package commands lists them
// (the table is the one home of these facts: cp -t, unzip -d, scp -P,
// patch -d, perl -e CODE ...).
func TestPositionals(t *testing.T) {
	tests := []struct{ cmd, want string }{
		{"cp -t /dst a b", "a b"},
		{"cp --target-directory /dst a", "a"},
		{"cp --target-directory=/dst a", "a"},
		{"mv -S .bak a b", "a b"},
		{"install -m 0755 -o root bin /usr/local/bin", "bin /usr/local/bin"},
		{"rsync --partial-dir .p -e ssh a host:b", "a host:b"},
		{"scp -P 2222 -o BatchMode=yes a host:b", "a host:b"},
		{"unzip -d out a.zip", "a.zip"},
		{"cpio -D dir -F a.cpio", ""},
		{"patch -p 1 -d src -i fix.diff", ""},
		{"patch -p1 target", "target"},
		{"setfacl -m u:x:r file", "file"},
		{"perl -e 'print 1' file", "file"},
		{"ruby -r json -e 'p 1' data.json", "data.json"},
		{"awk -F : -v x=1 '{print}' /etc/passwd", "{print} /etc/passwd"},
		{"tar -x -f a.tar -T list", ""},
		{"git -C repo -c core.x=1 status", "status"},
		{"rm -rf -- -x", "-x"},
		{"chown -R u:g dir", "u:g dir"},
	}
	for _, tt := range tests {
		a := shell.Analyze(tt.cmd, shell.Env{Home: "/home/u", Cwd: "/w"})
		if len(a.Commands) != 1 {
			t.Fatalf("%s: %d commands", tt.cmd, len(a.Commands))
		}
		c := a.Commands[0]
		var got []string
		for _, w := range positionals(c.Name, c.Args) {
			got = append(got, w.Value)
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("positionals(%s) = %q, want %q", tt.cmd, got, tt.want)
		}
	}
}
