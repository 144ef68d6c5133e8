package scan

import (
	"html/template"
	"io"
	"sort"
	"sync"

	"github.com/bulwark-guard/bulwark/guards"
)

// WriteHTML writes the report as one self-contained HTML page (no scripts,
// no fonts, no requests: styles inline): a summary, the findings table, the
// rules that fired with their fixes, and the files read.
func WriteHTML(w io.Writer, r *Report, m Meta) error {
	type row struct {
		Finding
		Sev   string
		Where string
	}
	var rows []row
	for _, f := range r.Findings {
		where := f.File
		if f.Line > 0 {
			where = f.File + ":" + itoa(f.Line)
		}
		rows = append(rows, row{Finding: f, Sev: f.Severity.String(), Where: where})
	}
	var rules []Rule
	for _, ru := range r.Rules {
		rules = append(rules, ru)
	}
	sort.Slice(rules, func(i, j int) bool {
		if rules[i].Severity != rules[j].Severity {
			return rules[i].Severity > rules[j].Severity
		}
		return rules[i].ID < rules[j].ID
	})
	c := r.Counts()
	data := map[string]any{
		"Dir": r.Dir, "Home": r.Home, "Rows": rows, "Rules": rules, "Files": r.Files, "Version": m.Version,
		"Summary": summaryLine(r, m), "FailOn": m.FailOn.String(), "Failed": r.AtLeast(m.FailOn) > 0,
		"Counts": []struct {
			Sev string
			N   int
		}{{"critical", c[guards.Critical]}, {"high", c[guards.High]}, {"medium", c[guards.Medium]}, {"low", c[guards.Low]}},
	}
	return htmlPage().Execute(w, data)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// htmlPage is parsed on first use (no work at start-up: the hook links
// this package).
var htmlPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("audit").Parse(htmlSource))
})

const htmlSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>bulwark audit: {{.Dir}}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#1b1f24;background:#fff}
h1{font-size:1.4em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:2em}
.meta{color:#57606a}
.cards{display:flex;gap:.8em;margin:1em 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.5em 1em;min-width:6em;text-align:center}
.card b{display:block;font-size:1.6em}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #d0d7de;padding:.45em .6em;text-align:left;vertical-align:top}
th{background:#f6f8fa}
code,.ev{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
.ev{background:#f6f8fa;padding:.1em .3em;border-radius:3px;word-break:break-all}
.sev{font-weight:600;text-transform:uppercase;font-size:.8em;padding:.15em .5em;border-radius:3px;color:#fff;white-space:nowrap}
.sev-critical{background:#8b0000}.sev-high{background:#cf222e}.sev-medium{background:#bf8700}.sev-low{background:#57606a}
.why{color:#424a53}.fix{color:#1a7f37}
.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}
</style>
</head>
<body>
<h1>bulwark audit</h1>
<p class="meta">{{.Dir}}{{if .Home}} · with your home and the machine's managed settings{{end}}{{if .Version}} · bulwark {{.Version}}{{end}}</p>
<p id="summary" class="{{if .Failed}}bad{{else}}ok{{end}}">{{.Summary}}</p>
<div class="cards">{{range .Counts}}<div class="card"><b>{{.N}}</b><span class="sev sev-{{.Sev}}">{{.Sev}}</span></div>{{end}}</div>
<h2>Findings</h2>
{{if .Rows}}<table id="findings">
<thead><tr><th>Severity</th><th>Rule</th><th>Where</th><th>Finding</th></tr></thead>
<tbody>
{{range .Rows}}<tr class="finding" data-rule="{{.Rule}}" data-severity="{{.Sev}}">
<td><span class="sev sev-{{.Sev}}">{{.Sev}}</span></td>
<td><code>{{.Rule}}</code></td>
<td><code>{{.Where}}</code>{{if .Column}}<br><small>column {{.Column}}</small>{{end}}</td>
<td><b>{{.Title}}</b>{{if .Evidence}}<br><span class="ev">{{.Evidence}}</span>{{end}}{{if .Via}}<br><small>via {{range $i, $v := .Via}}{{if $i}} › {{end}}{{$v}}{{end}}</small>{{end}}
<div class="why">{{.Message}}</div><div class="fix">Fix: {{.Fix}}</div></td>
</tr>
{{end}}</tbody>
</table>{{else}}<p id="no-findings" class="ok">No findings.</p>{{end}}
{{if .Rules}}<h2>Rules that fired</h2>
<table id="rules"><thead><tr><th>Rule</th><th>Severity</th><th>Why</th><th>Fix</th></tr></thead><tbody>
{{range .Rules}}<tr><td><code>{{.ID}}</code><br>{{.Title}}</td><td><span class="sev sev-{{.Severity}}">{{.Severity}}</span></td><td>{{.Reason}}</td><td>{{.Instead}}</td></tr>
{{end}}</tbody></table>{{end}}
<h2>Files read</h2>
<table id="files"><thead><tr><th>File</th><th>Client</th><th>Kind</th><th>Scope</th></tr></thead><tbody>
{{range .Files}}<tr><td><code>{{.File}}</code></td><td>{{.Client}}</td><td>{{.Kind}}</td><td>{{.Scope}}</td></tr>
{{end}}</tbody></table>
</body>
</html>
`
