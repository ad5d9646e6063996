package execute

import (
	"context"
	"errors"
	"fmt"

	"github.com/wpimport/wpimport/internal/plan"
	"github.com/wpimport/wpimport/internal/workplace"
)

// setJournalBase offsets people set op ids in the journal.
const setJournalBase = 1_000_000

// SetOutcome is what happened to one people set op.
type SetOutcome struct {
	Op      int    `json:"op"`
	Status  string `json:"status"` // created, updated, deleted, unchanged, skipped, failed, stale, not_attempted
	SetID   string `json:"set_id,omitempty"`
	Code    int    `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

var setDone = map[plan.Action]string{plan.Create: "created", plan.Update: "updated", plan.Delete: "deleted"}

// redone are the journaled statuses of a people set or group op that a
// rerun tries again.
func redone(status string) bool {
	return status == StatusFailed || status == StatusPartial || status == StatusNotAttempted
}

// runSets applies the plan's people set ops, one at a time, after every
// account op (their MANAGER values may be accounts made in this run). Ops
// an earlier run finished are taken from the journal; failed ones are
// tried again. One the run's stop cuts off is not_attempted and not
// journaled, so the next run does it.
func (r *runner) runSets(ops []plan.SetOp) map[int]*SetOutcome {
	out := map[int]*SetOutcome{}
	for i := range ops {
		op := &ops[i]
		o := &SetOutcome{Op: op.ID, SetID: op.SetID}
		out[op.ID] = o
		switch {
		case op.Action == plan.Skip:
			o.Status = "skipped"
			continue
		case op.Action == plan.None:
			o.Status = "unchanged"
			continue
		}
		st := r.opts.Resumed[setJournalBase+op.ID]
		if st != nil && st.Done != nil && !redone(st.Done.Status) {
			o.Status, o.SetID, o.Message = st.Done.Status, st.Done.AccountID, st.Done.Message
			continue
		}
		if r.stopped() {
			o.Status, o.Message = StatusNotAttempted, r.notAttemptedWhy()
			continue
		}
		// An earlier run's write may have gone through unanswered.
		inFlight := st != nil && st.Intent
		if err := r.runSet(op, o, inFlight); err != nil {
			if cutOff(err) {
				o.Status, o.Code, o.Message = StatusNotAttempted, 0, r.notAttempted(err, "people set")
				continue // not journaled: the next run does it
			}
			o.Status, o.Code, o.Message = StatusFailed, workplace.ErrorCode(err), errorText(err)
		}
		if o.Status == StatusNotAttempted {
			continue
		}
		r.journal(Record{Event: "done", Op: setJournalBase + op.ID, Status: o.Status, AccountID: o.SetID, Code: o.Code, Message: o.Message})
	}
	return out
}

// runSet applies one set op and sets o's status, or returns the error
// that ended it. inFlight says that an earlier run sent its write and
// may not have heard the answer: a set as this op would leave it is then
// taken as its own doing.
func (r *runner) runSet(op *plan.SetOp, o *SetOutcome, inFlight bool) error {
	var conds []workplace.Condition
	for _, c := range op.Conditions {
		wc := workplace.Condition{Field: c.Field, Operator: c.Operator}
		for _, v := range c.Values {
			if v.CreateOp == 0 {
				wc.Values = append(wc.Values, v.Value)
				continue
			}
			r.mu.Lock()
			id := r.created[v.CreateOp]
			r.mu.Unlock()
			if m := r.outcome(v.CreateOp); id == "" && (m == nil || m.Status == StatusNotAttempted) {
				// The person may yet be created: leave the set for the next run.
				o.Status, o.Message = StatusNotAttempted, fmt.Sprintf("not attempted: %s (row %d) has no account yet; run apply again", v.Ref, r.rowOf[v.CreateOp])
				return nil
			}
			if id == "" {
				return fmt.Errorf("%s (row %d) has no account: that row was not created; fix it, then run apply again", v.Ref, r.rowOf[v.CreateOp])
			}
			wc.Values = append(wc.Values, id)
		}
		conds = append(conds, wc)
	}
	// Re-read: the set must be as planned.
	cur, err := r.findSet(op.Name)
	if err != nil {
		return err
	}
	ours := cur != nil && cur.Name == op.Name && plan.SetFingerprint(cur.Conditions) == plan.SetFingerprint(conds)
	switch {
	case inFlight && op.Action == plan.Create && ours:
		o.Status, o.SetID, o.Message = setDone[op.Action], cur.ID, "found by name after an unanswered create: created once"
		return nil
	case inFlight && op.Action == plan.Update && ours && cur.ID == op.SetID:
		o.Status, o.Message = setDone[op.Action], "found as planned after an unanswered update"
		return nil
	case inFlight && op.Action == plan.Delete && cur == nil:
		o.Status, o.Message = setDone[op.Action], "gone after an unanswered delete"
		return nil
	case op.Action == plan.Create && cur != nil:
		o.Status, o.SetID, o.Message = StatusStale, cur.ID, "a set with this name was made after the plan: skipped; make a new plan"
		return nil
	case op.Action != plan.Create && (cur == nil || cur.ID != op.SetID):
		o.Status, o.Message = StatusStale, "the set is gone or was replaced since the plan: skipped; make a new plan"
		return nil
	case op.Action != plan.Create && plan.SetFingerprint(cur.Conditions) != op.Fingerprint:
		o.Status, o.Message = StatusStale, "the set's conditions changed since the plan: skipped; make a new plan"
		return nil
	}
	if !r.journal(Record{Event: "intent", Op: setJournalBase + op.ID}) {
		return &cutOffError{r.fatalErr()}
	}
	switch op.Action {
	case plan.Create:
		return r.createSet(op, o, conds)
	case plan.Update:
		err = r.do(&Outcome{}, func(ctx context.Context) error { return r.c.UpdatePeopleSet(ctx, op.SetID, op.Name, conds) })
	default:
		lost := false // a delete whose answer was lost, then "not found", went through
		err = r.do(&Outcome{}, func(ctx context.Context) error {
			err := r.c.DeletePeopleSet(ctx, op.SetID)
			if lost && workplace.IsNotFound(err) {
				return nil
			}
			lost = lost || workplace.IsUnknownOutcome(err)
			return err
		})
	}
	if err != nil {
		return err
	}
	o.Status = setDone[op.Action]
	return nil
}

func (r *runner) findSet(name string) (*workplace.PeopleSet, error) {
	var cur *workplace.PeopleSet
	err := r.do(&Outcome{}, func(ctx context.Context) error {
		var err error
		cur, err = r.c.FindPeopleSet(ctx, name)
		return err
	})
	return cur, err
}

// createSet makes the set once, as createGroup does a group: an answer
// lost (no answer, a 5xx) is resolved by finding the set by name before
// any retry. Found with our conditions, it is ours; a set of that name
// found after a first clean attempt was refused as a duplicate was made
// by someone else since the re-read, and the op is stale.
func (r *runner) createSet(op *plan.SetOp, o *SetOutcome, conds []workplace.Condition) error {
	var t tries
	unknown := false
	for {
		if unknown {
			cur, err := r.findSet(op.Name)
			if err != nil {
				return unknownOutcome("people set", "look-up", err)
			}
			if cur != nil && plan.SetFingerprint(cur.Conditions) == plan.SetFingerprint(conds) {
				o.Status, o.SetID, o.Message = setDone[plan.Create], cur.ID, "found by name after an unanswered create: created once"
				return nil
			}
			if cur != nil {
				o.Status, o.SetID, o.Message = StatusStale, cur.ID, "a set with this name but other conditions exists (made after the plan): skipped; make a new plan"
				return nil
			}
		}
		id, err := r.c.CreatePeopleSet(r.calls, op.Name, conds)
		switch {
		case err == nil:
			o.Status, o.SetID = setDone[plan.Create], id
			return nil
		case isFatal(err):
			r.setFatal(err)
			return orUnknown("people set", unknown, err)
		case errors.Is(err, context.Canceled):
			return orUnknown("people set", unknown, err)
		case workplace.IsUnknownOutcome(err):
			unknown = true
		case workplace.IsInvalidParameter(err):
			// Perhaps "already exists": is the set there?
			cur, ferr := r.findSet(op.Name)
			switch {
			case ferr != nil || cur == nil:
				return err // refused for what it is
			case unknown && plan.SetFingerprint(cur.Conditions) == plan.SetFingerprint(conds):
				o.Status, o.SetID, o.Message = setDone[plan.Create], cur.ID, "found by name after an unanswered create: created once"
			default:
				o.Status, o.SetID, o.Message = StatusStale, cur.ID, "a set with this name was made after the plan: skipped; make a new plan"
			}
			return nil
		case !workplace.IsTransient(err):
			return err
		}
		if !t.again(r.layer.Retry, err) {
			return orUnknown("people set", unknown, err)
		}
		if r.halt.Err() != nil || r.layer.Retry.Sleep(r.halt, r.layer.sleepFor(t.n(), err)) != nil {
			return orUnknown("people set", unknown, &cutOffError{err})
		}
	}
}
