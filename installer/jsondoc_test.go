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
	// The settings files the clients' golden tests use are the seeds.
	seeds, _ := filepath.Glob("../clients/testdata/*/*.json")
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
