package report

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/validate"
)

// Run is everything a results document is made from.
type Run struct {
	Plan        *plan.Plan
	Roster      *validate.Result // for the original cells; may be nil
	Result      *execute.Result
	Rate        float64
	Concurrency int
	ResultsPath string
	// Rerun is the command that resumes or finishes this apply, as the
	// admin would type it; advice names it.
	Rerun string
	// PlanPath, Digest and Version identify what was applied, by what.
	PlanPath, Digest, Version string
	// Earlier are the plan's earlier apply runs (the journal's); this run
	// is Result.
	Earlier []execute.RunInfo
	Started time.Time // this run's start
	// Stopped is what stopped the run, as the admin was told (naming where
	// a refused token came from); "" means Result.Fatal as it is.
	Stopped string
}

// historyFacts describe the plan's whole apply history, this run last.
func historyFacts(run Run) Facts {
	res := run.Result
	runs := append(append([]execute.RunInfo(nil), run.Earlier...), execute.RunInfo{Start: run.Started, End: run.Started.Add(res.Elapsed),
		Version: run.Version, Calls: res.Calls, Throttles: res.Throttles})
	total, thr := 0, 0
	var per []string
	for i, r := range runs {
		total += r.Calls
		thr += r.Throttles
		end := "died before its end"
		if !r.End.IsZero() {
			end = r.End.Sub(r.Start).Round(time.Second).String()
		}
		per = append(per, fmt.Sprintf("run %d: %s, %s, %d calls, %d throttled", i+1, r.Start.Local().Format("2006-01-02 15:04"), end, r.Calls, r.Throttles))
	}
	perSec := 0.0
	if res.Elapsed > 0 {
		perSec = float64(res.Calls) / res.Elapsed.Seconds()
	}
	f := Facts{
		{"plan file", run.PlanPath},
		{"plan digest", run.Digest},
		{"wpimport version", run.Version},
		{"applied", fmt.Sprintf("first run started %s, last ended %s", runs[0].Start.Local().Format("2006-01-02 15:04:05 MST"),
			runs[len(runs)-1].End.Local().Format("2006-01-02 15:04:05 MST"))},
		{"API calls, all runs", fmt.Sprintf("%d (%d throttled) in %d runs", total, thr, len(runs))},
		{"runs", strings.Join(per, "\n")},
		{"this run", fmt.Sprintf("%s, %d calls (%.1f/s; at most %g/s asked, %d at a time)", res.Elapsed.Round(time.Millisecond), res.Calls, perSec, run.Rate, run.Concurrency)},
	}
	return f
}

// statusOf is the apply status of one plan row.
func statusOf(r plan.RowEntry, out map[int]*execute.Outcome) (string, *execute.Outcome) {
	switch {
	case r.Status == "invalid" || r.Status == "conflict":
		return "skipped", nil
	case r.Op > 0:
		if o := out[r.Op]; o != nil {
			return o.Status, o
		}
		return execute.StatusNotAttempted, nil
	}
	return "unchanged", nil
}

