package report

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bulwark-guard/bulwark/audit"
)

// Table prints audit records one per line, in aligned columns: time,
// action, tool, the guards that fired, and the preview of the call. Every
// field is masked, made one line and stripped of control characters (a log
// is data, never escape sequences).
type Table struct {
	W     io.Writer
	Color bool
	Loc   *time.Location // nil: local time

	action      int // column widths
	tool, guard int
	fixed       bool // widths are kept: longer values are cut
}

// Column limits.
const (
	maxAction  = 7 // "approve"
	maxTool    = 24
	maxGuards  = 40
	maxPreview = 120
	// Following a log, rows come one at a time and the widths cannot grow
	// with them: they are at least these, and longer values are cut.
	followTool  = 12
	followGuard = 32
)

// Size fits the tool and guard columns to recs.
func (t *Table) Size(recs []audit.Record) {
	t.action, t.tool, t.guard = 5, 4, 6
	for i := range recs {
		t.action = max(t.action, utf8.RuneCountInString(audit.Preview(recs[i].Action, maxAction)))
		t.tool = max(t.tool, utf8.RuneCountInString(audit.Preview(recs[i].Tool, maxTool)))
		t.guard = max(t.guard, utf8.RuneCountInString(guardList(&recs[i], maxGuards)))
	}
}

// Keep fixes the column widths from here on (after Size, for the rows still
// to come when following a log): at least the follow widths, and values
// longer than a column are cut so every row stays aligned.
func (t *Table) Keep() {
	t.action, t.tool, t.guard = maxAction, max(t.tool, followTool), max(t.guard, followGuard)
	t.fixed = true
}

// Row prints one record.
func (t *Table) Row(r *audit.Record) {
	loc := t.Loc
	if loc == nil {
		loc = time.Local
	}
	aw := max(t.action, 5)
	action := audit.Preview(r.Action, aw)
	pad := strings.Repeat(" ", max(0, aw-utf8.RuneCountInString(action)))
	switch r.Action {
	case audit.ActionAllow, audit.ActionWarn, audit.ActionAsk, audit.ActionDeny, audit.ActionFlag, audit.ActionApprove:
		action = Paint(action, action, t.Color)
	}
	toolMax, guardMax := maxTool, maxGuards
	if t.fixed {
		toolMax, guardMax = t.tool, t.guard
	}
	tool := audit.Preview(r.Tool, toolMax)
	if tool == "" {
		tool = "-"
	}
	line := fmt.Sprintf("%s  %s%s  %s  %s  %s",
		r.Time.In(loc).Format("2006-01-02 15:04:05"),
		action, pad,
		padRight(tool, t.tool),
		padRight(guardList(r, guardMax), t.guard),
		audit.Preview(r.Preview, maxPreview))
	fmt.Fprintln(t.W, strings.TrimRight(line, " "))
}

// guardList is the guards that fired, comma-separated, at most n runes.
func guardList(r *audit.Record, n int) string {
	if len(r.Guards) == 0 {
		return "-"
	}
	ids := make([]string, len(r.Guards))
	for i, g := range r.Guards {
		ids[i] = g.ID
	}
	return audit.Preview(strings.Join(ids, ","), n)
}

func padRight(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-utf8.RuneCountInString(s)))
}
