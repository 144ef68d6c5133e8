package scan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/report"
)

// Formats the report can be written in.
var Formats = []string{"text", "json", "sarif", "html"}

// Meta is what the output says about the run besides the findings.
type Meta struct {
	Version string          // bulwark's version
	FailOn  guards.Severity // the --fail-on threshold
	Color   bool            // text: ANSI colours
}

// Write writes the report in a format.
func Write(w io.Writer, r *Report, format string, m Meta) error {
	switch format {
	case "text":
		return WriteText(w, r, m)
	case "json":
		return WriteJSON(w, r, m)
	case "sarif":
		return WriteSARIF(w, r, m)
	case "html":
		return WriteHTML(w, r, m)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// severityPaint is the palette entry a severity is coloured with.
func severityPaint(s guards.Severity) string {
	switch s {
	case guards.Critical, guards.High:
		return "deny"
	case guards.Medium:
		return "warn"
	}
	return "ask"
}

// WriteText writes the findings for a person: grouped by file, each with
// its line, severity, rule, title, what was seen, why it matters and the fix.
func WriteText(w io.Writer, r *Report, m Meta) error {
	ew := &errWriter{w: w}
	scope := "the project"
	if r.Home {
		scope = "the project, your home and the machine's managed settings"
	}
	fmt.Fprintf(ew, "bulwark audit of %s (%s): %d files read\n", r.Dir, scope, len(r.Files))
	file := ""
	for _, f := range r.Findings {
		if f.File != file {
			file = f.File
			fmt.Fprintf(ew, "\n%s\n", report.Paint("id", f.File, m.Color))
		}
		where := "-"
		if f.Line > 0 {
			where = fmt.Sprintf("%d:%d", f.Line, f.Column)
		}
		sev := fmt.Sprintf("%-8s", f.Severity)
		fmt.Fprintf(ew, "  %-7s %s %s  %s\n", where, report.Paint(severityPaint(f.Severity), sev, m.Color), report.Paint("id", f.Rule, m.Color), f.Title)
		if f.Evidence != "" {
			fmt.Fprintf(ew, "          seen: %s", report.OneLine(f.Evidence, 200))
			if len(f.Via) > 0 {
				fmt.Fprintf(ew, "  (via %s)", report.OneLine(strings.Join(f.Via, " > "), 160))
			}
			fmt.Fprintln(ew)
		}
		fmt.Fprintf(ew, "          why:  %s\n", f.Message)
		fmt.Fprintf(ew, "          fix:  %s\n", f.Fix)
	}
	fmt.Fprintln(ew)
	fmt.Fprintln(ew, summaryLine(r, m))
	return ew.err
}

// summaryLine counts the findings and says what --fail-on makes of them.
func summaryLine(r *Report, m Meta) string {
	if len(r.Findings) == 0 {
		return fmt.Sprintf("no findings in %d files", len(r.Files))
	}
	c := r.Counts()
	var parts []string
	for s := guards.Critical; s >= guards.Low; s-- {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
		}
	}
	files := map[string]bool{}
	for _, f := range r.Findings {
		files[f.File] = true
	}
	return fmt.Sprintf("%d findings (%s) in %d of %d files; %d at or above --fail-on %s",
		len(r.Findings), strings.Join(parts, ", "), len(files), len(r.Files), r.AtLeast(m.FailOn), m.FailOn)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// jsonFinding is a finding in the JSON report.
type jsonFinding struct {
	Rule     string   `json:"rule"`
	Title    string   `json:"title"`
	Severity string   `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Evidence string   `json:"evidence"`
	Message  string   `json:"message"`
	Fix      string   `json:"fix"`
	Client   string   `json:"client,omitempty"`
	Scope    string   `json:"scope,omitempty"`
	Via      []string `json:"via,omitempty"`
}

type jsonFile struct {
	File   string `json:"file"`
	Client string `json:"client,omitempty"`
	Kind   string `json:"kind"`
	Scope  string `json:"scope,omitempty"`
}

// WriteJSON writes the report as one JSON object: the findings, the files
// read, and the counts per severity.
func WriteJSON(w io.Writer, r *Report, m Meta) error {
	out := struct {
		Version  int            `json:"version"`
		Tool     string         `json:"tool"`
		Bulwark  string         `json:"bulwark"`
		Dir      string         `json:"dir"`
		Home     bool           `json:"home"`
		FailOn   string         `json:"fail_on"`
		Failed   bool           `json:"failed"`
		Summary  map[string]int `json:"summary"`
		Findings []jsonFinding  `json:"findings"`
		Files    []jsonFile     `json:"files"`
	}{Version: 1, Tool: "bulwark audit", Bulwark: m.Version, Dir: r.Dir, Home: r.Home, FailOn: m.FailOn.String(),
		Failed: r.AtLeast(m.FailOn) > 0, Summary: map[string]int{"total": len(r.Findings)},
		Findings: []jsonFinding{}, Files: []jsonFile{}}
	c := r.Counts()
	for s := guards.Low; s <= guards.Critical; s++ {
		out.Summary[s.String()] = c[s]
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, jsonFinding{Rule: f.Rule, Title: f.Title, Severity: f.Severity.String(), File: f.File,
			Line: f.Line, Column: f.Column, Evidence: f.Evidence, Message: f.Message, Fix: f.Fix, Client: f.Client, Scope: f.Scope, Via: f.Via})
	}
	for _, f := range r.Files {
		out.Files = append(out.Files, jsonFile(f))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