// FromResults makes the results document of an apply.
func FromResults(run Run) *Document {
	p := run.Plan
	out := run.Result.Outcomes
	counts := map[string]int{}
	issues := map[string]int{}
	partial := 0
	var failures [][]string
	for _, r := range p.Rows {
		st, o := statusOf(r, out)
		counts[st]++
		for _, is := range r.Issues {
			issues[is.Code]++
		}
		if st == execute.StatusPartial {
			partial++
		}
		if st == execute.StatusFailed || st == execute.StatusStale || st == execute.StatusNotAttempted || st == execute.StatusPartial {
			code, msg := "", ""
			if o != nil {
				msg = o.Message
				if o.Partial != "" {
					msg = o.Partial
				}
				if o.Code != 0 {
					code = fmt.Sprint(o.Code)
				}
			}
			failures = append(failures, []string{fmt.Sprint(r.Row), r.Name, r.Key, st, string(r.Action), code, msg, nextStep(st, o, run.Rerun)})
		}
	}
	res := run.Result
	facts := append(Facts{
		{"plan", p.Summary()},
		{"target", targetName(p)},
		{"API URL", p.APIURL},
		{"roster", p.Roster.Path},
	}, historyFacts(run)...)
	if partial > 0 {
		facts = append(facts, [2]string{"partly done", fmt.Sprintf("%d rows: the main change was made but a phone, picture or manager step failed (see Failures); %s redoes just those steps", partial, run.Rerun)})
	}
	if res.Interrupted {
		facts = append(facts, [2]string{"INTERRUPTED", "the run was stopped; run the same apply command again to finish it"})
	}
	if res.Fatal != nil {
		facts = append(facts, [2]string{"STOPPED", cmp.Or(run.Stopped, res.Fatal.Error())})
	}
	doc := &Document{
		Kind:    "results",
		Source:  p.Roster.Path,
		Headers: p.Roster.Header,
		Summary: Summary{
			Title:    "wpimport results",
			Rows:     len(p.Rows),
			ByStatus: CountsOf(counts, []string{"created", "updated", "reactivated", "deactivated", "deleted", "erased", "unchanged", "partial", "failed", "stale", "skipped", "not_attempted"}),
			ByIssue:  issues,
			Facts:    facts,
		},
		Tables: []Table{{Name: "Failures", Headers: []string{"row", "name", "key", "status", "action", "error_code", "error_message", "what to do next"},
			Widths: []float64{6, 22, 16, 13, 11, 10, 60, 70}, Rows: failures}},
	}
	if len(p.PeopleSets) > 0 {
		t := Table{Name: "People sets", Headers: []string{"people set", "action", "status", "set id", "conditions", "message"},
			Widths: []float64{26, 10, 12, 18, 60, 60}}
		for _, s := range p.PeopleSets {
			st, id, msg := "not_attempted", s.SetID, setNote(s)
			if o := res.Sets[s.ID]; o != nil {
				st = o.Status
				if o.SetID != "" {
					id = o.SetID
				}
				if o.Message != "" {
					msg = o.Message
				}
				if notDone(o.Status) {
					failures = append(failures, []string{"", s.Name, "people set", o.Status, string(s.Action), codeText(o.Code), o.Message, objNextStep(o.Status, run.Rerun)})
					doc.Tables[0].Rows = failures
				}
			}
			t.Rows = append(t.Rows, []string{s.Name, string(s.Action), st, id, s.New, msg})
		}
		doc.Tables = append(doc.Tables, t)
		doc.Summary.ByAction = CountsOf(setCounts(res), nil)
	}
	if len(p.Groups) > 0 {
		t := Table{Name: "Groups", Headers: []string{"group", "action", "status", "group id", "added", "removed", "message"},
			Widths: []float64{26, 10, 12, 18, 8, 9, 70}}
		for _, g := range p.Groups {
			st, id, msg, added, removed := "not_attempted", g.GroupID, g.Reason, 0, 0
			if o := res.Groups[g.ID]; o != nil {
				st, added, removed = o.Status, o.Added, o.Removed
				if o.GroupID != "" {
					id = o.GroupID
				}
				if o.Message != "" {
					msg = o.Message
				}
				if notDone(o.Status) {
					failures = append(failures, []string{"", g.Name, "group", o.Status, string(g.Action), codeText(o.Code), o.Message, objNextStep(o.Status, run.Rerun)})
					doc.Tables[0].Rows = failures
				}
			}
			t.Rows = append(t.Rows, []string{g.Name, string(g.Action), st, id, fmt.Sprint(added), fmt.Sprint(removed), msg})
		}
		doc.Tables = append(doc.Tables, t)
	}
	cells := rowCells(run.Roster)
	doc.Entries = func(yield func(*Entry) bool) {
		var e Entry
		for _, r := range p.Rows {
			st, o := statusOf(r, out)
			e = Entry{Row: r.Row, Key: r.Key, Name: r.Name, Action: string(r.Action), Status: st, AccountID: r.AccountID,
				Changes: changesOf(r.Changes), Issues: r.Issues, Cells: cells(r.Row)}
			if o != nil {
				e.Attempts = o.Attempts
				if o.AccountID != "" {
					e.AccountID = o.AccountID
				}
				e.ErrorCode, e.ErrorMessage = o.Code, o.Message
				if o.Partial != "" {
					e.Issues = append(append([]roster.Issue(nil), r.Issues...), roster.Issue{Row: r.Row, Severity: roster.Warning,
						Code: "apply.partial", Message: o.Partial})
				}
			}
			if !yield(&e) {
				return
			}
		}
	}
	return doc
}

// nextStep tells an admin what to do about a row that did not succeed;
// rerun is the command that retries it.
func nextStep(status string, o *execute.Outcome, rerun string) string {
	if rerun == "" {
		rerun = "the same apply command"
	}
	switch {
	case status == execute.StatusStale:
		return "the account changed after the plan was made: make a new plan and apply it"
	case status == execute.StatusNotAttempted:
		return "run " + rerun + " again: finished rows are not repeated"
	case status == execute.StatusPartial:
		return "the account is right except for the step named: run " + rerun + " to redo just that step; if it fails again, correct the value or set it in the Admin Panel"
	case o == nil:
		return ""
	}
	switch c := o.Code; {
	case c == 100:
		return "Workplace refused a value: correct it in the roster (the message names it), plan again, and apply"
	case c == 190 || c == 102:
		return "the access token is invalid or expired: get a new one and run " + rerun
	case c == 10 || c >= 200 && c <= 299:
		return "the integration lacks a permission: grant it in the Admin Panel, then run " + rerun
	case c == 4 || c == 17 || c == 32 || c == 613:
		return "Workplace kept throttling: run " + rerun + " later, or with a lower --rate"
	case c == 0:
		return "Workplace did not answer or answered in error: run " + rerun + " to retry these rows"
	}
	return "run " + rerun + " to retry; if it fails again, check the message with Workplace support"
}

// notDone reports a people set or group status that is not a success.
func notDone(status string) bool {
	return status == execute.StatusFailed || status == execute.StatusStale || status == execute.StatusPartial || status == execute.StatusNotAttempted
}

func codeText(code int) string {
	if code == 0 {
		return ""
	}
	return fmt.Sprint(code)
}

// objNextStep tells an admin what to do about a people set or group that
// did not go through: every rerun does failed, partial and not attempted
// ones again.
func objNextStep(status, rerun string) string {
	if rerun == "" {
		rerun = "the same apply command"
	}
	switch status {
	case execute.StatusStale:
		return "it changed after the plan was made: make a new plan and apply it"
	case execute.StatusPartial:
		return "run " + rerun + " to finish it"
	case execute.StatusNotAttempted:
		return "run " + rerun + " (or the same apply again): it is done then, what is finished is not repeated"
	}
	return "run " + rerun + " to try it again; if it fails again, correct what the message names and plan again"
}

func setCounts(res *execute.Result) map[string]int {
	m := map[string]int{}
	for _, o := range res.Sets {
		m["people set "+o.Status]++
	}
	return m
}
