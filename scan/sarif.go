package scan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bulwark-guard/bulwark/guards"
)

// Rule is what the report says about a guard that fired: for SARIF's rule
// metadata and the HTML report.
type Rule struct {
	ID       string
	Title    string
	Severity guards.Severity
	Reason   string // the guard's own reason (a finding's Message adds its detail)
	Instead  string
	Family   string
}

// sarif* are the parts of a SARIF 2.1.0 log bulwark writes (the schema's
// names; GitHub code scanning reads them).
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult               `json:"results"`
	ColumnKind         string                      `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifText       `json:"help"`
	DefaultConfiguration sarifConfig     `json:"defaultConfiguration"`
	Properties           sarifProperties `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifProperties struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"security-severity"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           *sarifRegion     `json:"region,omitempty"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int        `json:"startLine"`
	StartColumn int        `json:"startColumn,omitempty"`
	Snippet     *sarifText `json:"snippet,omitempty"`
}

// sarifLevel maps a severity to a SARIF level; security-severity (GitHub's
// 0-10 scale) keeps the four apart.
func sarifLevel(s guards.Severity) (string, string) {
	switch s {
	case guards.Critical:
		return "error", "9.5"
	case guards.High:
		return "error", "8.0"
	case guards.Medium:
		return "warning", "5.5"
	}
	return "note", "2.0"
}

// WriteSARIF writes the report as a SARIF 2.1.0 log for code scanning:
// one rule per guard that fired (with its reason and fix as help), one
// result per finding, located relative to the project (%SRCROOT%); files
// outside the project (--home) have absolute file: URIs.
func WriteSARIF(w io.Writer, r *Report, m Meta) error {
	var ids []string
	for id := range r.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := map[string]int{}
	rules := []sarifRule{}
	for i, id := range ids {
		ru := r.Rules[id]
		index[id] = i
		level, sec := sarifLevel(ru.Severity)
		help := ru.Reason + "\n\nFix: " + ru.Instead
		md := "**" + mdEscape(ru.Title) + "**\n\n" + mdEscape(ru.Reason) + "\n\n**Fix:** " + mdEscape(ru.Instead) +
			"\n\nSeverity: " + ru.Severity.String() + ". `bulwark explain " + ru.ID + "` says more."
		rules = append(rules, sarifRule{
			ID: id, Name: ruleName(id),
			ShortDescription:     sarifText{Text: ru.Title},
			FullDescription:      sarifText{Text: ru.Reason},
			Help:                 sarifText{Text: help, Markdown: md},
			DefaultConfiguration: sarifConfig{Level: level},
			Properties:           sarifProperties{Tags: []string{"security", ru.Family}, Precision: "high", SecuritySeverity: sec},
		})
	}
	results := []sarifResult{}
	// Fingerprints do not depend on where the project or home is, so that
	// code scanning matches a finding across runs and machines.
	var pairs []string
	if r.Dir != "" {
		pairs = append(pairs, r.Dir, "%SRCROOT%")
	}
	if r.HomeDir != "" {
		pairs = append(pairs, r.HomeDir, "~")
	}
	portable := strings.NewReplacer(pairs...)
	for _, f := range r.Findings {
		level, _ := sarifLevel(f.Severity)
		loc := sarifPhysical{ArtifactLocation: artifact(r.Dir, f)}
		line, col := f.Line, f.Column
		if line <= 0 {
			line, col = 1, 1 // a finding about the whole file: its first line
		}
		loc.Region = &sarifRegion{StartLine: line, StartColumn: max(col, 1)}
		if f.Evidence != "" {
			loc.Region.Snippet = &sarifText{Text: f.Evidence}
		}
		msg := f.Title + ": " + f.Message
		if f.Evidence != "" {
			msg += " (seen: " + f.Evidence + ")"
		}
		sum := sha256.Sum256([]byte(f.Rule + "\x00" + f.File + "\x00" + portable.Replace(f.Evidence)))
		results = append(results, sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: level, Message: sarifText{Text: msg},
			Locations:           []sarifLocation{{PhysicalLocation: loc}},
			PartialFingerprints: map[string]string{"bulwarkFinding/v1": hex.EncodeToString(sum[:16])},
		})
	}
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: "bulwark", InformationURI: "https://github.com/bulwark-guard/bulwark", Version: m.Version, Rules: rules}},
		Results:    results,
		ColumnKind: "unicodeCodePoints",
	}
	if r.Dir != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{"%SRCROOT%": {URI: fileURI(r.Dir) + "/"}}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

// artifact locates a finding's file: relative to the project when it is in
// it (how code scanning maps results to the repository), else absolute.
func artifact(dir string, f Finding) sarifArtifactLoc {
	if rel, ok := under(f.Path, dir); ok {
		return sarifArtifactLoc{URI: uriPath(filepath.ToSlash(rel)), URIBaseID: "%SRCROOT%"}
	}
	return sarifArtifactLoc{URI: fileURI(f.Path)}
}

func fileURI(p string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}

func uriPath(rel string) string {
	return (&url.URL{Path: rel}).EscapedPath()
}

// ruleName is a rule id as SARIF's PascalCase name: audit.mcp-unpinned ->
// AuditMcpUnpinned.
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		if r == '.' || r == '-' || r == '_' {
			up = true
			continue
		}
		if up && r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		up = false
		b.WriteRune(r)
	}
	return b.String()
}

func mdEscape(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s)
}
