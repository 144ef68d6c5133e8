package clients

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/bulwark-guard/bulwark/installer"
)

// FuzzInstallUninstall: for any settings document without bulwark entries
// that install accepts, install then uninstall (with the record) gives the
// original document back, and in the canonical layout the original bytes.
func FuzzInstallUninstall(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.json")
	for _, s := range seeds {
		data, _ := os.ReadFile(s)
		f.Add(data, uint8(0))
	}
	f.Add([]byte(`{"hooks":{"PreToolUse":[]},"permissions":{"deny":["Bash"]}}`), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		c := All()[int(which)%len(All())]
		orig, err := installer.ParseDocument(data)
		if err != nil || len(installer.FindHandlers(c.Spec, orig)) > 0 || len(bytes.TrimSpace(data)) == 0 {
			return
		}
		got, rec, err := installer.Install(c.Spec, data, optsFor(c), nil)
		if err != nil {
			return
		}
		back, err := installer.Uninstall(c.Spec, got, rec)
		if err != nil {
			t.Fatalf("uninstall: %v", err)
		}
		doc, err := installer.ParseDocument(back)
		if err != nil || !installer.Equal(doc, orig) {
			t.Fatalf("not restored:\n%s\n---\n%s", data, back)
		}
		canon := append(orig.Encode(), '\n')
		if bytes.Equal(data, canon) && !bytes.Equal(back, data) {
			t.Fatalf("canonical input not restored byte for byte")
		}
	})
}
