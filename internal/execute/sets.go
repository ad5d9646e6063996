package execute

import (
	"context"
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

// runSets applies the plan's people set ops, one at a time, after every
// account op (their MANAGER values may be accounts made in this run).
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
		if st := r.opts.Resumed[setJournalBase+op.ID]; st != nil && st.Done != nil {
			o.Status, o.SetID, o.Message = st.Done.Status, st.Done.AccountID, st.Done.Message
			continue
		}
		if r.stopped() {
			o.Status, o.Message = StatusNotAttempted, r.notAttemptedWhy()
			continue
		}
		r.runSet(op, o)
		if r.opts.Journal != nil {
			r.opts.Journal.Write(Record{Event: "done", Op: setJournalBase + op.ID, Status: o.Status, AccountID: o.SetID, Code: o.Code, Message: o.Message})
		}
	}
	return out
}

func (r *runner) runSet(op *plan.SetOp, o *SetOutcome) {
	fail := func(err error) {
		o.Status, o.Code, o.Message = StatusFailed, workplace.ErrorCode(err), errorText(err)
	}
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
			if id == "" {
				o.Status, o.Message = StatusFailed, fmt.Sprintf("%s (row %d) has no account: it was not created in this run", v.Ref, r.rowOf[v.CreateOp])
				return
			}
			wc.Values = append(wc.Values, id)
		}
		conds = append(conds, wc)
	}
	// Re-read: the set must be as planned.
	var cur *workplace.PeopleSet
	if err := r.do(&Outcome{}, func(ctx context.Context) error {
		var err error
		cur, err = r.c.FindPeopleSet(ctx, op.Name)
		return err
	}); err != nil {
		fail(err)
		return
	}
	switch {
	case op.Action == plan.Create && cur != nil:
		o.Status, o.SetID, o.Message = StatusStale, cur.ID, "a set with this name was made after the plan: skipped; make a new plan"
		return
	case op.Action != plan.Create && (cur == nil || cur.ID != op.SetID):
		o.Status, o.Message = StatusStale, "the set is gone or was replaced since the plan: skipped; make a new plan"
		return
	case op.Action != plan.Create && plan.SetFingerprint(cur.Conditions) != op.Fingerprint:
		o.Status, o.Message = StatusStale, "the set's conditions changed since the plan: skipped; make a new plan"
		return
	}
	err := r.do(&Outcome{}, func(ctx context.Context) error {
		switch op.Action {
		case plan.Create:
			id, err := r.c.CreatePeopleSet(ctx, op.Name, conds)
			o.SetID = id
			return err
		case plan.Update:
			return r.c.UpdatePeopleSet(ctx, op.SetID, op.Name, conds)
		default:
			return r.c.DeletePeopleSet(ctx, op.SetID)
		}
	})
	if err != nil {
		fail(err)
		return
	}
	o.Status = setDone[op.Action]
}
