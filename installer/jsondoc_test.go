package installer

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzDocumentRoundTrip: whatever parses re-encodes to the same document
// (literal for literal), the canonical encoding is a fixed point, and the
// encoding means the same to encoding/json as the input did.
func FuzzDocumentRoundTrip(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/*.json")
	for _, s := range seeds {
		data, _ := os.ReadFile(s)
		f.Add(data)
	}
	f.Add([]byte(`{"a":[{},[],"\u00e9\/",-0.0e+1,true,null],"a":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseDocument(data)
		if err != nil {
			return
		}
		enc := doc.Encode()
		doc2, err := ParseDocument(enc)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", enc, err)
		}
		if !Equal(doc, doc2) {
			t.Fatalf("round trip changed the document:\n%s\n%s", data, enc)
		}
		if !bytes.Equal(doc2.Encode(), enc) {
			t.Fatalf("canonical encoding is not a fixed point")
		}
		if len(bytes.TrimSpace(data)) == 0 {
			return
		}
		var a, b any
		if json.Unmarshal(data, &a) == nil && json.Unmarshal(enc, &b) == nil && !reflect.DeepEqual(a, b) {
			t.Fatalf("meaning changed:\n%s\n%s", data, enc)
		}
	})
}

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
		c := Clients[int(which)%len(Clients)]
		orig, err := ParseDocument(data)
		if err != nil || len(FindHandlers(c, orig)) > 0 || len(bytes.TrimSpace(data)) == 0 {
			return
		}
		got, rec, err := Install(c, data, optsFor(c), nil)
		if err != nil {
			return
		}
		back, err := Uninstall(c, got, rec)
		if err != nil {
			t.Fatalf("uninstall: %v", err)
		}
		doc, err := ParseDocument(back)
		if err != nil || !Equal(doc, orig) {
			t.Fatalf("not restored:\n%s\n---\n%s", data, back)
		}
		canon := append(orig.Encode(), '\n')
		if bytes.Equal(data, canon) && !bytes.Equal(back, data) {
			t.Fatalf("canonical input not restored byte for byte")
		}
	})
}
