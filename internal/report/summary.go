package report

// The Summary sheet: the counts by status (or action) with what each
// means, the facts of the run, and a bar chart.

import (
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wpimport/wpimport/internal/validate"
)

// writeSummary writes the Summary sheet: a table of counts, the facts, and
// a chart of the counts.
func writeSummary(f *excelize.File, doc *Document, st *styles, made time.Time) error {
	const sh = "Summary"
	s := doc.Summary
	set := func(cell string, v any, style int) {
		f.SetCellValue(sh, cell, v)
		if style != 0 {
			f.SetCellStyle(sh, cell, cell, style)
		}
	}
	// wide writes a long text into the merged cells fromCol..K of row r,
	// wrapped, and makes the row tall enough (about 110 characters a line).
	wide := func(fromCol string, r int, text string) {
		from := fmt.Sprintf("%s%d", fromCol, r)
		f.MergeCell(sh, from, fmt.Sprintf("K%d", r))
		set(from, text, st.wrap)
		if lines := len(text)/110 + 1; lines > 1 {
			f.SetRowHeight(sh, r, float64(15*lines))
		}
	}
	f.SetColWidth(sh, "A", "A", 34)
	f.SetColWidth(sh, "B", "B", 14)
	f.SetColWidth(sh, "C", "K", 11)
	if err := pageSetup(f, sh, true, made); err != nil {
		return err
	}
	set("A1", s.Title, st.title)
	set("A2", doc.Source, 0)
	r := 2
	// table writes a two-column table of counts under a header, two rows
	// below the last one, and returns the rows of its counts.
	// table writes a table of counts under a header, two rows below the
	// last one, each label with its meaning when meaning says one, and
	// returns the rows of its counts.
	table := func(title, unit string, cs []Count, style func(label string) int, meaning func(string) string) (first, last int) {
		r += 2
		set(fmt.Sprintf("A%d", r), title, st.header)
		set(fmt.Sprintf("B%d", r), unit, st.header)
		if meaning != nil {
			set(fmt.Sprintf("C%d", r), "what it means", st.header)
			f.MergeCell(sh, fmt.Sprintf("C%d", r), fmt.Sprintf("K%d", r))
		}
		first = r + 1
		for _, c := range cs {
			r++
			set(fmt.Sprintf("A%d", r), c.Label, style(c.Label))
			set(fmt.Sprintf("B%d", r), c.Value, 0)
			if meaning != nil {
				wide("C", r, meaning(c.Label))
			}
		}
		return first, r
	}
	plain := func(string) int { return 0 }
	first, lastStatus := table("Status", "Rows", s.ByStatus, func(label string) int { return st.status[label] }, statusMeaning)
	r++
	set(fmt.Sprintf("A%d", r), "Total", st.bold)
	set(fmt.Sprintf("B%d", r), s.Rows, st.bold)
	actionFirst := 0
	if len(s.ByAction) > 0 {
		actionFirst, _ = table("Action", "Rows", s.ByAction, func(label string) int { return st.action[label] }, actionMeaning)
	}
	if len(s.ByIssue) > 0 {
		table("Issue code", "Count", CountsOf(s.ByIssue, nil), plain, func(code string) string { return validate.Codes[code] })
	}
	if len(s.FileIssues) > 0 {
		r += 2
		set(fmt.Sprintf("A%d", r), "About the whole file", st.header)
		set(fmt.Sprintf("B%d", r), "", st.header)
		set(fmt.Sprintf("C%d", r), "", st.header)
		for _, is := range s.FileIssues {
			r++
			set(fmt.Sprintf("A%d", r), is.Code, 0)
			set(fmt.Sprintf("B%d", r), string(is.Severity), 0)
			wide("C", r, is.Message)
		}
	}
	if len(s.Facts) > 0 {
		r += 2
		set(fmt.Sprintf("A%d", r), "Facts", st.header)
		set(fmt.Sprintf("B%d", r), "", st.header)
		for _, kv := range s.Facts {
			r++
			set(fmt.Sprintf("A%d", r), kv[0], st.bold)
			wide("B", r, kv[1])
		}
	}
	chartRows, chartFirst, chartLast, chartTitle := s.ByStatus, first, lastStatus, "Rows by status"
	if doc.Kind == "plan" && len(s.ByAction) > 0 {
		chartRows, chartFirst, chartLast, chartTitle = s.ByAction, actionFirst, actionFirst+len(s.ByAction)-1, "Rows by action"
	}
	if chartLast < chartFirst {
		return nil
	}
	// One series per bar, stacked, each filled with its label's colour:
	// viewers honour a series' fill, not every one a point's. The series
	// read a diagonal block of the counts beyond the printed area.
	const helperCol = 30 // AD
	var series []excelize.ChartSeries
	for i, c := range chartRows {
		colour := statusColours[c.Label]
		if colour == "" {
			colour = actionColours[c.Label]
		}
		if colour == "" {
			colour = "A6A6A6"
		}
		col, _ := excelize.ColumnNumberToName(helperCol + i)
		cell := fmt.Sprintf("%s%d", col, chartFirst+i)
		f.SetCellValue(sh, cell, c.Value)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$A$%d", sh, chartFirst+i),
			Categories: fmt.Sprintf("%s!$A$%d:$A$%d", sh, chartFirst, chartLast),
			Values:     fmt.Sprintf("%s!$%s$%d:$%s$%d", sh, col, chartFirst, col, chartLast),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}},
		})
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: fmt.Sprintf("'%s'!$A$1:$V$%d", sh, max(r, 30)), Scope: sh}); err != nil {
		return err
	}
	return f.AddChart(sh, "M4", &excelize.Chart{
		Type:       excelize.BarStacked,
		VaryColors: ptr(false),
		Series:     series,
		Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: chartTitle,
			Font: &excelize.Font{Bold: true, Size: 12, Color: "000000"}}}},
		Legend:   excelize.ChartLegend{Position: "none"},
		XAxis:    excelize.ChartAxis{Font: excelize.Font{Size: 10, Color: "000000"}},
		YAxis:    excelize.ChartAxis{Font: excelize.Font{Size: 10, Color: "000000"}, MajorGridLines: true},
		PlotArea: excelize.ChartPlotArea{ShowVal: true},
		Format:   excelize.GraphicOptions{ScaleX: 1.2, ScaleY: 1.2},
	})
}

