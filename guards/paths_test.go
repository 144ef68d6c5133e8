package guards

import "testing"

func TestNormalizePath(t *testing.T) {
	tests := []struct {
		p, cwd, home string
		dynamic      bool
		want         string
	}{
		{"~", "/x", "/home/u", false, "~"},
		{"~/", "/x", "", false, "~"},
		{"~/.ssh/../.ssh/id_rsa", "/x", "", false, "~/.ssh/id_rsa"},
		{"/home/u", "/x", "/home/u", false, "~"},
		{"/home/u/", "/x", "/home/u", false, "~"},
		{"/home/u/.aws/credentials", "/", "/home/u", false, "~/.aws/credentials"},
		{"..", "/home/u/proj", "/home/u", false, "~"},
		{"../..", "/home/u/proj", "/home/u", false, "/home"},
		{".git", "/home/u/proj", "/home/u", false, "~/proj/.git"},
		{"node_modules", "/srv/app", "/home/u", false, "/srv/app/node_modules"},
		{"/", "/x", "/home/u", false, "/"},
		{"/etc/", "/x", "/home/u", false, "/etc"},
		{"/Users/alice/Library", "/", "", false, "~/Library"},
		{"/root/.ssh/id_ed25519", "/", "", false, "~/.ssh/id_ed25519"},
		{"/home/*", "/", "", false, "/home/*"},
		{"$X", "/srv", "/home/u", true, "$X"},
		{"$X/y", "/srv", "/home/u", true, "$X/y"},
		{"/home/u/$X", "/srv", "/home/u", true, "~/$X"},
		{"rel", "", "", false, "rel"},
		{"/tmp/x", "/", "/", false, "/tmp/x"},
	}
	for _, tt := range tests {
		if got := NormalizePath(tt.p, tt.cwd, tt.home, tt.dynamic); got != tt.want {
			t.Errorf("NormalizePath(%q, %q, %q) = %q, want %q", tt.p, tt.cwd, tt.home, got, tt.want)
		}
	}
}

func TestRuneToByte(t *testing.T) {
	s := "a\xfdé b"
	// runes: a, \xfd, é, ' ', b
	for n, want := range []int{0, 1, 2, 4, 5, 6, 6} {
		if got := runeToByte(s, 0, n); got != want {
			t.Errorf("runeToByte(%q, 0, %d) = %d, want %d", s, n, got, want)
		}
	}
}
