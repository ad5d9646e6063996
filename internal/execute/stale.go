package execute

import (
	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/target"
)

// markStale re-reads the accounts the changes are to (plan.StaleChanges)
// and marks stale those that changed since the plan read them, or are
// gone. Changes in skip, which an earlier run may have made itself, are
// not checked; creates are checked as they are made (a duplicate is looked
// up). A re-read that fails leaves the changes it was for not_attempted,
// for the next run; a fatal one stops the run.
func (r *runner) markStale(changes []*plan.Change, skip map[int]bool) {
	var check []*plan.Change
	for _, c := range changes {
		if c.Kind == plan.KindAccount && c.AccountID != "" && !skip[c.ID] {
			check = append(check, c)
		}
	}
	if len(check) == 0 || r.stopped() {
		return
	}
	stale, err := plan.StaleChanges(r.calls, r.t, check, nil)
	if err != nil {
		if err = r.settle(err); target.IsFatal(err) || cutOff(err) {
			return // every change is not_attempted, as the run stopped
		}
		for _, c := range check {
			r.finish(&Outcome{Change: c.ID, Kind: c.Kind, Status: plan.NotAttempted, ObjectID: c.AccountID,
				Message: "not attempted: its account could not be re-read (" + errorText(err) + "); run apply again"}, false)
		}
		return
	}
	for _, c := range check {
		if why := stale[c.ID]; why != "" {
			r.finish(&Outcome{Change: c.ID, Kind: c.Kind, Status: plan.Stale, ObjectID: c.AccountID,
				Message: why + ": skipped; make a new plan to include it"}, true)
		}
	}
}
