package scan

import (
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
)

// WriteHTML writes the report as one self-contained HTML page (no scripts,
// no fonts, no requests: styles inline): a summary, the findings table, the
// rules that fired with their fixes, and the files read.
//
// The page is written by hand, every value through htmlText (the escaping
// html/template gives text and quoted attributes, which is every place a
// value goes here), not with html/template: the hook binary links this
// package, and html/template's package init (its tables, a regexp) would
// run on every tool call.
func WriteHTML(w io.Writer, r *Report, m Meta) error {
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
	var b strings.Builder
	t := func(v string) { htmlText(&b, v) }
	b.WriteString(htmlHead)
	b.WriteString("<title>bulwark audit: ")
	t(r.Dir)
	b.WriteString("</title>\n")
	b.WriteString(htmlStyle)
	b.WriteString("<body>\n<h1>bulwark audit</h1>\n<p class=\"meta\">")
	t(r.Dir)
	if r.Home {
		b.WriteString(" · with your home and the machine's managed settings")
	}
	if m.Version != "" {
		b.WriteString(" · bulwark ")
		t(m.Version)
	}
	b.WriteString("</p>\n<p id=\"summary\" class=\"")
	if r.AtLeast(m.FailOn) > 0 {
		b.WriteString("bad")
	} else {
		b.WriteString("ok")
	}
	b.WriteString("\">")
	t(summaryLine(r, m))
	b.WriteString("</p>\n<div class=\"cards\">")
	for _, s := range []guards.Severity{guards.Critical, guards.High, guards.Medium, guards.Low} {
		b.WriteString("<div class=\"card\"><b>")
		b.WriteString(strconv.Itoa(c[s]))
		b.WriteString("</b><span class=\"sev sev-")
		t(s.String())
		b.WriteString("\">")
		t(s.String())
		b.WriteString("</span></div>")
	}
	b.WriteString("</div>\n<h2>Findings</h2>\n")
	if len(r.Findings) > 0 {
		b.WriteString("<table id=\"findings\">\n<thead><tr><th>Severity</th><th>Rule</th><th>Where</th><th>Finding</th></tr></thead>\n<tbody>\n")
		for _, f := range r.Findings {
			sev := f.Severity.String()
			where := f.File
			if f.Line > 0 {
				where = f.File + ":" + strconv.Itoa(f.Line)
			}
			b.WriteString("<tr class=\"finding\" data-rule=\"")
			t(f.Rule)
			b.WriteString("\" data-severity=\"")
			t(sev)
			b.WriteString("\">\n<td><span class=\"sev sev-")
			t(sev)
			b.WriteString("\">")
			t(sev)
			b.WriteString("</span></td>\n<td><code>")
			t(f.Rule)
			b.WriteString("</code></td>\n<td><code>")
			t(where)
			b.WriteString("</code>")
			if f.Column != 0 {
				b.WriteString("<br><small>column ")
				b.WriteString(strconv.Itoa(f.Column))
				b.WriteString("</small>")
			}
			b.WriteString("</td>\n<td><b>")
			t(f.Title)
			b.WriteString("</b>")
			if f.Evidence != "" {
				b.WriteString("<br><span class=\"ev\">")
				t(f.Evidence)
				b.WriteString("</span>")
			}
			if len(f.Via) > 0 {
				b.WriteString("<br><small>via ")
				for i, v := range f.Via {
					if i > 0 {
						b.WriteString(" › ")
					}
					t(v)
				}
				b.WriteString("</small>")
			}
			b.WriteString("\n<div class=\"why\">")
			t(f.Message)
			b.WriteString("</div><div class=\"fix\">Fix: ")
			t(f.Fix)
			b.WriteString("</div></td>\n</tr>\n")
		}
		b.WriteString("</tbody>\n</table>")
	} else {
		b.WriteString("<p id=\"no-findings\" class=\"ok\">No findings.</p>")
	}
	b.WriteString("\n")
	if len(rules) > 0 {
		b.WriteString("<h2>Rules that fired</h2>\n<table id=\"rules\"><thead><tr><th>Rule</th><th>Severity</th><th>Why</th><th>Fix</th></tr></thead><tbody>\n")
		for _, ru := range rules {
			b.WriteString("<tr><td><code>")
			t(ru.ID)
			b.WriteString("</code><br>")
			t(ru.Title)
			b.WriteString("</td><td><span class=\"sev sev-")
			t(ru.Severity.String())
			b.WriteString("\">")
			t(ru.Severity.String())
			b.WriteString("</span></td><td>")
			t(ru.Reason)
			b.WriteString("</td><td>")
			t(ru.Instead)
			b.WriteString("</td></tr>\n")
		}
		b.WriteString("</tbody></table>")
	}
	b.WriteString("\n<h2>Files read</h2>\n<table id=\"files\"><thead><tr><th>File</th><th>Client</th><th>Kind</th><th>Scope</th></tr></thead><tbody>\n")
	for _, f := range r.Files {
		b.WriteString("<tr><td><code>")
		t(f.File)
		b.WriteString("</code></td><td>")
		t(f.Client)
		b.WriteString("</td><td>")
		t(f.Kind)
		b.WriteString("</td><td>")
		t(f.Scope)
		b.WriteString("</td></tr>\n")
	}
	b.WriteString("</tbody></table>\n</body>\n</html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// htmlText writes v escaped for HTML text and quoted attribute values as
// html/template escapes them there: & < > " ' + as character references,
// NUL as U+FFFD, everything else as it is.
func htmlText(b *strings.Builder, v string) {
	last := 0
	for i := 0; i < len(v); i++ {
		var rep string
		switch v[i] {
		case 0:
			rep = "\uFFFD"
		case '"':
			rep = "&#34;"
		case '&':
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		b.WriteString(v[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(v[last:])
}

const htmlHead = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
`

const htmlStyle = `<style>
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
`
