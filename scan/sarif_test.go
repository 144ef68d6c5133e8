package scan_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/bulwark-guard/bulwark/guards"
	"github.com/bulwark-guard/bulwark/scan"
)

// TestSARIFSchema validates the SARIF bulwark writes against the SARIF
// 2.1.0 JSON schema (testdata/sarif-schema-2.1.0.json, the OASIS errata01
// schema as published in oasis-tcs/sarif-spec, sarif-2.1/schema), with a
// JSON Schema validator, and checks what GitHub code scanning needs beyond
// the schema: every result's rule is listed with help text and a
// security-severity, and has a location with a line and a column.
func TestSARIFSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	// The validator really validates: a log with a result of the wrong
	// shape is refused.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": "not an object"}]}]}`))
	if schema.Validate(bad) == nil {
		t.Fatal("the schema accepts an invalid log")
	}
	for _, tc := range []struct {
		setup string
		home  bool
	}{{"risky", true}, {"risky", false}, {"clean", false}} {
		rep, _ := audit(t, tc.setup, tc.home)
		var b bytes.Buffer
		if err := scan.WriteSARIF(&b, rep, scan.Meta{Version: "1.2.3", FailOn: guards.Low}); err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s home=%v: not valid SARIF 2.1.0: %v", tc.setup, tc.home, err)
		}
		var log struct {
			Runs []struct {
				Tool struct {
					Driver struct {
						Rules []struct {
							ID         string
							Help       struct{ Text, Markdown string }
							Properties map[string]any
						}
					}
				}
				Results []struct {
					RuleID    string
					RuleIndex int
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI, URIBaseID string }
							Region           struct{ StartLine, StartColumn int }
						}
					}
				}
			}
		}
		if err := json.Unmarshal(b.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		run := log.Runs[0]
		for _, r := range run.Tool.Driver.Rules {
			if r.Help.Text == "" || r.Help.Markdown == "" || r.Properties["security-severity"] == nil {
				t.Errorf("rule %s lacks help or security-severity", r.ID)
			}
		}
		if len(run.Results) != len(rep.Findings) {
			t.Errorf("%d results for %d findings", len(run.Results), len(rep.Findings))
		}
		for _, res := range run.Results {
			if res.RuleIndex >= len(run.Tool.Driver.Rules) || run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
				t.Errorf("result %s: ruleIndex %d does not name its rule", res.RuleID, res.RuleIndex)
			}
			if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.Region.StartLine < 1 || res.Locations[0].PhysicalLocation.Region.StartColumn < 1 {
				t.Errorf("result %s: no line and column: %+v", res.RuleID, res.Locations)
			}
			al := res.Locations[0].PhysicalLocation.ArtifactLocation
			if al.URIBaseID == "%SRCROOT%" && (strings.HasPrefix(al.URI, "/") || strings.Contains(al.URI, "..")) {
				t.Errorf("result %s: %q is not relative to the project", res.RuleID, al.URI)
			}
		}
	}
}
