package report

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/rostergen"
	"github.com/wpimport/wpimport/internal/target"
	"github.com/wpimport/wpimport/internal/testkit"
)

// BenchmarkResultsWorkbook100k writes the results of a 100k-row apply
// (15 original columns, 1% failures) as xlsx.
func BenchmarkResultsWorkbook100k(b *testing.B) {
	const n = 100_000
	path, err := rostergen.Cached("csv", n)
	if err != nil {
		b.Fatal(err)
	}
	res := testkit.Validate(b, path)
	p := &plan.Plan{Roster: plan.RosterInfo{Path: path, Header: res.Header.Headers()}}
	out := map[int]*execute.Outcome{}
	for i := range res.Rows {
		id := i + 1
		name := fmt.Sprint("Person ", i)
		after := &target.Account{Name: target.Name{Formatted: name}, ExternalID: rostergen.ExternalID(i), Title: "Engineer", Active: true}
		p.Changes = append(p.Changes, plan.Change{ID: id, Kind: plan.KindAccount, Action: plan.Create, Cause: plan.CauseRoster, Row: res.Rows[i].Row,
			Key: after.ExternalID, Name: name, After: after, Fields: []roster.Field{roster.Name, roster.ExternalID, roster.Title}})
		p.Rows = append(p.Rows, plan.RowEntry{Row: res.Rows[i].Row, Key: after.ExternalID, Name: name, Action: plan.Create, Status: plan.Planned, Change: id})
		o := &execute.Outcome{Change: id, Kind: plan.KindAccount, Status: plan.Created, ObjectID: fmt.Sprint(100000000000000 + i), Attempts: 1}
		if i%100 == 0 {
			o.Status, o.ObjectID = plan.Failed, ""
			o.Error = &execute.ErrorInfo{Kind: "invalid", Status: 400, Code: "100", Message: "(#100) Invalid parameter", Target: "graph"}
		}
		out[id] = o
	}
	run := Run{Plan: p, Roster: res, Result: &execute.Result{Outcomes: out, Elapsed: time.Minute}, Rate: 200, Concurrency: 32}
	dst := filepath.Join(b.TempDir(), "results.xlsx")
	for b.Loop() {
		if err := Write(dst, FromResults(run)); err != nil {
			b.Fatal(err)
		}
	}
}

// benchValidationReport validates a 1M-row, 15-column csv and writes its
// report in format ext: the whole of "wpimport validate --out r.EXT".
func benchValidationReport(b *testing.B, ext string) {
	path, err := rostergen.Cached("csv", 1_000_000)
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), "report"+ext)
	var peak float64
	for b.Loop() {
		peak = testkit.PeakHeapMB(func() {
			res := testkit.Validate(b, path)
			res.DropIndex() // as wpimport validate does
			if err := Write(dst, FromValidation(res)); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.ReportMetric(peak, "peak-heap-MB")
}

func BenchmarkValidateReport1MJSON(b *testing.B) { benchValidationReport(b, ".json") }
func BenchmarkValidateReport1MCSV(b *testing.B)  { benchValidationReport(b, ".csv") }
func BenchmarkValidateReport1MXLSX(b *testing.B) { benchValidationReport(b, ".xlsx") }

// BenchmarkBareStreamWriter1M is the yardstick for the xlsx report:
// excelize's stream writer alone writing the same 1M rows of 26 cells.
func BenchmarkBareStreamWriter1M(b *testing.B) {
	path, err := rostergen.Cached("csv", 1_000_000)
	if err != nil {
		b.Fatal(err)
	}
	res := testkit.Validate(b, path)
	dst := filepath.Join(b.TempDir(), "bare.xlsx")
	for b.Loop() {
		f := excelize.NewFile()
		sw, _ := f.NewStreamWriter("Sheet1")
		row := make([]any, 0, 26)
		for i := range res.Rows {
			r := &res.Rows[i]
			row = append(row[:0], r.Row, res.Key(i), "", "", "valid", "", "", "", 0, "", "")
			for c := range r.Len() {
				row = append(row, r.Cell(c))
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, row); err != nil {
				b.Fatal(err)
			}
		}
		sw.Flush()
		if err := f.SaveAs(dst); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
