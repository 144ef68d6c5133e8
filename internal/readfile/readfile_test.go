package readfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestRegular(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path  string
		limit int64
		want  string
		err   error
	}{
		{p, 100, "0123456789", nil},
		{p, 4, "0123", nil},
		{p, 0, "", nil},
		{empty, 10, "", nil},
		{dir, 10, "", ErrNotRegular},
		{filepath.Join(dir, "missing"), 10, "", fs.ErrNotExist},
	}
	for _, tt := range tests {
		got, err := Regular(tt.path, tt.limit)
		if string(got) != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("Regular(%s, %d) = %q, %v; want %q, %v", filepath.Base(tt.path), tt.limit, got, err, tt.want, tt.err)
		}
	}
}
