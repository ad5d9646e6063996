package report

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/wpimport/wpimport/internal/execute"
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/roster"
	"github.com/wpimport/wpimport/internal/target"
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
func statusOf(r plan.RowEntry, out map[int]*execute.Outcome) (plan.Status, *execute.Outcome) {
	switch {
	case r.Status == plan.Invalid || r.Status == plan.Conflict:
		return plan.Skipped, nil
	case r.Change > 0:
		if o := out[r.Change]; o != nil {
			return o.Status, o
		}
		return plan.NotAttempted, nil
	}
	return plan.Unchanged, nil
}

// objectStatus is the apply status of a group or people set change.
func objectStatus(c *plan.Change, out map[int]*execute.Outcome) (plan.Status, *execute.Outcome) {
	if o := out[c.ID]; o != nil {
		return o.Status, o
	}
	switch c.Action {
	case plan.None:
		return plan.Unchanged, nil
	case plan.Skip:
		return plan.Skipped, nil
	}
	return plan.NotAttempted, nil
}

// failureRow is a Failures sheet line.
func failureRow(row, name, key string, st plan.Status, a plan.Action, o *execute.Outcome, next string) []string {
	code, msg := "", ""
	if o != nil {
		msg = o.Message
		if e := o.Error; e != nil {
			code = e.Code
			if msg == "" {
				msg = e.Message
			} else if !strings.Contains(msg, e.Message) {
				msg += ": " + e.Message
			}
		}
	}
	return []string{row, name, key, string(st), string(a), code, msg, next}
}

