package execute

import "github.com/wpimport/wpimport/internal/plan"

// Resume says what a run of p starting from the journal's states will
// take from it: kept, the finished ops it does not repeat; left, the
// people set and group ops still to do (never finished, or failed,
// partial or not attempted, which every run does again). retryFailed is
// Options.RetryFailed.
func Resume(p *plan.Plan, resumed map[int]*OpState, retryFailed bool) (kept, left int) {
	for _, op := range p.Ops {
		if st := resumed[op.ID]; st != nil && st.Done != nil && st.Done.Status != StatusPartial &&
			!(retryFailed && st.Done.Status == StatusFailed) {
			kept++
		}
	}
	count := func(id int, a plan.Action) {
		if a == plan.Skip || a == plan.None {
			return
		}
		if st := resumed[id]; st != nil && st.Done != nil && !redone(st.Done.Status) {
			kept++
		} else {
			left++
		}
	}
	for _, s := range p.PeopleSets {
		count(setJournalBase+s.ID, s.Action)
	}
	for _, g := range p.Groups {
		count(groupJournalBase+g.ID, g.Action)
	}
	return kept, left
}
