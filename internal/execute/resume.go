package execute

import (
	"github.com/wpimport/wpimport/internal/plan"
)

// redo reports whether a run does again a change the journal finished
// with status s: a partial change (just its failed steps), a group or
// people set that failed, an account change that failed when retryFailed
// (--only-failed). Not attempted is never journaled, but an outcome so
// marked is done again too.
func redo(k plan.Kind, s plan.Status, retryFailed bool) bool {
	switch s {
	case plan.Partial, plan.NotAttempted:
		return true
	case plan.Failed:
		return retryFailed || k != plan.KindAccount
	}
	return false
}

// Resume says what a run of p starting from the journal's states will
// take from it: kept, the finished changes it does not repeat; left, the
// changes with something to do that it runs (never finished, or failed,
// partial or not attempted, as redo says). retryFailed is
// Options.RetryFailed.
func Resume(p *plan.Plan, resumed map[int]*OpState, retryFailed bool) (kept, left int) {
	for i := range p.Changes {
		c := &p.Changes[i]
		if !c.Runs() {
			continue
		}
		if st := resumed[c.ID]; st != nil && st.Done != nil && !redo(c.Kind, st.Done.Status, retryFailed) {
			kept++
		} else {
			left++
		}
	}
	return kept, left
}

// resume takes from the journal what it finished: those changes keep
// their outcome; the others are returned to be run, with, in recheck,
// those the journal knows (in flight, partial, failed) that the stale
// check must skip: we may have changed them ourselves. Changes with
// nothing to do (none, skip) get their outcome here, with no call.
func (r *runner) resume(todo []*plan.Change) (fresh []*plan.Change, recheck map[int]bool) {
	recheck = map[int]bool{}
	for _, c := range todo {
		switch c.Action {
		case plan.None:
			r.finish(&Outcome{Change: c.ID, Kind: c.Kind, Status: plan.Unchanged, ObjectID: objectID(c), Message: c.Reason}, false)
			continue
		case plan.Skip:
			r.finish(&Outcome{Change: c.ID, Kind: c.Kind, Status: plan.Skipped, ObjectID: objectID(c), Message: c.Reason}, false)
			continue
		}
		st := r.opts.Resumed[c.ID]
		if done := r.journaled(c.ID); done != nil && !redo(c.Kind, done.Status, r.opts.RetryFailed) {
			r.finish(done, false)
			continue
		}
		if st != nil {
			recheck[c.ID] = true
		}
		fresh = append(fresh, c)
	}
	return fresh, recheck
}

// inJournal reports whether the journal knows change id: an earlier run
// sent, or may have sent, its writes.
func (r *runner) inJournal(id int) bool { return r.opts.Resumed[id] != nil }
