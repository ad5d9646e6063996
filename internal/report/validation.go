package report

import (
	"fmt"
	"strings"

	"github.com/wpimport/wpimport/internal/validate"
)

// FromValidation makes the document of a validation run.
func FromValidation(res *validate.Result) *Document {
	valid, invalid := res.Counts()
	src := res.Path
	if res.Sheet != "" {
		src = fmt.Sprintf("%s (sheet %q)", res.Path, res.Sheet)
	}
	doc := &Document{
		Kind:    "validation",
		Source:  src,
		Headers: res.Header.Headers(),
		Summary: Summary{
			Title:      "wpimport validation",
			Rows:       len(res.Rows),
			ByStatus:   CountsOf(map[string]int{"valid": valid, "invalid": invalid}, []string{"valid", "invalid"}),
			ByIssue:    res.IssueCounts(),
			FileIssues: res.FileIssues,
			Facts: Facts{
				{"file", res.Path},
				{"format", res.Format},
				{"sheet", res.Sheet},
				{"header row", fmt.Sprint(res.Header.Row)},
			},
		},
	}
	doc.Entries = func(yield func(*Entry) bool) {
		var e Entry
		var cells []string // reused: writers keep no entry past its yield
		for i := range res.Rows {
			row := &res.Rows[i]
			name, _ := validate.BuildName(&res.Header, &row.Record)
			status := "valid"
			if !row.Valid() {
				status = "invalid"
			}
			e = Entry{Row: row.Row, Key: res.Key(i), Name: name, Status: status, Issues: row.Issues}
			cells = row.AppendCells(cells[:0])
			e.Cells = cells
			if !yield(&e) {
				return
			}
		}
	}
	return doc
}

// AddPeopleSets adds a "People sets" sheet with each set's verdict.
func AddPeopleSets(doc *Document, sets *validate.PeopleSets) {
	if sets == nil {
		return
	}
	t := Table{Name: "People sets", Headers: []string{"people set", "rows", "status", "conditions", "issues"}, Widths: []float64{26, 12, 10, 60, 80}}
	for _, s := range sets.Sets {
		status := "valid"
		if !s.Valid() {
			status = "invalid"
		}
		var conds []string
		for _, c := range s.Conditions {
			conds = append(conds, fmt.Sprintf("%s %s %s", c.Field, c.Operator, strings.Join(c.Values, ";")))
		}
		if s.Delete {
			conds = append(conds, "(delete)")
		}
		t.Rows = append(t.Rows, []string{s.Name, joinInts(s.Rows), status, strings.Join(conds, " AND "), FormatIssues(s.Issues)})
	}
	doc.Tables = append(doc.Tables, t)
}
