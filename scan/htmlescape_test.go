package scan

import (
	"html/template"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestHTMLTextEscapesAsHTMLTemplate: the page's hand-written escaping is
// html/template's, in the contexts the page puts values (text, a quoted
// attribute, the title), for plain, hostile and invalid UTF-8 text.
func TestHTMLTextEscapesAsHTMLTemplate(t *testing.T) {
	tpl := template.Must(template.New("x").Parse(`<title>{{.}}</title><p class="a {{.}}">{{.}}</p>`))
	inputs := []string{"", "plain", `<script>alert("x")</script>`, "a & b ' c + d > e", "\x00nul", "ünïcødé › ok",
		"\xff\xfe broken \xc3", "\ufdd0\uffff", `"'` + "`=", "{{.}}", "</title><script>"}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("<>&'\"+\x00 a\xc3\xa9\xff`=/")
	for i := 0; i < 2000; i++ {
		b := make([]byte, r.IntN(12))
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		inputs = append(inputs, string(b))
	}
	for _, v := range inputs {
		var want strings.Builder
		if err := tpl.Execute(&want, v); err != nil {
			t.Fatal(err)
		}
		var e strings.Builder
		htmlText(&e, v)
		got := "<title>" + e.String() + `</title><p class="a ` + e.String() + `">` + e.String() + "</p>"
		if got != want.String() {
			t.Fatalf("%q: escaped as\n%s\nhtml/template gives\n%s", v, got, want.String())
		}
	}
}