// FromResults makes the results document of an apply.
func FromResults(run Run) *Document {
	p := run.Plan
	out := run.Result.Outcomes
	service := targetName(p)
	tally := TallyOf(p, run.Result)
	counts := map[string]int{}
	for st, n := range tally.Rows {
		counts[string(st)] = n
	}
	issues := map[string]int{}
	partial := tally.Rows[plan.Partial]
	var failures [][]string
	for _, r := range p.Rows {
		st, o := statusOf(r, out)
		for _, is := range r.Issues {
			issues[is.Code]++
		}
		if st.Retryable() || st == plan.Stale || st == plan.NotApplied {
			failures = append(failures, failureRow(fmt.Sprint(r.Row), r.Name, r.Key, st, r.Action, o, nextStep(st, o, run.Rerun, service)))
		}
	}
	res := run.Result
	facts := append(Facts{
		{"plan", p.Summary()},
		{"target", service},
		{"API URL", p.APIURL},
		{"roster", p.Roster.Path},
	}, historyFacts(run)...)
	if partial > 0 {
		facts = append(facts, [2]string{"partly done", fmt.Sprintf("%s: the main change was made but a phone or picture step failed (see Failures); %s redoes just those steps",
			plural(partial, "row", "rows"), run.Rerun)})
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
			ByStatus: CountsOf(counts, statusNames(plan.StatusOrder)),
			ByIssue:  issues,
			Facts:    facts,
		},
		Tables: []Table{{Name: "Failures", Headers: []string{"row", "name", "key", "status", "action", "error_code", "error_message", "what to do next"},
			Widths: []float64{6, 22, 16, 13, 11, 10, 60, 70}}},
		Info: resultsInfo(run),
		Data: resultData(p, out),
	}
	byAction := map[string]int{}
	sets := Table{Name: "People sets", Headers: []string{"people set", "action", "status", "set id", "conditions", "message"},
		Widths: []float64{26, 10, 12, 18, 60, 60}}
	groups := Table{Name: "Groups", Headers: []string{"group", "action", "status", "group id", "added", "removed", "message"},
		Widths: []float64{26, 10, 12, 18, 8, 9, 70}}
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Kind == plan.KindAccount {
			continue
		}
		st, o := objectStatus(c, out)
		id, msg, added, removed := "", c.Reason, 0, 0
		if c.Group != nil {
			id = c.Group.GroupID
		}
		if c.Set != nil {
			id = c.Set.SetID
			if n := setNote(c); n != "" {
				msg = n
			}
		}
		if o != nil {
			id, added, removed = cmp.Or(o.ObjectID, id), o.Added, o.Removed
			if o.Message != "" {
				msg = o.Message
			} else if o.Error != nil {
				msg = o.Error.Message
			}
		}
		what := "group"
		if c.Kind == plan.KindPeopleSet {
			what = "people set"
		}
		byAction[what+" "+string(st)]++
		if st.Retryable() || st == plan.Stale {
			failures = append(failures, failureRow("", c.Name, what, st, c.Action, o, objNextStep(st, run.Rerun)))
		}
		switch c.Kind {
		case plan.KindPeopleSet:
			sets.Rows = append(sets.Rows, []string{c.Name, string(c.Action), string(st), id, plan.RenderConditions(c.Set.Wanted()), msg})
		case plan.KindGroup:
			groups.Rows = append(groups.Rows, []string{c.Name, string(c.Action), string(st), id, fmt.Sprint(added), fmt.Sprint(removed), msg})
		}
	}
	doc.Tables[0].Rows = failures
	if len(sets.Rows) > 0 {
		doc.Tables = append(doc.Tables, sets)
	}
	if len(groups.Rows) > 0 {
		doc.Tables = append(doc.Tables, groups)
	}
	if len(byAction) > 0 {
		doc.Summary.ByAction = CountsOf(byAction, nil)
	}
	cells := rowCells(run.Roster)
	doc.Entries = func(yield func(*Entry) bool) {
		var e Entry
		for _, r := range p.Rows {
			st, o := statusOf(r, out)
			e = Entry{Row: r.Row, Key: r.Key, Name: r.Name, Action: string(r.Action), Status: string(st), AccountID: r.AccountID,
				Changes: changesOf(p.Change(r.Change)), Issues: r.Issues, Cells: cells(r.Row)}
			if o != nil {
				e.Attempts = o.Attempts
				if o.ObjectID != "" {
					e.AccountID = o.ObjectID
				}
				e.ErrorMessage = o.Message
				if o.Error != nil {
					e.ErrorCode = o.Error.Code
					if e.ErrorMessage == "" {
						e.ErrorMessage = o.Error.Message
					}
				}
				if o.Status == plan.Partial {
					e.Issues = append(append([]roster.Issue(nil), r.Issues...), roster.Issue{Row: r.Row, Severity: roster.Warning,
						Code: "apply.partial", Message: o.Message})
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
// rerun is the command that retries it, service names the target.
func nextStep(status plan.Status, o *execute.Outcome, rerun, service string) string {
	if rerun == "" {
		rerun = "the same apply command"
	}
	switch {
	case status == plan.Stale:
		return "the account changed after the plan was made: make a new plan and apply it"
	case status == plan.NotAttempted:
		return "run " + rerun + " again: finished rows are not repeated"
	case status == plan.Partial:
		return "the account is right except for the step named: run " + rerun + " to redo just that step; if it fails again, correct the value or set it by hand in " + service
	case status == plan.NotApplied:
		return service + " accepted the change but did not keep it (the message gives both values): set it by hand, or ask the service's support"
	case o == nil || o.Error == nil:
		return "run " + rerun + " to retry; if it fails again, check the message"
	}
	switch o.Error.Kind {
	case target.Invalid.String():
		return service + " refused a value: correct it in the roster (the message names it), plan again, and apply"
	case target.Conflict.String():
		return service + " already has an account with this value (the message names it): correct the roster, or adopt that account, then plan again"
	case target.Fatal.String():
		return service + " refused the token or a permission: fix that (see the STOPPED fact), then run " + rerun
	case target.Throttled.String():
		return service + " kept throttling: run " + rerun + " later, or with a lower --rate"
	case target.NotFound.String():
		return "the account is gone from " + service + ": make a new plan"
	}
	return service + " did not answer or answered in error: run " + rerun + " to retry these rows"
}

// objNextStep tells an admin what to do about a people set or group that
// did not go through: every rerun does failed, partial and not attempted
// ones again.
func objNextStep(status plan.Status, rerun string) string {
	if rerun == "" {
		rerun = "the same apply command"
	}
	switch status {
	case plan.Stale:
		return "it changed after the plan was made: make a new plan and apply it"
	case plan.Partial:
		return "run " + rerun + " to finish it"
	case plan.NotAttempted:
		return "run " + rerun + " (or the same apply again): it is done then, what is finished is not repeated"
	}
	return "run " + rerun + " to try it again; if it fails again, correct what the message names and plan again"
}

// plural is "1 row" or "2 rows".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
