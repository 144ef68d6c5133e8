package redact

import "testing"

func TestFirstBytes(t *testing.T) {
	for _, tt := range []struct {
		expr     string
		yes, not string
	}{
		{`ghp_[a-z]+`, "g", "Gh_x"},
		{`(?i)password`, "pP", "aq"},
		{`(?:AKIA|ASIA)[A-Z]`, "A", "aBk"},
		{`(?i)(?:proxy-)?authorization`, "pPaA", "xz"},
		{`(?:^|[^0-9])x`, "x-_ a", "0123456789"}, // the class can start it (and ^ lets x)
		{`[0-9]*:AA`, "0:9", "A"},
		{`(?i)k`, "kK\xe2", "j"}, // K folds to the Kelvin sign U+212A
		{`\bx`, "x", "y"},
		{`a?`, "abc\x00\xff", ""}, // can match empty: every byte
	} {
		set := firstBytes(tt.expr)
		for i := 0; i < len(tt.yes); i++ {
			if !set.has(tt.yes[i]) {
				t.Errorf("%s: %q should be able to start a match", tt.expr, tt.yes[i])
			}
		}
		for i := 0; i < len(tt.not); i++ {
			if set.has(tt.not[i]) {
				t.Errorf("%s: %q cannot start a match", tt.expr, tt.not[i])
			}
		}
	}
}
