package report

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/rostergen"
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
		op := i + 1
		p.Rows = append(p.Rows, plan.RowEntry{Row: res.Rows[i].Row, Key: rostergen.ExternalID(i), Name: fmt.Sprint("Person ", i),
			Action: plan.Create, Status: "planned", Op: op, Changes: map[string][2]string{"title": {"", "Engineer"}}})
		o := &execute.Outcome{Op: op, Status: execute.StatusCreated, AccountID: fmt.Sprint(100000000000000 + i), Attempts: 1}
		if i%100 == 0 {
			o.Status, o.Code, o.Message = execute.StatusFailed, 100, "(#100) Invalid parameter"
		}
		out[op] = o
	}
	run := Run{Plan: p, Roster: res, Result: &execute.Result{Outcomes: out, Elapsed: time.Minute}, Rate: 200, Concurrency: 32}
	dst := filepath.Join(b.TempDir(), "results.xlsx")
	for b.Loop() {
		if err := Write(dst, FromResults(run)); err != nil {
			b.Fatal(err)
		}
	}
}
