package report

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
)

// resultsRun is an apply of two changes: an update that went through (its
// typed before and after) and a group whose member add failed.
func resultsRun() Run {
	before := &target.Account{ID: "100000000000001", Name: target.Name{Formatted: "Ada Lovelace"}, Email: "ada@acme.example",
		ExternalID: "E1", Title: "Engineer", Active: true, Manager: &target.Ref{ID: "100000000000009"}, ManagerKey: "boss@acme.example", Version: `W/"1"`}
	after := &target.Account{Title: "Principal", Active: true}
	p := &plan.Plan{Kind: "roster", API: "scim", APIURL: "http://127.0.0.1:1/scim/v2", CreatedAt: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC),
		Target: plan.TargetInfo{Name: "scim", Service: "the SCIM service at 127.0.0.1:1"}, Roster: plan.RosterInfo{Path: "r.csv", Header: []string{"name"}},
		Changes: []plan.Change{
			{ID: 1, Kind: plan.KindAccount, Action: plan.Update, Cause: plan.CauseRoster, Row: 2, Key: "E1", Name: "Ada Lovelace",
				AccountID: before.ID, Before: before, After: after, Fields: []roster.Field{roster.Title}, Fingerprint: plan.Fingerprint(before)},
			{ID: 2, Kind: plan.KindGroup, Action: plan.Update, Cause: plan.CauseRoster, Key: "Team", Name: "Team", Rows: []int{2},
				Group: &plan.GroupChange{GroupID: "g1", Members: 3, Add: []plan.MemberRef{{AccountID: before.ID, Row: 2, Ref: "ada@acme.example"}}}},
		},
		Rows: []plan.RowEntry{{Row: 2, Key: "E1", Name: "Ada Lovelace", Action: plan.Update, Status: plan.Planned, AccountID: before.ID, Change: 1}},
	}
	written := before.Clone()
	written.Title, written.Version = "Principal", `W/"2"`
	out := map[int]*execute.Outcome{
		1: {Change: 1, Kind: plan.KindAccount, Status: plan.Updated, ObjectID: before.ID, Attempts: 1, Calls: 1, After: written, Version: `W/"2"`},
		2: {Change: 2, Kind: plan.KindGroup, Status: plan.Failed, ObjectID: "g1", Calls: 1,
			Error: &execute.ErrorInfo{Kind: "invalid", Status: 400, Code: "invalidValue", Message: "no such member", Target: "scim"}},
	}
	return Run{Plan: p, Result: &execute.Result{Outcomes: out, Elapsed: time.Second}, PlanPath: "plan.json", Digest: "sha256:ab", Version: "test"}
}

// Results written as json or xlsx read back as the same data: each change
// as planned, typed, and its outcome with the service's own error code.
func TestResultsReadBack(t *testing.T) {
	run := resultsRun()
	want, _ := json.Marshal(struct {
		C []ChangeResult
	}{[]ChangeResult{{run.Plan.Changes[0], run.Result.Outcomes[1]}, {run.Plan.Changes[1], run.Result.Outcomes[2]}}})
	for _, ext := range []string{".json", ".xlsx"} {
		path := filepath.Join(t.TempDir(), "results"+ext)
		if err := Write(path, FromResults(run)); err != nil {
			t.Fatal(err)
		}
		r, err := ReadResults(path)
		if err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		got, _ := json.Marshal(struct{ C []ChangeResult }{r.Changes})
		if string(got) != string(want) {
			t.Errorf("%s: read back\n%s\nwant\n%s", ext, got, want)
		}
		if r.FormatVersion != ResultsFormat || r.Info.Digest != "sha256:ab" || r.Info.API != "scim" || r.Info.Target.Service == "" ||
			len(r.Rows) != 1 || r.Rows[0].Status != "updated" {
			t.Errorf("%s: info %+v rows %+v", ext, r.Info, r.Rows)
		}
	}
	// The group's failure shows the service's own code, in the Failures sheet.
	path := filepath.Join(t.TempDir(), "results.xlsx")
	Write(path, FromResults(run))
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Failures")
	if len(rows) != 2 || !strings.Contains(strings.Join(rows[1], "|"), "Team|group|failed|update|invalidValue|no such member") {
		t.Errorf("Failures sheet: %q", rows)
	}
	if v, _ := f.GetSheetVisible(dataSheet); v {
		t.Error("the Data sheet is visible")
	}
}

// A csv results file, and a results file without data, are refused with
// a word of what to give instead.
func TestResultsReadBackRefused(t *testing.T) {
	run := resultsRun()
	path := filepath.Join(t.TempDir(), "results.csv")
	if err := Write(path, FromResults(run)); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadResults(path); err == nil || !strings.Contains(err.Error(), "give the .json or .xlsx results") {
		t.Errorf("csv: %v", err)
	}
	old := filepath.Join(t.TempDir(), "old.json")
	doc := FromResults(run)
	doc.Info, doc.Data = nil, nil
	if err := Write(old, doc); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadResults(old); err == nil || !strings.Contains(err.Error(), "did not record what each change did") {
		t.Errorf("old results: %v", err)
	}
}