func ptr[T any](v T) *T { return &v }

// statusMeaning and actionMeaning say what a status or an action means,
// for the Summary sheet.
func statusMeaning(s string) string {
	return map[string]string{
		"valid": "the row passed every check", "invalid": "the row has an error (see its issues): it is skipped until fixed",
		"planned": "the plan will make the change shown", "conflict": "the row matches two different accounts: nobody can tell which is meant; skipped",
		"created": "the account was created", "updated": "the account was changed", "reactivated": "the account was reactivated",
		"deactivated": "the account was deactivated", "deleted": "the account was deleted", "erased": "the account's personal data was erased",
		"unchanged": "the account already matched the row: nothing to do", "partial": "the main change was made; a phone, picture or manager step failed",
		"failed": "the change was refused or failed (see Failures)", "stale": "the account changed after the plan was made: skipped",
		"skipped": "the plan found the row invalid or conflicting", "not_attempted": "not tried (the run stopped or was interrupted): a rerun does it",
	}[s]
}

func actionMeaning(a string) string {
	return map[string]string{
		"create": "a new account", "update": "change the fields shown", "reactivate": "turn a deactivated account back on (and set its manager again)",
		"deactivate": "turn the account off (it keeps its data)", "delete": "delete a never-claimed account", "erase": "erase a deactivated account's personal data (IRREVERSIBLE)",
		"none": "nothing to change", "skip": "not planned: the row is invalid or conflicting",
	}[a]
}
